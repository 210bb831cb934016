"""The evidence model: study designs, evidence levels, serialisation and content hashes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from evimap.evidence import (
    GUIDELINE_LEVEL,
    REFERENCE_LEVEL,
    Document,
    Passage,
    Problem,
    SourceKind,
    SourceQuestion,
    StudyDesign,
    design_from_publication_types,
    evidence_level,
)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["Journal Article"], StudyDesign.OTHER),
        ([], StudyDesign.OTHER),
        (["Practice Guideline", "Journal Article"], StudyDesign.PRACTICE_GUIDELINE),
        (["Consensus Development Conference, NIH"], StudyDesign.PRACTICE_GUIDELINE),
        (["Review", "Meta-Analysis"], StudyDesign.META_ANALYSIS),
        (["Network Meta-Analysis"], StudyDesign.META_ANALYSIS),
        (["Systematic Review", "Review"], StudyDesign.SYSTEMATIC_REVIEW),
        (["Randomized Controlled Trial", "Multicenter Study"], StudyDesign.RCT),
        (["Clinical Trial, Phase III"], StudyDesign.RCT),
        (["Clinical Trial, Phase II"], StudyDesign.OBSERVATIONAL),
        (["Comparative Study", "Case Reports"], StudyDesign.OBSERVATIONAL),
        (["Case Reports", "Review"], StudyDesign.CASE_REPORT),
        (["Editorial"], StudyDesign.REVIEW),
        (["  RANDOMIZED controlled TRIAL "], StudyDesign.RCT),  # case and spaces ignored
        (["Meta-Analysis", "Practice Guideline"], StudyDesign.PRACTICE_GUIDELINE),
    ],
)
def test_design_from_publication_types(types: list[str], expected: StudyDesign) -> None:
    assert design_from_publication_types(types) is expected
    assert design_from_publication_types(reversed(types)) is expected  # order-independent


def test_design_accepts_any_iterable() -> None:
    assert design_from_publication_types(t for t in ("Letter",)) is StudyDesign.REVIEW


def test_evidence_level_order() -> None:
    research = [
        StudyDesign.META_ANALYSIS,
        StudyDesign.RCT,
        StudyDesign.OBSERVATIONAL,
        StudyDesign.CASE_REPORT,
        StudyDesign.REVIEW,
    ]
    levels = [evidence_level(SourceKind.RESEARCH, d) for d in research]
    assert evidence_level(SourceKind.GUIDELINE) > levels[0]
    assert levels == sorted(levels, reverse=True) and len(set(levels)) == len(levels)
    assert evidence_level(SourceKind.RESEARCH, StudyDesign.SYSTEMATIC_REVIEW) == levels[0]
    assert evidence_level(SourceKind.RESEARCH, StudyDesign.OTHER) == levels[-1]
    assert evidence_level(SourceKind.RESEARCH) == evidence_level(
        SourceKind.RESEARCH, StudyDesign.OTHER
    )


def test_guideline_and_reference_levels_ignore_design() -> None:
    assert evidence_level(SourceKind.GUIDELINE) == GUIDELINE_LEVEL == 6
    assert evidence_level(SourceKind.GUIDELINE, StudyDesign.CASE_REPORT) == GUIDELINE_LEVEL
    assert evidence_level(SourceKind.REFERENCE, StudyDesign.RCT) == REFERENCE_LEVEL == 1
    assert evidence_level(SourceKind.RESEARCH, StudyDesign.PRACTICE_GUIDELINE) == GUIDELINE_LEVEL


def _full_document() -> Document:
    return Document(
        id="guideline:glimmerfield-relapse",
        kind=SourceKind.RESEARCH,
        collection="pubmed",
        title="Management of Glimmerfield syndrome relapses",
        passages=(
            Passage("Give rest. Then review.", "Management > Acute relapse", ((0, 10), (11, 23))),
            Passage("No spans yet.", "Background"),
            Passage("Empty split.", "", ()),
        ),
        publisher="Fictional Society of Neurology",
        year=2023,
        url="https://example.org/glimmerfield",
        pmid="12345678",
        doi="10.1000/example.1",
        language="fre",
        design=StudyDesign.RCT,
        publication_types=("Randomized Controlled Trial", "Journal Article"),
        mesh=("Syndrome", "Recurrence"),
        question=SourceQuestion(
            text="What is Glimmerfield syndrome?",
            qtype="information",
            focus="Glimmerfield syndrome",
            synonyms=("Glimmerfield disease",),
            cuis=("C9990001",),
            semantic_types=("T047",),
        ),
        extra={"file": "glimmerfield.md"},
    )


def test_round_trip_of_every_field() -> None:
    doc = _full_document()
    data = doc.to_dict()
    assert data["kind"] == "research" and data["design"] == "randomized controlled trial"
    assert data["passages"][0]["sentences"] == [[0, 10], [11, 23]]
    assert data["passages"][1]["sentences"] is None
    again = Document.from_dict(data)
    assert again == doc
    assert again.passages[0].sentences == ((0, 10), (11, 23))
    assert again.passages[2].sentences == ()
    assert isinstance(again.question, SourceQuestion) and again.question.cuis == ("C9990001",)
    assert again.kind is SourceKind.RESEARCH and again.design is StudyDesign.RCT


def test_round_trip_of_a_minimal_document() -> None:
    doc = Document(id="medquad:x", kind=SourceKind.REFERENCE, collection="medquad", title="T")
    again = Document.from_dict(doc.to_dict())
    assert again == doc
    assert again.question is None and again.design is None and again.year is None


def test_round_trip_survives_json() -> None:
    doc = _full_document()
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc


def test_level_and_text_properties() -> None:
    doc = _full_document()
    assert doc.level == evidence_level(SourceKind.RESEARCH, StudyDesign.RCT)
    assert doc.text == "Give rest. Then review.\n\nNo spans yet.\n\nEmpty split."


def test_content_hash_is_stable() -> None:
    assert _full_document().content_hash() == _full_document().content_hash()
    doc = _full_document()
    assert doc.content_hash() == doc.content_hash()
    assert len(doc.content_hash()) == 32


_CHANGES: dict[str, object] = {
    "id": "guideline:other",
    "kind": SourceKind.GUIDELINE,
    "collection": "guideline",
    "title": "Another title",
    "passages": (Passage("Give rest. Then review.", "Management", ((0, 10), (11, 23))),),
    "publisher": "Another Society",
    "year": 2024,
    "url": "https://example.org/other",
    "pmid": "87654321",
    "doi": "10.1000/example.2",
    "language": "eng",
    "design": StudyDesign.META_ANALYSIS,
    "publication_types": ("Meta-Analysis",),
    "mesh": ("Syndrome",),
    "question": None,
    "extra": {"file": "other.md"},
    "grade": "B",
    "authors": "Lai YL et al.",
    "keywords": ("glimmerfield",),
}


def test_changes_cover_every_field() -> None:
    assert set(_CHANGES) == {f.name for f in dataclasses.fields(Document)}


@pytest.mark.parametrize("name", sorted(_CHANGES))
def test_content_hash_changes_with_any_field(name: str) -> None:
    doc = _full_document()
    changed = dataclasses.replace(doc, **{name: _CHANGES[name]})
    assert changed.content_hash() != doc.content_hash()


@pytest.mark.parametrize(
    "passage",
    [
        Passage("Give rest. Then review!", "Management > Acute relapse", ((0, 10), (11, 23))),
        Passage("Give rest. Then review.", "Management", ((0, 10), (11, 23))),
        Passage("Give rest. Then review.", "Management > Acute relapse", ((0, 23),)),
        Passage("Give rest. Then review.", "Management > Acute relapse", None),
    ],
)
def test_content_hash_changes_with_any_passage_field(passage: Passage) -> None:
    doc = _full_document()
    changed = dataclasses.replace(doc, passages=(passage, *doc.passages[1:]))
    assert changed.content_hash() != doc.content_hash()


_BEFORE_OPTIONAL_FIELDS = [
    "id", "kind", "collection", "title", "passages", "publisher", "year", "url", "pmid", "doi",
    "language", "design", "publication_types", "mesh", "question", "extra",
]  # fmt: skip


def test_optional_fields_are_left_out_while_empty_so_old_hashes_stand() -> None:
    doc = _full_document()
    assert list(doc.to_dict()) == _BEFORE_OPTIONAL_FIELDS  # same dict, same stored hash


def test_optional_fields_round_trip() -> None:
    doc = dataclasses.replace(
        _full_document(), grade="A", authors="Lai YL et al.", keywords=("pain", "anxiety")
    )
    data = doc.to_dict()
    assert list(data)[-3:] == ["grade", "authors", "keywords"]
    assert Document.from_dict(json.loads(json.dumps(data))) == doc


def test_problem_str() -> None:
    assert str(Problem("a/b.xml", "PMID 42", "no title")) == "a/b.xml [PMID 42]: no title"
    assert str(Problem("guide.md", "", "missing front matter field 'year'")) == (
        "guide.md: missing front matter field 'year'"
    )


def test_older_plural_publication_type_names_are_recognised():
    assert design_from_publication_types(["Evaluation Studies"]) is StudyDesign.OBSERVATIONAL
    assert design_from_publication_types(["Validation Studies"]) is StudyDesign.OBSERVATIONAL
