"""PubMedQA adapter: items to research documents, MeSH-derived design, problems."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Problem, SourceKind, StudyDesign
from evimap.sources import pubmedqa
from evimap.text import normalize_space


@pytest.fixture(scope="module")
def mini(fixtures: Path) -> Path:
    return fixtures / "pubmedqa" / "mini.json"


@pytest.fixture(scope="module")
def records(mini: Path) -> list:
    return list(pubmedqa.read_file(mini))


def _by_id(records: list) -> dict[str, Document]:
    return {r.id: r for r in records if isinstance(r, Document)}


def test_files(fixtures: Path, mini: Path) -> None:
    assert pubmedqa.files(mini) == [mini]
    assert pubmedqa.files(fixtures / "pubmedqa") == sorted(
        [mini, *(fixtures / "pubmedqa" / "broken").glob("*.json")]
    )


def test_item_becomes_research_document(records: list) -> None:
    doc = _by_id(records)["pubmedqa:90000001"]
    assert doc.kind is SourceKind.RESEARCH and doc.collection == "pubmedqa"
    assert doc.pmid == "90000001"
    assert doc.url == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert doc.title == "Does humming shorten Quorvane fever?"
    assert doc.year == 2021
    assert doc.mesh == ("Quorvane Fever", "Double-Blind Method", "Retrospective Studies", "Humans")
    assert [(p.heading, p.text) for p in doc.passages] == [
        ("BACKGROUND", "Quorvane fever is a fictional one-day illness."),
        ("METHODS", "We randomly assigned 40 imaginary adults to humming or silence."),
        ("CONCLUSIONS", "Humming shortened the fictional fever by two hours."),
    ]
    assert doc.extra == {
        "final_decision": "yes",
        "reasoning_required_pred": "yes",
        "reasoning_free_pred": "no",
    }


def test_missing_year_and_empty_long_answer(records: list) -> None:
    doc = _by_id(records)["pubmedqa:90000002"]
    assert doc.year is None
    assert [p.heading for p in doc.passages] == ["METHODS"]
    assert doc.extra == {"final_decision": "maybe"}


@pytest.mark.parametrize(
    ("doc_id", "design"),
    [
        ("pubmedqa:90000001", StudyDesign.RCT),  # blinding beats retrospective
        ("pubmedqa:90000002", StudyDesign.OBSERVATIONAL),  # cohort; "... as Topic" ignored
        ("pubmedqa:90000004", StudyDesign.OTHER),  # only "RCTs as Topic"
    ],
    ids=["blinded", "cohort", "as-topic"],
)
def test_design_from_mesh(records: list, doc_id: str, design: StudyDesign) -> None:
    assert _by_id(records)[doc_id].design is design


def test_design_map_ignores_case() -> None:
    assert pubmedqa.design_from_mesh(["cross-sectional studies"]) is StudyDesign.OBSERVATIONAL
    assert pubmedqa.design_from_mesh(["Random Allocation"]) is StudyDesign.RCT
    assert pubmedqa.design_from_mesh([]) is StudyDesign.OTHER


def test_item_without_question_is_a_problem(records: list, mini: Path) -> None:
    problems = [r for r in records if isinstance(r, Problem)]
    assert [(p.file, p.record) for p in problems] == [(str(mini), "90000003")]
    assert "QUESTION" in problems[0].reason
    assert len(records) == 4  # the items after it are still read


def test_bad_item_types_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    good = {"QUESTION": "Is it fine?", "CONTEXTS": ["Yes."], "LABELS": ["RESULTS"]}
    data = {"1": good, "2": {"QUESTION": "Bad contexts?", "CONTEXTS": "not a list"}, "x": good}
    path.write_text(json.dumps(data))
    records = list(pubmedqa.read_file(path))
    assert isinstance(records[0], Document)
    assert [(r.record, type(r)) for r in records[1:]] == [("2", Problem), ("x", Problem)]


def test_unreadable_json_is_a_problem(fixtures: Path) -> None:
    for name in ("truncated.json", "empty.json"):
        path = fixtures / "pubmedqa" / "broken" / name
        (problem,) = list(pubmedqa.read_file(path))
        assert isinstance(problem, Problem) and problem.record == ""
        assert "unreadable JSON" in problem.reason


@pytest.mark.parametrize("name", ["list.json", "other_object.json"])
def test_wrong_format_raises(fixtures: Path, name: str) -> None:
    with pytest.raises(SourceFormatError, match=name.replace(".", r"\.")):
        list(pubmedqa.read_file(fixtures / "pubmedqa" / "broken" / name))


@pytest.mark.shared_data
def test_real_pqal(shared_data: Path) -> None:
    path = shared_data / "pubmedqa" / "ori_pqal.json"
    raw = json.loads(path.read_text())
    docs = list(pubmedqa.read_file(path))
    assert len(docs) == 1000 and all(isinstance(d, Document) for d in docs)
    assert Counter(d.extra["final_decision"] for d in docs) == {"yes": 552, "no": 338, "maybe": 110}
    for doc in docs:
        item = raw[doc.pmid]
        assert [p.heading for p in doc.passages] == [*item["LABELS"], "CONCLUSIONS"]
        assert doc.title == normalize_space(item["QUESTION"])
    first = next(d for d in docs if d.id == "pubmedqa:21645374")
    assert first.year == 2011 and first.passages[0].heading == "BACKGROUND"
    designs = Counter(d.design for d in docs)
    assert designs[StudyDesign.OBSERVATIONAL] > 400 and designs[StudyDesign.RCT] > 10
