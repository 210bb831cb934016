"""Plain-text helpers shared by the sources and the library: whitespace and sentences.

Sentence spans are (start, end) character offsets, so a citation can point at the exact
source sentence. The splitter is rule-based and fast (it runs on every ingested passage).

A sentence ends

* at ``.``, ``!``, ``?`` or an ellipsis (with any closing quotes or brackets after it) when
  whitespace and a plausible sentence start follow: a capital letter, a digit, an opening
  quote or bracket, a Greek letter, or a lower-case symbol with a capital or digit inside
  ("mRNA", "p53", "miR-21", "iPSCs", "bcl-2") -- unless the full stop belongs to an
  abbreviation, an initial or a list number (see `_ends_sentence`);
* at a blank line (paragraph break);
* before a bullet: ``-``, ``*`` or ``•`` followed by a space, at the start of a line, after two
  or more spaces (lists flattened into one line, as in MedQuAD) or after ``. : ; ! ?``;
  a numbered item ("1. ", "2) ") at the start of a line. The bullet sign itself is left out of
  the item's span; an item's number is kept.
"""

from __future__ import annotations

import functools
import re

from evimap.evidence import Span


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CLOSE = "'\"’”»)\\]"
_OPEN = "'\"‘“«(\\["
_BULLET_SIGNS = "-*•"
_BULLET_AFTER = frozenset(".:;!?")  # one space before a bullet is enough after these
_CAPITAL = "A-ZÀ-ÖØ-ÞΑ-Ω"

# Terminal punctuation, then whitespace and something that can start a sentence. (One
# character, not a run: a `+` here would triple the cost of the scan; runs are seen later.)
_STOP = re.compile(rf"[.!?…][{_CLOSE}]*(?=\s+[{_OPEN}]?(?:[{_CAPITAL}0-9α-ω]|[a-z]+-?[A-Z0-9]))")
# A blank line, or a bullet or numbered item at the start of a line. Bullets inside a line
# are found with str.find (`_inline_bullets`), much cheaper than a regex over every hyphen.
_LINE_BREAK = re.compile(rf"\n[^\S\n]*(?:\n\s*|[{_BULLET_SIGNS}][ \t]|(?=\d{{1,2}}[.)][ \t]))")
_INLINE_BULLETS = tuple(f" {sign} " for sign in _BULLET_SIGNS)

_OPENERS = re.compile(rf"[{_OPEN}]")
_DOTTED = re.compile(r"[A-Z]|[A-Za-z]\.-?[A-Za-z]")  # "J", "U.S", "M.B", "I.-S", "p.m"
_NEXT_WORD = re.compile(rf"\s+[{_OPEN}]?([A-Z][a-z]*)\b(?!\.)")
# "Fig. 2", "Fig. S1", "Vol. IV", and HGVS variants: "p. Arg702Trp", "p. K510E", "c. 123A>G".
_NEXT_NUMBER = re.compile(r"\s+[(\[]?(?:[A-Z]?\d|[IVXLC]+\b|[A-Z][a-z]{0,2}\d)")
_BULLET_START = re.compile(rf"[{_BULLET_SIGNS}][ \t]\s*")

