"""Vector search: exact scan against approximate (HNSW) indexes, by library size.

For each size N: N unit vectors of 384 dimensions, the exact top-10 of 200 queries (the
float32 matrix product `VectorIndex` runs), and for each HNSW library installed (usearch,
hnswlib, faiss-cpu; "usearch" stores float16 as evimap does, "usearch-i8" int8): build
seconds, query median / p95 ms (and the CPU time of the querying thread: what a loaded
machine inflates least) and recall@k against exact. Queries run on one thread.

The vectors are not uniform noise (on which every graph index does badly and no real text
lands): --base takes real document vectors from a vectors.sqlite (e.g. the SciFact library
that bench/retrieval_quality.py embeds), and each synthetic vector is a base vector plus
Gaussian noise (sigma 0.03 per dimension: cosine about 0.86 to its base), renormalised;
queries are made the same way from other noise. Without --base the base is 2,000 random
cluster centres.

    python bench/vector_search.py [--sizes 25000,100000,200000] [--base DIR/vectors.sqlite]
                                  [--libraries usearch,hnswlib,faiss] [--ef 160] [--k 10]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median

DIM = 384
K = 10  # --k: 100 is what the retriever asks of each stage
QUERIES = 200


def base_vectors(path: Path | None, rng):
    import numpy as np

    if path is None:
        base = rng.standard_normal((2000, DIM), dtype=np.float32)
    else:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT vector FROM vectors WHERE vector IS NOT NULL").fetchall()
        base = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float16)
        base = base.reshape(len(rows), -1).astype(np.float32)
    return base / np.linalg.norm(base, axis=1, keepdims=True)


def synthesize(base, n: int, rng, sigma: float = 0.03):
    import numpy as np

    out = base[rng.integers(0, len(base), n)] + rng.normal(0, sigma, (n, DIM)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def exact(matrix, queries):
    """One BLAS thread, as a server's worker threads each get one core at best."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _exact(matrix, queries)


def _exact(matrix, queries):
    import numpy as np

    times, results = [], []
    cpu = time.thread_time()
    for q in queries:
        started = time.perf_counter()
        scores = matrix @ q
        top = np.argpartition(-scores, K - 1)[:K]
        top = top[np.argsort(-scores[top])]
        times.append((time.perf_counter() - started) * 1000)
        results.append(top)
    return times, results, (time.thread_time() - cpu) * 1000 / len(queries)


def build(name: str, matrix, ef: int):
    import numpy as np

    started = time.perf_counter()
    if name.startswith("usearch"):  # usearch (f16 storage) or usearch-i8, usearch-f32
        from usearch.index import Index

        dtype = name.partition("-")[2] or "f16"
        index = Index(ndim=DIM, metric="ip", dtype=dtype, connectivity=16, expansion_add=128)
        index.add(np.arange(len(matrix), dtype=np.uint64), matrix, threads=2)
        index.expansion_search = ef

        with tempfile.TemporaryDirectory() as scratch:  # the file evimap memory-maps
            index.save(f"{scratch}/x.usearch")
            print(
                f"{'':13}{name} file: {os.path.getsize(f'{scratch}/x.usearch') / len(matrix):,.0f} "
                "bytes per vector"
            )

        def search(q):
            return index.search(q, K, exact=False).keys

    elif name == "hnswlib":
        import hnswlib

        index = hnswlib.Index(space="ip", dim=DIM)
        index.init_index(max_elements=len(matrix), ef_construction=128, M=16)
        index.set_num_threads(2)
        index.add_items(matrix, np.arange(len(matrix)))
        index.set_ef(ef)
        index.set_num_threads(1)

        def search(q):
            return index.knn_query(q, k=K)[0][0]

    else:
        import faiss

        faiss.omp_set_num_threads(2)
        index = faiss.IndexHNSWFlat(DIM, 16, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 128
        index.add(matrix)
        index.hnsw.efSearch = ef
        faiss.omp_set_num_threads(1)

        def search(q):
            return index.search(q[None, :], K)[1][0]

    return time.perf_counter() - started, search


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000,200000")
    parser.add_argument("--base", type=Path)
    parser.add_argument("--libraries", default="usearch,hnswlib,faiss")
    parser.add_argument("--ef", type=int, default=160, help="HNSW search depth (evimap: 160)")
    parser.add_argument("--k", type=int, default=10, help="top-k compared (evimap asks 100)")
    args = parser.parse_args()
    global K
    K = args.k
    rng = np.random.default_rng(14)
    base = base_vectors(args.base, rng)
    libraries = [
        name
        for name in args.libraries.split(",")
        if importlib.util.find_spec(name.partition("-")[0]) is not None
    ]
    print(
        f"base: {len(base):,} vectors ({args.base or 'random centres'}); ef {args.ef}; "
        f"{QUERIES} queries, top-{K}; times are medians / p95 in ms"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        matrix = synthesize(base, n, rng)
        queries = synthesize(base, QUERIES, rng)
        times, truth, cpu = exact(matrix, queries)
        times.sort()
        line = (
            f"N={n:>9,}  exact {median(times):6.2f} / {times[int(0.95 * QUERIES) - 1]:6.2f}"
            f"  ({cpu:.2f} ms CPU a query)"
        )
        print(line, flush=True)
        for name in libraries:
            seconds, search = build(name, matrix, args.ef)
            found, lat = [], []
            cpu = time.thread_time()
            for q in queries:
                started = time.perf_counter()
                found.append(search(q))
                lat.append((time.perf_counter() - started) * 1000)
            cpu = (time.thread_time() - cpu) * 1000 / len(queries)
            lat.sort()
            recall = np.mean(
                [
                    len(set(map(int, f)) & set(map(int, t))) / K
                    for f, t in zip(found, truth, strict=True)
                ]
            )
            print(
                f"{'':13}{name:8} build {seconds:6.1f} s ({n / seconds:,.0f}/s)  "
                f"query {median(lat):5.2f} / {lat[int(0.95 * QUERIES) - 1]:5.2f}  "
                f"({cpu:.2f} ms CPU)  recall@{K} {recall:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
