"""Learn the question-type model from MedQuAD and write src/evimap/data/qtype_model.json.

    python scripts/build_qtype_model.py [--shared-data ../shared/data] [--out PATH]

MedQuAD labels 47k questions with a qtype; data/question_types.tsv maps those labels to
ours. Each question's focus (or a synonym) is replaced by the concept mask, so the model
learns how questions ask, not which conditions they name. Measured and written into the
model's `meta`:

- held-out accuracy on MedQuAD, split by focus (a fifth of the foci, chosen by hash, never
  seen in training), for the model alone and with the cue rules (data/qtype_cues.tsv);
- the consumer regression (`_fit`): how much, in real consumer messages, the MedQuAD model,
  the cues of the question part and those of the whole message say about the type, and
  how often each type is asked (a bias per type). Learned from the dev half of the LiveQA
  2017 training questions (bench/liveqa.py's split; the held-out half is never read here),
  first sub-question's type, and cross-validated on it (5 folds) against the naive Bayes
  consumer words and prior it replaces (`--cv` only cross-validates);
- accuracy on real consumer FAQ questions (MEDIQA 2019 RQE validation `faq` texts,
  hand-labelled in tests/fixtures/questions/mediqa_rqe_faq_qtypes.tsv) through the whole
  `analyze` pipeline, with and without the cue rules.
"""

from __future__ import annotations

