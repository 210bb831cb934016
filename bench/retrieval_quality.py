"""Retrieval quality: SciFact (BEIR) nDCG@10 / Recall@100 and MEDIQA 2019 answer ranking.

SciFact. A library of the 5,183 SciFact abstracts is built (or reused with --reuse) under
the bench cache and embedded; the 300 BEIR test claims are run in lexical, semantic and hybrid
mode and scored against qrels/test.tsv. nDCG@10 uses binary gains with log2 discounts and the
ideal ranking of the judged documents (BEIR / trec_eval "ndcg_cut_10"). --tune runs the small
grid that chose the defaults in evimap.retrieval on the 809 *train* claims (qrels/train.tsv)
only; test claims are never used for choosing anything.

MEDIQA 2019 Task 3 (TrainingSet2 + ValidationSet). Each question's candidate answers (from
NLM's CHiQA system, judged 1-4) are put in a scratch library, one collection per question,
and re-ranked by our retrieval restricted to that question's answers. Metrics follow the
official evaluator (abachaa/MEDIQA2019, Eval_Scripts/mediqa2019_evaluator_allTasks_final.py)
and the task page (aicrowd.com/challenges/mediqa-2019-question-answering-qa):
  - an answer is correct when its ReferenceScore is 3 or 4 (the dataset README);
  - Accuracy: share of answers whose predicted label (correct / incorrect) is right. We label
    the top `m` answers of our order correct, m chosen on TrainingSet2 and reused unchanged
    on ValidationSet; CHiQA's baseline labels every answer it returned correct;
  - MRR: mean over questions of 1 / rank of the first correct answer in the order (the
    official script takes the first answer the *submission labels* correct; we use the gold
    label, the usual definition, so MRR does not depend on the labelling);
  - Spearman: per question, rank correlation between the order and ReferenceRank over the
    correct answers, averaged over questions with at least two correct answers (as the
    official script averages over questions where it is defined).
Reference: Ben Abacha, Shivade & Demner-Fushman, "Overview of the MEDIQA 2019 Shared Task on
Textual Inference, Question Entailment and Question Answering", ACL-BioNLP 2019.

    python bench/retrieval_quality.py [--reuse] [--tune] [--skip-scifact] [--skip-mediqa]
                                      [--latency LIBRARY [--repeat 3]]

--latency times the retrieval stage (lexical and hybrid, k=10, warm) on an existing library,
e.g. the demo library after `evimap library embed`, over the MEDIQA questions and 100 SciFact
test claims.

Exits with "skipped: ..." when ../shared/data (or the semantic extra) is absent.
"""

from __future__ import annotations

import argparse
import csv
import math
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import cache_dir, median, shared_data

PUBLISHED = (  # from ../shared/data/README.md
    ("BM25 (BEIR paper)", 0.665),
    ("BM25 flat (Pyserini)", 0.6789),
    ("BGE-base-en-v1.5 dense (Pyserini)", 0.7408),
    ("RRF BM25 + BGE (Pyserini)", 0.7420),
)
BAR_NDCG = 0.70
MEDIQA_FILES = (
    ("TrainingSet2", "MEDIQA2019-Task3-QA-TrainingSet2-Alexa.xml"),
    ("ValidationSet", "MEDIQA2019-Task3-QA-ValidationSet.xml"),
)

