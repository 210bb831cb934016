"""The CDC Plain Language Thesaurus in the question vocabulary (issue 11): its plain phrases
name concepts ("bone death" is osteonecrosis), its terms are technical, and concepts get a
plain name. A fictional thesaurus and library; the shared file where it is present."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from evimap import Document, Library
from evimap.vocabulary import Vocabulary, for_library
from evimap.vocabulary.sources import plain_language_pairs

FIXTURES = Path(__file__).parent / "fixtures"
QUESTIONS = FIXTURES / "questions"
THESAURUS = FIXTURES / "plain-language" / "cdc_plain_language_thesaurus.json"


def fictional_documents() -> list[Document]:
    lines = (QUESTIONS / "library.jsonl").read_text().splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if not line.startswith("#")]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.build(fictional_documents(), plain_language=THESAURUS)


def named(vocabulary: Vocabulary, text: str) -> list[tuple[str, str]]:
    return [(c.name.lower(), c.via) for c in vocabulary.match(text).concepts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Why are my swollen hand nerves worse at night?", "quorvane syndrome"),
        ("is hand ache contagious", "quorvane syndrome"),
        ("My son has a rash fever", "Blemwort pyrexia"),
        ("drooping cheek muscles in the morning", "drelling palsy"),
        ("what causes weak muscles in children", "Vantrice dystrophy"),
    ],
)
def test_a_plain_phrase_cdc_gives_names_its_concept(vocabulary, text, expected):
    assert named(vocabulary, text) == [(expected.lower(), "lay term")]
    plain = Vocabulary.build(fictional_documents())  # without the thesaurus: not that
    assert expected.lower() not in [name for name, _ in named(plain, text)]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("my shaky face", "CDC gives it for two concepts"),
        ("a tingly hand disease", "a class word describes a kind of illness"),
        ("I feel weak and tired", "one-word alternatives have too many senses"),
        ("he may stop breathing", "listed in thesaurus_skip"),
        ("do away with it", "not a concept's term"),
    ],
)
def test_loose_plain_phrases_name_nothing(vocabulary, text, why):
    assert named(vocabulary, text) == [], why


def test_curated_phrases_and_the_evidence_names_come_first(vocabulary):
    assert named(vocabulary, "blemwort fever") == [("blemwort pyrexia", "name")]
    assert named(vocabulary, "high blood pressure") == [("hypertension", "lay term")]


def test_plain_names_and_technical_terms(vocabulary):
    assert vocabulary.plain_name("hypertension") == "high blood pressure"
    assert vocabulary.plain_name("quorvane syndrome") == "swollen hand nerves"
    assert vocabulary.plain_name("drelling palsy") == "drooping cheek muscles"  # not ambiguous
    assert vocabulary.plain_name("high blood pressure") is None  # already plain
    assert vocabulary.is_technical("Skelding cough") and vocabulary.is_technical("abolish")
    assert not vocabulary.is_technical("virus")  # CDC's alternative is the word itself
    assert vocabulary.sources["plain_language_phrases"] == 6
    assert Vocabulary.build(fictional_documents()).plain_name("hypertension") is None


def test_a_file_that_is_no_thesaurus_gives_no_pairs(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "object.json").write_text('{"term": "x"}')
    assert plain_language_pairs(tmp_path / "broken.json") == []
    assert plain_language_pairs(tmp_path / "object.json") == []
    assert plain_language_pairs(THESAURUS)[0] == (
        "quorvane syndrome",
        ["swollen hand nerves", "tingly hand disease", "hand ache"],
    )


def test_the_library_vocabulary_skips_an_absent_thesaurus_and_rebuilds_once_it_is_there(
    tmp_path, caplog
):
    shared = tmp_path / "shared"
    shared.mkdir()
    with Library(tmp_path / "lib", create=True) as library:
        library.add(fictional_documents())
        with caplog.at_level(logging.WARNING, logger="evimap.vocabulary.loading"):
            without, built = for_library(library, shared)
        assert built and "CDC Plain Language Thesaurus not found" in caplog.text
        assert named(without, "swollen hand nerves") == []
        assert for_library(library, shared)[1] is False  # still absent: still fresh
        (shared / "plain-language").mkdir()
        shutil.copy(THESAURUS, shared / "plain-language" / THESAURUS.name)
        with_it, built = for_library(library, shared)
        assert built and named(with_it, "swollen hand nerves") == [
            ("quorvane syndrome", "lay term")
        ]
        assert for_library(library, shared)[1] is False


def test_the_shared_vocabularies(shared_data):
    thesaurus = shared_data / "plain-language" / THESAURUS.name
    if not thesaurus.exists():
        pytest.skip(f"the CDC thesaurus is not at {thesaurus}")
    words = Vocabulary.build(fictional_documents(), plain_language=thesaurus)
    assert named(words, "brittle bones") == [("osteoporosis", "lay term")]  # curated
    assert words.is_technical("hypertension") and words.plain_name("hypertension")
    assert len(plain_language_pairs(thesaurus)) == 891
