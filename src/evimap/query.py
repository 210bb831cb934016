"""What a question asks, in the terms composition scores sentences by.

query_of(question, analysis)    Query: its parts, each with weighted aspects, the focus,
                                and the words no trusted source contains
Tokens.of(sentence)             a sentence's words and stems, computed once
themes()                        data/answer_themes.yaml: cue words and sub-headings by type
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib.resources import files

import yaml

from evimap.embeddings import common_words
from evimap.questions import asking_words, is_request, pointing_back, story_words
from evimap.text import stem, stopwords, words

SHORT_ASK = 4  # a part asking this few words beside focus and type: a sentence needs one
LONG_ASK = 8  # a part asking more words than this tells a story: an unknown one is noise
RARE_WEIGHT = 7.0  # idf of a word in about 1 of 1,000 documents or fewer


@dataclass(frozen=True, slots=True)
class Aspect:
    """One thing asked beside the focus: interchangeable word stems ("flares": flare,
    relapse, exacerbation), a weight (rarer words weigh more), and whether the word names the
    kind of question ("outlook", "treated"), so any sentence of that kind covers it."""

    weight: float
    stems: frozenset[str]
    names_type: bool = False
    narrows: bool = False  # part of the subject's name ("MS flares"): every statement needs it
    word: str = ""  # the word as asked


@dataclass(frozen=True, slots=True)
class Part:
    """One question of a message, with what it asks beside the focus and its type."""

    aspects: tuple[Aspect, ...]
    qtype: str
    yes_no: bool = False  # "Do vaccines cause autism?": the answer starts with yes or no
    request: bool = False  # "Please help me with my brother in Martinique": not a question

    @property
    def asked(self) -> tuple[Aspect, ...]:
        """What is asked beside the focus and the type."""
        return tuple(a for a in self.aspects if not a.names_type)

    @property
    def short(self) -> bool:
        """A few words asked, all of them meant ("pizza toppings for gout"); a plea for help
        is not such a question, its words tell a story ("my brother", "Martinique")."""
        return 0 < len(self.asked) <= SHORT_ASK and not self.request

    @property
    def narrowing(self) -> tuple[Aspect, ...]:
        return tuple(a for a in self.aspects if a.narrows)

    @property
    def rare(self) -> tuple[Aspect, ...]:
        """A short question's rare words (in few documents): an answer must speak of them."""
        return tuple(a for a in self.asked if a.weight >= RARE_WEIGHT) if self.short else ()


@dataclass(frozen=True, slots=True)
class Query:
    """What composition needs from a question: its parts, focus and what no source knows."""

    text: str
    parts: tuple[Part, ...]
    focus: tuple[str, ...]  # focus names and synonyms, lower-cased, the main name first
    unknown: tuple[str, ...] = ()  # words asked about that no trusted source contains

    @property
    def qtype(self) -> str:
        return self.parts[0].qtype if self.parts else "definition"

    @property
    def narrowing(self) -> tuple[Aspect, ...]:
        """What names the part of the focus asked about ("flares" of MS), in every part."""
        return tuple(a for part in self.parts for a in part.aspects if a.narrows)

    def narrowed_by(self, other: Query) -> Query:
        """This question about `other`'s whole subject: a follow-up ("how are they treated?")
        on a page about MS flares asks about MS flares, not MS."""
        extra = other.narrowing
        if not extra:
            return self
        parts = tuple(replace(p, aspects=(*p.aspects, *extra)) for p in self.parts)
        return replace(self, parts=parts, focus=self.focus or other.focus)

    @property
    def subject(self) -> str:
        """The focus and the words that narrow it: "multiple sclerosis flares"."""
        words_ = [a.word for a in self.narrowing]
        return " ".join([*self.focus[:1], *dict.fromkeys(words_)])


