"""Plain-text helpers shared by the sources and the library: whitespace and sentences.

Sentence spans are (start, end) character offsets, so a citation can point at the exact
source sentence. The splitter is rule-based and fast (it runs on every ingested passage).
"""

from __future__ import annotations

import re

from evimap.evidence import Span

_SPACE = re.compile(r"\s+")

# A sentence ends at . ! or ? (optionally followed by closing quotes/brackets), then
# whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"""[.!?]['")\]]*(?=\s+['"(\[]?[A-Z0-9])""")

# Words after which a full stop does not end a sentence. Lower-cased, without the dot.
_ABBREVIATIONS = frozenset(
    """
    e.g i.e etc al vs v cf approx ca fig figs no nos vol pp p dr mr mrs ms prof st jr sr
    inc ltd co corp dept univ jan feb mar apr jun jul aug sep sept oct nov dec
    mg kg ml dl mmol mol min max resp incl est sec
    """.split()
)
_INITIAL = re.compile(r"(?:^|\s)[A-Z]$")  # "J." in "J. Smith"


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return _SPACE.sub(" ", text).strip()


def split_sentences(text: str) -> tuple[Span, ...]:
    """Sentence (start, end) spans over `text`, trimmed of surrounding whitespace."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if _is_abbreviation(text, match.start()):
            continue
        _append_trimmed(spans, text, start, end)
        start = end
    _append_trimmed(spans, text, start, len(text))
    return tuple(spans)


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] != "(":
        word_start -= 1
    word = text[word_start:dot].lower()
    return word in _ABBREVIATIONS or bool(_INITIAL.search(text[max(0, dot - 2) : dot]))


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (convenience for tests and display)."""
    return [text[a:b] for a, b in split_sentences(text)]
