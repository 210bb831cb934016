"""Automatic screening of a post before a moderator sees it (pure Python, no Django).

    screen(text) -> Screening     the flags found, each with kind, span and reason
    redact(text, flags) -> str    the personal data in `flags` replaced by "[removed]"
    only_removals(before, after)  '' when a hand edit only deletes or puts "[removed]"

Kinds:
    email, phone, address, name   personal data (a moderator may edit it out)
    link                          web addresses (members share experience, not sites)
    spam                          advertising phrases, shouting, repeated characters
    crisis                        words of self-harm: the member sees crisis resources at
                                  once and the post is held for a moderator

Screening informs moderators; it never publishes or rejects by itself. The rules favour
recall for crisis language (a false alarm costs a moderator a minute) and precision for
the rest (common health phrases like "200 mg", "1-5 years" or "Dr appointments" pass).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

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

    def to_list(self) -> list[dict]:
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
_SPAM = re.compile(
    r"\b(?:buy now|order now|discount|promo code|coupon|click here|miracle cure|"
    r"guaranteed cure|100% cure|cure(?:s|d)? (?:it )?in \d+ days|limited offer|"
    r"dm me|message me for|whatsapp me|crypto|bitcoin|casino|earn \$|work from home|"
    r"special offer|free trial)\b",
    re.I,
)
_REPEATS = re.compile(r"(.)\1{5,}")
_CRISIS = re.compile(
    r"\b(?:kill(?:ing)? myself|end(?:ing)? (?:it all|my life|my own life)|"
    r"suicid(?:e|al)|take my (?:own )?life|want(?:ed)? to die|wish i (?:was|were) dead|"
    r"better off dead|(?:don'?t|do not) want to (?:live|be here|be alive)|"
    r"no (?:reason|point) (?:to|in) (?:living|live|going on)|"
    r"(?:hurt|harm|cut)(?:ing)? myself|self[- ]harm(?:ing)?|"
    r"(?:take|took|swallow(?:ed)?) all (?:of )?my (?:pills|tablets|meds))",
    re.I,
)


def screen(text: str) -> Screening:
    """Every flag in `text`, in order of position."""
    flags = [
        *_emails(text),
        *_phones(text),
        *_addresses(text),
        *_names(text),
        *_links(text),
        *_spam(text),
        *_matches(_CRISIS, text, "crisis", "words of self-harm or suicide"),
    ]
    return Screening(tuple(sorted(flags, key=lambda f: (f.start, f.kind))))


def redact(text: str, flags: tuple[Flag, ...] | list[Flag], kinds=PERSONAL) -> str:
    """`text` with the spans of the flags of `kinds` replaced by "[removed]"."""
    spans = sorted((f.start, f.end) for f in flags if f.kind in kinds)
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlapping flags: extend the removed span
            start = at
        if end <= at:
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


def _matches(pattern: re.Pattern, text: str, kind: str, reason: str, group: int = 0):
    for m in pattern.finditer(text):
        yield Flag(kind, m.start(group), m.end(group), m.group(group), reason)


def _emails(text: str):
    yield from _matches(_EMAIL, text, "email", "an email address")


def _phones(text: str):
    for m in _PHONE.finditer(text):
        number = m.group().strip(" .-")
        digits = sum(c.isdigit() for c in number)
        if _YEARS.match(number) or digits < 7:
            continue
        cue = _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()])
        if digits >= 9 or cue:
            yield Flag("phone", m.start(), m.start() + len(number), number, "a phone number")


def _addresses(text: str):
    yield from _matches(_ADDRESS, text, "address", "a street address")
    yield from _matches(_POSTCODE, text, "address", "a postcode or ZIP code")


def _names(text: str):
    for m in _TITLE_NAME.finditer(text):
        if not _NOT_NAMES.intersection(m.group().split()):
            yield Flag("name", m.start(), m.end(), m.group(), "a named person")
    for m in _RELATION_NAME.finditer(text):
        if not _NOT_NAMES.intersection(m.group(1).split()):
            yield Flag("name", m.start(1), m.end(1), m.group(1), "another person's full name")


def _links(text: str):
    emails = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
    for m in _URL.finditer(text):
        if any(s <= m.start() < e for s, e in emails):
            continue
        yield Flag("link", m.start(), m.end(), m.group(), "a web address")


def _spam(text: str):
    yield from _matches(_SPAM, text, "spam", "an advertising phrase")
    yield from _matches(_REPEATS, text, "spam", "a character repeated many times")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 40 and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        yield Flag("spam", 0, len(text), text[:40], "mostly capital letters (shouting)")
