"""Source adapters: one module per public format, listed in one table, imported lazily.

Every adapter module exposes the same small surface:

    DESCRIPTION: str                               one line for `evimap ingest --help`
    files(path: Path) -> list[Path]                the files under `path` it reads, in order
    read_file(path: Path) -> Iterator[Record]      Documents, Deletions and Problems of one file

`read_file` is pure over the file's bytes. A record it cannot read becomes a `Problem` and the
file goes on; a file that is not in the adapter's format at all raises `SourceFormatError`.
Fetching from the network lives apart (`evimap.sources.eutils`).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from evimap.errors import NotFoundError

ADAPTERS: dict[str, str] = {
    "medquad": "evimap.sources.medquad",
    "pubmed": "evimap.sources.pubmed",
    "pubmedqa": "evimap.sources.pubmedqa",
    "beir": "evimap.sources.beir",
    "guidelines": "evimap.sources.guidelines",
    "jats": "evimap.sources.jats",
    "nci-dictionary": "evimap.sources.nci_dictionary",
}


def adapter(name: str) -> ModuleType:
    """The adapter module registered under `name`."""
    try:
        dotted = ADAPTERS[name]
    except KeyError:
        known = ", ".join(ADAPTERS)
        raise NotFoundError(f"unknown source {name!r}; known sources: {known}") from None
    return importlib.import_module(dotted)


def expand(name: str, paths: list[Path]) -> list[Path]:
    """All files that adapter `name` would read under `paths`, in a stable order."""
    module = adapter(name)
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise NotFoundError(f"no such file or directory: {path}")
        found.extend(module.files(path))
    return found