import argparse
import dataclasses
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
from evimap.errors import QuestionError
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
CV_FOLDS = 5
FIT_STEPS = 400  # full-batch Adam steps of the consumer regression
FIT_RATE = 0.05
BIAS_L2 = 0.01


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--min-groups", type=int, default=3, help="foci a feature needs")
    parser.add_argument("--scale", type=float, default=0.1, help="weight of word evidence")
    parser.add_argument("--cv", action="store_true", help="only cross-validate (dev half)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    documents = list(_medquad(args.shared_data / "medquad"))
    vocabulary = build_from_shared(documents, args.shared_data)
    if args.cv:  # the shipped MedQuAD model, the consumer part cross-validated
        base = dataclasses.replace(questions.default_model(), consumer_model={})
        print(json.dumps(_cross_validate(_dev_messages(args.shared_data, vocabulary), base)))
        return 0
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
    meta = {
        **model.meta,
        "trained_on": f"MedQuAD, {len(examples):,} questions",
        "options": options,
        "held_out_by_focus": held_out,
        "labels": dict(Counter(label for _, label, _ in examples).most_common()),
    }
    dev = _dev_messages(args.shared_data, vocabulary)
    if dev:
        meta["consumer_model"] = {
            "from": f"LiveQA 2017 train, dev half, {len(dev)} messages",
            "cross_validated": _cross_validate(dev, model),
        }
        consumer = _fit(_evidence(dev, model))
        model = dataclasses.replace(model, meta=meta, consumer_model=consumer)
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


def _dev_messages(shared: Path, vocabulary: Vocabulary) -> list[tuple[str, str, list, tuple]]:
    """The LiveQA dev half's messages as `analyze` reads them: (id, first sub-question's
    type mapped to ours, per-part (masked, plain), the same of the whole message). The
    held-out half is never read."""
    sys.path.insert(0, str(REPO / "bench"))
    import liveqa

    folder = shared / liveqa.DATASET
    if not folder.is_dir():
        return []
    types = liveqa.type_map()
    rows = []
    for item in liveqa.load(folder):
        label = types.get(item.subquestions[0].qtype) if item.subquestions else None
        if item.half != "dev" or not label:
            continue
        try:
            parts, message = questions.typing_inputs(item.question, vocabulary)
        except QuestionError:
            continue
        rows.append((item.id, label, parts, message))
    return rows


def _consumer_prior(dev: list, labels: tuple[str, ...]) -> tuple[tuple[float, ...], dict]:
    """log P(type) in consumers' messages (LiveQA dev half, first sub-question), smoothed."""
    counts = Counter(label for _, label, _, _ in dev)
    total = sum(counts[label] for label in labels) + len(labels)
    prior = tuple(
        round(PRIOR_WEIGHT * math.log((counts[label] + 1) / total), 4) for label in labels
    )
    return prior, {"from": f"LiveQA 2017 train, dev half, {len(dev)} messages"}


def _consumer_words(dev: list, alpha: float) -> tuple[dict, dict]:
    """Naive Bayes over how consumers word each type: the LiveQA dev half's messages, each
    masked as `analyze` masks a question (recognised concepts), labelled with its first
    sub-question's type; a feature counts once per message, and is kept when MIN_MESSAGES
    use it. Weighted by CONSUMER_WEIGHT."""
    counts: dict[str, Counter[str]] = {}
    sizes: Counter[str] = Counter()
    for _, label, _, message in dev:
        masked = message[0].replace(questions.DRUG, CONCEPT)
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


# -- the consumer model: a softmax regression over the types consumers ask -------------------


def _evidence(dev: list, model: QtypeModel) -> list[tuple[str, dict]]:
    """Each dev message's first part as the consumer regression reads it: (its type, the
    evidence for each type, `questions.type_evidence`); parts that one strong cue decides
    (`questions.decided`) are left out, as `classify` leaves them to the cue."""
    return [
        (label, questions.type_evidence(parts[0][0], model, plain=parts[0][1], message=message))
        for _, label, parts, message in dev
        if not questions.decided(questions.cue_weights(*parts[0]))
    ]


def _fit(examples: list[tuple[str, dict]]) -> dict:
    """A softmax regression over the types the examples use (numpy, full-batch Adam):
    weights on each type's evidence shared by all types, and a bias per type (lightly
    penalised). A type never annotated gets the mean bias when the model is used
    (`QtypeModel.consumer_logits`). Word features of the part and of the whole message, and
    which cues fired, were tried too: none beat this by cross-validation (0016)."""
    import numpy as np

    labels = sorted({label for label, _ in examples})
    ev = np.array([[evidence[label] for label in labels] for _, evidence in examples])
    onehot = np.eye(len(labels))[[labels.index(label) for label, _ in examples]]
    params = [np.zeros(ev.shape[2]), np.zeros(len(labels))]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for step in range(1, FIT_STEPS + 1):
        shared, bias = params
        logits = ev @ shared + bias
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        delta = (probs / probs.sum(axis=1, keepdims=True) - onehot) / len(examples)
        grads = [np.einsum("nl,nlk->k", delta, ev), delta.sum(axis=0) + BIAS_L2 * bias]
        for p, g, (m, v) in zip(params, grads, moments, strict=True):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= FIT_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    shared, bias = params
    return {
        "labels": labels,
        "shared": [round(float(a), 4) for a in shared],
        "bias": [round(float(b), 4) for b in bias],
        "unseen_bias": round(float(bias.mean()), 4),
    }


def _cross_validate(dev: list, model: QtypeModel, folds: int = CV_FOLDS) -> dict:
    """Type right on each fold of the dev half with the consumer model fitted on the
    others, against the naive Bayes consumer words and prior fitted the same way."""
    hits = {"regression": 0, "naive_bayes": 0}
    for fold in range(folds):
        train = [row for row in dev if _fold(row[0]) % folds != fold]
        test = [row for row in dev if _fold(row[0]) % folds == fold]
        lr = _fit(_evidence(train, model))
        with_lr = dataclasses.replace(model, consumer_model=lr)
        prior, _ = _consumer_prior(train, model.labels)
        words, _ = _consumer_words(train, 0.5)
        with_nb = dataclasses.replace(model, consumer_prior=prior, consumer_words=words)
        for _, label, parts, message in test:
            masked, plain = parts[0]
            for name, fitted in (("regression", with_lr), ("naive_bayes", with_nb)):
                got = questions.classify(masked, fitted, plain=plain, message=message)
                hits[name] += next(iter(got)) == label
    return {name: round(n / len(dev), 4) for name, n in hits.items()}


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