# -- metrics (pure) ------------------------------------------------------------------------


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain: sum of gain_i / log2(i + 1), i counted from 1."""
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains, start=1))


def ndcg_at_k(ranked: Sequence[str], relevance: dict[str, float], k: int = 10) -> float:
    """nDCG@k of `ranked` ids given graded `relevance` (missing ids have gain 0)."""
    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevance.get(doc_id, 0.0) for doc_id in ranked[:k]]) / ideal


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int = 100) -> float:
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    for rank, doc_id in enumerate(ranked, start=1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rho (Pearson correlation of the ranks; ties get their mean rank)."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx and vy else float("nan")


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for pos in range(i, j + 1):
            ranks[order[pos]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


# -- SciFact -------------------------------------------------------------------------------


def read_qrels(path: Path) -> dict[str, dict[str, float]]:
    qrels: dict[str, dict[str, float]] = {}
    with path.open() as lines:
        for row in csv.DictReader(lines, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[f"scifact:{row['corpus-id']}"] = float(
                row["score"]
            )
    return qrels


def read_queries(scifact: Path, split: str) -> dict[str, str]:
    if split == "test":
        with (scifact / "queries.test.tsv").open() as lines:
            return dict(line.rstrip("\n").split("\t", 1) for line in lines if line.strip())
    with (scifact / "claims_train.csv").open() as lines:
        return {row["id"]: row["claim"] for row in csv.DictReader(lines)}


def build_library(path: Path, corpus: Path, reuse: bool):
    """The SciFact library, embedded; returns (library, ingest seconds, embed report)."""
    from evimap import Library, ingest
    from evimap.embeddings import load_encoder
    from evimap.vectors import embed_library

    if path.exists() and not reuse:
        shutil.rmtree(path)
    library = Library(path, create=True)
    started = time.perf_counter()
    ingest(library, "beir", [corpus], workers=0)
    ingest_s = time.perf_counter() - started
    return library, ingest_s, embed_library(library, load_encoder())


def run_queries(retriever, queries: dict[str, str], depth: int = 100):
    """{query id: ranked ids} and the per-query latencies in ms."""
    runs: dict[str, list[str]] = {}
    latencies: list[float] = []
    for qid, text in queries.items():
        started = time.perf_counter()
        hits = retriever.search(text, depth)
        latencies.append((time.perf_counter() - started) * 1000)
        runs[qid] = [h.document.id for h in hits]
    return runs, latencies


def score_runs(runs: dict[str, list[str]], qrels: dict[str, dict[str, float]]) -> tuple:
    judged = [q for q in qrels if q in runs]
    ndcg = sum(ndcg_at_k(runs[q], qrels[q], 10) for q in judged) / len(judged)
    recall = sum(recall_at_k(runs[q], set(qrels[q]), 100) for q in judged) / len(judged)
    return ndcg, recall


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


# BM25 title boost chosen on SciFact train (--tune); index.py keeps its own default until the
# project adopts it (docs/decisions/0002), so both are reported.
TUNED_TITLE_BOOST = 0.5


def scifact_report(library, scifact: Path) -> None:
    from evimap.index import DEFAULT_BOOSTS
    from evimap.retrieval import Retriever

    qrels = read_qrels(scifact / "qrels" / "test.tsv")
    queries = {q: t for q, t in read_queries(scifact, "test").items() if q in qrels}
    print(f"\nSciFact test: {len(queries)} claims, {sum(map(len, qrels.values()))} judgments")
    print(f"{'mode':44} {'nDCG@10':>8} {'R@100':>7} {'median ms':>10} {'p95 ms':>7}")
    tuned = {**DEFAULT_BOOSTS, "title": TUNED_TITLE_BOOST}
    title = DEFAULT_BOOSTS["title"]
    for mode, boosts, label in (
        ("lexical", None, f"lexical (index boosts, title {title})"),
        ("semantic", None, "semantic"),
        ("hybrid", None, f"hybrid (index boosts, title {title})"),
        ("lexical", tuned, f"lexical (title {TUNED_TITLE_BOOST}, tuned on train)"),
        ("hybrid", tuned, f"hybrid (title {TUNED_TITLE_BOOST}, tuned on train)"),
    ):
        retriever = Retriever(library, mode=mode, boosts=boosts)
        runs, latencies = run_queries(retriever, queries)
        ndcg, recall = score_runs(runs, qrels)
        bar = ""
        if mode == "hybrid":
            bar = f"   bar {BAR_NDCG:.2f}: " + ("met" if ndcg >= BAR_NDCG else "NOT met")
        print(
            f"{label:44} {ndcg:8.4f} {recall:7.4f} {median(latencies):10.1f} "
            f"{p95(latencies):7.1f}{bar}"
        )
    print("published (same test split):")
    for name, value in PUBLISHED:
        print(f"  {name:42} {value:.4f}")


def stage_lists(retriever, queries: dict[str, str], depth: int) -> dict[str, list[tuple]]:
    """{query id: [(doc id, stage score)]} from a single-stage retriever."""
    return {
        q: [(h.document.id, h.score) for h in retriever.search(text, depth)]
        for q, text in queries.items()
    }


def tune(library, scifact: Path) -> None:
    """The grid behind the defaults, on SciFact TRAIN claims only (qrels/train.tsv)."""
    from evimap.index import DEFAULT_BOOSTS
    from evimap.retrieval import Retriever, convex_fusion, reciprocal_rank_fusion

    qrels = read_qrels(scifact / "qrels" / "train.tsv")
    queries = {q: t for q, t in read_queries(scifact, "train").items() if q in qrels}
    print(f"\ntuning on SciFact train ({len(queries)} claims): nDCG@10 / Recall@100")

    def row(label: str, runs: dict[str, list]) -> None:
        ranked = {q: [d if isinstance(d, str) else d[0] for d in hits] for q, hits in runs.items()}
        ndcg, recall = score_runs(ranked, qrels)
        print(f"  {label:40} {ndcg:.4f} / {recall:.4f}")

    semantic = stage_lists(Retriever(library, mode="semantic"), queries, 200)
    row("semantic", semantic)
    for title in (1.5, 1.0, 0.5, 0.25):
        boosts = {**DEFAULT_BOOSTS, "title": title}
        lexical = stage_lists(Retriever(library, mode="lexical", boosts=boosts), queries, 200)
        row(f"lexical, title boost {title}", lexical)
        for depth in (50, 100, 200):
            for k in (10, 60):
                row(
                    f"  rrf k {k}, depth {depth}",
                    {
                        q: reciprocal_rank_fusion(
                            [
                                [d for d, _ in lexical[q][:depth]],
                                [d for d, _ in semantic[q][:depth]],
                            ],
                            k=k,
                        )
                        for q in queries
                    },
                )
            for alpha in (0.2, 0.3, 0.4, 0.5):
                row(
                    f"  convex alpha {alpha}, depth {depth}",
                    {
                        q: convex_fusion(lexical[q][:depth], semantic[q][:depth], alpha=alpha)
                        for q in queries
                    },
                )


# -- MEDIQA 2019 Task 3 --------------------------------------------------------------------


def read_mediqa(path: Path) -> list[dict]:
    questions = []
    for question in ET.parse(path).getroot().iter("Question"):
        answers = [
            {
                "aid": a.get("AID"),
                "system_rank": int(a.get("SystemRank")),
                "reference_rank": int(a.get("ReferenceRank")),
                "correct": int(a.get("ReferenceScore")) >= 3,
                "text": (a.findtext("AnswerText") or "").strip(),
            }
            for a in question.iter("Answer")
        ]
        qid = question.get("QID")
        tag = path.stem.split("-")[-1].lower()  # QIDs repeat across the files
        questions.append(
            {
                "qid": qid,
                "text": question.findtext("QuestionText") or "",
                "answers": answers,
                "collection": f"mediqa-{tag}-q{qid}",
            }
        )
    return questions


def answer_document(collection: str, answer: dict):
    """A MEDIQA answer as a library document; "Title: text" answers keep their title."""
    from evimap.evidence import Document, Passage, SourceKind

    title, _, rest = answer["text"].partition(": ")
    if not rest or len(title) > 120:
        title, rest = "", answer["text"]
    return Document(
        id=f"{collection}:{answer['aid']}",
        kind=SourceKind.REFERENCE,
        collection=collection,
        title=title,
        passages=(Passage(rest),),
    )


def mediqa_orders(library, questions: list[dict], mode: str) -> dict[str, list[str]]:
    """Our order of each question's answers (AIDs); answers no stage found go last."""
    from evimap.retrieval import Retriever

    retriever = Retriever(library, mode=mode)
    orders = {}
    for q in questions:
        n = len(q["answers"])
        hits = retriever.search(q["text"], n, collections=[q["collection"]])
        found = [h.document.id.split(":", 1)[1] for h in hits]
        rest = [a["aid"] for a in sorted(q["answers"], key=lambda a: a["system_rank"])]
        orders[q["qid"]] = found + [aid for aid in rest if aid not in found]
    return orders


