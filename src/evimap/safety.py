"""Safety checks on a question: red flags that need urgent care, requests for personal advice.

    check(text) -> SafetyCheck
    crisis() -> Crisis            crisis words and lines, for community screening too

Everything it looks for is data (data/red_flags.yaml, read once by `_data`): emergency
categories (heart attack, stroke, breathing, suicide and self-harm, anaphylaxis, bleeding,
poisoning, meningitis, sepsis, fever in a young baby, seizure, unconsciousness, head injury,
pregnancy, sudden headache), each with single `signs` or groups that must occur `together`,
and the notice to show first; and kinds of personal advice (diagnosis, dose, decision) with a
"see a clinician" framing. The crisis words and crisis lines exist there once: the suicide
category fires on the words and its notice gives the lines; community screening holds a post
with any of the words and shows its member the same lines.

A red flag counts only where someone describes it happening: in a window of two sentences
that names a person or the present, or in a message not phrased as a question; not when
negated ("no chest pain"), hypothetical ("what should I do if..."), educational ("what are
the signs of a stroke?") or only in the past ("had a stroke three years ago").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from evimap.datafiles import read_yaml

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_QUESTION_START = re.compile(
    r"^\W*(?:what|how|why|when|where|which|who|is|are|can|could|should|does|do|will)\b",
    re.IGNORECASE,
)
NEGATION_REACH = 40  # characters before a match searched for a negation
MAX_MATCHES = 50  # matches of one pattern considered (bounded work on long texts)


@dataclass(frozen=True, slots=True)
class RedFlag:
    """One emergency sign found in the text."""

    category: str  # cardiac, stroke, suicide... (data/red_flags.yaml)
    label: str  # "possible stroke"
    text: str  # the words that matched
    span: tuple[int, int]  # where they are in the checked text


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    """Whether an answer must start with an emergency notice or a "see a clinician" line."""

    emergency: bool = False  # red flags of something happening now
    red_flags: tuple[RedFlag, ...] = ()  # what was found, one per category
    notice: str = ""  # the text to show before anything else ("" when no emergency)
    personal_advice: bool = False  # asks for a diagnosis, a dose or a decision for someone
    advice: tuple[str, ...] = ()  # which: diagnosis, dose, decision
    framing: str = ""  # the "see a clinician" line to show with the answer

    def to_dict(self) -> dict:
        return {
            "emergency": self.emergency,
            "red_flags": [
                {"category": f.category, "label": f.label, "text": f.text, "span": list(f.span)}
                for f in self.red_flags
            ],
            "notice": self.notice,
            "personal_advice": self.personal_advice,
            "advice": list(self.advice),
            "framing": self.framing,
        }


@dataclass(frozen=True, slots=True)
class Crisis:
    """Words of suicide or self-harm, and where to get help now (data/red_flags.yaml `crisis`)."""

    category: str  # the red-flag category that fires on `words` ("suicide")
    words: re.Pattern[str]  # any of the crisis words, case-insensitive
    lines: tuple[str, ...]  # crisis lines, one sentence each; what to do in danger last


@dataclass(frozen=True, slots=True)
class _Category:
    name: str
    label: str
    notice: str
    signs: tuple[re.Pattern[str], ...]
    together: tuple[tuple[re.Pattern[str], ...], ...]


@dataclass(frozen=True, slots=True)
class _Rules:
    categories: tuple[_Category, ...]
    situated: re.Pattern[str]
    hypothetical: re.Pattern[str]
    past: re.Pattern[str]
    present: re.Pattern[str]
    negation: re.Pattern[str]
    advice: tuple[tuple[str, str, tuple[re.Pattern[str], ...]], ...]


@cache
def _data() -> dict:
    """data/red_flags.yaml: every word list and text of the safety checks, read once."""
    return read_yaml("red_flags.yaml")


@cache
def crisis() -> Crisis:
    """The crisis words and lines, used by `check` and by community screening alike."""
    data = _data()
    spec = data["crisis"]
    danger = spec["danger"].format(emergency_lower=_emergency(data)[1])
    return Crisis(
        category=spec["category"],
        words=_any_of(spec["words"], re.IGNORECASE)[0],
        lines=tuple(" ".join(line.split()) for line in [*spec["lines"], danger]),
    )


def _emergency(data: dict) -> tuple[str, str]:
    """The emergency-number sentence, as it starts a sentence and as it goes on one."""
    emergency = " ".join(data["emergency_number"].split())
    return emergency, emergency[0].lower() + emergency[1:]


@cache
def _rules() -> _Rules:
    data, words = _data(), crisis()
    flags = re.IGNORECASE

    def guard(name: str) -> re.Pattern[str]:
        return re.compile(data[name], flags | re.VERBOSE)

    emergency, lower = _emergency(data)
    categories = tuple(
        _Category(
            name=name,
            label=spec["label"],
            notice=" ".join(spec["notice"].split()).format(
                emergency=emergency, emergency_lower=lower, crisis_lines=" ".join(words.lines)
            ),
            signs=_signs(name, spec, words, flags),
            together=tuple(tuple(_any_of(group, flags)) for group in spec.get("together", ())),
        )
        for name, spec in data["categories"].items()
    )
    advice = tuple(
        (
            kind,
            " ".join(spec["framing"].split()),
            tuple(re.compile(p, flags) for p in spec["patterns"]),
        )
        for kind, spec in data["personal_advice"].items()
    )
    return _Rules(
        categories,
        guard("situated"),
        guard("hypothetical"),
        guard("past"),
        guard("present"),
        guard("negation"),
        advice,
    )


def _signs(name: str, spec: dict, words: Crisis, flags: int) -> tuple[re.Pattern[str], ...]:
    """A category's signs; the crisis category's are the crisis words (one copy, in `crisis`)."""
    if name == words.category:
        return (words.words,)
    return tuple(_any_of(spec.get("signs", ()), flags))


def _any_of(patterns: list[str], flags: int) -> list[re.Pattern[str]]:
    """One pattern matching any of `patterns` (one scan of the text instead of many)."""
    return [re.compile("|".join(f"(?:{p})" for p in patterns), flags)] if patterns else []


def topics(check: SafetyCheck) -> tuple[str, ...]:
    """What sources about each red flag of `check` are about ("poisoning", "stroke")."""
    found = (_topics().get(flag.category, "") for flag in check.red_flags)
    return tuple(dict.fromkeys(t for t in found if t))


@cache
def _topics() -> dict[str, str]:
    return {name: spec.get("topic", "") for name, spec in _data()["categories"].items()}


@cache
def act_now() -> re.Pattern[str]:
    """Source sentences that tell a reader to act at once (data/red_flags.yaml `act_now`)."""
    return re.compile(_data()["act_now"], re.IGNORECASE | re.VERBOSE)


def categories() -> dict[str, str]:
    """Every red-flag category and its label."""
    return {c.name: c.label for c in _rules().categories}


def check(text: str) -> SafetyCheck:
    """Red flags and personal-advice requests in `text` (bounded by the caller's cut)."""
    rules = _rules()
    scan = _Text(text, rules)
    flags = [f for c in rules.categories if (f := scan.find(c)) is not None]
    kinds = [
        (kind, framing)
        for kind, framing, patterns in rules.advice
        if any(p.search(text) for p in patterns)
    ]
    notice = " ".join(dict.fromkeys(_notice(f.category) for f in flags))
    return SafetyCheck(
        emergency=bool(flags),
        red_flags=tuple(flags),
        notice=notice,
        personal_advice=bool(kinds),
        advice=tuple(kind for kind, _ in kinds),
        framing=kinds[0][1] if kinds else "",
    )


def _notice(name: str) -> str:
    return next(c.notice for c in _rules().categories if c.name == name)


class _Text:
    """A text split in sentences; each pattern is run once over the whole text."""

    def __init__(self, text: str, rules: _Rules) -> None:
        self.text = text
        self.rules = rules
        spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
        self.sentences = spans or [(0, len(text))]
        self.starts = [s for s, _ in self.sentences]
        self.asking = "?" in text or bool(_QUESTION_START.match(text))

    def find(self, category: _Category) -> RedFlag | None:
        """The first sign (or full group) of `category` somewhere it is happening now."""
        for pattern in category.signs:
            for match in self._matches(pattern):
                if any(self._situated(w) for w in self._windows(match.start())):
                    return RedFlag(category.name, category.label, match.group(), match.span())
        if not category.together:
            return None
        groups = [[m for p in group for m in self._matches(p)] for group in category.together]
        if not all(groups):
            return None
        for first in groups[0]:
            for start, end in self._windows(first.start()):
                near = [next((m for m in g if start <= m.start() < end), None) for g in groups]
                inside = [m for m in near if m is not None]
                if len(inside) == len(near) and self._situated((start, end)):
                    lo, hi = min(m.start() for m in inside), max(m.end() for m in inside)
                    return RedFlag(category.name, category.label, self.text[lo:hi], (lo, hi))
        return None

    def _matches(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        found = []
        for match in pattern.finditer(self.text):
            sentence_start = self.starts[bisect_right(self.starts, match.start()) - 1]
            before = self.text[max(sentence_start, match.start() - NEGATION_REACH) : match.start()]
            if not self.rules.negation.search(before):
                found.append(match)
                if len(found) >= MAX_MATCHES:
                    break
        return found

    def _windows(self, position: int) -> list[tuple[int, int]]:
        """The two-sentence windows holding `position`: with the sentence before, and after."""
        k = bisect_right(self.starts, position) - 1
        spans = self.sentences
        windows = [(spans[k][0], spans[min(k + 1, len(spans) - 1)][1])]
        if k > 0:
            windows.insert(0, (spans[k - 1][0], spans[k][1]))
        return windows

    def _situated(self, window: tuple[int, int]) -> bool:
        return _situated(self.text[window[0] : window[1]], self.asking, self.rules)


def _situated(window: str, asking: bool, rules: _Rules) -> bool:
    """Someone is going through it now, as far as the words tell."""
    now = rules.present.search(window)
    if not now and (rules.hypothetical.search(window) or rules.past.search(window)):
        return False
    return bool(rules.situated.search(window)) or not asking
