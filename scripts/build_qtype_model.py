"""Learn the question-type model from MedQuAD and write src/evimap/data/qtype_model.json.

    python scripts/build_qtype_model.py [--shared-data ../shared/data] [--out PATH]

MedQuAD labels 47k questions with a qtype; data/question_types.tsv maps those labels to
ours. Each question's focus (or a synonym) is replaced by the concept mask, so the model
learns how questions ask, not which conditions they name. Measured and written into the
model's `meta`:

- held-out accuracy on MedQuAD, split by focus (a fifth of the foci, chosen by hash, never
  seen in training), for the model alone and with the cue rules (data/qtype_cues.tsv);
- the consumer prior, used only where no cue rule reads a question: the mix of types in real
  consumer messages (the dev half of LiveQA 2017
  training questions, bench/liveqa.py's split; the held-out half is never read here),
  smoothed and weighted by PRIOR_WEIGHT; MedQuAD's own mix says how its editors wrote, not
  what people ask;
- how consumers word each type (naive Bayes over the dev half's messages, masked as
  `analyze` masks them, weighted by CONSUMER_WEIGHT), added to every question's scores;
- accuracy on real consumer FAQ questions (MEDIQA 2019 RQE validation `faq` texts,
  hand-labelled in tests/fixtures/questions/mediqa_rqe_faq_qtypes.tsv) through the whole
  `analyze` pipeline, with and without the cue rules.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path

from lxml import etree

from evimap import questions
from evimap.evidence import Document
from evimap.questions import CONCEPT, QtypeModel, medquad_type_map
from evimap.sources import medquad
from evimap.vocabulary import Vocabulary, build_from_shared

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "evimap" / "data" / "qtype_model.json"
FAQ_LABELS = REPO / "tests" / "fixtures" / "questions" / "mediqa_rqe_faq_qtypes.tsv"
RQE_FILE = "mediqa2019-qa/MEDIQA2019-Task2-RQE-ValidationSet-AMIA2016.xml"
HELD_OUT = 5  # one fold in five is held out
PRIOR_WEIGHT = 4.0  # how strongly consumers' own mix of types weighs (measured on liveqa dev)
# How strongly consumers' own wording weighs, and in how many messages a wording feature must
# be (one message's words tell its story). 5-fold cross-validation on the LiveQA dev half,
# type right: 46% without; 56% at 0.25 and 2 (58% with every feature, a 1 MB model); the
# MEDIQA consumer FAQs' accuracy goes 96% -> 94% (their questions are short and cued).
CONSUMER_WEIGHT = 0.25
MIN_MESSAGES = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--min-groups", type=int, default=3, help="foci a feature needs")
    parser.add_argument("--scale", type=float, default=0.1, help="weight of word evidence")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    documents = list(_medquad(args.shared_data / "medquad"))
    examples = [(masked, label, focus) for masked, label, focus in _examples(documents)]
    print(f"{len(examples):,} labelled MedQuAD questions", file=sys.stderr)
    options = {"alpha": args.alpha, "min_groups": args.min_groups, "scale": args.scale}

    train = [e for e in examples if _fold(e[2]) != 0]
    test = [(m, label) for m, label, f in examples if _fold(f) == 0]
    held_out_model = QtypeModel.train(train, **options)
    held_out = {
        "questions": len(test),
        "foci": len({f for _, _, f in examples if _fold(f) == 0}),
        "model_accuracy": _accuracy(test, lambda m: _top(held_out_model.log_posterior(m))),
        "with_cues_accuracy": _accuracy(
            test, lambda m: next(iter(questions.classify(m, held_out_model)))
        ),
    }
    model = QtypeModel.train(examples, **options)
    vocabulary = build_from_shared(documents, args.shared_data)
    meta = {
        **model.meta,
        "trained_on": f"MedQuAD, {len(examples):,} questions",
        "options": options,
        "held_out_by_focus": held_out,
        "labels": dict(Counter(label for _, label, _ in examples).most_common()),
    }
    consumer, meta["consumer_prior"] = _consumer_prior(args.shared_data, model.labels)
    words, meta["consumer_words"] = _consumer_words(args.shared_data, vocabulary, args.alpha)
    model = QtypeModel(model.labels, model.prior, model.likelihood, meta, consumer, words)
    meta["consumer_faq"] = _consumer(args.shared_data, vocabulary, model)
    args.out.write_text(json.dumps(model.to_dict(), separators=(",", ":"), sort_keys=False) + "\n")
    print(json.dumps({k: v for k, v in meta.items() if k != "labels"}, indent=2), file=sys.stderr)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KB) in {time.perf_counter() - started:.0f} s")
    return 0


def _medquad(folder: Path) -> list[Document]:
    docs = []
    for path in medquad.files(folder):
        docs.extend(r for r in medquad.read_file(path) if isinstance(r, Document) and r.question)
    return docs


def _examples(documents: list[Document]):
    """(masked question, our type, focus) for every MedQuAD question with a known label."""
    labels = medquad_type_map()
    for doc in documents:
        q = doc.question
        label = labels.get(q.qtype.strip().lower())
        if label is None:
            continue
        yield _mask_focus(q.text, (q.focus, *q.synonyms)), label, q.focus.lower()


def _mask_focus(text: str, names: tuple[str, ...]) -> str:
    text = text.replace(" (are)", "")  # MedQuAD's "What is (are) X?" is "What is X?"
    for name in names:
        if name and (found := re.search(re.escape(name), text, re.IGNORECASE)):
            return text[: found.start()] + CONCEPT + text[found.end() :]
    return text


def _fold(focus: str) -> int:
    return hashlib.blake2b(focus.encode(), digest_size=2).digest()[0] % HELD_OUT


def _top(scores: dict[str, float]) -> str:
    return max(scores, key=scores.get)


def _consumer_prior(shared: Path, labels: tuple[str, ...]) -> tuple[tuple[float, ...], dict]:
    """log P(type) in consumers' messages (LiveQA dev half, first sub-question), smoothed."""
    sys.path.insert(0, str(REPO / "bench"))
    import liveqa

    folder = shared / liveqa.DATASET
    if not folder.is_dir():
        return (), {"skipped": f"{folder} not found"}
    types = liveqa.type_map()
    dev = [i for i in liveqa.load(folder) if i.half == "dev" and i.subquestions]
    counts = Counter(types.get(i.subquestions[0].qtype) for i in dev)
    total = sum(counts[label] for label in labels) + len(labels)
    prior = tuple(
        round(PRIOR_WEIGHT * math.log((counts[label] + 1) / total), 4) for label in labels
    )
    return prior, {
        "from": f"LiveQA 2017 train, dev half, {len(dev)} messages",
        "weight": PRIOR_WEIGHT,
    }