def chiqa_orders(questions: list[dict]) -> dict[str, list[str]]:
    return {
        q["qid"]: [a["aid"] for a in sorted(q["answers"], key=lambda a: a["system_rank"])]
        for q in questions
    }


def mediqa_scores(questions: list[dict], orders: dict[str, list[str]], top_m: int | None):
    """(accuracy, MRR, Spearman, P@1); top_m None labels every answer correct."""
    right = total = 0
    rr: list[float] = []
    rhos: list[float] = []
    p_at_1 = 0
    for q in questions:
        order = orders[q["qid"]]
        by_aid = {a["aid"]: a for a in q["answers"]}
        correct = {aid for aid, a in by_aid.items() if a["correct"]}
        for position, aid in enumerate(order, start=1):
            predicted = top_m is None or position <= top_m
            right += predicted == by_aid[aid]["correct"]
            total += 1
        rr.append(reciprocal_rank(order, correct))
        p_at_1 += bool(order) and order[0] in correct
        ours = [order.index(aid) for aid in correct]
        gold = [by_aid[aid]["reference_rank"] for aid in correct]
        if len(correct) >= 2:
            rho = spearman(ours, gold)
            if not math.isnan(rho):
                rhos.append(rho)
    mean_rho = sum(rhos) / len(rhos) if rhos else float("nan")
    return right / total, sum(rr) / len(rr), mean_rho, p_at_1 / len(questions)


def best_top_m(questions: list[dict], orders: dict[str, list[str]]) -> int:
    """The labelling cut-off with the best accuracy on these (training) questions."""
    return max(range(0, 11), key=lambda m: (mediqa_scores(questions, orders, m)[0], -m))


