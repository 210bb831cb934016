"""Which source questions are about the reader's subject (`evimap.matching.same_subject`),
what a later part of a message without a known focus is about (`evimap.query`), and when a
nearby answer may stand in (`evimap.compose`), on fictional sources."""

from __future__ import annotations

from types import SimpleNamespace

from evimap.answer import Audience
from evimap.compose import compose
from evimap.evidence import Document, Passage, SourceKind, SourceQuestion
from evimap.matching import SAME_SUBJECT, Match, entailed, same_subject
from evimap.query import query_of
from evimap.questions import is_request
from evimap.text import split_sentences


def page(n: int, question: str, focus: str, text: str, qtype: str = "information") -> Document:
    return Document(
        id=f"t:s{n}",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title=question,
        passages=(Passage(text, sentences=split_sentences(text)),),
        publisher="Fictional Health Agency",
        question=SourceQuestion(question, qtype=qtype, focus=focus),
    )


STONES = ("quillstone disease", "quill stones")


def test_a_booklet_title_is_about_its_subject() -> None:
    doc = page(
        1,
        "What is (are) What I need to know about Quillstone Disease?",
        "What I need to know about Quillstone Disease",
        "Text.",
    )
    assert same_subject(doc, STONES, "What is quillstone disease?") >= SAME_SUBJECT


def test_a_population_is_the_subject_only_for_its_own_readers() -> None:
    adults = page(
        2, "What is (are) Quillstone Disease in Adults?", "Quillstone Disease in Adults", "Text."
    )
    children = page(
        3,
        "What is (are) Quillstone Disease in Children?",
        "Quillstone Disease in Children",
        "Text.",
    )
    assert same_subject(adults, STONES, "I have quillstone disease") >= SAME_SUBJECT
    assert same_subject(adults, STONES, "my son has quillstone disease") < SAME_SUBJECT
    assert same_subject(children, STONES, "my son has quillstone disease") >= SAME_SUBJECT
    assert same_subject(children, STONES, "I have quillstone disease") < SAME_SUBJECT


def test_the_readers_own_name_wins_over_a_synonym() -> None:
    """The vocabulary may hold a neighbour as a synonym ("chronic bronchitis" for COPD):
    a page under the name the reader used, or the main name, leads."""
    synonym = page(
        4,
        "What is (are) Quill Stones?",
        "Quill Stones",
        "Quill stones are hard deposits that form in the fictional quill gland. "
        "Most people with quill stones pass them without any treatment.",
    )
    own = page(
        5,
        "What is (are) Quillstone Disease?",
        "Quillstone Disease",
        "Quillstone disease is a fictional condition of the quill gland. "
        "Most people with quillstone disease get better with rest and fluids.",
    )
    text = "What is quillstone disease?"
    assert same_subject(own, STONES, text) > same_subject(synonym, STONES, text)
    query = query_of(text, _analysis(text, "definition", "quillstone disease"))
    hits = [SimpleNamespace(document=d) for d in (synonym, own)]
    assert [m.doc.id for m in entailed(query, hits)] == ["t:s5"]


def _analysis(text: str, qtype: str, focus: str | None, synonyms=("quill stones",)):
    parts = []
    start = 0
    for piece in [p for p in text.replace("?", "?|").replace(". ", ".|").split("|") if p]:
        begin = text.index(piece, start)
        parts.append(SimpleNamespace(text=piece, qtype=qtype, span=(begin, begin + len(piece))))
        start = begin + len(piece)
    concepts = ()
    if focus:
        at = text.lower().index(focus)
        span = (at, at + len(focus))
        concepts = (SimpleNamespace(name=focus, synonyms=synonyms, span=span),)
    return SimpleNamespace(text=text, focus=concepts, qtype=qtype, parts=tuple(parts))


