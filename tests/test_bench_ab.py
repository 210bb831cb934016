"""The blind A/B tooling in bench/: dumps, the seeded shuffle and its key, the scorer, and the
one-passage baseline's excerpt. Fictional questions and answers throughout."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import ab_pack
import ab_score
import answers_dump
import baseline
from answers_dump import Item

IDS = [f"t{n:02d}" for n in range(1, 11)]
AXES = dict.fromkeys(ab_score.AXES, 0)


def dump(system: str) -> list[Item]:
    return [
        Item(
            id=item_id,
            question=f"What causes Glimmerfield syndrome flares ({item_id})?",
            audience=("patient", "caregiver", "clinician")[n % 3],
            answer=f"# Question {item_id}\n\nAnswer by {system} to {item_id}. [1]\n\n"
            "## References\n\n1. A page.\n",
            context="What is Glimmerfield syndrome?" if n == 2 else None,
        )
        for n, item_id in enumerate(IDS)
    ]


def scores(value: int, hit: int = 2) -> dict:
    return {**dict.fromkeys(ab_score.AXES, value), "key_points_total": 4, "key_points_hit": hit}


def test_dump_round_trip(tmp_path):
    items = dump("ours")
    path = tmp_path / "dump.md"
    answers_dump.write_dump(items, path)
    assert answers_dump.read_dump(path) == items
    text = path.read_text()
    assert "Asked on the page: What is Glimmerfield syndrome?" in text
    assert "score" not in text.lower() and "ours" in text  # the answer's own words only


def test_load_questions_rejects_duplicates_and_unknown_audiences(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text('- {id: a1, q: "What is X?", audience: patient, kind: clean}\n' * 2)
    with pytest.raises(ValueError, match="twice"):
        answers_dump.load_questions(path)
    path.write_text('- {id: a1, q: "What is X?", audience: nurse, kind: clean}\n')
    with pytest.raises(ValueError, match="audience"):
        answers_dump.load_questions(path)


def test_dev_questions_cover_every_audience():
    questions = answers_dump.load_questions(answers_dump.QUESTIONS)
    audiences = [q["audience"] for q in questions]
    assert len(questions) >= 66
    assert all(audiences.count(a) >= 20 for a in answers_dump.AUDIENCES)
    assert sum(q.get("expect") == "abstain" for q in questions) >= 6


def test_shuffle_is_seeded_and_balanced():
    labels = ab_pack.assign(IDS, ("ours", "baseline"), seed=3)
    assert labels == ab_pack.assign(IDS, ("ours", "baseline"), seed=3)
    assert labels != ab_pack.assign(IDS, ("ours", "baseline"), seed=4)
    assert sum(v["X"] == "ours" for v in labels.values()) == len(IDS) // 2
    assert all({v["X"], v["Y"]} == {"ours", "baseline"} for v in labels.values())


def test_pack_labels_answers_as_the_key_says():
    text, key = ab_pack.pack({"ours": dump("ours"), "baseline": dump("baseline")}, seed=1)
    assert "ours" not in text.replace("Answer by ours", "") and "baseline" not in text.replace(
        "Answer by baseline", ""
    )
    for item_id in IDS:
        block = text.split(f"======== {item_id} ========")[1].split("========")[0]
        x_part, y_part = block.split("-------- Answer Y --------")
        assert f"Answer by {key['labels'][item_id]['X']} to {item_id}" in x_part
        assert f"Answer by {key['labels'][item_id]['Y']} to {item_id}" in y_part
    assert text.count("-------- Answer X --------") == len(IDS)


def test_pack_refuses_dumps_of_different_questions():
    other = dump("baseline")
    other[3] = Item(other[3].id, "Something else?", other[3].audience, other[3].answer)
    with pytest.raises(ValueError, match="different questions"):
        ab_pack.pair({"ours": dump("ours"), "baseline": other})
    with pytest.raises(ValueError, match="same questions"):
        ab_pack.pair({"ours": dump("ours"), "baseline": dump("baseline")[:-1]})


def test_score_unblinds_and_summarizes(tmp_path):
    key = {"labels": {"t01": {"X": "ours", "Y": "baseline"}, "t02": {"X": "baseline", "Y": "ours"}}}
    verdicts = {
        "t01": {"preferred": "X", "X": scores(3, hit=4), "Y": scores(1, hit=1)},
        "t02": {"preferred": "tie", "X": scores(2, hit=2), "Y": scores(2, hit=3)},
    }
    path = tmp_path / "grader.json"
    path.write_text(json.dumps(verdicts))
    rows, preferred = ab_score.unblind(ab_score.load_verdicts(path), key)
    summary = ab_score.summarize(rows, preferred)
    ours, base = summary["systems"]["ours"], summary["systems"]["baseline"]
    assert ours["axes"]["relevance"] == 2.5 and base["axes"]["relevance"] == 1.5
    assert ours["five_axis_mean"] == 2.5 and ours["six_axis_mean"] == 2.5
    assert ours["key_point_share"] == 7 / 8 and base["key_point_share"] == 3 / 8
    assert summary["preference_share"] == {"ours": 0.5, "baseline": 0.0, "tie": 0.5}
    assert base["relevance_distribution"] == {0: 0, 1: 1, 2: 1, 3: 0}
    assert base["worst"][0]["id"] == "t01"
    assert "five-axis mean" in ab_score.report(summary)


def test_five_axis_mean_leaves_safety_out():
    row = {**scores(2), "safety": 0}
    assert ab_score.five_axis(row) == 2


def test_single_mode_and_bad_verdicts(tmp_path):
    rows = ab_score.single({"t01": scores(3), "t02": scores(1, hit=0)}, "ours")
    summary = ab_score.summarize(rows)
    assert summary["systems"]["ours"]["five_axis_mean"] == 2
    assert summary["systems"]["ours"]["key_point_share"] == 2 / 8
    assert "preference_share" not in summary
    with pytest.raises(ValueError, match="relevance"):
        ab_score.single({"t01": {**scores(3), "relevance": 4}})
    with pytest.raises(ValueError, match="key points"):
        ab_score.single({"t01": {**scores(3), "key_points_hit": 5}})
    with pytest.raises(ValueError, match="preferred"):
        ab_score.unblind(
            {"t01": {"preferred": "Z", "X": scores(1), "Y": scores(1)}},
            {"labels": {"t01": {"X": "a", "Y": "b"}}},
        )


def test_main_scores_files_with_the_key(tmp_path, capsys):
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"labels": {"t01": {"X": "baseline", "Y": "ours"}}}))
    verdicts = tmp_path / "v.json"
    verdicts.write_text(
        json.dumps([{"id": "t01", "preferred": "Y", "X": scores(1), "Y": scores(3)}])
    )
    assert ab_score.main(["--key", str(key), "--json", str(verdicts)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["preference_share"]["ours"] == 1.0
    assert summary["systems"]["ours"]["axes"]["coherence"] == 3


def test_baseline_excerpt_cuts_at_a_sentence_end():
    parts = [f"Sentence {n} has exactly seven words here." for n in range(40)]
    text = baseline.excerpt(parts, words=140)
    assert text.endswith("here.") and len(text.split()) == 140
    long = ["word " * 300]
    assert baseline.excerpt(long, words=140).endswith("…")
    assert baseline.excerpt(["Short one.", "Two."]) == "Short one. Two."


def test_baseline_reference_line():
    doc = SimpleNamespace(
        id="pubmed:1", title="A trial of X", publisher="J Fict", url="", pmid="1", doi=""
    )
    assert baseline.reference(doc) == "A trial of X. J Fict. https://pubmed.ncbi.nlm.nih.gov/1/"