def query_of(
    question: str,
    analysis: object | None = None,
    *,
    frequency: Callable[[str], int] | None = None,
    documents: int = 0,
) -> Query:
    """What is asked about what, from the question and, when given, its analysis.

    Each question part (story sentences left out) gives its own aspects. `frequency(word)`
    (documents containing it; -1 for none but a near spelling) weighs each asked word by its
    rarity (BM25 idf) and finds words no trusted source contains.
    """
    focus_names, lay_terms = _from_analysis(analysis)
    focus_words = {stem(w) for name in focus_names for w in words(name)}
    unknown: list[str] = []
    unheard: list[str] = []  # English words in no document: unknown only in a short question

    def weigh(word: str) -> float | None:
        found = frequency(word) if frequency else 1
        pieces = word.split("-") if "-" in word and frequency else [word]
        if len(pieces) > 1:  # "Pellridge-Omsk": a name no source holds, whatever "Omsk" is
            found = min([found, *(frequency(p) for p in pieces if len(p) >= 4)])
        missing = [p for p in pieces if len(p) >= 4 and (frequency(p) if frequency else 1) == 0]
        if found == 0 and any(not _everyday(p) for p in missing or [word] if len(p) >= 4):
            unknown.append(word)
        elif found == 0 and len(word) >= 4 and word in common_words():
            unheard.append(word)
        return None if found <= 0 else (_idf(found, documents) if frequency else 1.0)

    parts = []
    texts = []
    named: list[str] = []  # words no source holds, in parts where they are what is asked
    for text, qtype, near in _parts_of(question, analysis):
        texts.append(text)
        unheard.clear()
        unknown.clear()
        part = _part(_asked(_corrected(text, analysis)), qtype, focus_words, lay_terms, weigh, near)
        if unheard and len(part.asked) + len(unheard) <= SHORT_ASK:
            unknown.extend(unheard)  # "jazz" in a four-word question is what it asks about
        if _asks_unknown(part, len(unknown), bool(focus_names)):
            named.extend(unknown)
        parts.append(part)
    if not focus_names:
        parts = _about_the_first(parts, texts)
    names = tuple(dict.fromkeys(n for n in focus_names if n))
    return Query(question, tuple(parts), names, tuple(dict.fromkeys(named)))


def _about_the_first(parts: list[Part], texts: list[str]) -> list[Part]:
    """In a message without a known focus, a later part that points back ("will it prolapse
    again?") asks about the first part's subject too ("vaginal repair"): its words join."""
    if len(parts) < 2 or not parts[0].asked:
        return parts
    first = parts[0].asked
    joined = [parts[0]]
    for part, text in zip(parts[1:], texts[1:], strict=False):
        if _points_back(text):
            own = {a.stems for a in part.aspects}
            extra = tuple(a for a in first if a.stems not in own)
            part = replace(part, aspects=(*part.aspects, *extra))
        joined.append(part)
    return joined


def _points_back(text: str) -> bool:
    return bool(pointing_back() & set(words(text)))


def _asks_unknown(part: Part, unknown: int, focus: bool) -> bool:
    """Whether words no trusted source holds are what a part asks about: without a known
    focus ("Does Pellridge-Omsk syndrome cause hair loss?"), or among a few asked words
    ("Can I take zorbolix with metformin?"). In a long message about a known condition,
    such a word is noise (a browser's name, a brand, a typo): the rest is still answered."""
    return unknown > 0 and (not focus or len(part.asked) + unknown <= LONG_ASK)


def _part(
    text: str,
    qtype: str,
    focus_words: set[str],
    lay_terms: Sequence[object],
    weigh: Callable[[str], float | None],
    near: frozenset[str] = frozenset(),
) -> Part:
    groups: dict[str, set[str]] = {}
    weights: dict[str, float] = {}
    asked: dict[str, str] = {}
    for word in words(text):
        key = stem(word)
        if word in asking_words() or word in story_words() or word in stopwords():
            continue
        if len(word) < 3 or _misspelt_ask(word):
            continue
        if key in focus_words or key in groups:
            continue
        weight = weigh(word)
        if weight is not None:
            groups[key], weights[key], asked[key] = {key}, weight, word
    for term in lay_terms:
        key = next((stem(w) for w in words(term.text) if stem(w) in groups), None)
        if key is not None:
            groups[key] |= {stem(w) for phrase in term.clinical for w in words(phrase)}
    cues = tuple(themes().get(qtype, {}).get("cues", ()))
    in_phrase = _phrase_words(text, cues)
    aspects = []
    for key, alts in groups.items():
        names_type = bool(cues) and (mentions(key, cues) or key in in_phrase)
        narrows = key in near and not names_type
        aspects.append(Aspect(weights[key], frozenset(alts), names_type, narrows, asked[key]))
    request = not text.rstrip().endswith("?") and is_request(text)
    return Part(tuple(aspects), qtype, bool(_YES_NO.match(text)), request)


def _phrase_words(text: str, cues: tuple[str, ...]) -> set[str]:
    """Stems of the words of a cue of several words the text holds ("side effects"): each
    names the type, none is asked on its own (a study of metformin's "effects" on
    inflammation does not answer its side effects)."""
    lower = " ".join(words(text))
    phrases = [c.lower().rstrip("*") for c in cues if " " in c]
    return {stem(w) for p in phrases if p in lower for w in words(p)}


def _parts_of(question: str, analysis: object | None) -> list[tuple[str, str, frozenset[str]]]:
    text = getattr(analysis, "text", question)
    concepts = getattr(analysis, "focus", ())
    parts = [
        (p.text, p.qtype, _narrowing(text, getattr(p, "span", (0, 0)), concepts))
        for p in getattr(analysis, "parts", ())
    ]
    return parts or [(question, getattr(analysis, "qtype", "") or "definition", frozenset())]