def test_a_part_that_points_back_asks_about_the_first_parts_subject() -> None:
    """Without a known focus, "will it come back?" is about what the message named first."""
    text = "I need advice on zorple grafting. Will it come back again?"
    query = query_of(text, _analysis(text, "treatment", None))
    first, second = query.parts
    assert {a.word for a in first.asked} >= {"zorple", "grafting"}
    assert {a.word for a in second.asked} >= {"zorple", "grafting"}
    alone = "I need advice on zorple grafting. Does swimming come back again?"
    other = query_of(alone, _analysis(alone, "treatment", None)).parts[1]
    assert "zorple" not in {a.word for a in other.asked}


def test_a_request_needs_no_i() -> None:
    assert is_request("would like to get some info on the procedures for quill stones")
    assert is_request("need some information about quillstone disease")
    assert not is_request("I need treatment for quillstone disease")


def _study(title: str) -> Document:
    text = "Quillstone disease improved in the treated group. The result was significant."
    return Document(
        id="t:study",
        kind=SourceKind.RESEARCH,
        collection="pubmed",
        title=title,
        passages=(Passage(text, heading="CONCLUSIONS", sentences=split_sentences(text)),),
    )


def test_a_study_stands_in_for_a_lay_answer_only_when_it_speaks_of_what_was_asked() -> None:
    text = "What are the withdrawal effects of quillstone disease?"
    query = query_of(text, _analysis(text, "side_effects", "quillstone disease"))
    off = _study("Blood markers in quillstone disease")
    on = _study("Withdrawal effects in quillstone disease")
    for study, lay_answers in ((off, False), (on, True)):
        hits = [SimpleNamespace(document=study)]
        near = Match(study, 0, 1.0)
        patient = compose(text, query, hits, Audience.PATIENT, nearest=near)
        clinician = compose(text, query, hits, Audience.CLINICIAN, nearest=near)
        assert patient.abstained is not lay_answers
        assert not clinician.abstained


def test_the_words_of_a_type_phrase_are_not_asked_on_their_own() -> None:
    """ "side effects": a study of zorblatine's "effects" on blood markers is no answer."""
    text = "What are the side effects of zorblatine?"
    query = query_of(text, _analysis(text, "side_effects", "zorblatine"))
    assert query.parts[0].asked == ()
    assert {a.word for a in query.parts[0].aspects if a.names_type} == {"side", "effects"}


def test_a_form_of_the_focus_has_its_word_before_the_name() -> None:
    from evimap.matching import _a_form_of

    text = "What are the symptoms of quillstone disease?"
    query = query_of(text, _analysis(text, "symptoms", "quillstone disease"))
    form = page(
        6, "What is (are) hereditary quillstone disease?", "hereditary quillstone disease", ""
    )
    other = page(
        7, "What is (are) quillstone disease sensitivity?", "quillstone disease sensitivity", ""
    )
    assert _a_form_of(form, query)
    assert not _a_form_of(other, query)


def test_a_study_must_say_in_its_title_that_it_studied_what_was_asked() -> None:
    from evimap.compose import _study_of_the_question

    text = "What is the survival of people with quillstone disease?"
    query = query_of(text, _analysis(text, "outlook", "quillstone disease"))
    assert _study_of_the_question(_study("Survival in quillstone disease: a cohort"), query)
    assert not _study_of_the_question(_study("Blood markers in quillstone disease"), query)
    treated = "How is quillstone disease treated?"
    query = query_of(treated, _analysis(treated, "treatment", "quillstone disease"))
    assert _study_of_the_question(_study("Zorblatine in quillstone disease"), query)


def test_a_dictionary_definition_goes_under_the_overview() -> None:
    from evimap.compose import _GLOSSED

    assert _GLOSSED.match("A common condition in which fat builds up in the quill gland.")
    assert _GLOSSED.match("A drug that blocks acid from being made in the stomach.")
    assert not _GLOSSED.match("A blood test can show the fictional antibodies.")


