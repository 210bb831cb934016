"""PMC JATS full-text ingest end to end (parse + store + index): articles/s, MB/s, memory.

Bar (issue 11): every article of the shared PMC open-access bundles (2,535 in six .tar.gz
files) ingested with 0 failures, >= 300 articles/s, peak memory flat; a second run over the
same library adds and updates nothing.

    python bench/ingest_jats.py                    # the shared bundles, 3 runs
    python bench/ingest_jats.py --copies 4         # the bundles 4 times over (fresh PMCIDs):
                                                   # memory must not grow with the input
    python bench/ingest_jats.py --workers 0        # in one process

MB/s counts the bundles' bytes as stored (gzip-compressed); "xml MB/s" the articles' own;
"cpu ms/art" the CPU time of the run (every process) per article, which other work on the
machine does not inflate as it does the wall-clock rates.
Each run is a fresh process (so peak memory is that run's) and a fresh library under /tmp.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import cache_dir, median, peak_rss_mb, shared_data

BAR = 300


def child(inputs: list[Path], library: Path, workers: int | None) -> None:
    """One measured run in a fresh process: ingest, then ingest again (must change nothing)."""
    import os

    from evimap import Library, ingest

    started = time.perf_counter()
    with Library(library, create=True) as lib:
        report = ingest(lib, "jats", inputs, workers=workers)
    seconds = time.perf_counter() - started
    cpu = sum(os.times()[:4])  # user and system time of this process and its parser processes
    main_mb, worker_mb = peak_rss_mb()
    with Library(library, readonly=True) as lib:
        stats = lib.stats()  # once closed: the store's write-ahead log checkpointed into it
    with Library(library) as lib:
        again = ingest(lib, "jats", inputs, workers=workers)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "added": report.added,
                "failed": report.failed,
                "problems": [str(p) for p in report.problems[:5]],
                "documents": stats.documents,
                "main_mb": main_mb,
                "worker_mb": worker_mb,
                "bytes_per_doc": stats.bytes_per_document,
                "again": [again.added, again.updated, again.unchanged, again.failed],
            }
        )
    )


def measure(inputs: list[Path], workers: int | None) -> dict:
    library = Path(tempfile.mkdtemp(prefix="evimap-bench-")) / "lib"
    try:
        argv = [sys.executable, __file__, "--child", str(library), str(workers)]
        out = subprocess.run(
            [*argv, *map(str, inputs)], check=True, capture_output=True, text=True
        ).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(library.parent, ignore_errors=True)


def copies(bundles: list[Path], times: int) -> list[Path]:
    """The bundles `times` over, each copy's articles with PMCIDs of their own (cached)."""
    if times == 1:
        return bundles
    folder = cache_dir("jats") / f"x{times}"
    folder.mkdir(exist_ok=True)
    made = sorted(folder.glob("*.tar.gz"))
    if len(made) == len(bundles) * times:
        return made
    for old in made:
        old.unlink()
    for copy in range(times):
        for bundle in bundles:
            _renumbered(bundle, folder / f"c{copy}-{bundle.name}", copy)
    return sorted(folder.glob("*.tar.gz"))


def _renumbered(source: Path, target: Path, copy: int) -> None:
    pmc = re.compile(rb'(<article-id pub-id-type="pmc">)(\d+)')
    with tarfile.open(source, "r|gz") as old, tarfile.open(target, "w:gz") as new:
        for entry in old:
            stream = old.extractfile(entry)
            if stream is None:
                continue
            data = stream.read()
            if copy:
                data = pmc.sub(
                    lambda m: m.group(1) + str(copy * 10**8 + int(m.group(2))).encode(), data
                )
            entry.size = len(data)
            new.addfile(entry, io.BytesIO(data))


def xml_bytes(bundles: list[Path]) -> int:
    total = 0
    for bundle in bundles:
        with gzip.open(bundle, "rb") as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="the bundles this many times")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="default: automatic")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        library, workers, *inputs = args.child
        workers_n = None if workers == "None" else int(workers)
        return child([Path(i) for i in inputs], Path(library), workers_n)
    bundles = copies(sorted((shared_data() / "pmc-oa-rct").glob("*.tar.gz")), args.copies)
    size_mb = sum(b.stat().st_size for b in bundles) / 1e6
    xml_mb = xml_bytes(bundles) / 1e6
    runs = [measure(bundles, args.workers) for _ in range(args.repeat)]
    assert all(r["failed"] == 0 for r in runs), [r["problems"] for r in runs]
    assert all(r["again"][:2] == [0, 0] for r in runs), [r["again"] for r in runs]
    documents = runs[0]["documents"]
    seconds = median([r["seconds"] for r in runs])
    rate = documents / seconds
    print(
        f"{'articles':>9} {'median s':>9} {'art/s':>7} {'x bar':>6} {'MB/s':>6} "
        f"{'xml MB/s':>8} {'cpu ms/art':>10} {'main MB':>8} {'worker MB':>9} {'B/doc':>7} "
        f"{'failed':>6} {'rerun':>14}"
    )
    print(
        f"{documents:>9,} {seconds:>9.2f} {rate:>7,.0f} {rate / BAR:>6.2f} "
        f"{size_mb / seconds:>6.1f} {xml_mb / seconds:>8.1f} "
        f"{median([r['cpu_seconds'] for r in runs]) / documents * 1000:>10.2f} "
        f"{max(r['main_mb'] for r in runs):>8.0f} {max(r['worker_mb'] for r in runs):>9.0f} "
        f"{median([r['bytes_per_doc'] for r in runs]):>7,.0f} "
        f"{max(r['failed'] for r in runs):>6} {'+{} ~{} ={}'.format(*runs[0]['again'][:3]):>14}",
        flush=True,
    )


if __name__ == "__main__":
    main()
