"""Helpers shared by the benchmark scripts: where the data is, timing and reporting."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """../shared/data (or EVIMAP_SHARED_DATA); exits with a clear reason when absent."""
    configured = os.environ.get("EVIMAP_SHARED_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "data"
    if not path.is_dir():
        sys.exit(f"skipped: shared datasets not found at {path} (set EVIMAP_SHARED_DATA)")
    return path


def cache_dir(name: str) -> Path:
    """A scratch directory for generated inputs (outside the repo by default)."""
    root = Path(os.environ.get("EVIMAP_BENCH_CACHE", "/tmp/evimap-bench"))
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> tuple[float, float]:
    """(this process, largest waited-for child) peak resident memory in MB (Linux)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children
