"""Site fixtures: a tiny fictional evidence library (Glimmerfield syndrome, lexical, no shared
data), the site's pages, groups and workflow, and named people (persona fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("wagtail", reason="the site extra is not installed: pip install -e '.[site]'")

from sitedata import FLARES, PASSWORD

from evimap.evidence import Document
from evimap.library import Library
from evimap.vocabulary import for_library

LIBRARY_JSONL = Path(__file__).parents[1] / "fixtures" / "site" / "library.jsonl"


def fixture_documents() -> list[Document]:
    lines = LIBRARY_JSONL.read_text().splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if not line.startswith("#")]


@pytest.fixture(scope="session")
def evidence_library(tmp_path_factory) -> Path:
    """The fictional library on disk, with its vocabulary built from it alone."""
    path = tmp_path_factory.mktemp("site-library")
    with Library(path, create=True) as library:
        library.add(fixture_documents())
        for_library(library, None, rebuild=True)
    return path


@pytest.fixture(autouse=True)
def _site_settings(settings, evidence_library):
    """Point the site at the fictional library; fast password hashing."""
    from django.core.cache import cache

    from evimap.site import answers

    cache.clear()  # ids repeat between tests, so a cached page could look current
    settings.EVIMAP_LIBRARY = evidence_library
    settings.EVIMAP_SHARED_DATA = None
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    answers.reset_engine()
    yield
    answers.reset_engine()


@pytest.fixture
def site(db):
    """Home page, editorial policy, groups, workflow and the example accounts."""
    from evimap.site import setup

    home = setup.ensure_site()
    setup.seed_accounts(lambda username: PASSWORD)
    return home


@pytest.fixture
def people(site):
    """The named people: editor, reviewer, reviewer2, moderator, admin, member."""
    from django.contrib.auth.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def flares_page(site, people):
    """The flares question page, drafted by the admin and waiting for the editorial check."""
    from evimap.site.pages.drafting import draft_question

    return draft_question(FLARES, people["admin"])


@pytest.fixture
def approved_page(flares_page, people):
    """The flares page taken through editorial check and medical review."""
    from evimap.site.review import actions

    revision = flares_page.latest_revision_id
    actions.approve(flares_page, people["editor"], revision)
    actions.approve(flares_page, people["reviewer"], revision)
    flares_page.refresh_from_db()
    return flares_page
