"""PubMed XML ingest end to end (parse + store + index): citations/s and peak memory.

Bar (issue 2): >= 5,000 citations/s on a >= 100,000-citation input built from the shared
samples with fresh PMIDs, peak memory flat (< 500 MB) whatever the input size.

    python bench/ingest_pubmed.py                  # 25k and 100k citations, 3 runs each
    python bench/ingest_pubmed.py --sizes 200000   # other sizes
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import cache_dir, median, peak_rss_mb, shared_data
from pubmed_input import build

BAR = 5_000


def child(inputs: Path, library: Path, workers: int | None) -> None:
    """One measured run in a fresh process (so peak memory is this run's alone)."""
    from evimap import Library, ingest

    files = sorted(inputs.glob("*.xml"))
    started = time.perf_counter()
    with Library(library, create=True) as lib:
        report = ingest(lib, "pubmed", files, workers=workers)
        stats = lib.stats()
    seconds = time.perf_counter() - started
    main_mb, worker_mb = peak_rss_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "added": report.added,
                "failed": report.failed,
                "documents": stats.documents,
                "main_mb": main_mb,
                "worker_mb": worker_mb,
                "bytes_per_doc": stats.bytes_per_document,
                "workers": workers,
            }
        )
    )


def measure(inputs: Path, workers: int | None) -> dict:
    library = Path(tempfile.mkdtemp(prefix="evimap-bench-")) / "lib"
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(inputs), str(library), str(workers)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(library.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--files", type=int, default=4, help="input files per size")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="default: automatic")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        inputs, library, workers = args.child
        return child(Path(inputs), Path(library), None if workers == "None" else int(workers))
    samples = shared_data() / "pubmed-xml"
    print(
        f"{'citations':>10} {'median s':>9} {'cit/s':>8} {'x bar':>6} "
        f"{'main MB':>8} {'worker MB':>9} {'B/doc':>6}"
    )
    for size in args.sizes:
        inputs = cache_dir("pubmed") / f"n{size}-f{args.files}"
        build(samples, inputs, size, args.files)
        runs = [measure(inputs, args.workers) for _ in range(args.repeat)]
        assert all(r["documents"] == size and r["failed"] == 0 for r in runs), runs
        seconds = median([r["seconds"] for r in runs])
        rate = size / seconds
        print(
            f"{size:>10,} {seconds:>9.2f} {rate:>8,.0f} {rate / BAR:>6.2f} "
            f"{max(r['main_mb'] for r in runs):>8.0f} {max(r['worker_mb'] for r in runs):>9.0f} "
            f"{median([r['bytes_per_doc'] for r in runs]):>6.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
