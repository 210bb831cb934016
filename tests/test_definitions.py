"""Plain-language help for lay readers from the NCI Dictionary of Cancer Terms (issue 11):
the terms an answer uses that a patient may not know, defined by the dictionary's entry and
cited like any source, with CDC's plain name; an agency's own sentence where the dictionary
has no entry. A fictional library, dictionary and thesaurus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evimap import Document, Library, Passage, SourceKind, SourceQuestion, ingest
from evimap.definitions import defining_sentences, jargon_terms, names_of
from evimap.engine import AnswerEngine
from evimap.grounding import check_answer
from evimap.vocabulary import Vocabulary

FIXTURES = Path(__file__).parent / "fixtures"
THESAURUS = FIXTURES / "plain-language" / "cdc_plain_language_thesaurus.json"


def fictional_documents() -> list[Document]:
    lines = (FIXTURES / "questions" / "library.jsonl").read_text().splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if not line.startswith("#")]


def agency(n: int, question: str, qtype: str, text: str, focus: str) -> Document:
    return Document(
        id=f"t:agency{n}",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title=question,
        passages=(Passage(text),),
        publisher="Fictional Health Agency",
        question=SourceQuestion(question, qtype=qtype, focus=focus, semantic_types=("T047",)),
    )


DOCS = [
    agency(
        1,
        "What is (are) Glimmerfield syndrome?",
        "information",
        "Glimmerfield syndrome is a rare fictional condition of the nerves.",
        "Glimmerfield syndrome",
    ),
    agency(
        2,
        "What causes Glimmerfield syndrome?",
        "causes",
        "Glimmerfield syndrome flares are often triggered by heat, such as a hot bath.",
        "Glimmerfield syndrome",
    ),
    agency(
        4,
        "What causes Glimmerfield syndrome?",
        "causes",
        "Glimmerfield syndrome flares may be caused by Quorvane syndrome or hypertension.",
        "Glimmerfield syndrome",
    ),
    agency(
        3,
        "What is (are) Quorvane syndrome?",
        "information",
        "Quorvane syndrome is an invented condition of the hands.",
        "Quorvane syndrome",
    ),
]

DICTIONARY = [
    {"term": "Glimmerfield syndrome", "plain_alternative": "An invented illness of nerve "
     "fibres. It makes the arms and legs tingle now and then, and is used only in examples."},
    {"term": "quorvane syndrome", "plain_alternative": "A fictional condition in which the "
     "nerves of the hands swell and ache for weeks at a time. Also called QVS."},
    {"term": "hypertension", "plain_alternative": "A blood pressure that stays higher than "
     "it should be for a long time, which can harm the heart and the blood vessels."},
]  # fmt: skip


@pytest.fixture(scope="module")
def nci_library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nci")
    (folder / "nci_dictionary.json").write_text(json.dumps(DICTIONARY))
    path = folder / "lib"
    with Library(path, create=True) as library:
        library.add(DOCS)
        report = ingest(library, "nci-dictionary", [folder / "nci_dictionary.json"], workers=0)
        assert report.added == 3
    with Library(path, readonly=True) as library:
        yield library


@pytest.fixture(scope="module")
def engine(nci_library):
    words = Vocabulary.build(DOCS, plain_language=THESAURUS)
    return AnswerEngine(nci_library, mode="lexical", vocabulary=words)


def test_patients_get_the_nci_dictionary_definition_cited_as_a_source(engine):
    answer = engine.ask("What causes Glimmerfield syndrome flares?", "patient")
    documents = {r.doc_id: engine.library.get(r.doc_id) for r in answer.references}
    assert check_answer(answer, documents).ok
    helps = {d.term.lower(): d.statement for d in answer.definitions}
    assert helps["glimmerfield syndrome"].text == (  # a short first sentence: and the next
        "An invented illness of nerve fibres. It makes the arms and legs tingle now and "
        "then, and is used only in examples."
    )
    (number,) = helps["glimmerfield syndrome"].citations
    reference = next(r for r in answer.references if r.number == number)
    assert reference.title == "NCI Dictionary of Cancer Terms: Glimmerfield syndrome"
    assert reference.publisher == "National Cancer Institute"
    assert reference.url.endswith("/cancer-terms/def/glimmerfield-syndrome")
    assert engine.ask("What causes Glimmerfield syndrome flares?", "clinician").definitions == ()


def test_other_terms_the_answer_uses_are_explained_with_their_plain_name(engine):
    answer = engine.ask("What causes Glimmerfield syndrome flares?", "patient")
    helps = {d.term: d.statement.text for d in answer.definitions}
    assert helps["Quorvane syndrome (swollen hand nerves)"].startswith("A fictional condition")
    assert helps["hypertension (high blood pressure)"].startswith("A blood pressure that")


def test_without_the_dictionary_an_agency_sentence_defines_the_term(tmp_path):
    with Library(tmp_path / "lib", create=True) as library:
        library.add(DOCS)
        engine = AnswerEngine(library, mode="lexical", vocabulary=Vocabulary.build(DOCS))
        found = engine.definition("Quorvane syndrome")
    assert found is not None and found.doc.id == "t:agency3"


def test_which_terms_a_patient_may_not_know(engine):
    vocabulary = engine.vocabulary
    texts = ["Flares follow Quorvane syndrome, hypertension or a high blood pressure."]
    assert jargon_terms(texts, vocabulary) == ["Quorvane syndrome", "hypertension"]


def test_a_term_is_looked_up_under_its_concept_name_first_where_that_is_narrower():
    words = Vocabulary.build(fictional_documents())
    assert names_of("diabetes", words) == ["diabetes mellitus", "diabetes"]
    assert names_of("QVS", words) == ["QVS", "Quorvane syndrome"]
    assert names_of("glorpitis", words) == ["glorpitis"]


def test_the_definition_is_the_first_sentence_and_the_next_if_the_first_is_short(nci_library):
    long_first = nci_library.get("nci-dictionary:quorvane-syndrome")
    assert [r.text for r in defining_sentences(long_first)] == [
        "A fictional condition in which the nerves of the hands swell and ache for weeks at a time."
    ]
    short_first = nci_library.get("nci-dictionary:glimmerfield-syndrome")
    assert len(defining_sentences(short_first)) == 2
