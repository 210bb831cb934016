"""The concept vocabulary, built from a fictional library and fictional ontology reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evimap.evidence import Document
from evimap.library import Library
from evimap.vocabulary import FILE_NAME, Vocabulary, for_library, phrase_key, word_key

QUESTIONS = Path(__file__).parent / "fixtures" / "questions"


def fictional_documents() -> list[Document]:
    lines = (QUESTIONS / "library.jsonl").read_text().splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if not line.startswith("#")]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.build(fictional_documents(), disease_ontology=QUESTIONS / "disease-ontology")


def names(vocabulary: Vocabulary, text: str) -> list[str]:
    return [c.name for c in vocabulary.match(text).concepts]


@pytest.mark.parametrize(
    ("text", "expected", "reason"),
    [
        ("What is quorvane syndrome?", ["quorvane syndrome"], "lower case"),
        ("QUORVANE SYNDROMES", ["quorvane syndrome"], "upper case and plural"),
        ("quorvane-syndrome", ["quorvane syndrome"], "punctuation between words"),
        ("Quorvane disease", ["quorvane syndrome"], "a MedQuAD synonym"),
        ("Quorvane syndrome aftercare", ["Quorvane syndrome - aftercare"], "longest name wins"),
        ("blemwort fever", ["Blemwort pyrexia"], "pages naming each other are one concept"),
        ("Is Zantrofen safe?", ["Zantrofen"], "a drug page"),
        ("quorvanne syndrome", ["quorvane syndrome"], "one letter too many in a long word"),
        ("glimmering ague", ["glimmering ague"], "a Disease Ontology term of its own"),
        ("my disease and my blood", [], "generic words are never concepts"),
        ("I hope it helps", [], "'hope' is not 'Hops' though both stem to 'hop'"),
        ("I take hops for sleep", ["Hops"], "but the plural of a name is that name"),
    ],
)
def test_it_recognises_names(vocabulary, text, expected, reason):
    assert names(vocabulary, text) == expected, reason


def test_abbreviations_from_the_evidence_match_only_as_written(vocabulary):
    assert names(vocabulary, "Living with QVS") == ["quorvane syndrome"]
    assert names(vocabulary, "qvs") == []


def test_pages_sharing_only_a_coarse_cui_stay_apart(vocabulary):
    # Drelling palsy and Vantrice dystrophy carry the same CUI but never name each other.
    drelling = vocabulary.lookup("Drelling palsy")
    vantrice = vocabulary.lookup("Vantrice dystrophy")
    assert drelling.name != vantrice.name
    assert "DOID:9990002" in drelling.ids and "DOID:9990002" not in vantrice.ids


def test_disease_ontology_joins_by_cui_and_supplies_ids_and_the_clinical_name(vocabulary):
    concept = vocabulary.lookup("QVS")
    assert concept.name == "quorvane syndrome"  # the DO label, also a MedQuAD name
    assert concept.ids[:2] == ("DOID:9990001", "UMLS:C9000001")
    assert "MESH:D999001" in concept.ids and "ICD10CM:Q99.9" in concept.ids
    assert "Quorvane disease" in concept.synonyms
    assert not any(" - " in s for s in concept.synonyms)  # page titles are not synonyms


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Quorvane syndrome", "condition"),
        ("Skelding cough", "symptom"),
        ("Zantrofen", "drug"),
        ("Hops", "supplement"),
        ("Pellow scan", "test"),
        ("glimmering ague", "condition"),
    ],
)
def test_kinds_come_from_semantic_types_subsets_and_names(vocabulary, name, kind):
    assert vocabulary.lookup(name).kind == kind


def test_lay_words_map_to_clinical_concepts_from_the_curated_table(vocabulary):
    (concept,) = vocabulary.match("heart attack symptoms").concepts
    assert (concept.name, concept.text, concept.via) == (
        "myocardial infarction",
        "heart attack",
        "lay term",
    )
    (concept,) = vocabulary.match("high blood pressure").concepts
    assert concept.name == "hypertension"


def test_a_lay_word_that_is_no_concept_brings_clinical_terms(vocabulary):
    found = vocabulary.match("Quorvane syndrome flares")
    assert [t.text for t in found.terms] == ["flares"]
    assert "relapse" in found.terms[0].clinical and "exacerbation" in found.terms[0].clinical


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What causes MS flares?", "multiple sclerosis"),  # cue: flare
        ("my mom's ms relapses", "multiple sclerosis"),  # lower case allowed with a cue
        ("MS murmur", "mitral stenosis"),  # cue: murmur
        ("Is MS a heart valve problem?", "mitral stenosis"),  # cues: heart, valve
        ("What is MS?", "multiple sclerosis"),  # no cue: the most frequent sense
        ("I have COPD", "chronic obstructive pulmonary disease"),
        ("copd and afib", "chronic obstructive pulmonary disease"),  # case "any"
    ],
)
def test_abbreviations_are_resolved_in_context(vocabulary, text, expected):
    concepts = vocabulary.match(text).concepts
    assert concepts and concepts[0].name == expected
    assert concepts[0].via == "abbreviation"


@pytest.mark.parametrize(
    "text",
    [
        "Ms Jones asked a question",  # a title, no cue word
        "I tried ALL the creams",  # ALL is a stop word unless a cue says leukemia
        "ask ME later",
    ],
)
def test_abbreviations_that_are_words_need_upper_case_or_a_cue(vocabulary, text):
    assert vocabulary.match(text).concepts == ()


def test_shouting_does_not_turn_words_into_abbreviations(vocabulary):
    assert names(vocabulary, "WHAT CAUSES QUORVANE SYNDROME IN MEN") == ["quorvane syndrome"]


def test_spelling_corrections_are_reported_and_kept_only_when_they_name_something(vocabulary):
    found = vocabulary.match("quorvanne syndrome and the daughterr")
    assert found.corrections == (("quorvanne", "quorvane"),)
    assert found.concepts[0].via == "spelling correction"


def test_short_words_are_not_spell_corrected(vocabulary):
    assert names(vocabulary, "hopz") == []


def _page(focus: str, synonyms: list[str], cuis: list[str], n: int) -> Document:
    return Document.from_dict(
        {
            "id": f"medquad:TEST_{n}",
            "kind": "reference",
            "collection": "medquad",
            "title": f"What is (are) {focus}?",
            "passages": [{"text": f"{focus} is invented.", "heading": ""}],
            "question": {
                "text": f"What is (are) {focus}?",
                "qtype": "information",
                "focus": focus,
                "synonyms": synonyms,
                "cuis": cuis,
                "semantic_types": ["T047"],
            },
        }
    )


def test_a_short_word_is_read_as_a_name_with_letters_left_out():
    """ "qisma" is "Quistma" with two letters left out (first and last kept); other edits of
    a short word are never tried, and a reading that names nothing is not kept."""
    vocabulary = Vocabulary.build([_page("Quistma", [], [], 1), _page("Brelloxa", [], [], 2)])
    found = vocabulary.match("my son has bad qisma attacks")
    assert [c.name for c in found.concepts] == ["Quistma"]
    assert found.corrections == (("qisma", "quistma"),)
    assert names(vocabulary, "qxsma") == []  # not a subsequence
    assert names(vocabulary, "quistmas and qistm") == ["Quistma"]  # last letter differs


def test_a_name_adding_a_with_clause_is_another_condition():
    """A page lists "Grellfoot with nail dysplasia syndrome" as a synonym of "Grellfoot
    syndrome" and both carry one CUI: still two conditions."""
    pages = [
        _page("Grellfoot syndrome", ["Grellfoot with nail dysplasia syndrome"], ["C01"], 1),
        _page("Grellfoot with nail dysplasia syndrome", ["GNDS"], ["C01", "C02"], 2),
        _page("Blorvic fever", ["Blorvic pyrexia"], ["C03"], 3),
        _page("Blorvic pyrexia", [], ["C03"], 4),
    ]
    vocabulary = Vocabulary.build(pages)
    plain = vocabulary.lookup("Grellfoot syndrome")
    other = vocabulary.lookup("grellfoot with nail dysplasia syndrome")
    assert plain is not None and other is not None and plain.name != other.name
    assert "Grellfoot with nail dysplasia syndrome" not in plain.synonyms
    assert vocabulary.lookup("Blorvic pyrexia") == vocabulary.lookup("Blorvic fever")  # joined


