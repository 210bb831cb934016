"""The engine end to end on a small fictional library: grounded, per reader, safe, bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evimap import (
    Answer,
    Audience,
    AudienceError,
    Document,
    Library,
    Passage,
    QuestionError,
    SourceKind,
    SourceQuestion,
    StudyDesign,
    to_dict,
)
from evimap.engine import AnswerEngine
from evimap.grounding import check_answer
from evimap.vocabulary import Vocabulary


def agency(n: int, question: str, qtype: str, text: str) -> Document:
    return Document(
        id=f"t:agency{n}",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title=question,
        passages=(Passage(text),),
        publisher="Fictional Health Agency",
        question=SourceQuestion(question, qtype=qtype, focus="Glimmerfield syndrome"),
    )


DOCS = [
    agency(
        1,
        "What is (are) Glimmerfield syndrome?",
        "information",
        "Glimmerfield syndrome is a rare fictional condition of the nerves that comes and "
        "goes in flares. It mostly affects adults between 20 and 40 years of age.",
    ),
    agency(
        2,
        "What causes Glimmerfield syndrome?",
        "causes",
        "Glimmerfield syndrome flares are often triggered by heat, such as a hot bath. "
        "Infections and stress can also trigger flares in many people. "
        "The syndrome itself is thought to have a genetic cause.",
    ),
    agency(
        3,
        "What are the treatments for Glimmerfield syndrome?",
        "treatment",
        "Flares of Glimmerfield syndrome are usually treated with rest and cooling. "
        "Severe flares may be treated with a short course of fictional steroids.",
    ),
    Document(
        id="t:trial",
        kind=SourceKind.RESEARCH,
        collection="pubmed",
        title="Heat exposure and flares of Glimmerfield syndrome: a randomized trial",
        passages=(
            Passage(
                "In 240 participants, controlled heat exposure increased the "
                "rate of Glimmerfield syndrome flares compared with cooling."
            ),
        ),
        year=2022,
        design=StudyDesign.RCT,
        publisher="Journal of Fictional Neurology",
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("engine") / "lib"
    with Library(path, create=True) as library:
        library.add(DOCS)
    library = Library(path, readonly=True)
    yield AnswerEngine(library, mode="lexical", vocabulary=Vocabulary.build(DOCS))
    library.close()


def documents(engine, answer):
    return {ref.doc_id: engine.library.get(ref.doc_id) for ref in answer.references}


@pytest.mark.parametrize("audience", list(Audience))
def test_an_answer_is_grounded_cited_and_says_what_it_is(engine, audience):
    answer = engine.ask("What causes Glimmerfield syndrome flares?", audience)
    assert not answer.abstained and answer.short_answer
    assert check_answer(answer, documents(engine, answer)).ok
    assert answer.status_line.endswith("pending human review")
    assert any("heat" in s.text for s in answer.statements)


def test_clinicians_see_the_research_and_its_design(engine):
    answer = engine.ask("What causes Glimmerfield syndrome flares?", "clinician")
    trial = [r for r in answer.references if r.doc_id == "t:trial"]
    assert trial and trial[0].design == "randomized controlled trial" and trial[0].size == 240


def test_an_emergency_notice_comes_first(engine):
    answer = engine.ask(
        "My husband has crushing chest pain and can't breathe, and he has "
        "Glimmerfield syndrome. What causes flares?"
    )
    assert answer.notices and answer.notices[0].kind == "emergency"


def test_a_request_for_a_personal_dose_is_framed(engine):
    answer = engine.ask(
        "How many fictional steroids should I take for my Glimmerfield syndrome flare?"
    )
    assert "personal-advice" in [n.kind for n in answer.notices]


def test_something_no_source_mentions_is_not_answered(engine):
    answer = engine.ask("Does zorblatine cure Glimmerfield syndrome?")
    assert answer.abstained and answer.statements == ()
    assert "drafted from" not in answer.status_line  # no "AI-drafted from 0 sources"
    assert "not" in answer.status_line and "medically reviewed" in answer.status_line


def test_a_follow_up_borrows_the_focus_of_the_page_it_is_asked_on(engine):
    answer = engine.ask(
        "How are flares treated?", context="What causes Glimmerfield syndrome flares?"
    )
    assert not answer.abstained
    assert any("treated" in s.text and "Glimmerfield" in s.text for s in answer.statements)


@pytest.mark.parametrize("question", ["", "   ", "Hello! Thanks!"])
def test_an_empty_question_is_a_clear_error(engine, question):
    with pytest.raises(QuestionError):
        engine.ask(question)


def test_an_unknown_audience_is_a_clear_error(engine):
    with pytest.raises(AudienceError, match="patient, caregiver, clinician"):
        engine.ask("What causes Glimmerfield syndrome flares?", "astronaut")


def test_a_100_kb_question_is_answered_from_its_start_and_says_so(engine):
    question = "What causes Glimmerfield syndrome flares? " + "I worry a lot. " * 7000
    answer = engine.ask(question)
    assert len(question) > 100_000
    assert "truncated" in [n.kind for n in answer.notices]


def test_lay_readers_get_definitions_of_other_conditions_the_answer_names(tmp_path):
    quorvane = Document(
        id="t:quorvane",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title="What is (are) Quorvane fever?",
        passages=(Passage("Quorvane fever is a fictional infection that causes a rash."),),
        question=SourceQuestion(
            "What is (are) Quorvane fever?", qtype="information", focus="Quorvane fever"
        ),
    )
    trigger = agency(
        5,
        "What causes Glimmerfield syndrome?",
        "causes",
        "Glimmerfield syndrome flares can be triggered by Quorvane fever.",
    )
    docs = [*DOCS, quorvane, trigger]
    with Library(tmp_path / "lib", create=True) as library:
        library.add(docs)
        engine = AnswerEngine(library, mode="lexical", vocabulary=Vocabulary.build(docs))
        patient = engine.ask("What causes Glimmerfield syndrome flares?", "patient")
        clinician = engine.ask("What causes Glimmerfield syndrome flares?", "clinician")
        assert check_answer(patient, documents(engine, patient)).ok
    assert "quorvane fever" in [d.term.lower() for d in patient.definitions]
    assert clinician.definitions == ()


def test_a_sentence_is_about_the_condition_it_names_first(tmp_path):
    other = replace(
        agency(9, "What is (are) Quorvane fever?", "information", "Quorvane fever is rare."),
        question=SourceQuestion(  # T047: a disease, so a condition in the vocabulary
            "What is (are) Quorvane fever?",
            "information",
            "Quorvane fever",
            semantic_types=("T047",),
        ),
    )
    engine = AnswerEngine(
        Library(tmp_path / "lib", create=True), vocabulary=Vocabulary.build([*DOCS, other])
    )
    query = engine._query(engine_analysis(engine, "What causes Glimmerfield syndrome?"))
    off = engine._off_subject(query)
    assert off("Although people with Quorvane fever feel well, some get Glimmerfield syndrome.")
    assert off("Quorvane fever causes a rash.")
    assert not off("Glimmerfield syndrome flares can follow Quorvane fever.")
    assert not off("Heat can trigger flares.")


def engine_analysis(engine, question):
    from evimap.questions import analyze

    return analyze(question, engine.vocabulary)


def test_an_emergency_is_not_framed_as_a_decision_to_make_with_a_clinician(engine):
    answer = engine.ask(
        "My husband has Glimmerfield syndrome and cannot breathe, should I give him his "
        "fictional steroids?"
    )
    kinds = [n.kind for n in answer.notices]
    assert kinds[0] == "emergency" and "personal-advice" not in kinds


def test_retrieve_is_the_first_stage_alone(engine):
    """What review-due checks new evidence by: the question analysed, then the documents
    retrieval ranks first for its words and focus (best first, at most k)."""
    hits = engine.retrieve("Does heat exposure make Glimmerfield syndrome flares worse?", k=3)
    assert len(hits) == 3 and hits[0].document.id == "t:trial"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_for_a_medicine_another_medicine_named_first_is_another_subject(tmp_path):
    """ "Quorvane added to Zantrofen lowered glucose" is about Quorvane: not a statement
    about Zantrofen's effects, though it names it."""
    from types import SimpleNamespace

    from evimap.query import Query
    from evimap.vocabulary.matching import Concept

    class Medicines:
        def match(self, text):
            spans = [(text.find(n), n) for n in ("Quorvane", "Zantrofen") if n in text]
            concepts = [Concept(n, "drug", text=n, span=(i, i + len(n))) for i, n in spans]
            return SimpleNamespace(concepts=sorted(concepts, key=lambda c: c.span))

    engine = AnswerEngine(Library(tmp_path / "lib", create=True), vocabulary=Medicines())
    query = Query("What are the side effects of Zantrofen?", (), ("zantrofen",))
    asked = SimpleNamespace(focus=(Concept("Zantrofen", "drug"),))
    off = engine._off_subject(query, asked)
    assert off("Quorvane added to Zantrofen lowered glucose with no more side effects.")
    assert not off("Zantrofen with Quorvane lowered glucose with no more side effects.")
    unknown_kind = engine._off_subject(query)  # conditions only, without the analysis
    assert not unknown_kind("Quorvane added to Zantrofen lowered glucose.")


@pytest.mark.parametrize("audience", list(Audience))
def test_an_answer_reads_back_from_its_json(engine, audience):
    """What a page stores (render.to_dict) is the same Answer again (Answer.from_dict)."""
    answer = engine.ask("What causes Glimmerfield syndrome flares?", audience)
    assert Answer.from_dict(to_dict(answer)) == answer


def test_a_citation_and_the_full_text_of_the_same_study_are_one_source():
    from types import SimpleNamespace

    from evimap.engine import _one_per_study

    def hit(doc_id, pmid):
        return SimpleNamespace(document=SimpleNamespace(id=doc_id, pmid=pmid))

    found = [hit("pmc:PMC9", "111"), hit("t:agency", ""), hit("pubmed:111", "111"), hit("t:x", "")]
    assert [h.document.id for h in _one_per_study(found)] == ["pmc:PMC9", "t:agency", "t:x"]
