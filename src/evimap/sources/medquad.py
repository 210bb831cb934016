"""MedQuAD: NIH consumer-health question-answer pairs, one XML file per source page.

Every QA pair becomes one REFERENCE `Document` whose title is the question and whose
passages are the answer:

    id        medquad:{source}_{file stem}_{position}     e.g. medquad:GARD_0000004_1
              (`source` attribute, file name without .xml, 1-based position of the pair in
              its file: `id` attributes repeat across files and `pid` has gaps)
    question  SourceQuestion(text, qtype, focus, synonyms, UMLS CUIs, semantic types)
    extra     subset (the folder), qid, category and semantic_group when the file has them

Three schema variants are read: `<Document>` (almost every file), `<DiseaseFile>` (one CDC
file) and the lowercase `<doc>/<pair>/<question>/<answer>` of four NINDS files.

Answers to passages. An answer is split into paragraphs at blank lines. A short paragraph
that reads like a heading (no closing punctuation, not a list item or a lead-in such as
"Symptoms include") opens a new passage and becomes its `heading`; other paragraphs are
packed into the current passage while it stays within `PASSAGE_CHARS` (a paragraph is never
cut, so one long paragraph is one long passage). Whitespace inside each paragraph is
collapsed, and a passage's sentence spans never cross a paragraph boundary. Answers without
paragraph breaks (GARD, GHR, MedlinePlus...) are one passage. Pairs whose answer was removed
upstream (subsets 10-12) keep their question and focus and have no passages.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Passage, Problem, Record, SourceKind, SourceQuestion
from evimap.sources._files import files_matching
from evimap.text import split_sentences

DESCRIPTION = "MedQuAD: NIH consumer-health question-answer pairs (XML files or their folders)"

PASSAGE_CHARS = 1000  # soft upper bound when packing answer paragraphs into one passage
HEADING_CHARS = 80  # a heading paragraph is at most this long
HEADING_RUN = 2  # a heading and a sub-heading; longer runs of short lines are lists
GZIP_MAGIC = b"\x1f\x8b"

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_SPACE_BEFORE_QUESTION_MARK = re.compile(r"\s+\?")
_REPEATED_QUESTION_MARK = re.compile(r"\?{2,}")
# Last words of a lead-in line ("Common symptoms include"), which is never a heading.
_LEAD_IN_TEXT = """include includes including are is as of the and or to for with by in on at from
such like be may can could will should have has were was due than that which these following see
called"""
_LEAD_IN_WORDS = frozenset(_LEAD_IN_TEXT.split())


@dataclass(frozen=True, slots=True)
class _Schema:
    """Element and attribute names of one MedQuAD schema variant."""

    source: str
    pair: str
    question: str
    answer: str
    focus: str
    cui: str
    semantic_type: str
    semantic_group: str
    synonym: str = "Synonym"
    category: str = "Category"


_UPPER = _Schema(
    "source", "QAPair", "Question", "Answer", "Focus", "CUI", "SemanticType", "SemanticGroup"
)
_LOWER = _Schema(
    "corpus",
    "pair",
    "question",
    "answer",
    "doctitle-focus",
    "cui",
    "semanticType",
    "semanticGroup",
    synonym="synonym",
    category="category",
)
_SCHEMA_BY_ROOT = {"Document": _UPPER, "DiseaseFile": _UPPER, "doc": _LOWER}


@dataclass(frozen=True, slots=True)
class _Page:
    """What every QA pair of one file shares."""

    source: str
    stem: str
    url: str
    focus: str
    synonyms: tuple[str, ...]
    cuis: tuple[str, ...]
    semantic_types: tuple[str, ...]
    extra: dict[str, str]


def files(path: Path) -> list[Path]:
    """The MedQuAD XML files under `path` (dataset root, subset folder or one file), sorted."""
    return files_matching(path, (".xml", ".xml.gz"))


def read_file(path: Path) -> Iterator[Record]:
    """One Document per QA pair of a MedQuAD XML file; Problems for what cannot be read."""
    try:
        root = etree.fromstring(_read_bytes(path), _parser())
    except (OSError, EOFError, etree.XMLSyntaxError) as error:
        yield Problem(str(path), "", f"unreadable MedQuAD XML: {error}")
        return
    schema = _SCHEMA_BY_ROOT.get(root.tag) if isinstance(root.tag, str) else None
    if schema is None:
        raise SourceFormatError(
            f"{path} is not a MedQuAD file: root element <{root.tag}>, "
            "expected <Document>, <DiseaseFile> or <doc>"
        )
    page = _page(path, root, schema)
    for position, pair in enumerate(root.iter(schema.pair), start=1):
        yield _pair_record(path, page, schema, pair, position)


def publisher(source: str) -> str:
    """The agency behind a MedQuAD `source` attribute (the attribute itself if unknown)."""
    return _publishers().get(source, source)


def normalize_question(text: str) -> str:
    """Collapse whitespace and drop the space MedQuAD puts before '?' ("X ?" -> "X?")."""
    text = _SPACE_BEFORE_QUESTION_MARK.sub("?", _collapse(text))
    return _REPEATED_QUESTION_MARK.sub("?", text)


def answer_passages(text: str) -> tuple[Passage, ...]:
    """The passages of one answer: paragraphs packed under their headings (module doc)."""
    paragraphs = [p for p in map(_collapse, _PARAGRAPH_BREAK.split(text)) if p]
    return tuple(_passage(heading, body) for heading, body in _sections(paragraphs))


@cache
def _publishers() -> dict[str, str]:
    resource = resources.files(__package__).joinpath("agency_names.json")
    return json.loads(resource.read_text(encoding="utf-8"))


def _collapse(text: str) -> str:
    """`evimap.text.normalize_space`, about four times faster on long answers."""
    return " ".join(text.split())


def _inner_text(element: etree._Element) -> str:
    if len(element):  # mixed content: never in MedQuAD, but keep any inline markup's text
        return "".join(element.itertext())
    return element.text or ""


def _read_bytes(path: Path) -> bytes:
    """The bytes of `path`, gunzipped when its content is gzip.

    Reads whole files on purpose: `_files.open_binary` leaves the raw file of a gzip stream
    open after closing, which leaks a file handle per .gz file.
    """
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == GZIP_MAGIC else data


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".xml.gz", ".xml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _texts(root: etree._Element, tag: str) -> tuple[str, ...]:
    found = (_collapse(_inner_text(e)) for e in root.iter(tag))
    return tuple(dict.fromkeys(t for t in found if t))


def _page(path: Path, root: etree._Element, schema: _Schema) -> _Page:
    extra = {"subset": path.parent.name}
    for key, tag in (("category", schema.category), ("semantic_group", schema.semantic_group)):
        values = _texts(root, tag)
        if values:
            extra[key] = "; ".join(values)
    focus = _texts(root, schema.focus)
    return _Page(
        source=root.get(schema.source, "").strip(),
        stem=_stem(path),
        url=root.get("url", "").strip(),
        focus=focus[0] if focus else "",
        synonyms=_texts(root, schema.synonym),
        cuis=_texts(root, schema.cui),
        semantic_types=_texts(root, schema.semantic_type),
        extra=extra,
    )


def _pair_record(
    path: Path, page: _Page, schema: _Schema, pair: etree._Element, position: int
) -> Record:
    doc_id = f"medquad:{page.source}_{page.stem}_{position}"
    question = pair.find(schema.question)
    text = normalize_question(_inner_text(question)) if question is not None else ""
    if not text:
        return Problem(str(path), doc_id, "QA pair has no question")
    answer = pair.find(schema.answer)
    answer_text = _inner_text(answer) if answer is not None else ""
    extra = dict(page.extra)
    if qid := question.get("qid", "").strip():
        extra["qid"] = qid
    return Document(
        id=doc_id,
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title=text,
        passages=answer_passages(answer_text),
        publisher=publisher(page.source),
        url=page.url,
        question=SourceQuestion(
            text=text,
            qtype=question.get("qtype", "").strip(),
            focus=page.focus,
            synonyms=page.synonyms,
            cuis=page.cuis,
            semantic_types=page.semantic_types,
        ),
        extra=extra,
    )


def _looks_like_heading(paragraph: str) -> bool:
    if len(paragraph) > HEADING_CHARS or paragraph[-1] in ".!?:;,)\"'" or "://" in paragraph:
        return False
    if not paragraph[0].isalpha() or paragraph[0].islower() or "," in paragraph:
        return False
    return paragraph.rsplit(None, 1)[-1].lower() not in _LEAD_IN_WORDS


def _heading_flags(paragraphs: list[str]) -> list[bool]:
    """Which paragraphs are headings: heading-like, not last, in a run of at most two."""
    flags = [_looks_like_heading(p) for p in paragraphs[:-1]] + [False] * bool(paragraphs)
    start = 0
    while start < len(flags):
        end = start
        while end < len(flags) and flags[end]:
            end += 1
        if end - start > HEADING_RUN:  # a run of short lines is a list, not headings
            flags[start:end] = [False] * (end - start)
        start = end + 1
    return flags


def _sections(paragraphs: list[str]) -> list[tuple[str, list[str]]]:
    """Group paragraphs into (heading, body paragraphs) sections of at most PASSAGE_CHARS."""
    sections: list[tuple[str, list[str]]] = []
    body: list[str] = []
    heading, size = "", 0
    for paragraph, is_heading in zip(paragraphs, _heading_flags(paragraphs), strict=True):
        if is_heading:
            if body:
                sections.append((heading, body))
                heading, body, size = "", [], 0
            heading = f"{heading}: {paragraph}" if heading else paragraph
            continue
        if body and size + 1 + len(paragraph) > PASSAGE_CHARS:
            sections.append((heading, body))  # a continuation keeps its section's heading
            body, size = [], 0
        size += len(paragraph) + (1 if body else 0)
        body.append(paragraph)
    if body:
        sections.append((heading, body))
    return sections


def _passage(heading: str, body: list[str]) -> Passage:
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in body:
        spans.extend((offset + a, offset + b) for a, b in split_sentences(paragraph))
        offset += len(paragraph) + 1
    return Passage(text=" ".join(body), heading=heading, sentences=tuple(spans))
