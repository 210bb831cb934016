"""The question page's view of an Answer (evimap.site.answer_view), on a fictional answer."""

from __future__ import annotations

from tests.fictional_answer import ANSWER, BOTH, HEAT, UNCITED

from evimap import to_dict
from evimap.site.answer_view import AnswerView, stored_answer


def test_statements_are_anchored_in_page_order_and_definitions_are_not():
    view = AnswerView.of(ANSWER)
    assert [s.anchor for s in view.statements] == ["st-1", "st-2", "st-3"]
    assert [s.text for s in view.statements] == [HEAT.text, BOTH.text, UNCITED.text]
    assert view.definitions[0].statement.anchor == ""


def test_a_citation_shows_the_sentences_it_cites_else_the_reference_title():
    both = AnswerView.of(ANSWER).sections[0].themes[0].statements[0]
    assert [(c.number, c.title) for c in both.citations] == [(1, BOTH.text), (2, BOTH.text)]
    uncited = AnswerView.of(ANSWER).statements[2]
    assert [(c.number, c.title) for c in uncited.citations] == [(2, "Rest and flares")]
    assert [(s.number, s.text) for s in uncited.sources] == [(None, "Sleep")]


def test_emergencies_come_first_and_the_rest_is_the_answer_s_own():
    view = AnswerView.of(ANSWER)
    assert [n.kind for n in view.notices] == ["emergency", "personal-advice"]
    assert view.references is ANSWER.references and view.summary == ANSWER.summary
    assert not view.abstained and view.disclaimer == "Educational only."


def test_a_stored_answer_reads_back_as_the_answer_and_none_reads_as_none():
    assert stored_answer(to_dict(ANSWER)) == ANSWER
    assert stored_answer({}) is None and stored_answer(None) is None


def test_an_abstained_answer_shows_its_notice_and_nothing_else():
    from dataclasses import replace

    from evimap.answer import Notice

    abstained = replace(
        ANSWER,
        short_answer=(),
        sections=(),
        definitions=(),
        references=(),
        notices=(Notice("abstention", "Please ask a clinician."),),
        abstained=True,
    )
    view = AnswerView.of(abstained)
    assert view.abstained and view.statements == () and view.references == ()
    assert [n.text for n in view.notices] == ["Please ask a clinician."]
