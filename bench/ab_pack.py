"""A blind A/B file from two answer dumps of the same questions, and its key kept apart.

Per question the two answers are shown as "Answer X" and "Answer Y" in a seeded shuffle,
balanced so that each system is X for half of the questions; the key (which system is X,
which Y) goes to a separate JSON file, outside the repo by default, never to the graders.

    python bench/ab_pack.py /tmp/evimap-bench/ours.md /tmp/evimap-bench/baseline.md \\
        --out /tmp/evimap-bench/ab.md --key /tmp/evimap-bench/ab-key.json [--seed 9]

Graders then return verdicts scored with bench/ab_score.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from answers_dump import Item, format_item, read_dump

TITLE = "# Blind comparison: two answers per question, labelled X and Y\n"


def assign(ids: list[str], names: tuple[str, str], seed: int) -> dict[str, dict[str, str]]:
    """Per id {"X": system, "Y": system}: a seeded, balanced shuffle of who is X."""
    first_is_x = [index < (len(ids) + 1) // 2 for index in range(len(ids))]
    random.Random(seed).shuffle(first_is_x)
    a, b = names
    return {
        item_id: {"X": a, "Y": b} if flag else {"X": b, "Y": a}
        for item_id, flag in zip(ids, first_is_x, strict=True)
    }


def pair(dumps: dict[str, list[Item]]) -> list[dict[str, Item]]:
    """Per question (in the first dump's order) its item from each dump; the questions,
    audiences and contexts must match."""
    (a, items_a), (b, items_b) = dumps.items()
    by_id = {item.id: item for item in items_b}
    if [i.id for i in items_a] != [i.id for i in items_b] or len(by_id) != len(items_b):
        raise ValueError(f"the dumps do not hold the same questions in the same order ({a}, {b})")
    pairs = []
    for item in items_a:
        other = by_id[item.id]
        if (item.question, item.audience, item.context) != (
            other.question,
            other.audience,
            other.context,
        ):
            raise ValueError(f"{item.id}: the two dumps ask different questions")
        pairs.append({a: item, b: other})
    return pairs


def pack(dumps: dict[str, list[Item]], seed: int) -> tuple[str, dict[str, object]]:
    """(the blind A/B text, the key)."""
    names = tuple(dumps)
    pairs = pair(dumps)
    labels = assign([next(iter(p.values())).id for p in pairs], names, seed)
    blocks = []
    for p in pairs:
        item_id = next(iter(p.values())).id
        x, y = (p[labels[item_id][label]] for label in ("X", "Y"))
        blocks.append(format_item(x, answer_label="Answer X"))
        blocks.append(f"-------- Answer Y --------\n\n{y.answer.rstrip()}\n")
    key = {"seed": seed, "systems": list(names), "labels": labels}
    return TITLE + "\n" + "\n".join(blocks), key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="a dump (answers_dump.py), e.g. ours")
    parser.add_argument("second", type=Path, help="the other dump, e.g. the baseline")
    parser.add_argument("--names", nargs=2, default=("ours", "baseline"), metavar="NAME")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--out", type=Path, default=Path("/tmp/evimap-bench/ab.md"))
    parser.add_argument("--key", type=Path, default=Path("/tmp/evimap-bench/ab-key.json"))
    args = parser.parse_args(argv)
    if args.names[0] == args.names[1]:
        parser.error("--names must differ")
    dumps = {args.names[0]: read_dump(args.first), args.names[1]: read_dump(args.second)}
    text, key = pack(dumps, args.seed)
    key["files"] = {args.names[0]: str(args.first), args.names[1]: str(args.second)}
    for path in (args.out, args.key):
        path.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.key.write_text(json.dumps(key, indent=2) + "\n", encoding="utf-8")
    print(f"{len(key['labels'])} pairs -> {args.out}; key -> {args.key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
