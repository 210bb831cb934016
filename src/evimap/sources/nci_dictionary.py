"""The NCI Dictionary of Cancer Terms: plain-language definitions written for patients.

Input: a JSON list of ``{"term", "plain_alternative"}`` objects, the second field being the
dictionary's definition (``../shared/data/plain-language/nci_dictionary.json``; "definition"
is read too). Each entry becomes one REFERENCE `Document` (collection "nci-dictionary")::

    id         nci-dictionary:{slug of the term}          "nci-dictionary:celiac-disease"
    title      "NCI Dictionary of Cancer Terms: {term}"
    publisher  "National Cancer Institute"
    url        https://www.cancer.gov/publications/dictionaries/cancer-terms/def/{slug}
    passages   one: the definition as written, its heading the term
    extra      {"term": term, "license": "Public domain (U.S. government work); credit NCI",
                "also_called": the names after the definition's "Also called" (if any)}

The slug is the term in lower case, accents dropped, every run of other characters than
letters and digits one hyphen ("Sjögren syndrome" -> "sjogren-syndrome"), as cancer.gov
names its definition pages. Where two terms have one slug ("BCR-ABL1 fusion gene" and
"BCR::ABL1 fusion gene"), the later one's id ends in a short hash of the term. An entry
without a term or a definition is a `Problem`; a file that is not such a list raises
`SourceFormatError`. `term_id(term)` gives the id a term's entry has, so the answer engine
finds a definition by its term without a search (`evimap.definitions`).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Passage, Problem, Record, SourceKind
from evimap.sources._files import open_binary
from evimap.text import normalize_space

DESCRIPTION = "NCI Dictionary of Cancer Terms (nci_dictionary.json): plain definitions"

COLLECTION = "nci-dictionary"
TITLE = "NCI Dictionary of Cancer Terms"
PUBLISHER = "National Cancer Institute"
URL = "https://www.cancer.gov/publications/dictionaries/cancer-terms/def/{slug}"
LICENSE = "Public domain (U.S. government work); credit NCI"
FILE_NAMES = ("nci_dictionary.json", "nci_dictionary.json.gz")
_DEFINITION_FIELDS = ("plain_alternative", "definition")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_ALSO_CALLED = re.compile(r"\bAlso (?:called|known as) ([^.]+)\.")


def files(path: Path) -> list[Path]:
    """`path` if it is a file, else every nci_dictionary.json[.gz] below it, sorted."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("nci_dictionary.json*") if p.name in FILE_NAMES)


def slug(term: str) -> str:
    """cancer.gov's name of a term's page: lower case, no accents, hyphens between words."""
    plain = unicodedata.normalize("NFKD", term.replace("μ", "u"))
    plain = plain.encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", plain.lower()).strip("-")


def term_id(term: str) -> str:
    """The document id of `term`'s entry (whether or not the dictionary has it)."""
    return f"{COLLECTION}:{slug(term)}"


def read_file(path: Path) -> Iterator[Record]:
    """One Document per entry; a Problem per entry that cannot be read."""
    try:
        with open_binary(path) as handle:
            entries = json.loads(handle.read())
    except (OSError, EOFError) as error:
        yield Problem(str(path), "", f"unreadable dictionary file: {error}")
        return
    except ValueError as error:
        raise SourceFormatError(f"{path} is not JSON: {error}") from None
    if not isinstance(entries, list) or not any(
        isinstance(e, dict) and "term" in e for e in entries[:50]
    ):
        raise SourceFormatError(
            f"{path} is not an NCI dictionary: expected a JSON list of "
            '{"term", "plain_alternative"} objects'
        )
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        try:
            doc = _document(entry)
        except (TypeError, ValueError) as error:
            yield Problem(str(path), where, str(error))
            continue
        if doc.id in seen:  # another spelling of a term already read: its own id
            digest = hashlib.blake2b(doc.extra["term"].encode(), digest_size=4).hexdigest()
            doc = replace(doc, id=f"{doc.id}-{digest}")
        seen.add(doc.id)
        yield doc


def _document(entry: Any) -> Document:
    if not isinstance(entry, dict):
        raise TypeError(f"expected a JSON object, found {type(entry).__name__}")
    term = normalize_space(_text(entry.get("term")))
    definition = next((entry[f] for f in _DEFINITION_FIELDS if entry.get(f)), "")
    definition = normalize_space(_text(definition))
    if not slug(term):
        raise ValueError("no term")
    if not definition:
        raise ValueError(f"{term!r} has no definition")
    return Document(
        id=term_id(term),
        kind=SourceKind.REFERENCE,
        collection=COLLECTION,
        title=f"{TITLE}: {term}",
        passages=(Passage(text=definition, heading=term),),
        publisher=PUBLISHER,
        url=URL.format(slug=slug(term)),
        extra={"term": term, "license": LICENSE, **_also_called(definition)},
    )


def _also_called(definition: str) -> dict[str, str]:
    names = "; ".join(m.group(1).strip() for m in _ALSO_CALLED.finditer(definition))
    return {"also_called": names} if names else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value
