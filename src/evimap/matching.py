"""Question entailment: the trusted sources' own questions that a reader's question entails.

    entailed(query, retrieved)  ->  [Match]     the best source question per question part

A source question (MedQuAD's typed questions) answers a part of the reader's question when

- it is about the same focus (its focus or title names one of the focus's names, as words);
- it asks the same type (its own type label, mapped by data/question_types.tsv);
- it names what narrows the subject ("MS flares" needs relapse, flare or exacerbation), so
  "What causes MS?" never answers "What causes MS flares?";
- its answer is prose that can be quoted (not only a list of links).

Among those, the best leads the answer: retrieval rank, how much of the rest of the question
its own words cover, and how much quotable prose its answer has. This is the question
entailment approach (Ben Abacha and Demner-Fushman, 2019): a trusted answer to an entailed
question is a trusted answer to the reader's question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from evimap.datafiles import read_yaml
from evimap.evidence import Document
from evimap.query import Aspect, Part, Query, Tokens
from evimap.quotable import names_its_page, statement
from evimap.text import stem, words

MIN_SENTENCES = 2  # quotable sentences an answer needs to lead
PROSE_COUNTED = 10  # a source's statements count towards its match up to this many
SAME_SUBJECT = 1.0  # a source question about the focus itself, over one about a neighbour
LABEL_FITS = 0.5  # a source question whose own label the reader's words cue (inheritance)
READERS_NAME = 1.0  # ... and more when it is the name the reader used (half: the main name)
UNASKED = 2.0  # a source's own question about the focus, before a document merely titled so


@dataclass(frozen=True, slots=True)
class Match:
    """A source document whose own question the reader's question part entails."""

    doc: Document
    part: int  # index of the question part it answers
    score: float


def entailed(query: Query, retrieved: Sequence[object]) -> list[Match]:
    """The best entailed source question for each part of `query`, best part first."""
    best: dict[int, Match] = {}
    for rank, hit in enumerate(retrieved):
        doc: Document = hit.document  # type: ignore[attr-defined]
        own = doc.question
        if own is None or not own.qtype:
            continue
        same = same_subject(doc, query.focus, query.text)
        if not same:
            continue  # "How common is psoriatic arthritis?" does not answer psoriasis's
        for index, part in enumerate(query.parts):
            if not entails(query, part, _about(doc), source_type(doc)):
                continue
            score = _score(doc, part, rank, same)
            if score is not None and _label_fits(doc, query.text):
                score += LABEL_FITS
            if score is not None and score > best.get(index, Match(doc, index, -1.0)).score:
                best[index] = Match(doc, index, score)
    return sorted(best.values(), key=lambda m: m.part)


def _label_fits(doc: Document, text: str) -> bool:
    """Whether the reader's words cue the source question's own label, where our type
    holds several (data/source_questions.yaml): "chances our next child" -> inheritance."""
    cues = _label_cues().get(doc.question.qtype.strip().lower(), ()) if doc.question else ()
    return bool(cues) and Tokens.of(text).mention(tuple(cues))


@cache
def _label_cues() -> dict[str, list[str]]:
    return read_yaml("source_questions.yaml")


def entails(query: Query, part: Part, source: str, source_type: str) -> bool:
    """Whether a source question answers a part of the reader's: `source` (its words, focus
    and the focus's names) names the reader's focus, whatever narrows it and the rare words
    of a short question ("pizza" toppings for gout), and it asks the same type
    (`source_type`, one of ours)."""
    if source_type != part.qtype or not names_focus(source, query.focus):
        return False
    said = _stems(source)
    return all(a.stems & said for a in (*part.narrowing, *part.rare))


def nearest(query: Query, retrieved: Sequence[object]) -> Match | None:
    """The best source question about the focus whatever type it asks: what the sources
    say about the subject when none answers the question itself (said to be so): a source
    question about the focus itself, not a neighbour holding its name. Where no source asks
    a question about it, a study or guideline whose title names the focus."""
    if not query.focus:
        return None
    best: Match | None = None
    for rank, hit in enumerate(retrieved):
        doc: Document = hit.document  # type: ignore[attr-defined]
        if not names_focus(_about(doc), query.focus):
            continue
        same = same_subject(doc, query.focus, query.text)
        if doc.question is not None and 0 < same < SAME_SUBJECT and not _a_form_of(doc, query):
            continue  # a neighbour's page ("sudden infant death with dysgenesis of the testes")
        for index, part in enumerate(query.parts[:1]):
            score = _score(doc, part, rank, same)
            if score is not None and doc.question is None:
                score -= UNASKED  # a study or guideline whose title names the focus
            if score is not None and (best is None or score > best.score):
                best = Match(doc, index, score)
    return best


