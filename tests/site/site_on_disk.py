"""A site on disk, for tests that run evimap as its users do: `evimap ...` or a web server in
a process of its own, against a SQLite database in a temporary directory. The environment
names that database and the library, and the processes run in that directory, so nothing
touches a developer's var/site.sqlite3 or var/library."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sitedata import FLARES, PASSWORD

EVIMAP = Path(sys.executable).parent / "evimap"

# Migrate, seed the accounts, draft FLARES (a live page, waiting for the editorial check):
# what `evimap demo` does, without building the demo library.
_SET_UP = """
import sys
from evimap.settings import Settings
from evimap.site.commands import configure
configure(Settings.from_env())
from django.contrib.auth.models import User
from evimap.site import setup
from evimap.site.pages.drafting import draft_question
setup.migrate()
setup.ensure_site()
setup.seed_accounts(lambda username: sys.argv[2])
page = draft_question(sys.argv[1], User.objects.get(username="admin"))
print(f"page {page.pk} revision {page.latest_revision_id}")
"""
_made: dict[Path, tuple[Path, int, int]] = {}  # library -> (site database, page, revision)


@dataclass(frozen=True, slots=True)
class SiteOnDisk:
    directory: Path
    library: Path
    env: dict[str, str]
    page: int  # FLARES, live and waiting for the editorial check
    revision: int


def site_env(directory: Path, library: Path) -> dict[str, str]:
    """This process's environment without its evimap and Django settings, plus the site's."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("EVIMAP_", "DJANGO_")) and name != "DATABASE_URL"
    }
    env["DATABASE_URL"] = f"sqlite:///{directory / 'site.sqlite3'}"
    env["EVIMAP_LIBRARY"] = str(library)
    env["EVIMAP_SHARED_DATA"] = str(directory / "no-shared-data")
    return env


def site_on_disk(tmp_path_factory, directory: Path, library: Path) -> SiteOnDisk:
    """A new site in `directory`, with its own copy of `library`: the accounts of the site
    tests (password PASSWORD) and FLARES drafted by the admin. The site is made once per
    test session (migrating takes a while) and copied."""
    if library not in _made:
        first = tmp_path_factory.mktemp("site-on-disk")
        done = subprocess.run(
            [sys.executable, "-c", _SET_UP, FLARES, PASSWORD],
            env=site_env(first, library),
            cwd=first,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        found = re.search(r"^page (\d+) revision (\d+)$", done.stdout, re.MULTILINE)
        assert found, done.stdout
        _made[library] = (first / "site.sqlite3", int(found[1]), int(found[2]))
    database, page, revision = _made[library]
    shutil.copyfile(database, directory / "site.sqlite3")
    shutil.copytree(library, directory / "library")
    env = site_env(directory, directory / "library")
    return SiteOnDisk(directory, directory / "library", env, page, revision)