def test_the_source_question_whose_label_the_reader_cues_leads() -> None:
    """Genetics holds two labels: "chances our next child" asks what "Is X inherited?"
    answers; "This condition is ..." opening that page is its subject, quotable."""
    changes = page(
        8,
        "What are the genetic changes related to quillstone disease?",
        "quillstone disease",
        "Mutations in the fictional QSD1 gene cause quillstone disease. "
        "The QSD1 gene provides instructions for making a fictional channel protein. "
        "Mutations in the gene disrupt the channel in the quill gland.",
        qtype="genetic changes",
    )
    inherited = page(
        9,
        "Is quillstone disease inherited?",
        "quillstone disease",
        "This condition is inherited in an autosomal recessive pattern in most families. "
        "The parents of an affected child each carry one copy of the changed gene.",
        qtype="inheritance",
    )
    text = "Our first child has quillstone disease. What are the chances our next child has it?"
    query = query_of(text, _analysis(text, "genetics", "quillstone disease"))
    hits = [SimpleNamespace(document=d) for d in (changes, inherited)]
    assert {m.doc.id for m in entailed(query, hits)} == {"t:s9"}
    answer = compose(text, query, hits, Audience.CAREGIVER, lead=entailed(query, hits))
    assert answer.short_answer[0].text.startswith("This condition is inherited")


def test_a_part_no_entailed_answer_answers_gets_its_best_sentence_first() -> None:
    from evimap.answer import SentenceRef
    from evimap.compose import Candidate, select

    text = "What causes quillstone disease? How is it prevented? Will he recover?"
    query = query_of(text, _analysis(text, "cause", "quillstone disease"))
    query = replace_type(replace_type(query, 1, "prevention"), 2, "outlook")
    causes = page(10, "What causes quillstone disease?", "quillstone disease", "x", "causes")
    prevent = page(
        12, "How to prevent quillstone disease?", "quillstone disease", "x", "prevention"
    )
    overview = page(11, "What is (are) quillstone disease?", "quillstone disease", "x")

    def cand(doc: Document, n: int, said: str, score: float) -> Candidate:
        return Candidate(SentenceRef(doc.id, 0, n, 0, len(said), said), doc, score, 1.0)

    said = [
        "Amber dust inhaled at work sets it off.",
        "Basil pollen triggers flares in spring.",
        "Cedar smoke irritates the quill gland lining.",
        "Delta waves during sleep play no part.",
        "Ember burns near the neck may start it.",
        "Fjord swimmers catch it from cold water.",
        "Grove workers are exposed to bark spores.",
        "Herons carry a fictional virus that spreads.",
        "Iris tinctures taken daily inflame glands.",
        "Juniper oil rubbed on skin blocks ducts.",
    ]
    own = [cand(causes if n < 5 else prevent, n, t, 2.0) for n, t in enumerate(said)]
    recovery = cand(overview, 0, "Most people recover from quillstone disease in weeks.", 0.5)
    lead = [Match(causes, 0, 3.0), Match(prevent, 1, 3.0)]
    chosen = select([*own, recovery], Audience.CAREGIVER, lead, query=query)
    assert recovery in chosen
    assert recovery not in select([*own, recovery], Audience.CAREGIVER, lead)


def replace_type(query, index: int, qtype: str):
    from dataclasses import replace

    parts = list(query.parts)
    parts[index] = replace(parts[index], qtype=qtype)
    return replace(query, parts=tuple(parts))


def test_the_word_the_reader_used_is_a_name_of_the_focus() -> None:
    """A concept named otherwise ("mild cognitive impairment") found by the reader's word
    ("dementia") keeps that word among its names; an everyday part of a longer name
    ("cold" of "common cold") does not name it."""
    text = "What is forgetting?"
    concept = SimpleNamespace(
        name="fictional gland syndrome", synonyms=(), span=(8, 18), text="forgetting"
    )
    part = SimpleNamespace(text=text, qtype="definition", span=(0, len(text)))
    query = query_of(text, SimpleNamespace(text=text, focus=(concept,), parts=(part,)))
    assert "forgetting" in query.focus
    cold = "What causes a cold?"
    concept = SimpleNamespace(name="common cold", synonyms=(), span=(12, 18), text="a cold")
    part = SimpleNamespace(text=cold, qtype="cause", span=(0, len(cold)))
    query = query_of(cold, SimpleNamespace(text=cold, focus=(concept,), parts=(part,)))
    assert query.focus == ("common cold",)
