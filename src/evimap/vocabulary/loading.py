"""The library's vocabulary: one JSON file (``LIBRARY/vocabulary.json``), built when missing
or stale and loaded once per process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from evimap.errors import LibraryError
from evimap.evidence import Document
from evimap.vocabulary.matching import Vocabulary
from evimap.vocabulary.sources import curated_fingerprint

if TYPE_CHECKING:
    from evimap.library import Library

FILE_NAME = "vocabulary.json"

_loaded: dict[Path, tuple[float, Vocabulary]] = {}


def for_library(
    library: Library, shared_data: Path | None = None, *, rebuild: bool = False
) -> tuple[Vocabulary, bool]:
    """The library's vocabulary (LIBRARY/vocabulary.json), loaded once per process.

    Built and saved when missing, or stale (built from a different number of documents or
    other curated data files),
    or when `rebuild`: about 10 s for MedQuAD's 47k questions, once. A read-only library
    directory gets a vocabulary built in memory. Returns (vocabulary, whether it was built).
    """
    path = library.path / FILE_NAME
    documents = library.store.count()
    if not rebuild and path.exists():
        mtime = path.stat().st_mtime
        cached = _loaded.get(path)
        vocabulary = cached[1] if cached and cached[0] == mtime else _load(path)
        fresh = (
            vocabulary is not None and vocabulary.sources.get("curated") == curated_fingerprint()
        )
        if fresh and vocabulary.sources.get("documents") == documents:
            _loaded[path] = (mtime, vocabulary)
            return vocabulary, False
    vocabulary = build_from_shared(library.store.iter_documents(), shared_data)
    try:
        vocabulary.save(path)
        _loaded[path] = (path.stat().st_mtime, vocabulary)
    except OSError:
        pass  # a read-only library still answers, with a vocabulary built in memory
    return vocabulary, True


def _load(path: Path) -> Vocabulary | None:
    """The saved vocabulary; None when it was saved in another format (it is rebuilt)."""
    try:
        return Vocabulary.load(path)
    except LibraryError:
        return None


def build_from_shared(documents: Iterable[Document], shared_data: Path | None) -> Vocabulary:
    """Build with the Disease Ontology and ADAM from `shared_data` when they are there."""
    do_dir = shared_data / "disease-ontology" if shared_data else None
    adam = shared_data / "medical-abbreviations" / "adam_database.txt" if shared_data else None
    return Vocabulary.build(
        documents,
        disease_ontology=do_dir if do_dir and (do_dir / "HumanDO.tsv").exists() else None,
        abbreviation_counts=adam if adam and adam.exists() else None,
    )
