"""Scores graders' verdicts (../shared/docs/ANSWER_RUBRIC.md): blind A/B, or one system.

A/B mode (`--key`, the key bench/ab_pack.py wrote): each verdicts file is JSON, an object
keyed by question id (or a list of such objects, each with an "id"):

    {"d01": {"preferred": "X",                       # X | Y | tie
             "X": {"relevance": 3, "faithfulness": 2, "audience": 3, "structure": 2,
                   "safety": 3, "coherence": 2, "key_points_total": 4, "key_points_hit": 3},
             "Y": {... the same fields ...},
             "note": "optional free text"}}

Single mode (no `--key`): the same per id without X/Y and without "preferred":

    {"d01": {"relevance": 3, "faithfulness": 2, ..., "key_points_hit": 3, "note": "..."}}

Axis scores are 0-3; key_points_total is how many key points the grader wrote down before
reading (3-5), key_points_hit how many the answer carries. Several files (graders) may be
given: every (grader, question) verdict counts once.

Reported per system: the mean of each of the six rubric axes (relevance, faithfulness,
audience, structure, safety, coherence); the six-axis mean; the **five-axis mean**, defined as
the mean of relevance, faithfulness, audience fit, structure and coherence (safety left out:
most questions carry no safety issue and would score it 3 whatever the answer); the key-point
share (sum of hits / sum of totals); the distribution of relevance scores; the worst answers
by five-axis mean. In A/B mode also the preference share: the share of verdicts preferring
each system, and ties.

    python bench/ab_score.py --key /tmp/evimap-bench/ab-key.json grader1.json grader2.json
    python bench/ab_score.py grades.json                 # one system
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

AXES = ("relevance", "faithfulness", "audience", "structure", "safety", "coherence")
FIVE = ("relevance", "faithfulness", "audience", "structure", "coherence")
KEY_POINTS = ("key_points_total", "key_points_hit")
PREFERENCES = ("X", "Y", "tie")
WORST = 5


def load_verdicts(path: Path) -> dict[str, dict]:
    """A verdicts file as {id: verdict}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, list):
        data = {str(entry["id"]): entry for entry in data}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object keyed by question id, or a list")
    return {str(item_id): verdict for item_id, verdict in data.items()}


def check_scores(scores: dict, where: str) -> dict:
    """The axis scores and key-point counts of one answer, validated."""
    if not isinstance(scores, dict):
        raise ValueError(f"{where}: expected an object of scores")
    for axis in AXES:
        value = scores.get(axis)
        if not isinstance(value, int | float) or not 0 <= value <= 3:
            raise ValueError(f"{where}: {axis} must be a score 0-3, got {value!r}")
    total, hit = (scores.get(name) for name in KEY_POINTS)
    if not isinstance(total, int) or not isinstance(hit, int) or not 0 <= hit <= total:
        raise ValueError(f"{where}: key points must be integers, 0 <= hit <= total")
    return {name: scores[name] for name in (*AXES, *KEY_POINTS)}


def unblind(verdicts: dict[str, dict], key: dict, grader: str = "") -> tuple[list[dict], list[str]]:
    """A/B verdicts as per-system rows ({"id", "system", scores...}) and the preferred
    system per verdict ("tie" for a tie)."""
    labels = key["labels"]
    rows, preferred = [], []
    for item_id, verdict in verdicts.items():
        where = f"{grader}{item_id}"
        if item_id not in labels:
            raise ValueError(f"{where}: not in the key")
        choice = verdict.get("preferred")
        if choice not in PREFERENCES:
            raise ValueError(f"{where}: preferred must be X, Y or tie, got {choice!r}")
        preferred.append("tie" if choice == "tie" else labels[item_id][choice])
        for label in ("X", "Y"):
            scores = check_scores(verdict.get(label), f"{where} {label}")
            rows.append({"id": item_id, "system": labels[item_id][label], **scores})
    return rows, preferred


def single(verdicts: dict[str, dict], system: str = "system", grader: str = "") -> list[dict]:
    return [
        {"id": item_id, "system": system, **check_scores(verdict, f"{grader}{item_id}")}
        for item_id, verdict in verdicts.items()
    ]


def five_axis(row: dict) -> float:
    return statistics.fmean(row[axis] for axis in FIVE)


