"""D21 (issue 10): where several files hold the same document, or a later file deletes it,
the later file wins and a re-run writes nothing. Re-ingesting the PubMed samples (the 2018
and 2019 baselines share 169 PMIDs, 9 of them changed, and the 2019 file deletes 7 the 2018
file has) reported "added 7, updated 18, deleted 7" on every run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evimap import Library, ingest

EVIMAP = Path(sys.executable).parent / "evimap"
ARTICLE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><Title>Journal of Fictional
Neurology</Title></Journal><ArticleTitle>Glimmerfield syndrome report {pmid}, {edition}.
</ArticleTitle><Language>eng</Language></Article></MedlineCitation></PubmedArticle>
"""


def pubmed_file(path: Path, pmids, edition: str, deleted=()) -> Path:
    body = "".join(ARTICLE.format(pmid=p, edition=edition) for p in pmids)
    if deleted:
        body += "<DeleteCitation>"
        body += "".join(f'<PMID Version="1">{p}</PMID>' for p in deleted)
        body += "</DeleteCitation>"
    path.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n')
    return path


@pytest.fixture
def editions(tmp_path) -> list[Path]:
    """2018: PMIDs 1-6. 2019: 3-8, 3 and 4 revised (5-6 as before), and 1 deleted."""
    first = pubmed_file(tmp_path / "a-2018.xml", range(1, 7), "2018 edition")
    second = tmp_path / "b-2019.xml"
    body = "".join(ARTICLE.format(pmid=p, edition="2019 edition") for p in (3, 4))
    body += "".join(ARTICLE.format(pmid=p, edition="2018 edition") for p in (5, 6, 7, 8))
    body += '<DeleteCitation><PMID Version="1">1</PMID></DeleteCitation>'
    second.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n')
    return [first, second]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_later_file_wins_and_a_rerun_changes_nothing(tmp_path, editions, workers, monkeypatch):
    from evimap import ingestion

    monkeypatch.setattr(ingestion, "BATCH_SIZE", 2)  # versions in different batches
    with Library(tmp_path / "lib", create=True) as library:
        first = ingest(library, "pubmed", editions, workers=workers)
        assert (first.added, first.updated, first.deleted, first.failed) == (7, 0, 0, 0)
        again = ingest(library, "pubmed", editions, workers=workers)
        assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 7)
        titles = {d.document.pmid: d.document.title for d in library.search("glimmerfield", 20)}
    assert sorted(titles, key=int) == ["2", "3", "4", "5", "6", "7", "8"]
    assert all("2019" in titles[p] for p in ("3", "4"))
    assert all("2018" in titles[p] for p in ("2", "5", "6"))


def test_a_later_unit_replaces_within_one_batch_too():
    """A batch may hold the end of one unit and the start of the next (read in process)."""
    from evimap.evidence import Deletion, Problem
    from evimap.ingestion import UNIT_END, _LaterUnits

    later = _LaterUnits()
    try:
        kept = later.keep([Deletion("x:1"), Deletion("x:2"), UNIT_END, Deletion("x:1")])
        assert [d.id for d in kept] == ["x:1", "x:2"]
        problem = Problem("f.xml", "x:2", "bad")
        kept = later.keep([Deletion("x:2"), problem, Deletion("x:3"), UNIT_END])
        assert kept == [problem, Deletion("x:3")]
        assert later.keep([Deletion("x:3"), Deletion("x:4")]) == [Deletion("x:4")]
    finally:
        later.close()


@pytest.mark.shared_data
@pytest.mark.parametrize("workers", [None, "0"])
def test_re_ingesting_the_pubmed_samples_changes_nothing(shared_data, tmp_path, workers):
    samples = shared_data / "pubmed-xml"
    if not samples.is_dir():
        pytest.skip(f"no PubMed samples at {samples}")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'no-site.sqlite3'}"}
    argv = [str(EVIMAP), "ingest", "pubmed", str(samples), "-L", str(tmp_path / "lib")]
    argv += ["--workers", workers] if workers else []
    runs = [subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)]
    runs.append(subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300))
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    assert "added 0, updated 0, unchanged " in runs[1].stderr
    assert ", deleted 0, failed 0" in runs[1].stderr