# Lower-cased words (without the dot) that never end a sentence: "e.g.", "Dr.", "vs." ...
_NEVER_FINAL = _words(
    """
    e.g i.e cf vs v viz approx ca dr drs mr mrs prof st dept univ incl resp
    proc natl acad biol biochem biophys physiol pharmacol immunol microbiol
    """
)
# ... that end a sentence unless a number follows: "Fig. 2", "No. 5", "Jan. 2020", "Fig. S1".
_BEFORE_NUMBER = _words(
    """
    fig figs no nos vol vols pp ch chap sect eq eqs ref refs suppl
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
# ... that end a sentence only when a common sentence-opening word follows: "et al. The".
# Initials and dotted abbreviations ("J.", "U.S.", "M.B.") are treated the same way.
_AMBIGUOUS = _words("al inc ltd co corp jr sr ms ph.d sp spp ssp subsp var cv")
_LONGEST_ABBREVIATION = 10  # longer words are never looked up
_STARTERS = _words(
    """
    A About Across After Again Against All Also Although Among An And Another Any Are As At
    Based Because Before Being Both But By Compared Consequently Conversely Data Despite
    During Each Either Even Every Finally First For Further Furthermore Given He Her Here
    Hence His However I If In Including Indeed Instead Is It Its Many Meanwhile More Moreover
    Most Much No None Nonetheless Not Notably Now Of On Once One Only Or Other Our Overall
    Several She Similarly Since So Some Such Taken That The Their Then There Therefore These
    They This Those Though Thus To Together Two Under Unlike Until Upon Using We Were What
    When Where Whereas Which While With Within Without Yet You Your
    """
)


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim (str.split: 4x faster than a regex)."""
    return " ".join(text.split())


def split_sentences(text: str) -> tuple[Span, ...]:
    """Sentence (start, end) spans over `text`, trimmed of surrounding whitespace.

    Spans are in order, never overlap and never start or end with whitespace; a bullet sign
    that opens a list item is not part of the item's span.
    """
    spans: list[Span] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for match in _STOP.finditer(text, block_start, block_end):
            if _ends_sentence(text, match, start):
                _append_trimmed(spans, text, start, match.end())
                start = match.end()
        _append_trimmed(spans, text, start, block_end)
    return tuple(spans)


def _blocks(text: str) -> list[Span]:
    """`text` cut at blank lines and before list items; no sentence crosses a cut."""
    cuts = _inline_bullets(text)
    if "\n" in text:
        cuts.extend((m.start(), m.end()) for m in _LINE_BREAK.finditer(text))
        cuts.sort()
    blocks: list[Span] = []
    start = 0
    for cut, resume in cuts:
        if cut >= start:
            blocks.append((start, cut))
            start = resume
    blocks.append((start, len(text)))
    return blocks


def _inline_bullets(text: str) -> list[Span]:
    """Bullets of a list flattened into one line: " - " after two spaces or after . : ; ! ?"""
    cuts: list[Span] = []
    for needle in _INLINE_BULLETS:
        at = text.find(needle)
        while at != -1:
            start = at
            while start > 0 and text[start - 1] in " \t":
                start -= 1
            before = text[start - 1] if start else "\n"
            if before != "\n" and (at - start >= 1 or before in _BULLET_AFTER):
                cuts.append((start, at + 3))
            at = text.find(needle, at + 1)
    return cuts


def _ends_sentence(text: str, match: re.Match[str], start: int) -> bool:
    """Whether the punctuation `match` ends the sentence that began at `start`.

    ``!``, ``?`` and ellipses always do. A full stop does not after "e.g.", "vs.", "Dr." and
    the like; after "Fig.", "No.", "p." or a month only when no number follows ("Fig. 2");
    after a list number that opens its sentence ("1. Wash"); after "et al.", an initial or a
    dotted abbreviation ("J.", "U.S.") only when a common sentence opener follows ("The").
    Decimals ("1.5") never reach here: no whitespace follows their point.
    """
    dot = match.start()
    if text[dot] != "." or text[dot - 1 : dot] == ".":
        return True  # ! ? and ellipses always end a sentence
    word = _word_before(text, max(start, dot - _LONGEST_ABBREVIATION - 1), dot)
    if not word:
        return True
    if len(word) > 1 and word.isupper() and "." not in word:
        return True  # an acronym ("CF.", "NO.", "MS."), not an abbreviation
    lower = word.lower()
    if lower in _NEVER_FINAL:
        return False
    if lower in _BEFORE_NUMBER or (len(word) == 1 and word.islower()):
        return _NEXT_NUMBER.match(text, match.end(), match.endpos) is None
    if word.isdigit() and len(word) <= 2 and _opens_list_item(text, start, dot - len(word)):
        return False  # "1. Wash your hands."
    if lower in _AMBIGUOUS or _DOTTED.fullmatch(word):
        following = _NEXT_WORD.match(text, match.end(), match.endpos)
        return following is not None and following.group(1) in _STARTERS
    return True


def _word_before(text: str, start: int, end: int) -> str:
    """The word ending at `end`, back to whitespace or an opening bracket or quote, if it is
    short enough to be an abbreviation; else ""."""
    parts = text[start:end].rsplit(maxsplit=1)
    if not parts:
        return ""
    word = parts[-1]
    if _OPENERS.search(word):
        word = _OPENERS.split(word)[-1]
    return word if len(word) <= _LONGEST_ABBREVIATION else ""


def _opens_list_item(text: str, start: int, word_start: int) -> bool:
    """Whether a number at `word_start` opens its sentence or follows a colon."""
    before = text[start:word_start].rstrip()
    return not before or before.endswith(":") or before in _BULLET_SIGNS


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    if start < end and text[start] in _BULLET_SIGNS:
        bullet = _BULLET_START.match(text, start, end)
        start = bullet.end() if bullet else start
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (convenience for tests and display)."""
    return [text[a:b] for a, b in split_sentences(text)]


_TERM = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SUFFIXES = ("ations", "ation", "ities", "ness", "ies", "ing", "es", "ed", "ly", "s")


def words(text: str) -> list[str]:
    """Lower-cased word tokens (hyphenated words kept whole)."""
    return _TERM.findall(text.lower())


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A light suffix-stripping stem: enough to match "relapses" with "relapse"."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@functools.cache
def stopwords() -> frozenset[str]:
    """Function words (data/stopwords.txt): never what a question or statement is about."""
    from importlib.resources import files

    text = (files("evimap") / "data" / "stopwords.txt").read_text()
    return frozenset(
        w for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )
