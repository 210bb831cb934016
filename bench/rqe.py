"""Question entailment on MEDIQA 2019 RQE pairs: does a consumer's question entail an FAQ?

Each pair is a consumer health question (CHQ: subject and message, as people wrote them) and
a frequently asked question (FAQ) with a gold label: true when every answer to the FAQ is a
full or partial answer to the CHQ. We predict it with the engine's own rule
(`evimap.matching.entails`): the FAQ names the CHQ's focus (and what narrows it) and asks the
type one of the CHQ's parts asks. Both sides are analysed with the library's vocabulary, as
at question time. Reported: accuracy, precision, recall on the validation pairs (302) and on
the training pairs (8,588), beside the majority-class rate. The best participant of MEDIQA
2019 reached 74.9% accuracy on the (different) test set with trained models.

    python bench/rqe.py [--library var/library] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPO, shared_data

FILES = {
    "validation": "MEDIQA2019-Task2-RQE-ValidationSet-AMIA2016.xml",
    "train": "MEDIQA2019-Task2-RQE-TrainingSet-AMIA2016.xml",
}


def pairs(path: Path, limit: int | None = None) -> list[tuple[str, str, bool]]:
    """(consumer question, FAQ, gold label) of an RQE file."""
    found = []
    for pair in ET.parse(path).getroot().iter("pair"):
        chq = " ".join((pair.findtext("chq") or "").split())
        faq = " ".join((pair.findtext("faq") or "").split())
        found.append((chq, faq, pair.get("value", "").strip().lower() == "true"))
    return found[:limit] if limit else found


def predict(chq: str, faq: str, vocabulary) -> bool:
    """The engine's rule: the FAQ names the CHQ's focus and asks the type a part asks."""
    from evimap.errors import QuestionError
    from evimap.matching import entails
    from evimap.query import query_of
    from evimap.questions import analyze

    try:
        asked, source = analyze(chq, vocabulary), analyze(faq, vocabulary)
    except QuestionError:  # an empty question entails nothing, and nothing entails it
        return False
    query = query_of(asked.text, asked)
    names = " ".join([faq, *(c.name for c in source.focus)])
    return any(entails(query, part, names, source.qtype) for part in query.parts)


def score(rows: list[tuple[bool, bool]]) -> dict:
    tp = sum(p and g for p, g in rows)
    fp = sum(p and not g for p, g in rows)
    fn = sum(g and not p for p, g in rows)
    right = sum(p == g for p, g in rows)
    majority = max(sum(g for _, g in rows), sum(not g for _, g in rows))
    return {
        "pairs": len(rows),
        "accuracy": right / len(rows),
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "majority": majority / len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=REPO / "var" / "library")
    parser.add_argument("--limit", type=int, default=None, help="first N pairs of each file")
    args = parser.parse_args()
    from evimap import Library
    from evimap.vocabulary import for_library

    folder = shared_data() / "mediqa2019-qa"
    with Library(args.library, readonly=True) as library:
        vocabulary, _ = for_library(library, shared_data())
        for name, file in FILES.items():
            found = pairs(folder / file, args.limit)
            rows = [(predict(c, f, vocabulary), gold) for c, f, gold in found]
            s = score(rows)
            print(
                f"{name:10} {s['pairs']:5} pairs  accuracy {s['accuracy']:.1%}  "
                f"precision {s['precision']:.1%}  recall {s['recall']:.1%}  "
                f"(majority class {s['majority']:.1%})"
            )


if __name__ == "__main__":
    main()
