"""All of MedQuAD ingested end to end (parse + store + index): seconds and size per document.

Bar (issue 2): < 30 s on this 2-core machine; index + store size reported per document.

    python bench/ingest_medquad.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, shared_data

BAR_SECONDS = 30.0


def run_once(medquad: Path) -> tuple[float, object]:
    from evimap import Library, ingest

    root = Path(tempfile.mkdtemp(prefix="evimap-bench-"))
    try:
        started = time.perf_counter()
        with Library(root / "lib", create=True) as lib:
            report = ingest(lib, "medquad", [medquad])
            stats = lib.stats()
        return time.perf_counter() - started, (report, stats)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    medquad = shared_data() / "medquad"
    runs = [run_once(medquad) for _ in range(args.repeat)]
    seconds = median([s for s, _ in runs])
    report, stats = runs[-1][1]
    print(
        f"MedQuAD: {stats.documents:,} documents ({stats.passages:,} passages, "
        f"{stats.sentences:,} sentences), failed {report.failed}"
    )
    print(
        f"median {seconds:.2f} s over {args.repeat} runs "
        f"({stats.documents / seconds:,.0f} documents/s); bar {BAR_SECONDS:.0f} s "
        f"-> {BAR_SECONDS / seconds:.1f}x under"
    )
    print(
        f"store {stats.store_bytes / 1e6:.1f} MB + index {stats.index_bytes / 1e6:.1f} MB "
        f"= {stats.bytes_per_document:,.0f} bytes per document"
    )


if __name__ == "__main__":
    main()
