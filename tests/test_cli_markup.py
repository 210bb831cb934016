"""D11 (issue 10): the CLI prints data as it is, never as rich markup. A path, title or
question holding "[/x]" crashed `ingest` (after committing), `search`, `library search` and
`analyze`; "[line 3]" vanished from skipped-record lines. Run as users run it: a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EVIMAP = Path(sys.executable).parent / "evimap"
TITLE = "Glimmerfield [/x] shimmer [line 3] [bold]study"
ARTICLE = (
    '<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{pmid}</PMID>'
    "<Article><Journal><Title>J [/x] Med</Title></Journal>{title}</Article>"
    "</MedlineCitation></PubmedArticle>"
)


@pytest.fixture
def cli(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'no-site.sqlite3'}",
        "EVIMAP_LIBRARY": str(tmp_path / "lib"),
        "EVIMAP_SHARED_DATA": str(tmp_path / "no-shared-data"),
        "COLUMNS": "300",
    }

    def run(*argv: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(EVIMAP), *argv], env=env, capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in done.stderr and "MarkupError" not in done.stderr, done.stderr
        assert done.returncode == 0, done.stderr
        return done

    return run


def test_paths_titles_and_questions_with_brackets_print_as_they_are(tmp_path, cli):
    folder = tmp_path / "in[/x]"  # "in[" with "x]" inside
    folder.mkdir(parents=True)
    xml = folder / "a[line 3].xml"
    records = ARTICLE.format(pmid=777, title=f"<ArticleTitle>{TITLE}</ArticleTitle>")
    records += ARTICLE.format(pmid=778, title="")  # no title: a skipped record
    xml.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{records}</PubmedArticleSet>\n')

    ingested = cli("ingest", "pubmed", str(folder))
    assert "added 1," in ingested.stderr
    assert f"skipped {xml} [778]: no ArticleTitle" in ingested.stderr

    listed = cli("library", "search", "glimmerfield shimmer")
    assert "pubmed:777" in listed.stdout and TITLE in listed.stdout
    found = cli("search", "--mode", "lexical", "glimmerfield [/x] shimmer")
    assert "pubmed:777" in found.stdout and TITLE in found.stdout
    analysed = cli("analyze", "what is [/x] glimmerfield [line 3]?")
    assert "what is [/x] glimmerfield [line 3]?" in analysed.stdout
