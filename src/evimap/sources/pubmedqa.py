"""PubMedQA (PQA-L `ori_pqal.json`): PubMed abstracts whose titles are research questions.

The file is one JSON object, PMID -> item. Each item becomes one RESEARCH `Document`:

    id        pubmedqa:{pmid}; pmid and a PubMed url
    title     QUESTION (the article title)
    passages  CONTEXTS[i] under heading LABELS[i], then LONG_ANSWER under "CONCLUSIONS"
    year      YEAR; mesh = MESHES
    design    from the MeSH headings that NLM uses to index a paper's own design (see
              DESIGN_BY_MESH); "... as Topic" headings describe the subject, not the paper
    extra     final_decision, reasoning_required_pred, reasoning_free_pred (when present)

Note: `final_decision` is the benchmark label, including for the official test half.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Passage, Problem, Record, SourceKind, StudyDesign
from evimap.sources._files import files_matching
from evimap.text import normalize_space

DESCRIPTION = "PubMedQA: PubMed abstracts with research questions (ori_pqal.json)"

CONCLUSIONS = "CONCLUSIONS"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"

# MeSH "study characteristics" headings that describe the design of the indexed paper itself,
# checked strongest first. Blinding and random allocation are only indexed for randomised
# trials; cross-over and non-randomised designs share level 3 with observational studies,
# as "clinical trial" does in evidence.py. Matching ignores case.
DESIGN_BY_MESH: tuple[tuple[StudyDesign, frozenset[str]], ...] = (
    (StudyDesign.RCT, frozenset({"double-blind method", "single-blind method",
                                 "random allocation"})),
    (StudyDesign.OBSERVATIONAL, frozenset({"cohort studies", "retrospective studies",
                                           "prospective studies", "follow-up studies",
                                           "longitudinal studies", "case-control studies",
                                           "cross-sectional studies", "cross-over studies",
                                           "controlled before-after studies",
                                           "historically controlled study",
                                           "interrupted time series analysis"})),
)  # fmt: skip

_ITEM_KEYS = frozenset({"QUESTION", "CONTEXTS", "LONG_ANSWER"})
_EXTRA_KEYS = ("final_decision", "reasoning_required_pred", "reasoning_free_pred")


def files(path: Path) -> list[Path]:
    """`path` if it is a file, else every *.json file below it, sorted."""
    return files_matching(path, (".json", ".json.gz"))


def read_file(path: Path) -> Iterator[Record]:
    """One Document per PubMedQA item; a Problem per item that cannot be read."""
    try:
        data = json.loads(_read_bytes(path))
    except (OSError, ValueError, EOFError) as error:
        yield Problem(str(path), "", f"unreadable JSON: {error}")
        return
    _check_format(path, data)
    for pmid, item in data.items():
        try:
            yield _document(str(pmid).strip(), item)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            yield Problem(str(path), str(pmid), f"bad PubMedQA item: {error}")


def design_from_mesh(headings: list[str] | tuple[str, ...]) -> StudyDesign:
    """The strongest study design named by a paper's MeSH headings (OTHER if none)."""
    lowered = {h.strip().lower() for h in headings}
    for design, names in DESIGN_BY_MESH:
        if lowered & names:
            return design
    return StudyDesign.OTHER


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()  # whole file: _files.open_binary leaks the raw handle of a .gz
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _check_format(path: Path, data: Any) -> None:
    if not isinstance(data, dict):
        raise SourceFormatError(
            f"{path} is not PubMedQA: expected a JSON object PMID -> item, "
            f"found a JSON {type(data).__name__}"
        )
    first = next(iter(data.values()), None)
    if data and not (isinstance(first, Mapping) and _ITEM_KEYS & first.keys()):
        raise SourceFormatError(
            f"{path} is not PubMedQA: its first item has none of {sorted(_ITEM_KEYS)}"
        )


def _document(pmid: str, item: Mapping[str, Any]) -> Document:
    if not pmid.isdigit():
        raise ValueError(f"key {pmid!r} is not a PMID")
    title = normalize_space(_text(item.get("QUESTION")))
    if not title:
        raise ValueError("no QUESTION")
    mesh = tuple(normalize_space(m) for m in _strings(item.get("MESHES")))
    return Document(
        id=f"pubmedqa:{pmid}",
        kind=SourceKind.RESEARCH,
        collection="pubmedqa",
        title=title,
        passages=_passages(item),
        year=_year(item.get("YEAR")),
        url=PUBMED_URL.format(pmid=pmid),
        pmid=pmid,
        design=design_from_mesh(mesh),
        mesh=mesh,
        extra={k: _text(item[k]) for k in _EXTRA_KEYS if item.get(k)},
    )


def _passages(item: Mapping[str, Any]) -> tuple[Passage, ...]:
    contexts = _strings(item.get("CONTEXTS"))
    labels = _strings(item.get("LABELS"))
    passages = [
        Passage(text=normalize_space(text), heading=labels[i].strip() if i < len(labels) else "")
        for i, text in enumerate(contexts)
    ]
    conclusion = normalize_space(_text(item.get("LONG_ANSWER")))
    if conclusion:
        passages.append(Passage(text=conclusion, heading=CONCLUSIONS))
    return tuple(p for p in passages if p.text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return [_text(v) for v in value]


def _year(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text[:4]) if text[:4].isdigit() else None
