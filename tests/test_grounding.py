"""The grounding check rejects anything its source sentences do not say."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evimap.answer import Answer, Audience, Reference, SentenceRef, Statement
from evimap.evidence import Document, Passage, SourceKind
from evimap.grounding import check_answer, check_statement

TEXT = (
    "Heat exposure triggers 40% of Glimmerfield syndrome relapses. "
    "Relapses are not caused by vaccination."
)
DOC = Document(
    id="t:1",
    kind=SourceKind.REFERENCE,
    collection="test",
    title="Glimmerfield syndrome",
    passages=(Passage(TEXT, sentences=((0, 61), (62, 101))),),
)
DOCS = {DOC.id: DOC}
HEAT = SentenceRef("t:1", 0, 0, 0, 61, TEXT[0:61])
VACCINE = SentenceRef("t:1", 0, 1, 62, 101, TEXT[62:101])


def statement(text, *support, extractive=True, citations=(1,)):
    return Statement(text, citations, support, extractive=extractive)


def test_an_extractive_statement_equal_to_its_sentence_is_grounded():
    assert check_statement(statement(HEAT.text, HEAT), DOCS) is None


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        (statement("Heat exposure triggers 40% of relapses.", HEAT), "differs"),
        (statement(HEAT.text), "no source sentence"),
        (statement(HEAT.text, replace(HEAT, doc_id="t:404")), "not found"),
        (statement(HEAT.text, replace(HEAT, sentence=5)), "not found"),
        (statement(HEAT.text, replace(HEAT, text="Heat exposure cures it.")), "not found"),
    ],
)
def test_extractive_statements_that_do_not_match_their_sources_fail(made, reason):
    assert reason in check_statement(made, DOCS)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Heat exposure triggers about 40% of relapses in Glimmerfield syndrome.", HEAT),
        ("Vaccination does not cause relapses.", VACCINE),
    ],
)
def test_a_faithful_rephrasing_passes(text, source):
    assert check_statement(statement(text, source, extractive=False), DOCS) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Relapses are caused by vaccination.", "negation dropped"),
        ("Heat exposure triggers relapses of Glimmerfield syndrome.", "numbers dropped: 40"),
    ],
)
def test_a_rephrasing_that_drops_meaning_fails(text, reason):
    made = statement(text, VACCINE if "vaccination" in text else HEAT, extractive=False)
    assert reason in check_statement(made, DOCS)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Heat exposure triggers 60% of relapses.", "numbers not in the sources: 60"),
        ("Heat exposure never triggers relapses.", "negation not in the sources: never"),
        ("Heat exposure and stress trigger relapses.", "words not in the sources: stress"),
    ],
)
def test_a_rephrasing_that_adds_anything_fails(text, reason):
    made = statement(text, HEAT, extractive=False)
    assert check_statement(made, DOCS) == reason


def answer_with(statements, references):
    return Answer(
        question="What triggers Glimmerfield syndrome relapses?",
        audience=Audience.PATIENT,
        focus=("Glimmerfield syndrome",),
        qtype="cause",
        notices=(),
        short_answer=tuple(statements),
        sections=(),
        definitions=(),
        references=tuple(references),
        summary="",
    )


REF1 = Reference(1, "t:1", "reference", "Glimmerfield syndrome", "NIH", None, "", "")


def test_a_whole_answer_with_resolving_citations_passes():
    verdict = check_answer(answer_with([statement(HEAT.text, HEAT)], [REF1]), DOCS)
    assert verdict.ok and verdict.share == 1.0 and verdict.statements == 1


@pytest.mark.parametrize(
    ("statements", "references", "failure"),
    [
        ([statement(HEAT.text, HEAT, citations=(2,))], [REF1], "citation 2 has no reference"),
        ([statement(HEAT.text, HEAT, citations=())], [REF1], "no citation"),
        ([statement(HEAT.text, HEAT)], [replace(REF1, number=2)], "numbered 1..N"),
        ([statement(HEAT.text, HEAT)], [REF1, replace(REF1, number=2)], "never cited"),
        ([statement(HEAT.text, HEAT)], [replace(REF1, doc_id="t:9")], "do not match"),
    ],
)
def test_citation_problems_are_reported(statements, references, failure):
    verdict = check_answer(answer_with(statements, references), DOCS)
    assert not verdict.ok
    assert any(failure in f for f in verdict.failures), verdict.failures