def _consumer_words(shared: Path, vocabulary: Vocabulary, alpha: float) -> tuple[dict, dict]:
    """Naive Bayes over how consumers word each type: the LiveQA dev half's messages, each
    masked as `analyze` masks a question (recognised concepts), labelled with its first
    sub-question's type; a feature counts once per message, and is kept when MIN_MESSAGES
    use it. Weighted by CONSUMER_WEIGHT."""
    sys.path.insert(0, str(REPO / "bench"))
    import liveqa

    folder = shared / liveqa.DATASET
    if not folder.is_dir():
        return {}, {"skipped": f"{folder} not found"}
    types = liveqa.type_map()
    counts: dict[str, Counter[str]] = {}
    sizes: Counter[str] = Counter()
    for item in liveqa.load(folder):
        label = types.get(item.subquestions[0].qtype) if item.subquestions else None
        if item.half != "dev" or not label:
            continue
        text, _ = questions.clean(item.question)
        masked = questions.mask(text, [c.span for c in vocabulary.match(text).concepts])
        counts.setdefault(label, Counter()).update(set(questions.features(masked)))
        sizes[label] += 1
    labels = sorted(counts)
    seen = Counter(f for c in counts.values() for f in c.elements())
    vocab = sorted(f for f, n in seen.items() if n >= MIN_MESSAGES)
    n = sum(sizes.values())
    below = {label: sum(counts[label].values()) + alpha * len(vocab) for label in labels}
    likelihood = {
        f: [round(math.log((counts[label][f] + alpha) / below[label]), 3) for label in labels]
        for f in vocab
    }
    words = {
        "labels": labels,
        "prior": [round(math.log(sizes[label] / n), 4) for label in labels],
        "likelihood": likelihood,
        "weight": CONSUMER_WEIGHT,
    }
    return words, {"from": f"LiveQA 2017 train, dev half, {n} messages", "weight": CONSUMER_WEIGHT}


def _accuracy(pairs, predict) -> float:
    hits = sum(predict(masked) == label for masked, label in pairs)
    return round(hits / len(pairs), 4) if pairs else 0.0


def _consumer(shared: Path, vocabulary: Vocabulary, model: QtypeModel) -> dict:
    """Accuracy on the hand-labelled consumer FAQ questions, through `analyze`."""
    path = shared / RQE_FILE
    if not path.exists():
        return {"skipped": f"{path} not found"}
    faq = {p.get("pid"): (p.findtext("faq") or "").strip() for p in etree.parse(path).iter("pair")}
    gold = []
    for line in FAQ_LABELS.read_text().splitlines()[1:]:
        if line and not line.startswith("#") and not line.startswith("pid"):
            pid, labels = line.split("\t")[:2]
            gold.append((faq[pid], labels.split("|")))
    result: dict = {"questions": len(gold)}
    misses = []
    for name, cues in (("with_cues_accuracy", True), ("model_only_accuracy", False)):
        hits = 0
        for text, labels in gold:
            got = questions.analyze(text, vocabulary, model=model, cues=cues).qtype
            hits += got in labels
            if cues and got not in labels:
                misses.append(f"{got} <- {labels[0]}: {text}")
        result[name] = round(hits / len(gold), 4)
    for miss in misses:  # printed, not written: the texts stay in the shared data
        print(f"  consumer miss: {miss}", file=sys.stderr)
    return result


if __name__ == "__main__":
    sys.exit(main())
