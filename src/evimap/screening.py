"""Automatic screening of a text a reader wrote: a community post before a moderator sees
it, and a question asked in the ask box before it is counted (pure Python, no Django).

    screen(text) -> Screening     the flags found, each with kind, span and reason
    redact(text, flags) -> str    the personal data in `flags` replaced by "[removed]"
    only_removals(before, after)  '' when a hand edit only deletes or puts "[removed]"

Kinds:
    email, phone, address, name   personal data (a moderator may edit it out)
    link                          web addresses (members share experience, not sites)
    spam                          advertising phrases, shouting, repeated characters
    crisis                        words of self-harm: the member sees crisis resources at
                                  once and the post is held for a moderator (the words and
                                  the lines are evimap.safety.crisis(): data/red_flags.yaml,
                                  the same the question safety check uses)

Screening informs moderators; it never publishes or rejects by itself. The rules favour
recall for crisis language (a false alarm costs a moderator a minute) and precision for
the rest (common health phrases like "200 mg", "1-5 years" or "Dr appointments" pass).

Screening takes time linear in the text's length: the two patterns that could scan one
stretch of characters again from each position in it (emails, web addresses: 0.9 s of CPU
for 5,000 characters like "a.a.a.") are run by `_emails_in` and `_finditer`, which find
the same matches but try each stretch once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from evimap.safety import crisis

PERSONAL = frozenset({"email", "phone", "address", "name"})
REMOVED = "[removed]"


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str
    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Screening:
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    @property
    def crisis(self) -> bool:
        return any(f.kind == "crisis" for f in self.flags)

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.flags})

    def to_list(self) -> list[dict[str, object]]:
        return [
            {"kind": f.kind, "start": f.start, "end": f.end, "text": f.text, "reason": f.reason}
            for f in self.flags
        ]


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d\s().-]{5,}\d(?![\w/])")
_PHONE_CUE = re.compile(r"\b(?:call|phone|text|ring|whatsapp|mobile|cell|tel)\b", re.I)
_YEARS = re.compile(r"^(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d$")
_STREET = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Close|"
    r"Way|Place|Pl|Terrace|Crescent|Gardens"
)
_ADDRESS = re.compile(rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{_STREET})\b\.?")
_POSTCODE = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"  # UK
    r"|\b(?:[A-Z][a-z]+,?\s+)?[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # US state + ZIP
)
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_TITLE_NAME = re.compile(
    rf"\b(?:Dr|Doctor|Prof|Professor|Nurse|Mr|Mrs|Ms|Miss)\.?\s+{_NAME}(?:\s+{_NAME})?"
)
_RELATION = (
    r"husband|wife|son|daughter|friend|neighbour|neighbor|sister|brother|mother|father|mum|"
    r"mom|dad|partner|boss|colleague|coworker|neurologist|doctor|nurse|GP|consultant|"
    r"therapist|named|called"
)
_RELATION_NAME = re.compile(rf"\b(?:{_RELATION}),?\s+({_NAME}\s+{_NAME})\b")
_NOT_NAMES = frozenset(
    "Multiple Sclerosis Disease Syndrome Society Foundation Hospital Clinic Centre Center "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
_URL = re.compile(
    r"\bhttps?://\S+|\bwww\.\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|info|biz|ru|xyz|shop|uk|me|ly)\b"
    r"(?:/\S*)?",
    re.I,
)
# Where an email can start: a run of local-part characters (from its first), then '@'.
_EMAIL_RUN = re.compile(r"(?<![\w.+-])[\w.+-]+@")
# For `_finditer`: where a web address can start, the stretch over which a failed start fails
# at every later start too, and the alternatives still tried inside that stretch.
_URL_START = re.compile(r"\b[a-z0-9-]", re.I)
_URL_STRETCH = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*", re.I)  # the labels a domain runs over
_WEB = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)  # _URL's other alternatives
_WEB_LONGEST_START = len("https://")
_SPAM = re.compile(
    r"\b(?:buy now|order now|discount|promo code|coupon|click here|miracle cure|"
    r"guaranteed cure|100% cure|cure(?:s|d)? (?:it )?in \d+ days|limited offer|"
    r"dm me|message me for|whatsapp me|crypto|bitcoin|casino|earn \$|work from home|"
    r"special offer|free trial)\b",
    re.I,
)
_REPEATS = re.compile(r"(.)\1{5,}")


def screen(text: str) -> Screening:
    """Every flag in `text`, in order of position."""
    emails = list(_emails_in(text))
    flags = [
        *(Flag("email", m.start(), m.end(), m.group(), "an email address") for m in emails),
        *_phones(text),
        *_addresses(text),
        *_names(text),
        *_links(text, emails),
        *_spam(text),
        *_matches(crisis().words, text, "crisis", "words of self-harm or suicide"),
    ]
    return Screening(tuple(sorted(flags, key=lambda f: (f.start, f.kind))))


def redact(
    text: str, flags: tuple[Flag, ...] | list[Flag], kinds: Collection[str] = PERSONAL
) -> str:
    """`text` with the spans of the flags of `kinds` replaced by "[removed]"."""
    spans = sorted((f.start, f.end) for f in flags if f.kind in kinds)
    out, at = [], 0
    for start, end in spans:
        if end <= at:
            continue
        if start < at:  # overlapping flags: extend the removed span (one "[removed]")
            at = end
            continue
        out += [text[at:start], REMOVED]
        at = end
    return "".join([*out, text[at:]])


def only_removals(before: str, after: str) -> str:
    """'' when `after` is `before` with words deleted or replaced by "[removed]" (spacing
    aside); else the first words the edit adds."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, _, _, j1, j2 in matcher.get_opcodes():
        added = [token for token in new[j1:j2] if token != REMOVED]
        if op in ("replace", "insert") and added:
            return " ".join(added)
    return ""


