"""File helpers shared by the adapters: gzip-transparent opening and directory walking."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO

_GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: Path) -> BinaryIO:
    """Open `path` for reading bytes, decompressing gzip (by content, not by name)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return gzip.open(path, "rb")  # type: ignore[return-value]  # closes its own file
    return path.open("rb")


def files_matching(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """`path` itself if it is a file, else every file below it ending in one of `suffixes`."""
    if path.is_file():
        return [path]
    return sorted(
        p for p in path.rglob("*")
        if p.is_file() and p.name.lower().endswith(suffixes) and not p.name.startswith(".")
    )
