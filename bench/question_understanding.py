"""Question understanding alone on LiveQA 2017 medical training messages: focus and type.

What `bench/liveqa.py` reports for focus and type, without answering (seconds, not minutes),
plus a confusion matrix of the annotated (first sub-question's) type, mapped to ours, against
the type we find, and the messages whose focus or type we miss. For development: run it on
the dev half (`--half dev`); quote figures on the held-out half only from `bench/liveqa.py`.

    python bench/question_understanding.py --half dev [--misses type|focus] [--library DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import liveqa
from _common import REPO, shared_data


def analyse(items: list[liveqa.Item], library: Path) -> list[dict]:
    from evimap import Library
    from evimap.errors import EvimapError
    from evimap.questions import analyze
    from evimap.vocabulary import for_library

    with Library(library, readonly=True) as lib:
        vocabulary, _ = for_library(lib, shared_data())
    rows = []
    for item in items:
        mapped = [liveqa.type_map().get(s.qtype) for s in item.subquestions]
        row = {"id": item.id, "question": item.question, "annotated": {"mapped": mapped}}
        row["annotated"]["focus"] = [f for s in item.subquestions for f in s.focus]
        try:
            analysis = analyze(item.question, vocabulary)
        except EvimapError:
            analysis = None
        liveqa._analysis_scores(row, item, analysis)
        row["corrections"] = list(analysis.corrections) if analysis else []
        rows.append(row)
    return rows


def confusion(rows: list[dict]) -> str:
    """Annotated type (rows) against ours (columns), first sub-question only."""
    pairs = Counter(
        (r["annotated"]["mapped"][0] or "-", (r["ours"]["types"] or ["-"])[0])
        for r in rows
        if r["annotated"]["mapped"]
    )
    gold = [t for t, _ in Counter(g for g, _ in pairs.elements()).most_common()]
    ours = sorted(
        {o for _, o in pairs}, key=lambda t: (t not in gold, gold.index(t) if t in gold else 0, t)
    )
    corner = "gold / ours"
    width = max(len(t) for t in [*gold, corner])
    head = " ".join(t[:5].rjust(5) for t in ours)
    lines = [f"{corner:<{width}} {head}   right / all"]
    for g in gold:
        cells = " ".join((str(pairs[g, o]) if pairs[g, o] else ".").rjust(5) for o in ours)
        total = sum(pairs[g, o] for o in ours)
        lines.append(f"{g:<{width}} {cells}   {pairs[g, g]:>3} / {total}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=[*liveqa.HALVES, "all"], default="dev")
    parser.add_argument("--library", type=Path, default=REPO / "var" / "library")
    parser.add_argument("--misses", choices=["type", "focus"], default=None)
    args = parser.parse_args()
    items = [i for i in liveqa.load(shared_data() / liveqa.DATASET) if args.half in ("all", i.half)]
    rows = analyse(items, args.library)
    n = len(rows)
    found = sum(r["focus_found"] for r in rows)
    first = sum(r["type_first"] for r in rows)
    anyone = sum(r["type_any"] for r in rows)
    print(f"== {args.half} half: {n} messages")
    print(f"  focus found {found / n:.1%}; type right first {first / n:.1%} / any {anyone / n:.1%}")
    print(confusion(rows))
    key = {"type": "type_first", "focus": "focus_found"}.get(args.misses or "")
    for row in rows if key else ():
        if not row[key]:
            print(f"\n{row['id']} gold {row['annotated']['mapped']} {row['annotated']['focus']}")
            print(f"  ours {row['ours']['types']} {row['ours']['focus'][:4]} {row['corrections']}")
            print(f"  {row['question'][:500]}")


if __name__ == "__main__":
    main()
