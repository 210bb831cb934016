"""The evidence model: documents from trusted sources, split into passages and sentences.

This module imports nothing else of ours. Every source adapter yields these objects and the
library stores them; the answer engine cites them.

    Record = Document | Deletion | Problem     what a source adapter yields
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """What kind of trusted source a document is; drives the answer's sections."""

    GUIDELINE = "guideline"  # clinical practice guideline from a professional body
    RESEARCH = "research"  # a study or review in the literature (PubMed)
    REFERENCE = "reference"  # a health-agency consumer page (NIH, MedlinePlus, CDC...)


class StudyDesign(StrEnum):
    """Study design of a research document, derived from PubMed publication types."""

    PRACTICE_GUIDELINE = "practice guideline"
    META_ANALYSIS = "meta-analysis"
    SYSTEMATIC_REVIEW = "systematic review"
    RCT = "randomized controlled trial"
    OBSERVATIONAL = "cohort/observational"
    CASE_REPORT = "case report"
    REVIEW = "review"
    OTHER = "other"


# Higher is stronger evidence. Ranking and display read this table, nothing else.
_LEVEL_BY_DESIGN: dict[StudyDesign, int] = {
    StudyDesign.PRACTICE_GUIDELINE: 6,
    StudyDesign.META_ANALYSIS: 5,
    StudyDesign.SYSTEMATIC_REVIEW: 5,
    StudyDesign.RCT: 4,
    StudyDesign.OBSERVATIONAL: 3,
    StudyDesign.CASE_REPORT: 2,
    StudyDesign.REVIEW: 1,
    StudyDesign.OTHER: 1,
}
GUIDELINE_LEVEL = 6
REFERENCE_LEVEL = 1

# PubMed publication type (lower-cased) -> design. Checked strongest first.
_DESIGN_BY_PUBLICATION_TYPE: tuple[tuple[StudyDesign, frozenset[str]], ...] = (
    (
        StudyDesign.PRACTICE_GUIDELINE,
        frozenset(
            {
                "practice guideline",
                "guideline",
                "consensus development conference",
                "consensus development conference, nih",
            }
        ),
    ),
    (StudyDesign.META_ANALYSIS, frozenset({"meta-analysis", "network meta-analysis"})),
    (StudyDesign.SYSTEMATIC_REVIEW, frozenset({"systematic review"})),
    (
        StudyDesign.RCT,
        frozenset(
            {
                "randomized controlled trial",
                "pragmatic clinical trial",
                "equivalence trial",
                "clinical trial, phase iii",
                "clinical trial, phase iv",
            }
        ),
    ),
    (
        StudyDesign.OBSERVATIONAL,
        frozenset(
            {
                "observational study",
                "cohort studies",
                "multicenter study",
                "comparative study",
                "clinical trial",
                "controlled clinical trial",
                "clinical trial, phase i",
                "clinical trial, phase ii",
                "clinical study",
                "evaluation study",
                "evaluation studies",  # the older name, still in MEDLINE records
                "twin study",
                "validation study",
                "validation studies",
            }
        ),
    ),
    (StudyDesign.CASE_REPORT, frozenset({"case reports"})),
    (
        StudyDesign.REVIEW,
        frozenset({"review", "scoping review", "editorial", "comment", "letter", "expert opinion"}),
    ),
)


def design_from_publication_types(types: Iterable[str]) -> StudyDesign:
    """The strongest study design named by a record's PubMed publication types."""
    lowered = {t.strip().lower() for t in types}
    for design, names in _DESIGN_BY_PUBLICATION_TYPE:
        if lowered & names:
            return design
    return StudyDesign.OTHER


def evidence_level(kind: SourceKind, design: StudyDesign | None = None) -> int:
    """Order of evidence: guideline > SR/meta-analysis > RCT > observational > case > other."""
    if kind is SourceKind.GUIDELINE:
        return GUIDELINE_LEVEL
    if kind is SourceKind.REFERENCE:
        return REFERENCE_LEVEL
    return _LEVEL_BY_DESIGN[design or StudyDesign.OTHER]


Span = tuple[int, int]


@dataclass(slots=True, frozen=True)
class Passage:
    """A stretch of a document's text, e.g. one abstract section or one guideline section.

    `sentences` holds (start, end) character offsets into `text`; None lets the library split
    the text itself. Adapters whose source is already sentence-split (SciFact) keep its split.
    """

    text: str
    heading: str = ""
    sentences: tuple[Span, ...] | None = None


