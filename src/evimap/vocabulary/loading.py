"""The library's vocabulary: one JSON file (``LIBRARY/vocabulary.json``), built when missing
or stale and loaded once per process."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from evimap.errors import LibraryError
from evimap.evidence import Document
from evimap.vocabulary.matching import Vocabulary
from evimap.vocabulary.sources import curated_fingerprint, file_fingerprint

if TYPE_CHECKING:
    from evimap.library import Library

FILE_NAME = "vocabulary.json"
THESAURUS = Path("plain-language") / "cdc_plain_language_thesaurus.json"  # in the shared data

log = logging.getLogger(__name__)

_loaded: dict[Path, tuple[float, Vocabulary]] = {}


def for_library(
    library: Library, shared_data: Path | None = None, *, rebuild: bool = False
) -> tuple[Vocabulary, bool]:
    """The library's vocabulary (LIBRARY/vocabulary.json), loaded once per process.

    Built and saved when missing, or stale (built from a different number of documents,
    other curated data files or another CDC thesaurus, or with it where it is now absent),
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
            vocabulary is not None
            and vocabulary.sources.get("curated") == curated_fingerprint()
            and vocabulary.sources.get("plain_language", "")
            == file_fingerprint(thesaurus_file(shared_data))
        )
        if fresh and vocabulary is not None and vocabulary.sources.get("documents") == documents:
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


def thesaurus_file(shared_data: Path | None) -> Path | None:
    """The CDC Plain Language Thesaurus in `shared_data`, if it is there."""
    path = shared_data / THESAURUS if shared_data else None
    return path if path is not None and path.is_file() else None


def build_from_shared(documents: Iterable[Document], shared_data: Path | None) -> Vocabulary:
    """Build with the Disease Ontology, ADAM and the CDC Plain Language Thesaurus from
    `shared_data` when they are there (each one absent is skipped, and the thesaurus's
    absence logged: lay phrases then come from data/lay_terms.tsv alone)."""
    do_dir = shared_data / "disease-ontology" if shared_data else None
    adam = shared_data / "medical-abbreviations" / "adam_database.txt" if shared_data else None
    thesaurus = thesaurus_file(shared_data)
    if thesaurus is None and shared_data is not None:
        log.warning(
            "CDC Plain Language Thesaurus not found at %s: skipped (lay phrases come from "
            "data/lay_terms.tsv alone)",
            shared_data / THESAURUS,
        )
    return Vocabulary.build(
        documents,
        disease_ontology=do_dir if do_dir and (do_dir / "HumanDO.tsv").exists() else None,
        abbreviation_counts=adam if adam and adam.exists() else None,
        plain_language=thesaurus,
    )