def test_keys_are_case_plural_spelling_and_possessive_insensitive():
    assert word_key("Diseases") == word_key("disease")
    assert word_key("Allergies") == word_key("allergy")
    assert word_key("leukaemia") == word_key("leukemia")
    assert phrase_key("Parkinson's disease") == phrase_key("parkinsons diseases")


def test_matching_is_bounded_on_huge_text(vocabulary):
    found = vocabulary.match("quorvane syndrome " + "zzzzzzzz " * 50_000)
    assert [c.name for c in found.concepts] == ["quorvane syndrome"]


def test_it_saves_and_loads(vocabulary, tmp_path):
    vocabulary.save(tmp_path / FILE_NAME)
    loaded = Vocabulary.load(tmp_path / FILE_NAME)
    text = "QVS, blemwort fever and heart attack"
    assert loaded.match(text) == vocabulary.match(text)
    assert loaded.stats() == vocabulary.stats()


def test_for_library_builds_once_and_rebuilds_when_the_library_changes(tmp_path):
    documents = fictional_documents()
    with Library(tmp_path / "lib", create=True) as library:
        library.add(documents[:-1])
        built, was_built = for_library(library, None)
        assert was_built and (library.path / FILE_NAME).exists()
        again, was_built = for_library(library, None)
        assert not was_built and again is built
        library.add(documents[-1:])
        fresh, was_built = for_library(library, None)
        assert was_built and fresh.sources["documents"] == len(documents)


def test_an_unreadable_vocabulary_file_is_a_clear_error(tmp_path):
    from evimap.errors import LibraryError

    (tmp_path / FILE_NAME).write_text("{not json")
    with pytest.raises(LibraryError, match="cannot read the vocabulary"):
        Vocabulary.load(tmp_path / FILE_NAME)


BUILD_AND_SAVE = """
import json, sys
from pathlib import Path
from evimap.evidence import Document
from evimap.vocabulary import Vocabulary
folder = Path(sys.argv[1])
lines = (folder / "library.jsonl").read_text().splitlines()
docs = [Document.from_dict(json.loads(x)) for x in lines if not x.startswith("#")]
vocabulary = Vocabulary.build(docs, disease_ontology=folder / "disease-ontology")
vocabulary.data["sources"]["seconds"] = 0
vocabulary.save(Path(sys.argv[2]))
"""


def test_the_saved_vocabulary_is_the_same_under_any_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"vocabulary-{seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", BUILD_AND_SAVE, str(QUESTIONS), str(out)], env=env, check=True
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
