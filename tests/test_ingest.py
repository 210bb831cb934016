"""Ingest runs: parser processes, file order, bad files among good ones, progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap import Library, ingest
from evimap.ingestion import Progress, default_workers

ARTICLE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><Title>Journal of Fictional
Neurology</Title><JournalIssue><PubDate><Year>2021</Year></PubDate></JournalIssue></Journal>
<ArticleTitle>Heat and Glimmerfield syndrome relapses, report {pmid}.</ArticleTitle>
<Abstract><AbstractText Label="RESULTS">Relapses of Glimmerfield syndrome followed heat
exposure. Rest helped.</AbstractText></Abstract><Language>eng</Language>
<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>
</PublicationTypeList></Article></MedlineCitation></PubmedArticle>
"""


def pubmed_file(path: Path, pmids, deleted=()) -> Path:
    body = "".join(ARTICLE.format(pmid=p) for p in pmids)
    if deleted:
        body += (
            "<DeleteCitation>"
            + "".join(f'<PMID Version="1">{p}</PMID>' for p in deleted)
            + "</DeleteCitation>"
        )
    path.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n')
    return path


@pytest.fixture
def library(tmp_path: Path):
    with Library(tmp_path / "lib", create=True) as lib:
        yield lib


@pytest.mark.parametrize("workers", [0, 2])
def test_a_later_file_deletes_what_an_earlier_file_added(tmp_path, library, workers):
    first = pubmed_file(tmp_path / "a.xml", range(1, 41))
    second = pubmed_file(tmp_path / "b.xml", range(41, 61), deleted=[3, 7])
    report = ingest(library, "pubmed", [first, second], workers=workers)
    # In one batch the add and the delete cancel out; across batches both are counted.
    assert report.added - report.deleted == 58 and report.failed == 0
    assert library.stats().documents == 58
    assert {h.document.pmid for h in library.search("glimmerfield", k=100)} == (
        {str(n) for n in range(1, 61)} - {"3", "7"}
    )


@pytest.mark.parametrize("workers", [0, 2])
def test_a_bad_file_is_reported_and_the_good_ones_are_kept(tmp_path, library, workers):
    good = pubmed_file(tmp_path / "good.xml", range(1, 6))
    broken = tmp_path / "broken.xml"
    broken.write_text(pubmed_file(tmp_path / "x.xml", range(10, 13)).read_text()[:-80])
    (tmp_path / "x.xml").unlink()
    wrong = tmp_path / "wrong.xml"
    wrong.write_text('<Document id="1" source="GARD"><Focus>Quorvane fever</Focus></Document>')
    report = ingest(library, "pubmed", [good, broken, wrong], workers=workers)
    assert report.added >= 5 + 2  # the broken file's complete records are kept
    reasons = {Path(p.file).name: p.reason for p in report.problems}
    assert "broken.xml" in reasons
    assert "wrong.xml" in reasons and "Document" in reasons["wrong.xml"]


def test_ingest_twice_changes_nothing(tmp_path, library):
    files = [pubmed_file(tmp_path / "a.xml", range(1, 30))]
    ingest(library, "pubmed", files, workers=0)
    report = ingest(library, "pubmed", files, workers=2)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 29)


def test_progress_reports_every_file_and_record(tmp_path, library):
    files = [pubmed_file(tmp_path / f"{n}.xml", range(n * 100, n * 100 + 10)) for n in range(3)]
    seen_bytes, seen_records = [], []
    progress = Progress(on_records=seen_records.append, on_bytes=seen_bytes.append)
    ingest(library, "pubmed", files, workers=2, progress=progress)
    assert sorted(seen_bytes) == sorted(f.stat().st_size for f in files)  # last file first
    assert sum(seen_records) == 30


def test_small_inputs_are_read_in_process(tmp_path):
    assert default_workers([pubmed_file(tmp_path / "a.xml", range(3))]) == 0


def test_one_large_file_is_cut_and_read_by_several_workers_in_order(tmp_path, library, monkeypatch):
    from evimap import ingestion

    monkeypatch.setattr(ingestion, "TASK_BYTES", 40_000)
    big = pubmed_file(tmp_path / "big.xml", range(1, 400), deleted=[5, 398])
    assert len(ingestion.units_of("pubmed", [big])) > 4
    report = ingest(library, "pubmed", [big], workers=2)
    assert report.failed == 0
    assert library.stats().documents == 397
    assert {"5", "398"}.isdisjoint(h.document.pmid for h in library.search("heat", k=500))