_YES_NO = re.compile(
    r"^\W*(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|may|might)\s+"
    # a request is not a yes/no question: "would like to know ...", "can you tell me ..."
    r"(?!(?:like|love|appreciate)\b|(?:you|u)\s+(?:please\s+)?(?:tell|help|send|explain|give|"
    r"advise|suggest|recommend|provide|let|share|point)\b)",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"\s*([a-z][a-z-]{2,})\b")
_WORD_BEFORE = re.compile(r"\b([a-z][a-z-]{2,})\s+(?:of|in)\s+(?:the\s+|my\s+|your\s+)?$")


def _narrowing(text: str, span: tuple[int, int], concepts: Sequence[object]) -> frozenset[str]:
    """Stems of the words that name a part of a focus named in this part: the word right
    after the focus ("MS flares") or the word of "X of/in FOCUS" ("relapses in MS")."""
    start, end = span
    found: set[str] = set()
    for concept in concepts:
        c_start, c_end = getattr(concept, "span", (0, 0))
        if not (start <= c_start and c_end <= end) or c_end <= c_start:
            continue
        after = _NEXT_WORD.match(text[c_end:end].lower())
        before = _WORD_BEFORE.search(text[start:c_start].lower())
        if after and _part_word(after.group(1)):
            found.add(stem(after.group(1)))
        if before and _part_word(before.group(1)) and not _type_word(before.group(1)):
            found.add(stem(before.group(1)))
    return frozenset(found)


def _part_word(word: str) -> bool:
    """A word that names a part or phase of a condition (data/vocabulary.yaml)."""
    return _content(word) and word in _subject_parts()


@cache
def _subject_parts() -> frozenset[str]:
    from evimap.vocabulary.words import config

    return frozenset(config()["subject_parts"].split())


def _content(word: str) -> bool:
    return word not in asking_words() and word not in stopwords() and word not in _NOT_A_PART


def _type_word(word: str) -> bool:
    """A word that names a kind of question ("effects of X", "treatment of X")."""
    return any(mentions(word, tuple(spec.get("cues", ()))) for spec in themes().values())


_NOT_A_PART = frozenset(
    "and or but patients patient people person persons someone somebody anyone everyone "
    "man men woman women child children kid kids baby babies adult adults teen teens those "
    "living disease diseases condition conditions disorder disorders syndrome symptoms "
    "symptom effect effects side risk risks type types kind kinds form forms problem problems "
    "issue issues trouble troubles patient sufferer sufferers".split()
)


_EMBEDDED = re.compile(
    r"\b(?:wonder(?:ing)?|know|tell (?:me|us)|ask(?:ing)?|curious|understand|explain|"
    r"find out|learn)\s+(?:about\s+)?(?=(?:what|why|how|which|when|whether|if|where|who)\b)",
    re.IGNORECASE,
)


def _asked(text: str) -> str:
    """The question inside "I keep getting headaches and I wonder what causes migraines"."""
    matches = list(_EMBEDDED.finditer(text))
    return text[matches[-1].end() :] if matches else text


def _from_analysis(analysis: object | None) -> tuple[list[str], Sequence[object]]:
    """The focus's names: each concept's name, synonyms and the words that named it, less
    an everyday word standing for a longer name ("cold" for "common cold": "cold urticaria"
    and "cold sores" are not about a cold), unless it was written as an abbreviation."""
    names: list[str] = []
    concepts = tuple(getattr(analysis, "focus", ()))
    for concept in concepts:
        if not _same_family(concept, concepts[0]):
            continue  # "after the antibiotics" in a question about Lyme disease: asked words
        names.append(concept.name.lower())
        written = _ARTICLE.sub("", getattr(concept, "text", ""))
        if written and (written.isupper() or not _everyday_alias(written, concept.name)):
            names.append(written.lower())
        for name in getattr(concept, "synonyms", ()):
            if name.isupper() or not _head_alias(name, concept.name):
                names.append(name.lower())
    return names, getattr(analysis, "lay_terms", ())


_ARTICLE = re.compile(r"^(?:a|an|the|my|your|his|her|our|their)\s+", re.IGNORECASE)
_FAMILIES = ({"condition", "symptom"}, {"drug", "supplement", "vaccine"})


def _same_family(concept: object, first: object) -> bool:
    """Whether `concept` is a focus beside the first one: conditions with conditions, drugs
    with drugs ("ibuprofen and warfarin"); a drug named in a question about a condition is
    something asked about it, not a second subject."""
    if concept is first:
        return True
    kinds = getattr(concept, "kind", None), getattr(first, "kind", None)
    if None in kinds:
        return True
    return kinds[0] == kinds[1] or any(set(kinds) <= family for family in _FAMILIES)