def mediqa_report(data: Path, root: Path, reuse: bool) -> None:
    from evimap import Library, ingest_records
    from evimap.embeddings import load_encoder
    from evimap.vectors import embed_library

    sets = {name: read_mediqa(data / "mediqa2019-qa" / file) for name, file in MEDIQA_FILES}
    path = root / "mediqa"
    if path.exists() and not reuse:
        shutil.rmtree(path)
    library = Library(path, create=True)
    records = [
        answer_document(q["collection"], a)
        for qs in sets.values()
        for q in qs
        for a in q["answers"]
    ]
    ingest_records(library, records)
    report = embed_library(library, load_encoder())
    print(
        f"\nMEDIQA 2019 Task 3: {sum(len(q) for q in sets.values())} questions, "
        f"{len(records)} answers ({report.embedded} embedded in {report.seconds:.0f} s)"
    )
    systems: list[tuple[str, Callable[[list[dict]], dict], bool]] = [
        ("CHiQA SystemRank", chiqa_orders, False),
        ("CHiQA SystemRank, top-m", chiqa_orders, True),
    ] + [
        (f"evimap {mode}, top-m", lambda qs, mode=mode: mediqa_orders(library, qs, mode), True)
        for mode in ("lexical", "semantic", "hybrid")
    ]
    print(
        f"{'system':28} {'set':14} {'m':>2} {'Accuracy':>8} {'MRR':>6} {'Spearman':>8} {'P@1':>6}"
    )
    for name, order_fn, labelled in systems:
        train = sets["TrainingSet2"]
        top_m = best_top_m(train, order_fn(train)) if labelled else None
        for set_name in ("TrainingSet2", "ValidationSet"):
            qs = sets[set_name]
            acc, mrr, rho, p1 = mediqa_scores(qs, order_fn(qs), top_m)
            m = "all" if top_m is None else str(top_m)
            print(f"{name:28} {set_name:14} {m:>3} {acc:8.3f} {mrr:6.3f} {rho:8.3f} {p1:6.3f}")
    library.close()


def latency_report(path: Path, data: Path, repeat: int) -> None:
    """Warm per-question latency of the retrieval stage on an existing (demo) library."""
    from evimap import Library
    from evimap.retrieval import Retriever
    from evimap.vectors import VECTORS_FILE, vector_index

    questions = [
        q["text"] for _, f in MEDIQA_FILES for q in read_mediqa(data / "mediqa2019-qa" / f)
    ]
    questions += list(read_queries(data / "scifact", "test").values())[:100]
    with Library(path, readonly=True) as library:
        print(f"\nlatency on {path} ({library.store.count():,} documents), k=10, warm:")
        for mode in ("lexical", "hybrid"):
            retriever = Retriever(library, mode=mode)
            if retriever.fallback:
                print(f"  {mode}: skipped ({retriever.fallback})")
                continue
            if mode == "hybrid":
                index = vector_index(library, retriever.encoder.name)
                size = (path / VECTORS_FILE).stat().st_size / 1e6
                print(f"  vectors: {len(index):,} ({size:.0f} MB), loaded once, cached")
            for text in questions[:5]:
                retriever.search(text, 10)  # warm-up
            runs = []
            for _ in range(repeat):
                for text in questions:
                    started = time.perf_counter()
                    retriever.search(text, 10)
                    runs.append((time.perf_counter() - started) * 1000)
            print(
                f"  {mode:8} {len(questions)} questions x {repeat}: median "
                f"{median(runs):.1f} ms, p95 {p95(runs):.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the cached libraries")
    parser.add_argument("--tune", action="store_true", help="the grid on SciFact train")
    parser.add_argument("--skip-mediqa", action="store_true")
    parser.add_argument("--skip-scifact", action="store_true")
    parser.add_argument("--latency", type=Path, metavar="LIBRARY", help="also time this library")
    parser.add_argument("--repeat", type=int, default=3, help="latency runs")
    args = parser.parse_args()
    data = shared_data()
    from evimap.embeddings import SemanticUnavailableError, load_encoder

    try:
        load_encoder()
    except SemanticUnavailableError as exc:
        sys.exit(f"skipped: {exc.message}")
    root = cache_dir("retrieval")
    scifact = data / "scifact"
    if not args.skip_scifact:
        corpus = scifact / "corpus.jsonl"
        library, ingest_s, embed = build_library(root / "scifact", corpus, args.reuse)
        print(
            f"SciFact library: ingest {ingest_s:.1f} s; embed: {embed.summary()} in "
            f"{embed.seconds:.0f} s ({embed.texts_per_second:.1f} documents/s)"
        )
        with library:
            if args.tune:
                tune(library, scifact)
            scifact_report(library, scifact)
    if not args.skip_mediqa:
        mediqa_report(data, root, args.reuse)
    if args.latency:
        latency_report(args.latency, data, args.repeat)


if __name__ == "__main__":
    main()