@dataclass(slots=True, frozen=True)
class SourceQuestion:
    """A question the trusted source itself answers (MedQuAD) with its annotations."""

    text: str
    qtype: str = ""
    focus: str = ""
    synonyms: tuple[str, ...] = ()
    cuis: tuple[str, ...] = ()
    semantic_types: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class Document:
    """One citable unit of evidence with its bibliographic record."""

    id: str  # stable, namespaced: "pubmed:12345678", "medquad:GARD_0000004_1"
    kind: SourceKind
    collection: str  # the adapter that produced it: medquad, pubmed, pubmedqa, beir, guideline, pmc
    title: str
    passages: tuple[Passage, ...] = ()
    publisher: str = ""  # journal for research, organisation/agency otherwise
    year: int | None = None
    url: str = ""
    pmid: str = ""
    doi: str = ""
    language: str = "eng"  # ISO 639-2 as PubMed writes it
    design: StudyDesign | None = None  # research only
    publication_types: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    question: SourceQuestion | None = None
    extra: dict[str, str] = field(default_factory=dict)  # "license": "CC BY 4.0" where known
    # Optional fields below: left out of `to_dict` while empty, so the stored form and
    # content hash of a document that has none of them are what they were before them.
    grade: str = ""  # a guideline's grade as its publisher writes it: "A".."D", "I" (USPSTF)
    authors: str = ""  # as a reference shows them: "Lai YL" or "Lai YL et al."
    keywords: tuple[str, ...] = ()  # the authors' own keywords (MeSH terms go in `mesh`)

    @property
    def level(self) -> int:
        return evidence_level(self.kind, self.design)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)

    def to_dict(self) -> dict:
        """Plain JSON-ready data (hand-written: `dataclasses.asdict` is 4x slower here)."""
        q = self.question
        return {
            "id": self.id,
            "kind": self.kind.value,
            "collection": self.collection,
            "title": self.title,
            "passages": [
                {
                    "text": p.text,
                    "heading": p.heading,
                    "sentences": None if p.sentences is None else [list(s) for s in p.sentences],
                }
                for p in self.passages
            ],
            "publisher": self.publisher,
            "year": self.year,
            "url": self.url,
            "pmid": self.pmid,
            "doi": self.doi,
            "language": self.language,
            "design": self.design.value if self.design else None,
            "publication_types": list(self.publication_types),
            "mesh": list(self.mesh),
            "question": None
            if q is None
            else {
                "text": q.text,
                "qtype": q.qtype,
                "focus": q.focus,
                "synonyms": list(q.synonyms),
                "cuis": list(q.cuis),
                "semantic_types": list(q.semantic_types),
            },
            "extra": dict(self.extra),
            **_optional(self),
        }

    def content_hash(self) -> str:
        """Digest of everything the document says; equal hash means nothing to update."""
        payload = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        question = data.get("question")
        design = data.get("design")
        return cls(
            **{
                **data,
                "kind": SourceKind(data["kind"]),
                "design": StudyDesign(design) if design else None,
                "passages": tuple(_passage_from_dict(p) for p in data.get("passages", ())),
                "publication_types": tuple(data.get("publication_types", ())),
                "mesh": tuple(data.get("mesh", ())),
                "keywords": tuple(data.get("keywords", ())),
                "question": _question_from_dict(question) if question else None,
            }
        )


def _optional(doc: Document) -> dict:
    """The optional fields that are set, in a fixed order."""
    found: dict = {}
    if doc.grade:
        found["grade"] = doc.grade
    if doc.authors:
        found["authors"] = doc.authors
    if doc.keywords:
        found["keywords"] = list(doc.keywords)
    return found


def _passage_from_dict(data: dict) -> Passage:
    spans = data.get("sentences")
    return Passage(
        text=data["text"],
        heading=data.get("heading", ""),
        sentences=tuple(tuple(s) for s in spans) if spans is not None else None,
    )


def _question_from_dict(data: dict) -> SourceQuestion:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return SourceQuestion(**fields)


@dataclass(slots=True, frozen=True)
class Deletion:
    """The source withdrew a document (PubMed DeleteCitation)."""

    id: str


@dataclass(slots=True, frozen=True)
class Problem:
    """A record or file that could not be read; reported, skipped, never fatal to a run."""

    file: str
    record: str  # which record in the file ("" when the whole file is unreadable)
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.record}]" if self.record else self.file
        return f"{where}: {self.reason}"


Record = Document | Deletion | Problem