def source_type(doc: Document) -> str:
    """Our question type of a source's own question ("" when it has none we know)."""
    from evimap.questions import medquad_type_map

    own = doc.question.qtype if doc.question else ""
    return medquad_type_map().get(own.strip().lower(), "") if own else ""


def _a_form_of(doc: Document, query: Query) -> bool:
    """Whether a source question's subject is a form of the focus: its name after one word
    more ("hereditary hemochromatosis", "congenital hypothyroidism"), not another condition
    that holds its name ("Huntington disease-like syndrome", "warfarin sensitivity",
    "sudden infant death with dysgenesis of the testes syndrome")."""
    own = words(doc.question.focus) if doc.question else []
    name = words(query.focus[0]) if query.focus else []
    extra = len(own) - len(name)
    return extra == 1 and own[1:] == name  # "warfarin sensitivity" is no form of warfarin


def _about(doc: Document) -> str:
    own = doc.question
    return " ".join([doc.title, own.focus if own else "", *(own.synonyms if own else ())])


def _score(doc: Document, part: Part, rank: int, same: float = 0.0) -> float | None:
    """How well a source question answers `part` (`same`: `same_subject`'s bonus); None
    when it is not about the part of the focus asked ("MS flares", not MS) or the rare thing
    a short question asks ("pizza" toppings for gout: what the sources say about gout in
    general does not answer it)."""
    said = _stems(_about(doc))
    if any(not (a.stems & said) for a in (*part.narrowing, *part.rare)):
        return None  # about the whole condition, not the part or the rare thing asked
    prose = quotable(doc)
    if prose < MIN_SENTENCES:
        return None
    rest = [a for a in part.aspects if not a.names_type and not a.narrows]
    covered = _share(rest, said)
    return 1.0 / (1.0 + 0.15 * rank) + 0.5 * covered + 0.05 * min(prose, PROSE_COUNTED) + same


def same_subject(doc: Document, focus: Sequence[str], text: str = "") -> float:
    """1 when the source question is about the focus itself ("Hemochromatosis"), 2 when it
    is so by the name the reader used ("COPD", not its synonym "chronic bronchitis" that
    the vocabulary holds beside it), 1.5 by the focus's main name, 0.5 when
    its subject names the focus's main name ("hereditary hemochromatosis"), else 0: a page
    whose subject merely holds a broader synonym ("African iron overload" for "iron
    overload") or a neighbour ("psoriatic arthritis") is about something else."""
    own = " ".join(words(doc.question.focus)) if doc.question else ""
    if not own:
        return 0.0
    if not focus:  # no concept found: the reader's words must name most of its subject
        return SAME_SUBJECT / 2 if _names_most(own, text) else 0.0
    own = _subject(own, text)
    if own in {" ".join(words(name)) for name in focus}:
        if f" {own} " in _reader_words(text)[1]:
            return SAME_SUBJECT + READERS_NAME  # the name the reader used
        return SAME_SUBJECT + READERS_NAME / 2 * (own == " ".join(words(focus[0])))
    return SAME_SUBJECT / 2 if names_focus(own, focus[:1]) else 0.0


def _subject(own: str, text: str) -> str:
    """A source question's subject without a booklet's title or, when the population is the
    reader's (`text`), the population it names (data/subjects.yaml): "What I need to know
    about Kidney Stones" and "Kidney Stones in Adults" are about kidney stones."""
    rules = _subject_rules()
    for prefix in rules["booklet_prefixes"]:
        if own.startswith(prefix + " "):
            own = own[len(prefix) + 1 :]
    said = _reader_words(text)[0]
    for words_, not_, endings in rules["populations"]:
        if (words_ and not said & words_) or said & not_:
            continue
        for ending in endings:
            if own.endswith(" " + ending):
                return own[: -len(ending) - 1]
    return own


