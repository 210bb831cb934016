"""BEIR / SciFact corpus adapter: both line schemas, exact SciFact sentence spans, problems."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Problem, SourceKind, StudyDesign
from evimap.sources import beir


@pytest.fixture(scope="module")
def beir_dir(fixtures: Path) -> Path:
    return fixtures / "beir"


@pytest.fixture(scope="module")
def quorvane(beir_dir: Path) -> list:
    return list(beir.read_file(beir_dir / "QuorvaneQA" / "corpus.jsonl"))


@pytest.fixture(scope="module")
def scifact_mini(beir_dir: Path) -> list:
    return list(beir.read_file(beir_dir / "scifact_mini" / "corpus.jsonl"))


def test_files(beir_dir: Path) -> None:
    corpus = beir_dir / "QuorvaneQA" / "corpus.jsonl"
    assert beir.files(corpus) == [corpus]
    assert beir.files(beir_dir / "QuorvaneQA") == [corpus]
    found = [p.relative_to(beir_dir).as_posix() for p in beir.files(beir_dir)]
    assert found == [
        "QuorvaneQA/corpus.jsonl",
        "broken/empty/corpus.jsonl",
        "broken/no_id/corpus.jsonl",
        "broken/not_corpus/corpus.jsonl",
        "scifact_mini/corpus.jsonl",
    ]


def test_beir_schema(quorvane: list) -> None:
    docs = {r.id: r for r in quorvane if isinstance(r, Document)}
    assert sorted(docs) == ["quorvaneqa:4", "quorvaneqa:qv1", "quorvaneqa:qv2"]
    doc = docs["quorvaneqa:qv1"]
    assert doc.kind is SourceKind.RESEARCH and doc.collection == "beir"
    assert doc.design is StudyDesign.OTHER
    assert doc.extra == {"dataset": "quorvaneqa"}
    assert doc.title == "Humming and Quorvane fever"
    assert (doc.url, doc.pmid) == ("https://example.org/qv1", "90000001")
    (passage,) = doc.passages
    assert passage.text == "Quorvane fever is a fictional illness. Humming may shorten it."
    assert passage.sentences is None
    assert docs["quorvaneqa:4"].passages == ()  # empty text: title only


def test_bad_lines_are_problems_and_reading_goes_on(quorvane: list, beir_dir: Path) -> None:
    problems = [r for r in quorvane if isinstance(r, Problem)]
    assert [p.record for p in problems] == ["line 4", "line 6", "line 7"]
    assert "invalid JSON" in problems[0].reason
    assert all(p.file == str(beir_dir / "QuorvaneQA" / "corpus.jsonl") for p in problems)
    assert isinstance(quorvane[-1], Problem) and "_id" in quorvane[-1].reason


def test_scifact_schema_keeps_source_sentences(scifact_mini: list, beir_dir: Path) -> None:
    lines = (beir_dir / "scifact_mini" / "corpus.jsonl").read_text().splitlines()
    originals = [json.loads(line) for line in lines]
    assert [d.id for d in scifact_mini] == [
        "scifact_mini:101",
        "scifact_mini:102",
        "scifact_mini:103",
    ]
    for doc, original in zip(scifact_mini, originals, strict=True):
        assert doc.title == original["title"]
        sentences = [s for p in doc.passages for s in (p.sentences or ())]
        assert [doc.passages[0].text[a:b] for a, b in sentences] == original["abstract"]
    first = scifact_mini[0].passages[0]
    assert first.text == (
        "Glimmerfield syndrome is fictional. Patients see silver sparkles.   \n "
        "The sparkles fade with age."
    )
    assert first.sentences == ((0, 35), (36, 69), (70, 97))
    assert scifact_mini[2].passages == ()


def test_scifact_passage_helper() -> None:
    passage = beir.scifact_passage(["A.", "", "B c."])
    assert passage.text == "A.  B c."
    assert passage.sentences == ((0, 2), (3, 3), (4, 8))


def test_gzip_corpus(tmp_path: Path, beir_dir: Path) -> None:
    folder = tmp_path / "GzSet"
    folder.mkdir()
    target = folder / "corpus.jsonl.gz"
    target.write_bytes(gzip.compress((beir_dir / "scifact_mini" / "corpus.jsonl").read_bytes()))
    (folder / "queries.jsonl").write_text('{"_id": "q1", "text": "not a corpus"}\n')
    assert beir.files(tmp_path) == [target]
    assert [r.id for r in beir.read_file(target)] == ["gzset:101", "gzset:102", "gzset:103"]


def test_empty_file_is_a_problem(beir_dir: Path) -> None:
    (problem,) = list(beir.read_file(beir_dir / "broken" / "empty" / "corpus.jsonl"))
    assert isinstance(problem, Problem) and problem.record == "" and "empty" in problem.reason


@pytest.mark.parametrize("folder", ["not_corpus", "no_id"])
def test_wrong_format_raises(beir_dir: Path, folder: str) -> None:
    with pytest.raises(SourceFormatError, match=f"{folder}/corpus.jsonl.*line 1"):
        list(beir.read_file(beir_dir / "broken" / folder / "corpus.jsonl"))


@pytest.mark.shared_data
def test_real_scifact(shared_data: Path) -> None:
    path = shared_data / "scifact" / "corpus.jsonl"
    assert beir.files(shared_data / "scifact") == [path]
    docs = list(beir.read_file(path))
    assert len(docs) == 5183 and all(isinstance(d, Document) for d in docs)
    assert len({d.id for d in docs}) == 5183
    assert docs[0].id == "scifact:4983" and docs[0].extra == {"dataset": "scifact"}
    total = 0
    with path.open(encoding="utf-8") as handle:
        for doc, line in zip(docs, handle, strict=True):
            original = json.loads(line)["abstract"]
            passage = doc.passages[0]
            assert [passage.text[a:b] for a, b in passage.sentences or ()] == original
            total += len(original)
    assert total == 45_952


@pytest.mark.shared_data
def test_real_qrels_ids_are_corpus_ids(shared_data: Path) -> None:
    ids = {d.id for d in beir.read_file(shared_data / "scifact" / "corpus.jsonl")}
    qrels = (shared_data / "scifact" / "qrels" / "test.tsv").read_text().splitlines()[1:]
    assert qrels and all(f"scifact:{row.split()[1]}" in ids for row in qrels)
