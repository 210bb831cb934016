"""Readers of the vocabulary's build-time sources besides the library's documents.

Disease Ontology reports (HumanDO.tsv labels, allXREFinDO.tsv and MESHinDO.tsv links), ADAM's
abbreviation counts (adam_database.txt), the CDC Plain Language Thesaurus
(plain-language/cdc_plain_language_thesaurus.json), all three in the shared data, and the
curated tables shipped in evimap/data (lay_terms.tsv, abbreviations.tsv).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from evimap.datafiles import read_bytes, read_text
from evimap.vocabulary.words import phrase_key

_DO_PREFIXES = {"UMLS_CUI": "UMLS", "MESH": "MESH", "ICD10CM": "ICD10CM"}
_PARENTHESES = re.compile(r"\([^()]*\)")
_QUOTES = str.maketrans({c: " " for c in '"“”'})


CURATED = ("lay_terms.tsv", "abbreviations.tsv", "vocabulary.yaml")


def curated_fingerprint() -> str:
    """A hash of the curated data files: a vocabulary built from other versions is stale."""
    digest = hashlib.sha256()
    for name in CURATED:
        digest.update(read_bytes(name))
    return digest.hexdigest()[:16]


def curated_rows(name: str) -> Iterator[dict[str, str]]:
    """The rows of a curated table in evimap/data (tab-separated, `#` comment lines)."""
    text = read_text(name)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def disease_ontology(folder: Path) -> dict[str, tuple[str, set[str]]]:
    """DOID -> (label, ids): the DOID itself and its UMLS, MeSH and ICD-10-CM links."""
    xrefs: dict[str, set[str]] = defaultdict(set)
    for name, column in (("allXREFinDO.tsv", "xref"), ("MESHinDO.tsv", "xrefs")):
        if (folder / name).exists():
            for row in _tsv(folder / name):
                xrefs[row["id"]].add(row[column])
    terms: dict[str, tuple[str, set[str]]] = {}
    for row in _tsv(folder / "HumanDO.tsv"):
        ids = {row["id"]}
        for ref in xrefs.get(row["id"], ()):
            prefix, _, value = ref.partition(":")
            if prefix in _DO_PREFIXES:
                ids.add(f"{_DO_PREFIXES[prefix]}:{value}")
        terms[row["id"]] = (row["label"], ids)
    return terms


def _tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


def adam_counts(path: Path, wanted: set[str]) -> dict[str, list[tuple[str, int]]]:
    """Abbreviation -> (long-form key, times defined in MEDLINE), for the wanted ones."""
    counts: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            columns = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(columns) < 3 or columns[0].upper() not in wanted:
                continue
            for form in columns[2].split("|"):
                name, _, rest = form.partition(":")
                number = rest.partition(":")[0]
                if number.isdigit():
                    counts[columns[0].upper()].append((phrase_key(name), int(number)))
    return counts


def sense_frequency(sense: str, long_forms: list[tuple[str, int]]) -> int:
    """How often ADAM saw `sense` defined: its own long form, inflected forms ("pulmonary
    emboli") and longer ones that contain it ("acute myocardial infarction")."""
    key = phrase_key(sense)
    short = [w[:5] for w in key.split()]
    total = 0
    for form, count in long_forms:
        if f" {key} " in f" {form} " or [w[:5] for w in form.split()] == short:
            total += count
    return total


def plain_language_pairs(path: Path) -> list[tuple[str, list[str]]]:
    """The CDC Plain Language Thesaurus: (technical term, its plain alternatives), the
    alternatives as CDC lists them, split at commas and semicolons, without bracketed
    remarks, quotes or a leading article ("osteoporosis" -> ["osteoporosis", "brittle
    bones"]). A file that is not a list of {term, plain_alternative} objects gives []."""
    try:
        rows = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return []
    pairs: list[tuple[str, list[str]]] = []
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, dict):
            continue
        term, plain = row.get("term"), row.get("plain_alternative")
        if not isinstance(term, str) or not isinstance(plain, str) or not term.strip():
            continue
        alternatives = []
        for alternative in re.split(r"[;,]", _PARENTHESES.sub(" ", plain).translate(_QUOTES)):
            words = alternative.split()
            if words and words[0].lower() in ("a", "an", "the"):
                words = words[1:]
            if words:
                alternatives.append(" ".join(words).strip(" .:"))
        pairs.append((" ".join(term.split()), [a for a in alternatives if a]))
    return pairs


def file_fingerprint(path: Path | None) -> str:
    """A short hash of a data file's bytes; "" when there is none (a build without it)."""
    if path is None:
        return ""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""
