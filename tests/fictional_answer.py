"""A small fictional answer (Glimmerfield syndrome) for tests of what shows an Answer."""

from __future__ import annotations

from evimap import Answer, Audience, Reference, SentenceRef, Statement
from evimap.answer import Definition, Notice, Section, Theme


def ref(number: int, doc_id: str, title: str, **more: object) -> Reference:
    """A research source by default; `more` overrides any field."""
    fields: dict = {"kind": "research", "publisher": "J Fict Neurol", "year": 2020}
    fields |= {"design": "rct", "url": "", **more}
    return Reference(number=number, doc_id=doc_id, title=title, **fields)


def said(text: str, *cited: tuple[int, str]) -> Statement:
    """A statement citing (number, doc_id) pairs, each supported by the statement's text."""
    support = tuple(SentenceRef(doc, 0, 0, 0, len(text), text) for _, doc in cited)
    return Statement(text, tuple(n for n, _ in cited), support)


HEAT = said("Heat brings on flares.", (1, "d1"))
BOTH = said("Rest helps.", (1, "d1"), (2, "d2"))
UNCITED = Statement("Sleep helps.", (2,), (SentenceRef("d9", 0, 0, 0, 5, "Sleep"),))
ANSWER = Answer(
    question="What brings on Glimmerfield flares?",
    audience=Audience.PATIENT,
    focus=("glimmerfield syndrome",),
    qtype="cause",
    notices=(Notice("personal-advice", "Ask your doctor."), Notice("emergency", "Call 999.")),
    short_answer=(HEAT,),
    sections=(Section("research", "From the Research", (Theme("Triggers", (BOTH, UNCITED)),)),),
    definitions=(Definition("flare", said("A flare is a worsening.", (2, "d2"))),),
    references=(
        ref(1, "d1", "Heat and flares", pmid="123", size=412),
        ref(2, "d2", "Rest and flares", url="https://example.org/rest", license="CC BY 4.0"),
    ),
    summary="Based on 2 sources.",
    disclaimer="Educational only.",
)
