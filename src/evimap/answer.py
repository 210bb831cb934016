"""The published answer: statements with numbered citations that point at source sentences.

    Answer
     ├── notices              emergency first, then "see a clinician" framing
     ├── short_answer         1-3 Statements
     ├── sections             From the Guidelines / From the Research / From health agencies
     │    └── themes          sub-headings suited to the question type, each with Statements
     ├── definitions          plain-language help (patients, caregivers), each a Statement
     ├── references           numbered in order of first use
     └── summary              "Based on 7 sources: 1 guideline, 2 systematic reviews, ..."

Every `Statement` carries its `support`: the exact source sentences (document id, sentence
index, character span) it came from. Run metadata (timings, retrieval scores) is kept apart
in `AnswerTrace`, not in the published answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from evimap.errors import AudienceError


class Audience(StrEnum):
    """Who asked; changes the sources preferred, the wording and the details shown."""

    PATIENT = "patient"
    CAREGIVER = "caregiver"
    CLINICIAN = "clinician"

    @classmethod
    def parse(cls, value: str | Audience) -> Audience:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(a.value for a in cls)
            raise AudienceError(f"unknown audience {value!r}; choose one of: {known}") from None

    @property
    def lay(self) -> bool:
        return self is not Audience.CLINICIAN


@dataclass(frozen=True, slots=True)
class SentenceRef:
    """One source sentence: which document, passage and sentence, and where in the passage."""

    doc_id: str
    passage: int  # index of the passage in the document
    sentence: int  # index of the sentence in the passage
    start: int  # character span of the sentence in the passage text
    end: int
    text: str  # the sentence itself, as the source has it


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing the answer says, with the reference numbers and source sentences behind it."""

    text: str
    citations: tuple[int, ...]
    support: tuple[SentenceRef, ...]
    extractive: bool = True  # False when a writer rephrased it (then it passed grounding)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        return cls(
            text=data["text"],
            citations=tuple(data.get("citations", ())),
            support=tuple(SentenceRef(**ref) for ref in data.get("support", ())),
            extractive=data.get("extractive", True),
        )


@dataclass(frozen=True, slots=True)
class Theme:
    """A sub-heading within a section ("Triggers", "Risk factors") and its statements."""

    heading: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Section:
    kind: str  # guideline, research, reference
    title: str  # "From the Guidelines", ...
    themes: tuple[Theme, ...]

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for t in self.themes for s in t.statements)


@dataclass(frozen=True, slots=True)
class Reference:
    """A cited source, numbered in order of first use."""

    number: int
    doc_id: str
    kind: str  # guideline, research, reference
    title: str
    publisher: str  # journal, organisation or agency
    year: int | None
    design: str  # study design for research ("" otherwise)
    url: str
    pmid: str = ""
    doi: str = ""
    level: int = 1  # evidence level (higher is stronger)
    size: int | None = None  # number of participants, where the source states it
    grade: str = ""  # a guideline's grade as named by its publisher: "Grade B"
    grade_meaning: str = ""  # what the grade means, for the reader who asked
    authors: str = ""  # "Lai YL et al.": CC BY asks for attribution
    license: str = ""  # "CC BY 4.0", where the source states one
    sections: tuple[str, ...] = ()  # the sections of a study the answer quotes ("Results")

    @property
    def kind_label(self) -> str:
        return {"guideline": "Guideline", "research": "Research"}.get(self.kind, "Reference")

    @property
    def design_label(self) -> str:
        """The study design as a reader sees it ("randomized controlled trial"); "" for none
        or "other"."""
        return "" if self.design in ("", "other") else self.design.replace("_", " ")

    @property
    def link(self) -> tuple[str, str]:
        """(address, what to show): PubMed for a PMID, doi.org for a DOI, else its URL."""
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/", f"PMID {self.pmid}"
        if self.doi:
            return f"https://doi.org/{self.doi}", f"doi:{self.doi}"
        return self.url, self.url

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        """The reference in an answer's JSON (`render.to_dict`, as pages store it); keys it
        does not know are left out, optional ones it lacks take their defaults (and its
        design and address, which the site never required, are empty when missing)."""
        known = {f.name for f in fields(cls)}
        values = {"design": "", "url": ""} | {k: v for k, v in data.items() if k in known}
        if "sections" in values:
            values["sections"] = tuple(values["sections"] or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Definition:
    """Plain-language help for a term, itself taken from a cited trusted source."""

    term: str
    statement: Statement


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # emergency, personal-advice, abstention, truncated
    text: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What a reader sees for one question and one audience."""

    question: str
    audience: Audience
    focus: tuple[str, ...]
    qtype: str
    notices: tuple[Notice, ...]
    short_answer: tuple[Statement, ...]
    sections: tuple[Section, ...]
    definitions: tuple[Definition, ...]
    references: tuple[Reference, ...]
    summary: str
    abstained: bool = False
    disclaimer: str = ""

    @property
    def statements(self) -> tuple[Statement, ...]:
        body = tuple(s for section in self.sections for s in section.statements)
        return self.short_answer + body + tuple(d.statement for d in self.definitions)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The answer from its JSON (`render.to_dict`: what pages store and the API serves);
        what `to_dict` adds (`status_line`) is left out, as are keys this version lacks."""
        return cls(
            question=data["question"],
            audience=Audience(data["audience"]),
            focus=tuple(data.get("focus", ())),
            qtype=data.get("qtype", ""),
            notices=tuple(Notice(n["kind"], n["text"]) for n in data.get("notices", ())),
            short_answer=tuple(Statement.from_dict(s) for s in data.get("short_answer", ())),
            sections=tuple(_section(s) for s in data.get("sections", ())),
            definitions=tuple(
                Definition(d["term"], Statement.from_dict(d["statement"]))
                for d in data.get("definitions", ())
            ),
            references=tuple(Reference.from_dict(r) for r in data.get("references", ())),
            summary=data.get("summary", ""),
            abstained=data.get("abstained", False),
            disclaimer=data.get("disclaimer", ""),
        )

    @property
    def status_line(self) -> str:
        if self.abstained:
            return "No answer drafted · nothing here is medically reviewed"
        return pending_line(len(self.references))


def _section(data: dict[str, Any]) -> Section:
    themes = tuple(
        Theme(t["heading"], tuple(Statement.from_dict(s) for s in t["statements"]))
        for t in data.get("themes", ())
    )
    return Section(data["kind"], data["title"], themes)


PENDING = "pending human review"


def pending_line(sources: int | None) -> str:
    """The status line of an answer no medical reviewer approved: "AI-drafted from N sources
    · pending human review", or "AI-drafted · pending human review" without a count (None)
    or when it cites nothing (0: never "from 0 sources"). The one spelling of it: the
    engine's answers, the site's pages and follow-ups."""
    if not sources:
        return f"AI-drafted · {PENDING}"
    return f"AI-drafted from {sources} source{'s' if sources != 1 else ''} · {PENDING}"


@dataclass(slots=True)
class AnswerTrace:
    """How an answer was made (kept apart from the published Answer)."""

    seconds: dict[str, float] = field(default_factory=dict)
    retrieval_mode: str = ""
    candidates: int = 0
    rejected: list[str] = field(default_factory=list)  # statements that failed grounding