_TOKEN = re.compile(r"\[removed\]|\w+|[^\w\s]")


def _matches(
    pattern: re.Pattern[str], text: str, kind: str, reason: str, group: int = 0
) -> Iterator[Flag]:
    for m in pattern.finditer(text):
        yield Flag(kind, m.start(group), m.end(group), m.group(group), reason)


def _emails_in(text: str) -> Iterator[re.Match[str]]:
    """Exactly `_EMAIL.finditer(text)`, in linear time. A match starts at the first
    character of a run of local-part characters followed by '@' (a match from inside the run
    would also match from its start, further left), or right where the last match ended."""
    position, after_match = 0, False
    while True:
        match = _EMAIL.match(text, position) if after_match else None
        if match is None:
            found = _EMAIL_RUN.search(text, position)
            if found is None:
                return
            match = _EMAIL.match(text, found.start())
            if match is None:  # no domain after the '@': the run after it may be a local part
                position, after_match = found.end(), False
                continue
        yield match
        position, after_match = match.end(), True


def _finditer(
    pattern: re.Pattern[str],
    text: str,
    start: re.Pattern[str],
    stretch: re.Pattern[str],
    inner: re.Pattern[str] | None = None,
) -> Iterator[re.Match[str]]:
    """Exactly `pattern.finditer(text)`, in time linear in the length of `text`.

    `start` finds where a match can begin. Where `pattern` fails at a position p, it fails
    at every start up to where `stretch` matched at p ends (each would scan the same
    characters again, which made finditer quadratic), except by `inner`, its alternatives
    that stay cheap: only those are tried there.
    """
    position, size = 0, len(text)
    while position <= size and (found := start.search(text, position)) is not None:
        at = found.start()
        match = pattern.match(text, at)
        if match is None:
            stretched = stretch.match(text, at)
            stop = max(stretched.end() if stretched else at, at + 1)
            match = _first(inner, text, at + 1, stop) if inner is not None else None
            if match is None:
                position = stop
                continue
        yield match
        position = max(match.end(), match.start() + 1)


def _first(pattern: re.Pattern[str], text: str, low: int, high: int) -> re.Match[str] | None:
    """The first match of `pattern` (_WEB) that starts in [low, high), however far it runs."""
    while low < high:
        found = pattern.search(text, low, high + _WEB_LONGEST_START)  # ends may be cut short
        if found is None or found.start() >= high:
            return None
        match = pattern.match(text, found.start())  # the whole of it
        if match is not None:
            return match
        low = found.start() + 1
    return None


def _phones(text: str) -> Iterator[Flag]:
    for m in _PHONE.finditer(text):
        number = m.group().strip(" .-")
        digits = sum(c.isdigit() for c in number)
        if _YEARS.match(number) or digits < 7:
            continue
        cue = _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()])
        if digits >= 9 or cue:
            yield Flag("phone", m.start(), m.start() + len(number), number, "a phone number")


def _addresses(text: str) -> Iterator[Flag]:
    yield from _matches(_ADDRESS, text, "address", "a street address")
    yield from _matches(_POSTCODE, text, "address", "a postcode or ZIP code")


def _names(text: str) -> Iterator[Flag]:
    for m in _TITLE_NAME.finditer(text):
        if not _NOT_NAMES.intersection(m.group().split()):
            yield Flag("name", m.start(), m.end(), m.group(), "a named person")
    for m in _RELATION_NAME.finditer(text):
        if not _NOT_NAMES.intersection(m.group(1).split()):
            yield Flag("name", m.start(1), m.end(1), m.group(1), "another person's full name")


def _links(text: str, emails: list[re.Match[str]]) -> Iterator[Flag]:
    starts = [m.start() for m in emails]  # in order, not overlapping
    for m in _finditer(_URL, text, _URL_START, _URL_STRETCH, _WEB):
        inside = bisect_right(starts, m.start()) - 1
        if inside >= 0 and m.start() < emails[inside].end():
            continue  # the domain of an email address
        yield Flag("link", m.start(), m.end(), m.group(), "a web address")


def _spam(text: str) -> Iterator[Flag]:
    yield from _matches(_SPAM, text, "spam", "an advertising phrase")
    yield from _matches(_REPEATS, text, "spam", "a character repeated many times")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 40 and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        yield Flag("spam", 0, len(text), text[:40], "mostly capital letters (shouting)")
