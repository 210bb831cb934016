"""Only http(s) links reach a reader (issue 10, D6): a guideline whose `url` or canonical
link is `javascript:...` is refused at ingest, and the pages and the API never offer such a
link, even for what an older library holds."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sitedata import FLARES

from evimap.evidence import Document, Problem
from evimap.library import Library
from evimap.sources import guidelines
from evimap.vocabulary import for_library

LIBRARY_JSONL = Path(__file__).parents[1] / "fixtures" / "site" / "library.jsonl"

EVIL = "javascript:alert(document.cookie)"
EVIL_URLS = [EVIL, " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
             "vbscript:msgbox(1)", "//evil.example/x", "/relative/page"]  # fmt: skip


@pytest.fixture(scope="module")
def evil_library(tmp_path_factory):
    """The site library, every reference's address a `javascript:` URL (as an old ingest or
    another source could have stored it)."""
    path = tmp_path_factory.mktemp("evil-library")
    lines = [line for line in LIBRARY_JSONL.read_text().splitlines() if line[:1] != "#"]
    documents = [Document.from_dict(json.loads(line)) for line in lines]
    docs = [dataclasses.replace(d, url=EVIL, pmid="", doi="") for d in documents]
    with Library(path, create=True) as library:
        library.add(docs)
        for_library(library, None, rebuild=True)
    return path


@pytest.fixture
def evil_site(settings, evil_library):
    from evimap.site import answers

    settings.EVIMAP_LIBRARY = evil_library
    answers.reset_engine()
    yield
    answers.reset_engine()


def test_pages_and_the_api_offer_only_http_links(client, evil_site, approved_page):
    data = approved_page.answers["patient"]
    assert data["references"] and all(r["url"] == EVIL for r in data["references"])
    page = client.get(approved_page.url).content.decode()
    assert "javascript:" not in page.lower()
    api = client.get(f"/api/pages/{approved_page.pk}/answer").json()
    assert api["answer"]["references"] and all(r["url"] == "" for r in api["answer"]["references"])
    asked = client.post(
        "/api/ask", {"question": FLARES, "audience": "patient"}, content_type="application/json"
    ).json()
    assert asked["answer"]["references"]
    assert "javascript:" not in json.dumps(asked).lower()
    follow_up = client.post(approved_page.url, {"question": "Can heat trigger a flare?"})
    assert follow_up.status_code == 200 and "javascript:" not in follow_up.content.decode().lower()


def test_http_links_still_link(client, approved_page):
    page = client.get(approved_page.url).content.decode()
    assert 'href="https://example.org/guideline-flares"' in page


FRONT = "---\ntitle: T\norganisation: O\nyear: 2020\nurl: {url}\n---\n\n## Advice\n\nRest.\n"


@pytest.mark.parametrize("url", EVIL_URLS)
def test_a_guideline_with_a_non_http_url_is_a_problem(tmp_path, url):
    path = tmp_path / "g.md"
    path.write_text(FRONT.format(url=json.dumps(url)))
    (problem,) = guidelines.read_file(path)
    assert isinstance(problem, Problem) and "'url'" in problem.reason, problem


@pytest.mark.parametrize("url", EVIL_URLS)
def test_an_html_guideline_with_a_non_http_canonical_link_is_a_problem(tmp_path, url):
    head = (
        '<meta name="citation_title" content="T"><meta name="dc.publisher" content="O">'
        f'<meta name="dc.date" content="2020"><link rel="canonical" href="{url}">'
    )
    path = tmp_path / "g.html"
    path.write_text(f"<html><head>{head}</head><body><p>Rest.</p></body></html>")
    (problem,) = guidelines.read_file(path)
    assert isinstance(problem, Problem) and "'url'" in problem.reason, problem


def test_a_guideline_with_an_https_url_is_read(tmp_path):
    path = tmp_path / "g.md"
    path.write_text(FRONT.format(url="https://example.org/g"))
    (doc,) = guidelines.read_file(path)
    assert doc.url == "https://example.org/g"
