"""The answer as the question page shows it, built from the engine's `Answer`.

    stored_answer(data) -> Answer | None     a page's stored JSON (render.to_dict) read back
    AnswerView.of(answer)                    what the templates show: each statement with
                                             its citations' tooltips and source sentences,
                                             an anchor ("st-3"), emergencies first

References are the answer's own `Reference`s: their label, link and design label come from
there (evimap.answer), never from a copy here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evimap import Answer, Reference, Statement
from evimap.answer import Notice


@dataclass(frozen=True, slots=True)
class Cite:
    """A citation mark: its reference number and tooltip (the sentences it cites)."""

    number: int
    title: str


@dataclass(frozen=True, slots=True)
class Source:
    """A source sentence under a statement, with its reference number (None: not cited)."""

    number: int | None
    text: str


@dataclass(frozen=True, slots=True)
class StatementView:
    text: str
    citations: tuple[Cite, ...]
    sources: tuple[Source, ...]
    anchor: str = ""  # "st-3" for the short answer's and sections' statements


@dataclass(frozen=True, slots=True)
class ThemeView:
    heading: str
    statements: tuple[StatementView, ...]


@dataclass(frozen=True, slots=True)
class SectionView:
    kind: str
    title: str
    themes: tuple[ThemeView, ...]


@dataclass(frozen=True, slots=True)
class DefinitionView:
    term: str
    statement: StatementView


@dataclass(frozen=True, slots=True)
class AnswerView:
    """An answer arranged for the templates (`evimap/_answer.html`)."""

    answer: Answer
    notices: tuple[Notice, ...]  # the answer's notices, emergencies first
    short_answer: tuple[StatementView, ...]
    sections: tuple[SectionView, ...]
    definitions: tuple[DefinitionView, ...]

    @property
    def references(self) -> tuple[Reference, ...]:
        return self.answer.references

    @property
    def summary(self) -> str:
        return self.answer.summary

    @property
    def disclaimer(self) -> str:
        return self.answer.disclaimer

    @property
    def abstained(self) -> bool:
        return self.answer.abstained

    @property
    def statements(self) -> tuple[StatementView, ...]:
        """The short answer's and the sections' statements, in page order."""
        body = (s for sec in self.sections for t in sec.themes for s in t.statements)
        return (*self.short_answer, *body)

    @classmethod
    def of(cls, answer: Answer) -> AnswerView:
        shown = _Shown(answer.references)
        short = tuple(shown.statement(s) for s in answer.short_answer)
        sections = tuple(
            SectionView(
                sec.kind,
                sec.title,
                tuple(
                    ThemeView(t.heading, tuple(shown.statement(s) for s in t.statements))
                    for t in sec.themes
                ),
            )
            for sec in answer.sections
        )
        definitions = tuple(
            DefinitionView(d.term, shown.statement(d.statement, anchored=False))
            for d in answer.definitions
        )
        notices = tuple(sorted(answer.notices, key=lambda n: n.kind != "emergency"))
        return cls(answer, notices, short, sections, definitions)


def stored_answer(data: dict[str, Any] | None) -> Answer | None:
    """The Answer a page stores as JSON (None when it stores none for that audience)."""
    return Answer.from_dict(data) if data else None


class _Shown:
    """Statements made into views in page order, numbering their anchors as it goes."""

    def __init__(self, references: tuple[Reference, ...]) -> None:
        self.titles = {ref.number: ref.title for ref in references}
        self.numbers = {ref.doc_id: ref.number for ref in references}
        self.anchors = 0

    def statement(self, statement: Statement, *, anchored: bool = True) -> StatementView:
        sources = tuple(Source(self.numbers.get(s.doc_id), s.text) for s in statement.support)
        cites = tuple(Cite(n, self._tooltip(n, sources)) for n in statement.citations)
        anchor = ""
        if anchored:
            self.anchors += 1
            anchor = f"st-{self.anchors}"
        return StatementView(statement.text, cites, sources, anchor)

    def _tooltip(self, number: int, sources: tuple[Source, ...]) -> str:
        cited = " … ".join(s.text for s in sources if s.number == number)
        return cited or self.titles.get(number, "")
