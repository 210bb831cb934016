"""File helpers shared by the adapters: gzip-transparent opening and directory walking."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: Path) -> BinaryIO:
    """Open `path` for reading bytes, decompressing gzip (by content, not by name)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # closes its own file
    return path.open("rb")


def files_matching(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """`path` itself if it is a file, else every file below it ending in one of `suffixes`."""
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.name.lower().endswith(suffixes) and not p.name.startswith(".")
    )


@dataclass(frozen=True, slots=True)
class Segment:
    """Bytes [start, end) of a file that parse on their own once `header` and `footer` wrap
    them; lets several processes parse one large file, each its own stretch of records."""

    path: Path
    start: int
    end: int
    header: bytes = b""
    footer: bytes = b""

    @property
    def size(self) -> int:
        return self.end - self.start

    def read(self) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            return self.header + handle.read(self.size) + self.footer

    def __str__(self) -> str:
        cut = self.header or self.footer
        return f"{self.path} (bytes {self.start}-{self.end})" if cut else str(self.path)


def is_gzip(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(2) == _GZIP_MAGIC