def summarize(rows: list[dict], preferred: list[str] | None = None) -> dict:
    """Per system: axis means, six- and five-axis means, key-point share, relevance
    distribution, worst answers; and the preference share when `preferred` is given."""
    systems: dict[str, dict] = {}
    for name in dict.fromkeys(row["system"] for row in rows):
        mine = [row for row in rows if row["system"] == name]
        total = sum(row["key_points_total"] for row in mine)
        worst = sorted(mine, key=lambda row: (five_axis(row), row["id"]))[:WORST]
        systems[name] = {
            "verdicts": len(mine),
            "axes": {axis: statistics.fmean(row[axis] for row in mine) for axis in AXES},
            "six_axis_mean": statistics.fmean(row[axis] for row in mine for axis in AXES),
            "five_axis_mean": statistics.fmean(five_axis(row) for row in mine),
            "key_point_share": sum(row["key_points_hit"] for row in mine) / total
            if total
            else None,
            "relevance_distribution": {
                score: Counter(row["relevance"] for row in mine)[score] for score in range(4)
            },
            "worst": [{"id": row["id"], "five_axis": five_axis(row)} for row in worst],
        }
    summary: dict = {"systems": systems}
    if preferred is not None:
        counts = Counter(preferred)
        n = len(preferred)
        summary["preference_share"] = {
            choice: counts[choice] / n if n else 0.0 for choice in [*systems, "tie"]
        }
        summary["preference_counts"] = {choice: counts[choice] for choice in [*systems, "tie"]}
    return summary


def report(summary: dict) -> str:
    systems = summary["systems"]
    names = list(systems)
    width = max([14, *(len(name) for name in names)]) + 2
    lines = ["".ljust(18) + "".join(name.rjust(width) for name in names)]

    def row(label: str, values: list[str]) -> None:
        lines.append(label.ljust(18) + "".join(value.rjust(width) for value in values))

    row("verdicts", [str(systems[n]["verdicts"]) for n in names])
    for axis in AXES:
        row(axis, [f"{systems[n]['axes'][axis]:.2f}" for n in names])
    row("six-axis mean", [f"{systems[n]['six_axis_mean']:.2f}" for n in names])
    row("five-axis mean", [f"{systems[n]['five_axis_mean']:.2f}" for n in names])
    row(
        "key-point share",
        [
            "-" if systems[n]["key_point_share"] is None else f"{systems[n]['key_point_share']:.0%}"
            for n in names
        ],
    )
    for score in range(4):
        row(
            f"relevance = {score}",
            [str(systems[n]["relevance_distribution"][score]) for n in names],
        )
    if "preference_share" in summary:
        lines.append("")
        shares = summary["preference_share"]
        counts = summary["preference_counts"]
        lines.append(
            "preferred: "
            + ", ".join(f"{name} {shares[name]:.0%} ({counts[name]})" for name in shares)
        )
    lines.append("")
    for name in names:
        worst = ", ".join(f"{w['id']} ({w['five_axis']:.1f})" for w in systems[name]["worst"])
        lines.append(f"worst five-axis, {name}: {worst}")
    lines.append("five-axis mean = mean of relevance, faithfulness, audience, structure, coherence")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("verdicts", type=Path, nargs="+", help="graders' JSON files")
    parser.add_argument("--key", type=Path, help="the A/B key (ab_pack.py); none: one system")
    parser.add_argument("--system", default="system", help="single mode: the system's name")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    preferred: list[str] | None = None
    key = json.loads(args.key.read_text(encoding="utf-8")) if args.key else None
    for path in args.verdicts:
        verdicts = load_verdicts(path)
        grader = f"{path.name}: " if len(args.verdicts) > 1 else ""
        if key is None:
            rows += single(verdicts, args.system, grader)
            continue
        found, choices = unblind(verdicts, key, grader)
        rows += found
        preferred = (preferred or []) + choices
        missing = sorted(set(key["labels"]) - set(verdicts))
        if missing:
            print(f"{path}: no verdict for {', '.join(missing)}", file=sys.stderr)
    if not rows:
        sys.exit("no verdicts")
    if key is not None:  # columns in the key's order (ours first), not the first X's
        order = [*key.get("systems", []), *(row["system"] for row in rows)]
        rows.sort(key=lambda row: order.index(row["system"]))
    summary = summarize(rows, preferred)
    print(json.dumps(summary, indent=2) if args.json else report(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