def _everyday_alias(name: str, main: str) -> bool:
    """An everyday word that is a part of the longer name ("cold" of "common cold"), not a
    word the reader used for a concept named otherwise ("dementia")."""
    one = name.lower()
    return (
        len(name.split()) == 1 < len(main.split())
        and one in main.lower().split()
        and (one in common_words())
    )


def _head_alias(name: str, main: str) -> bool:
    """A one-word synonym of a longer name ("dermatitis" for "atopic dermatitis"): other
    conditions share it ("dermatitis herpetiformis"), so it does not name this one."""
    return len(name.split()) == 1 < len(main.split())


def _corrected(question: str, analysis: object | None) -> str:
    for written, read_as in getattr(analysis, "corrections", ()):
        question = question.replace(written, read_as)
    return question


def _misspelt_ask(word: str) -> bool:
    """ "wat", "wht", "hw": a question word misspelt, not something asked about."""
    return len(word) <= 4 and any(
        _within(word, q, 1) for q in _ASKING if abs(len(q) - len(word)) <= 1
    )


_ASKING = ("what", "how", "why", "when", "where", "which")


def _everyday(word: str) -> bool:
    """A word a person writes in passing, or misspells, which no trusted source needs to
    contain: an English word ("sorry"), one an edit from one ("jonts"; two edits for words
    of ten letters or more: "prescripions"), two joined
    ("hotflashes"), or anything with digits ("15yrs")."""
    common = common_words()
    if word in common or any(c.isdigit() for c in word) or not common:
        return True
    if any(word[:i] in common and word[i:] in common for i in range(3, len(word) - 2)):
        return True
    edits = 1 if len(word) < 10 else 2
    return any(_within(word, other, edits) for other in _by_prefix(common).get(word[:3], ()))


@cache
def _by_prefix(common: frozenset[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for word in common:
        if len(word) >= 4:
            table.setdefault(word[:3], []).append(word)
    return table


def _within(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance between `a` and `b` is at most `limit` (banded)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _idf(found: int, documents: int) -> float:
    """BM25's idf: rare words weigh more ("pizza" over "people")."""

    total = max(documents, found)
    return math.log(1 + (total - found + 0.5) / (found + 0.5))


@cache
def themes() -> dict:
    return yaml.safe_load((files("evimap") / "data" / "answer_themes.yaml").read_text())


@dataclass(frozen=True, slots=True)
class Tokens:
    """A sentence's words and their stems, computed once per sentence."""

    words: tuple[str, ...]
    stems: frozenset[str]
    _mentions: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def joined(self) -> str:
        """The words, one space between: a prefix test is one pattern search over it."""
        return " ".join(self.words)

    @classmethod
    def of(cls, text: str) -> Tokens:
        return _tokens(text)

    def mention(self, cues: tuple[str, ...]) -> bool:
        """Whether a cue word is here; "trigger*" matches every word starting "trigger"
        (remembered: one sentence is tested against the same cues many times)."""
        found = self._mentions.get(cues)
        if found is None:
            exact = cue_sets(cues)[1]
            starts = _cue_starts(cues)
            found = bool(exact & self.stems) or bool(starts and starts.search(self.joined))
            self._mentions[cues] = found
        return found


@lru_cache(maxsize=100_000)
def _tokens(text: str) -> Tokens:
    found = tuple(words(text))
    return Tokens(found, frozenset(stem(w) for w in found))


def mentions(text: str, cues: tuple[str, ...]) -> bool:
    return Tokens.of(text).mention(cues)


@cache
def cue_sets(cues: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    prefixes = tuple(c[:-1] for c in cues if c.endswith("*"))
    exact = frozenset(stem(c) for c in cues if not c.endswith("*") and " " not in c)
    return prefixes, exact


@cache
def cue_phrases(cues: tuple[str, ...]) -> tuple[str, ...]:
    """The cues of several words ("over time", "is a"): whole phrases, never their words
    one by one (a sentence with "a" does not define anything)."""
    return tuple(" ".join(c.lower().split()) for c in cues if " " in c and not c.endswith("*"))


@cache
def _cue_starts(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    """A word starting with a prefix cue ("trigger*") or a phrase cue ("over time"), as one
    pattern over a sentence's joined words (None: the cues have neither)."""
    prefixes, phrases = cue_sets(cues)[0], cue_phrases(cues)
    if not prefixes and not phrases:
        return None
    alternatives = [*map(re.escape, prefixes), *(re.escape(p) + r"(?!\S)" for p in phrases)]
    return re.compile(r"(?<!\S)(?:" + "|".join(alternatives) + ")")
