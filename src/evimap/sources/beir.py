"""BEIR corpora (`corpus.jsonl`) and the original SciFact corpus schema, read line by line.

Two line schemas are accepted, file by file or even line by line:

    BEIR     {"_id", "title", "text", "metadata"}          one passage, sentences left to us
    SciFact  {"doc_id", "title", "abstract": [sentences]}  one passage, the source's sentences

Each line becomes one RESEARCH `Document` (design OTHER) with id `{dataset}:{doc id}`, where
the dataset is the lower-cased name of the folder that holds the file (`scifact/corpus.jsonl`
gives `scifact:4983`), so the dataset's qrels corpus-ids map straight onto our ids.

SciFact abstracts keep their own sentence boundaries: the sentences are joined with one space,
verbatim, and `Passage.sentences` holds each sentence's exact span, so SciFact rationale
sentence indices are our sentence indices. BEIR metadata `url` and `pubmed_id`/`pmid` are kept.
"""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Passage, Problem, Record, SourceKind, StudyDesign
from evimap.text import normalize_space

DESCRIPTION = "BEIR corpus.jsonl (or SciFact corpus.jsonl); dataset = the folder's name"

_ID_FIELDS = ("_id", "doc_id")
# Not `_files.open_binary`: it leaves the raw file of a gzip stream open after closing.
GZIP_MAGIC = b"\x1f\x8b"
_CORPUS_NAMES = ("corpus.jsonl", "corpus.jsonl.gz")


def files(path: Path) -> list[Path]:
    """`path` if it is a file, else every corpus.jsonl[.gz] below it, sorted."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("corpus.jsonl*") if p.is_file() and p.name in _CORPUS_NAMES)


def dataset_name(path: Path) -> str:
    """The dataset a corpus file belongs to: its folder's name, lower-cased."""
    return path.resolve().parent.name.lower()


def read_file(path: Path) -> Iterator[Record]:
    """One Document per JSON line; a Problem per line that cannot be read."""
    dataset = dataset_name(path)
    seen = False
    try:
        for number, row in _rows(path):
            if not seen:
                _check_first_row(path, number, row)
                seen = True
            yield _record(path, number, dataset, row)
    except (OSError, EOFError) as error:  # unreadable or truncated (gzip) file
        yield Problem(str(path), "", f"unreadable corpus file: {error}")
        return
    if not seen:
        yield Problem(str(path), "", "empty file: no corpus lines")


def _rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON or the ValueError) for each non-blank line, streamed."""
    with path.open("rb") as raw:
        gzipped = raw.peek(2)[:2] == GZIP_MAGIC
        with gzip.GzipFile(fileobj=raw) if gzipped else contextlib.nullcontext(raw) as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except ValueError as error:
                        yield number, error


def scifact_passage(sentences: list[str]) -> Passage:
    """One passage of verbatim sentences joined by a space, with each sentence's span."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for sentence in sentences:
        spans.append((offset, offset + len(sentence)))
        offset += len(sentence) + 1
    return Passage(text=" ".join(sentences), sentences=tuple(spans))


def _check_first_row(path: Path, number: int, row: Any) -> None:
    if isinstance(row, dict) and any(key in row for key in _ID_FIELDS):
        return
    found = f"invalid JSON ({row})" if isinstance(row, Exception) else f"{type(row).__name__}"
    raise SourceFormatError(
        f"{path} is not a BEIR/SciFact corpus: line {number} is not a JSON object with "
        f"an '_id' or 'doc_id' field ({found})"
    )


def _record(path: Path, number: int, dataset: str, row: Any) -> Record:
    where = f"line {number}"
    if isinstance(row, Exception):
        return Problem(str(path), where, f"invalid JSON: {row}")
    try:
        return _document(dataset, row)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        return Problem(str(path), where, f"bad corpus record: {error}")


def _document(dataset: str, row: dict[str, Any]) -> Document:
    if not isinstance(row, dict):
        raise TypeError(f"expected a JSON object, found {type(row).__name__}")
    doc_id = _string(row["_id"] if row.get("_id") is not None else row.get("doc_id")).strip()
    if not doc_id:
        raise ValueError("no '_id' or 'doc_id'")
    metadata = row.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise TypeError("'metadata' is not an object")
    return Document(
        id=f"{dataset}:{doc_id}",
        kind=SourceKind.RESEARCH,
        collection="beir",
        title=normalize_space(_string(row.get("title"))),
        passages=_passages(row),
        url=_string(metadata.get("url")).strip(),
        pmid=_string(metadata.get("pubmed_id") or metadata.get("pmid")).strip(),
        design=StudyDesign.OTHER,
        extra={"dataset": dataset},
    )


def _passages(row: dict[str, Any]) -> tuple[Passage, ...]:
    if "abstract" in row and "text" not in row:
        sentences = row["abstract"]
        if not isinstance(sentences, list) or not all(isinstance(s, str) for s in sentences):
            raise TypeError("'abstract' is not a list of sentences")
        return (scifact_passage(sentences),) if sentences else ()
    text = normalize_space(_string(row.get("text")))
    return (Passage(text=text),) if text else ()


def _string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise TypeError(f"expected text, found {type(value).__name__}")