@cache
def _subject_rules() -> dict:
    rules = read_yaml("subjects.yaml")
    rules["populations"] = [
        (frozenset(p.get("words", ())), frozenset(p.get("not", ())), tuple(p["endings"]))
        for p in rules["populations"]
    ]
    return rules


@lru_cache(maxsize=1024)
def _reader_words(text: str) -> tuple[frozenset[str], str]:
    """The reader's words, as a set and as " one two ... " (asked once per question, read
    for every retrieved page)."""
    said = words(text)
    return frozenset(said), f" {' '.join(said)} "


def _names_most(subject: str, text: str) -> bool:
    """Whether `text` holds at least half of the content words of `subject` (by stem),
    and one at least ("teen pregnancy" names "Teenage Pregnancy"'s "pregnancy")."""
    wanted = {stem(w) for w in words(subject) if len(w) >= 4 and w not in _GENERIC}
    said = _stems(text)
    return bool(wanted) and 2 * len(wanted & said) >= len(wanted)


_GENERIC = frozenset("what need know about disease diseases disorder disorders problems".split())


def _share(aspects: Sequence[Aspect], stems: set[str]) -> float:
    total = sum(a.weight for a in aspects)
    if not total:
        return 1.0
    return sum(a.weight for a in aspects if a.stems & stems) / total


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def quotable(doc: Document, enough: int = PROSE_COUNTED) -> int:
    """How many of the document's sentences read as statements (not links, boilerplate or
    list stubs), counted up to `enough` (a full-text trial has hundreds)."""
    found = 0
    for p_index, passage in enumerate(doc.passages):
        for s_index, (start, end) in enumerate(passage.sentences or ()):
            text = passage.text[start:end]
            found += statement(text) or (p_index == s_index == 0 and names_its_page(text))
            if found >= enough:
                return found
    return found


def names_focus(text: str, focus: Sequence[str]) -> bool:
    """Whether `text` names one of the focus's names as whole words ("MS", not "symptoms")."""
    if not focus:
        return True
    return _names(text, tuple(focus))


@lru_cache(maxsize=100_000)
def _names(text: str, focus: tuple[str, ...]) -> bool:
    return _focus_pattern(focus).search(text) is not None


def focus_at(text: str, focus: Sequence[str]) -> int | None:
    """Where `text` first names the focus (None: it does not)."""
    found = _focus_pattern(tuple(focus)).search(text) if focus else None
    return found.start() if found else None


def without_kinds(text: str, focus: Sequence[str]) -> str:
    """`text` without the names of kinds of the focus ("relapsing-remitting MS",
    "progressive relapsing MS"), whose words do not say what is asked about ("relapses")."""
    if not focus:
        return text
    return _kind_pattern(tuple(focus)).sub(" ", text)


@cache
def _focus_pattern(focus: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + _alternatives(focus) + r")(?!\w)", re.IGNORECASE)


@cache
def _kind_pattern(focus: tuple[str, ...]) -> re.Pattern[str]:
    modifier = r"(?:(?!" + _FUNCTION_WORDS + r")[a-z]+[\s\-\u2013]){1,2}"
    return re.compile(r"\b" + modifier + r"(?:" + _alternatives(focus) + r")(?!\w)", re.I)


_FUNCTION_WORDS = (
    r"(?:of|in|on|at|to|for|from|with|by|and|or|the|a|an|about|during|after|before|"
    r"have|has|had|is|are|was|were|people|patients|who|that|which|than)\b"
)


def _alternatives(focus: tuple[str, ...]) -> str:
    return "|".join(sorted({_loose(n) for n in focus if n.strip()}, key=len, reverse=True))


def _loose(name: str) -> str:
    """A name as a pattern that also matches "Parkinson's disease" for "parkinson disease"
    and "diseases" for "disease"."""
    plain = re.sub(r"'s\b", "", name.lower())
    parts = [re.escape(w) + r"(?:'s|s|es)?" for w in re.findall(r"[a-z0-9]+", plain)]
    return r"(?:'s)?[\s\-,]+".join(parts) if parts else re.escape(name)
