"""bench/liveqa.py's own parts: the LiveQA loader, the split, type mapping and the scores."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import liveqa
from evimap.questions import question_types

FIXTURE = Path(__file__).parent / "fixtures" / "liveqa"


@pytest.fixture(scope="module")
def items() -> dict[str, liveqa.Item]:
    return {item.id: item for item in liveqa.load(FIXTURE)}


def test_loader_reads_both_attribute_styles(items):
    assert list(items) == ["Train-1/Q1", "Train-1/Q2", "Train-2/1.0", "Train-2/2.0"]
    first = items["Train-1/Q1"]
    assert first.subject == ""
    assert first.question == "What is glimmer fever? My cousin has it."
    assert [s.qtype for s in first.subquestions] == ["information", "side effects"]
    assert first.subquestions[1].focus == ("glimmer fever", "ear drops")
    assert len(first.subquestions[0].answers) == 2
    second = items["Train-1/Q2"]
    assert second.question == "dosing of zorbamycin. How much zorbamycin can a child take?"
    wobble = items["Train-2/1.0"]
    assert wobble.qid == "1.0"
    assert wobble.file == "Fixture-Train-2.xml"
    assert wobble.question.startswith("Wobble Syndrome? My son's knees wobble.")
    assert [s.qtype for s in wobble.subquestions] == ["diagnose_me", "inheritance"]
    assert wobble.subquestions[1].answers == ("It is not inherited.",)


def test_split_is_stable_and_about_even(items):
    assert [i.half for i in liveqa.load(FIXTURE)] == [i.half for i in items.values()]
    for item in list(items.values())[:3]:
        assert item.half == liveqa.half_of(item.file, item.qid) in liveqa.HALVES
    digest = hashlib.sha256(b"Fixture-Train-1.xml\tQ1").digest()
    assert items["Train-1/Q1"].half == liveqa.HALVES[digest[0] & 1]
    halves = [liveqa.half_of("some-file.xml", f"Q{n}") for n in range(1000)]
    assert 0.45 < halves.count("dev") / len(halves) < 0.55
    assert any(
        liveqa.half_of("a.xml", f"Q{n}") != liveqa.half_of("b.xml", f"Q{n}") for n in range(9)
    )


def test_a_question_in_both_files_stays_in_one_half(items):
    copy, first = items["Train-2/2.0"], items["Train-1/Q2"]
    assert copy.question == first.question
    assert liveqa.half_of(copy.file, copy.qid) != first.half  # on its own it would move
    assert copy.half == first.half


def test_every_track_type_maps_to_one_of_ours(items):
    mapping = liveqa.type_map()
    track = {s.qtype for item in items.values() for s in item.subquestions}
    assert {t: mapping[t] for t in track} == {
        "information": "definition",
        "side effects": "side_effects",
        "usage": "dosage",
        "dosage": "dosage",
        "diagnose_me": "diagnosis",
        "inheritance": "genetics",
    }
    assert set(mapping.values()) <= set(question_types())
    assert liveqa.normalize_type("  Storage  and Disposal ") == "storage and disposal"
    assert mapping["storage and disposal"] == "storage"


def test_rouge_l():
    p, r, f = liveqa.rouge_l("The cat sat on the mat.", "the cat is on the mat")
    assert (p, r) == (5 / 6, 5 / 6) and f == pytest.approx(5 / 6)
    assert liveqa.rouge_l("", "anything") == (0.0, 0.0, 0.0)
    assert liveqa.rouge_l("dogs bark", "cats purr") == (0.0, 0.0, 0.0)
    p, r, _ = liveqa.rouge_l("a b", "a x b y")
    assert (p, r) == (1.0, 0.5)
    assert liveqa.lcs_length(list("abcbdab"), list("bdcaba")) == 4


def test_sentences_of_a_reference_answer():
    text = "Glimmer fever is rare. It causes dizziness!  - Rest in bed  - Drink more fluids. OK."
    assert liveqa.split_sentences(text) == [
        "Glimmer fever is rare.",
        "It causes dizziness!",
        "Rest in bed",
        "Drink more fluids.",
    ]


def test_containment_marks_a_reference_page():
    answer = "Glimmer fever is a made-up illness of the inner ear."
    page = "About glimmer fever. A made-up illness: the inner ear swells. Rest."
    stop = {"is", "a", "of", "the", "it", "and", "in"}
    assert liveqa.containment(answer, page, stop) == 1.0  # glimmer fever made up illness inner ear
    assert liveqa.containment(answer, "Fever and illness.", stop) == pytest.approx(2 / 7)
    assert liveqa.containment("the of", page, stop) == 0.0
    longer = f"{answer} It causes dizziness and faint ringing."  # + causes dizziness faint ringing
    assert liveqa.containment(longer, page, stop) == pytest.approx(7 / 11)
    assert liveqa.is_reference_page(["nothing here at all", longer], page, stop)
    assert not liveqa.is_reference_page([longer], "Glimmer fever, inner ear.", stop)
    assert not liveqa.is_reference_page([answer], page, stop)  # too short to tell pages apart


def test_focus_matching():
    assert liveqa.focus_matches("Raynaud's Syndromes", ["raynaud syndrome"])
    assert liveqa.focus_matches("cardiac amyloidosis", ["Amyloidosis"])
    assert liveqa.focus_matches("diabetes", ["type 2 diabetes"])
    assert liveqa.focus_matches("thalassemias", ["anemia", "Thalassemia"])
    assert not liveqa.focus_matches("gist", ["gastrointestinal stromal tumor"])
    assert liveqa.focus_matches("cramp", ["cramp-fasciculation syndrome"])
    assert not liveqa.focus_matches("ear", ["heart"])
    assert not liveqa.focus_matches("", ["heart"])
