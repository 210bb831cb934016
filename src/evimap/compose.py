"""Evidence selection and composition: retrieved documents in, a cited Answer out.

Named stages, each testable alone:

    query_of(question, analysis)          the words that matter, weighted; focus; type
    candidates(query, retrieved, aud.)    every usable source sentence, scored
    select(candidates, audience)          the best, without near-duplicates or dangling "This"
    assemble(...)                         short answer, sections, themes, numbered references

Statements are the source sentences themselves (extractive), so each one is grounded by
construction; `grounding.check_answer` verifies that afterwards all the same.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from evimap import safety, wording
from evimap.answer import (
    Answer,
    Audience,
    Definition,
    Notice,
    Reference,
    Section,
    SentenceRef,
    Statement,
    Theme,
)
from evimap.evidence import Document, SourceKind
from evimap.grades import grade_meaning
from evimap.matching import (
    SAME_SUBJECT,
    Match,
    names_focus,
    same_subject,
    source_type,
    without_kinds,
)
from evimap.query import Part, Query, Tokens, cue_phrases, cue_sets, mentions, themes
from evimap.questions import near_types
from evimap.quotable import (
    LIST_ITEM,
    inline_list,
    leans_back,
    listing,
    names_its_page,
    navigation,
    preclinical,
    research_agenda,
    well_formed,
)
from evimap.readability import flesch_kincaid_grade
from evimap.text import stem, words

SECTION_TITLES = {
    "guideline": "From the Guidelines",
    "research": "From the Research",
    "reference": "From health agencies",
}
SECTION_ORDER = {
    Audience.PATIENT: ("reference", "guideline", "research"),
    Audience.CAREGIVER: ("reference", "guideline", "research"),
    Audience.CLINICIAN: ("guideline", "research", "reference"),
}
# Where a short answer comes from when no source question is entailed: a guideline or an
# agency's page states what is known; one study's finding is not the answer to a question.
SHORT_ANSWER_ORDER = {**SECTION_ORDER, Audience.CLINICIAN: ("guideline", "reference", "research")}
_KIND_BONUS = {  # preferred sources per audience
    True: {"reference": 0.25, "guideline": 0.15, "research": 0.0},  # lay readers
    False: {"guideline": 0.25, "research": 0.1, "reference": 0.0},  # clinicians
}
OVERVIEW = "definition"  # a source question of this type may answer any other in part
MIN_COVERAGE = 0.34  # share of what was asked (beside the focus) a sentence must cover
MIN_COVERAGE_NO_FOCUS = 0.6  # without a known focus, only sentences holding most asked words
MAX_STATEMENTS = {True: 8, False: 12}  # lay, clinician
MAX_PER_DOCUMENT = 2
MAX_FROM_LEAD = {True: 5, False: 4}  # sentences from an entailed source answer (lay, clinician)
LEAD_BONUS = 1.0  # an entailed source question's answer comes first
OPENING_BONUS = 0.5  # ... and its opening sentences, the short answer, are always chosen
URGENT_BONUS = 1.5  # for an emergency, what the sources say to do at once comes before it
ANSWERS_YES_NO = 0.3  # a yes/no question: a sentence with all its words that says yes or no
MAX_PER_SECTION = 5
SHORT_ANSWER = 2
MAX_DEFINITIONS = 3  # plain-language help: the focus and up to two more terms
LAY_GRADE = 8  # reading grade above which a sentence costs a lay reader
NEWEST_YEAR = 2026  # recency is counted back from here
LAY_GRADE_PENALTY = 0.04  # score lost per grade above it
# Sections of a study that say why and how it was done ("Background", "Material and
# methods > Participants"), not what it found, or weigh it against other studies
# ("Discussion": "These results do not correspond with previous in vitro findings"): never
# quoted. A full-text trial is quoted from its abstract, results and conclusions.
_NOT_FINDINGS = re.compile(
    r"\s*(?:background|introduction|discussion|comment|limitations|strengths|objectives?|aims?\b|purpose|methods?|materials?|"
    r"design|setting|participants|patients and methods|subjects|interventions?\b|"
    r"measures|measurements|outcome measures|statistical|data (?:collection|analysis)|"
    r"sample|procedures?|ethic|abbreviations|funding|competing|authors?'? contributions|"
    r"acknowledg|trial registration|table|figure)",
    re.IGNORECASE,
)
# Sections of a research abstract a lay reader is shown: its conclusions.
_CONCLUSION = re.compile(r"conclu|interpret|implication|summary", re.IGNORECASE)
_STATS = re.compile(
    r"\b(p\s*[<=>]|ci\b|95%|odds ratio|hazard ratio|\bor\b \d|\bhr\b|n\s*=)", re.IGNORECASE
)
_SIZE = re.compile(
    r"\b(?:n\s*=\s*([\d,]{2,7})|([\d,]{2,7}) (?:patients|participants|subjects|"
    r"adults|children|women|men|individuals|people|cases))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    ref: SentenceRef
    doc: Document
    score: float
    coverage: float
    antecedent: SentenceRef | None = None  # kept with a sentence that starts "This..."
    urgent: bool = False  # tells the reader to act at once (an emergency question's lead)
    rank: int = 0  # its document's place in retrieval (0: the best)


@dataclass(slots=True)
class Layout:
    """Where each selected candidate goes, before references are numbered."""

    short: list[Candidate] = field(default_factory=list)
    sections: dict[str, dict[str, list[Candidate]]] = field(default_factory=dict)


# -- candidates -----------------------------------------------------------------------------


def candidates(
    query: Query,
    retrieved: Sequence[object],
    audience: Audience,
    lead: Sequence[Match] = (),
    urgent: Sequence[str] | bool = False,
    off_subject: Callable[[str], bool] | None = None,
) -> list[Candidate]:
    """Every well-formed sentence of the retrieved documents, scored for this question.

    The answers of entailed source questions (`lead`) are the question's own answer: all
    their quotable sentences are candidates, first. Other documents give only sentences that
    cover what was asked, name the focus (or come from a document about it) and name what
    narrows the subject ("relapse" for "MS flares"). `urgent`: the question is an emergency
    (True, or the topics of its red flags: "poisoning"); what sources about the focus or
    those topics say to do at once comes first. A study whose title `off_subject` finds
    about something else (another medicine tried beside the focus) is not about the focus."""
    found: list[Candidate] = []
    needles = _needles(query)
    leads = {m.doc.id for m in lead}
    asked = {part.qtype for part in query.parts}
    asked |= {near for qtype in tuple(asked) for near in near_types().get(qtype, ())}
    for rank, hit in enumerate(retrieved):
        doc: Document = hit.document  # type: ignore[attr-defined]
        own, about = doc.id in leads, _about_focus(doc, query)
        topical = bool(urgent) and _on_urgent_subject(doc, _names_the_focus(doc, query), urgent)
        if not own and _off_the_question(
            doc, about or _names_in_head(doc, query), topical, asked, urgent
        ):
            continue
        if not own and doc.kind is SourceKind.RESEARCH and not _study_of_the_question(doc, query):
            continue
        if doc.kind is SourceKind.RESEARCH and (
            audience.lay or (off_subject is not None and off_subject(doc.title))
        ):
            about = False  # a study's sentences that name the focus only, for a lay reader
            # or when the study is about another subject: "Dapagliflozin add-on to metformin"
        where = _Where(own, about, topical, rank)
        doc_weight = 1.0 / (1.0 + 0.1 * rank) * (1.0 if about else 0.6)
        keep = None if own or where.urgent else _passage_filter(query, needles, about)
        opening = 0  # an entailed answer's first quotable sentences answer most directly
        for ref, previous in _sentences(doc, lay=audience.lay, keep=keep):
            if not (own or where.urgent) and not _may_matter(query, ref, previous, needles, about):
                continue  # cheap: it cannot cover the question, or not about its focus
            candidate = _score(query, doc, ref, previous, doc_weight, audience, where)
            if candidate is not None and own and opening < SHORT_ANSWER:
                opening += 1
                candidate = replace(candidate, score=candidate.score + OPENING_BONUS)
            if candidate is not None:
                found.append(candidate)
    return sorted(found, key=lambda c: c.score, reverse=True)


def _head(doc: Document) -> str:
    """A document's title and its source question's subject."""
    return doc.title + " " + (doc.question.focus if doc.question else "")


def _names_in_head(doc: Document, query: Query) -> bool:
    """The title or the source question's subject names the focus (a neighbour may)."""
    return names_focus(_head(doc), query.focus)


def _off_the_question(
    doc: Document, about: bool, topical: bool, asked: set[str], urgent: Sequence[str] | bool
) -> bool:
    """A document whose sentences answer another question than ours: in an emergency, one
    about neither the focus nor what the emergency is ("What to do for high blood pressure"
    for a child who swallowed blood pressure pills); a study whose title does not name the
    focus ("Collection of vaccination data in a cohort", for the flu shot); a source question
    of another type (`_answers_another_type`) or about another subject: "How is hantavirus
    treated?" names muscle aches, as its own symptom, not as an answer about muscle pain (an
    overview of a broader subject, "Shoulder injuries and disorders", may name the focus as
    part of it)."""
    if urgent:  # what to do now comes from agencies and guidelines, not one trial's methods
        return not topical or doc.kind is SourceKind.RESEARCH
    if doc.kind is SourceKind.RESEARCH and not about:
        return True  # a study's title says what it is about: a study of something else
    if doc.question is not None and not about and source_type(doc) != OVERVIEW:
        return True  # an overview of a broader subject may name the focus as a part of it
    return _answers_another_type(doc, asked)


def _study_of_the_question(doc: Document, query: Query) -> bool:
    """Whether a study's title says it studied what was asked, beside the focus: a word
    asked ("relapses" for MS flares) or a word of the type asked ("survival" for a
    prognosis; any trial may answer how a condition is treated). "Bosentan in pulmonary
    hypertension secondary to IPF" does not answer the outlook of IPF."""
    title = Tokens.of(doc.title)
    for part in query.parts:
        if themes().get(part.qtype, {}).get("any_study"):
            return True
        if any(a.stems & title.stems for a in part.asked) or _answers_type(title, part.qtype):
            return True
    return not query.parts


def _answers_another_type(doc: Document, asked: set[str]) -> bool:
    """Whether a source's own question asks another type than any asked or near one (an
    overview, "What is X?", may hold a little of every type): its sentences answer that
    question, and placed under ours they change subject ("the test used to diagnose
    osteoporosis" under how to prevent it)."""
    ours = source_type(doc)
    return bool(ours) and ours not in asked and ours != OVERVIEW


@dataclass(frozen=True, slots=True)
class _Where:
    """What a document is, for the question: an entailed answer (`own`), about the focus,
    about what an emergency is (`urgent`: its act-now sentences may lead)."""

    own: bool = False
    about: bool = True
    urgent: bool = False
    rank: int = 0


def _needles(query: Query) -> tuple[str, ...]:
    """Lower-case strings one of which a sentence must contain to cover any part (none, so
    no filter, when a part asks nothing beside the focus). Each is a prefix of the words it
    stands for (stems and cue prefixes are), so the test is conservative."""
    needles: set[str] = set()
    for part in query.parts:
        cues = tuple(themes().get(part.qtype, {}).get("cues", ()))
        if not part.aspects or not cues:
            return ()
        needles |= {stem for aspect in part.aspects for stem in aspect.stems}
        prefixes, exact = cue_sets(cues)  # any sentence of the type may cover it
        needles |= set(prefixes) | exact | set(cue_phrases(cues))
    return tuple(needles)


def _may_matter(
    query: Query,
    ref: SentenceRef,
    previous: SentenceRef | None,
    needles: tuple[str, ...],
    about: bool,
) -> bool:
    """Cheap tests before scoring: an asked word (or a cue of the type) is there, and a
    sentence from a document about something else names the focus."""
    text = ref.text if previous is None else previous.text + " " + ref.text
    return _could_cover(text, query, needles, about)


def _could_cover(text: str, query: Query, needles: tuple[str, ...], about: bool) -> bool:
    """`text` holds a needle and, from a document about something else, names the focus."""
    if not about and not names_focus(text, query.focus):
        return False
    lower = text.lower()
    return not needles or any(needle in lower for needle in needles)


def _passage_filter(
    query: Query, needles: tuple[str, ...], about: bool
) -> Callable[[str], bool] | None:
    """The passage-level form of `_may_matter`: no sentence of a passage that holds no
    needle (or, in a document about something else, never names the focus) can matter.
    A full-text trial has hundreds of sentences, most in such passages."""
    if about and not needles:
        return None
    return lambda text: _could_cover(text, query, needles, about)


def _sentences(
    doc: Document, *, lay: bool = False, keep: Callable[[str], bool] | None = None
) -> Iterable[tuple[SentenceRef, SentenceRef | None]]:
    """Each sentence with the one before it; a heading glued to a sentence's start is left
    out of its span. Lay readers get a research abstract's conclusions only. `keep`: which
    passages (by text) may hold a sentence worth scoring."""
    for p_index, passage in enumerate(doc.passages):
        if doc.kind is SourceKind.RESEARCH and _NOT_FINDINGS.match(passage.heading):
            continue  # why and how a study was done, not what it found
        if keep is not None and not keep(passage.text):
            continue
        spans = list(enumerate(passage.sentences or ()))
        if lay and doc.kind is SourceKind.RESEARCH:
            spans = _conclusions(passage.heading, spans)
        previous = None
        for s_index, (start, end) in spans:
            for _ in range(2):  # "Risk Factors You Can't Change Some risk factors ..."
                cut = _glued_heading(passage.text[start:end])
                if not cut:
                    break
                start += cut
            ref = SentenceRef(doc.id, p_index, s_index, start, end, passage.text[start:end])
            yield ref, previous
            previous = ref


def _conclusions(heading: str, spans: list[tuple[int, tuple]]) -> list[tuple[int, tuple]]:
    """(index, span) of the sentences a lay reader may see from one abstract passage: a
    conclusions section whole, or the last two sentences of an unlabelled abstract."""
    if heading:
        return spans if _CONCLUSION.search(heading) else []
    return spans[-2:]


@functools.lru_cache(maxsize=100_000)
def _glued_heading(text: str) -> int:
    """Characters of a web page's section heading run into the sentence after it: up to
    five capitalised words, then a capitalised word that repeats one of them ("Exercise
    Exercise can help ...", "Where Gout Occurs Gout attacks ...") or opens a sentence
    ("Bone Density Tests The test ...", "Diet At this time ..."); "and", "of" ... may join
    its words ("Prevention and Treatment The good news ...")."""
    tokens = text.split(" ", 12)
    for k in range(1, 6):
        if len(tokens) < k + 6:
            break
        if not _capitalised(tokens[k - 1]):
            if 1 < k < 5 and tokens[k - 1] in _HEADING_JOINS:
                continue  # "Prevention and Treatment The good news is ..."
            break
        after = tokens[k]
        heading = {t.lower() for t in tokens[:k]}
        if _capitalised(after) and (after.lower() in heading or after in _OPENERS):
            return len(" ".join(tokens[:k])) + 1
    return 0


_HEADING_JOINS = frozenset({"and", "or", "of", "for", "in", "to", "with", "&"})


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and token[1:2].islower()


_OPENERS = frozenset(
    "The A An Some Most Many Your You If In For When At This These It There People Doctors "
    "Treatment Researchers Scientists Children Adults Women Men Anyone Everyone".split()
)


def _about_focus(doc: Document, query: Query) -> bool:
    """Whether a document is about the focus: its title names it, and a source question's
    own subject is the focus itself, not a neighbour that holds its name ("Huntington
    disease-like syndrome 2", "congenital hypothyroidism"), whose sentences must then
    name the focus to enter."""
    if not query.focus:
        return True
    if doc.question is not None and doc.question.focus:
        return same_subject(doc, query.focus, query.text) >= SAME_SUBJECT
    return names_focus(doc.title, query.focus)


def _score(
    query: Query,
    doc: Document,
    ref: SentenceRef,
    previous: SentenceRef | None,
    doc_weight: float,
    audience: Audience,
    where: _Where = _Where(),
) -> Candidate | None:
    text = ref.text
    antecedent = None
    listed = previous is not None and listing(previous.text, text)
    if listed:
        antecedent = previous  # "Common symptoms are" + "fatigue - weight gain - ..."
    elif inline_list(text):
        listed = True  # "To protect yourself, you should - Use a repellent - Wear ..."
    elif not well_formed(text):
        return None
    elif doc.kind is SourceKind.RESEARCH and (preclinical(text) or research_agenda(text)):
        return None  # "increased survival in mice" is not true of people with it; "larger
        # trials are needed to establish whether ..." answers nothing
    elif leans_back(text):
        if _opens_its_page(ref, doc, query, where) and names_its_page(text):
            pass  # "This condition is inherited ..." opening a page about the focus
        elif previous is None or not well_formed(previous.text) or leans_back(previous.text):
            return None
        else:
            antecedent = previous
    said = text if antecedent is None else previous.text + " " + text
    act_now = where.urgent and bool(safety.act_now().search(said))
    free = where.own or act_now  # an entailed answer, or what to do now in an emergency
    if not free and not _on_subject(query, said, where.about):
        return None  # about another condition, or the whole condition when a part was asked
    tokens = Tokens.of(said)
    if (
        not free
        and doc.kind is not SourceKind.REFERENCE
        and not _says_what_was_asked(query, tokens)
    ):
        return None  # a study of vitamin D and arterial stiffness does not answer falls
    coverage = _coverage(query, tokens, where.about)
    answers_type = max((_answers_type(tokens, p.qtype) for p in query.parts), default=1.0)
    least = MIN_COVERAGE if query.focus else MIN_COVERAGE_NO_FOCUS
    if not free and (coverage < least or not answers_type):
        return None  # says nothing about what was asked, or not the kind of thing asked
    score = 0.4 * coverage + 0.3 * doc_weight + 0.2 * answers_type + LEAD_BONUS * where.own
    score += URGENT_BONUS * act_now + ANSWERS_YES_NO * _says_yes_or_no(query, tokens, said)
    score += _KIND_BONUS[audience.lay][doc.kind.value] + 0.05 * doc.level / 6 + _recency(doc)
    score += _grade_bonus(doc)
    if audience.lay:
        score -= _hard_to_read(said.replace(LIST_ITEM, ". ") if listed else text)
    if not act_now and navigation(said):  # last: it costs more than the tests above
        return None
    return Candidate(ref, doc, score, coverage, antecedent, act_now, where.rank)


def _opens_its_page(ref: SentenceRef, doc: Document, query: Query, where: _Where) -> bool:
    """The first sentence of a source answer about the focus (its own question's subject)."""
    return ref.passage == ref.sentence == 0 and (where.own or _names_the_focus(doc, query))


def _names_the_focus(doc: Document, query: Query) -> bool:
    """About the question's focus, which there is (`_about_focus` holds for every document
    when no focus was found)."""
    return bool(query.focus) and _about_focus(doc, query)


def _says_what_was_asked(query: Query, tokens: Tokens, everything: bool = True) -> bool:
    """Whether a sentence holds something a part asks beside its focus and type (or, when
    `everything`, a part asks nothing more): a study or a guideline is about one narrow
    thing, and the asked type alone ("prevent") does not make its finding an answer."""
    return any(
        (everything and not part.asked) or any(a.stems & tokens.stems for a in part.asked)
        for part in query.parts
    )


def _on_urgent_subject(doc: Document, about: bool, urgent: Sequence[str] | bool) -> bool:
    """A document about the focus, or about what the emergency is (a poisoning page for a
    child who swallowed blood pressure pills)."""
    if about or isinstance(urgent, bool):
        return about
    return names_focus(_head(doc), tuple(urgent))


def _on_subject(query: Query, said: str, about: bool) -> bool:
    """A sentence from a document about another subject must name the focus itself, and
    every sentence must itself name what narrows the subject ("relapse" for "MS flares")."""
    if not about and not names_focus(said, query.focus):
        return False
    narrowing = query.narrowing
    if not narrowing:
        return True
    own = Tokens.of(without_kinds(said, query.focus)).stems
    return all(a.stems & own for a in narrowing)


_NEGATION = re.compile(
    r"\b(?:no|not|never|cannot|can't|don't|doesn't|isn't|aren't|won't|myth|false)\b", re.I
)


def _says_yes_or_no(query: Query, tokens: Tokens, said: str) -> float:
    """How plainly a sentence answers a yes/no question: it holds every asked word (1),
    and more so when it says no (a myth is corrected by "... do not cause ...")."""
    for part in query.parts:
        asked = part.yes_no and part.aspects
        if asked and all(a.stems & tokens.stems or a.names_type for a in part.aspects):
            return 1.5 if _NEGATION.search(said) else 1.0
    return 0.0


def _recency(doc: Document) -> float:
    """Up to 0.05 for research published in the last 25 years, newest most."""
    if doc.kind is not SourceKind.RESEARCH or not doc.year:
        return 0.0
    return 0.05 * min(1.0, max(0.0, (doc.year - (NEWEST_YEAR - 25)) / 25))


def _hard_to_read(text: str) -> float:
    """A lay reader's penalty: statistics, long sentences, a high reading grade."""
    penalty = 0.3 if _STATS.search(text) or len(text.split()) > 40 else 0.0
    return penalty + LAY_GRADE_PENALTY * max(0.0, flesch_kincaid_grade([text]) - LAY_GRADE)


def _coverage(query: Query, tokens: Tokens, about_focus: bool) -> float:
    """How much of what was asked a sentence covers, beside the focus (which is met when
    the whole document is about it, or the sentence names it): the best of the parts.
    Without a focus, the asked type says nothing of what it is about: words alone count."""
    focus_met = about_focus or not query.focus or _names_focus(query, tokens.stems)
    typed = bool(query.focus)
    shares = [_part_share(part, tokens, typed) for part in query.parts] or [1.0]
    return max(shares) if focus_met else max(shares) / 2


def _part_share(part: Part, tokens: Tokens, typed: bool = True) -> float:
    """The weighted share of a part's asked words a sentence covers. The kind of question
    asked (named by a word or not) weighs as much as all its other words together: in a
    long message most words tell a story ("my husband", "from India"), and a sentence about
    the focus that answers the type ("typhoid is treated with antibiotics") answers it. A
    short question's few words are all asked: a sentence must hold one of them."""
    if not part.aspects:
        return 1.0
    asked = part.asked
    total = sum(a.weight for a in asked)
    said = sum(a.weight for a in asked if a.stems & tokens.stems)
    if not typed or not themes().get(part.qtype, {}).get("cues"):
        return said / total if total else 1.0  # no focus, or a type without cue words
    if part.short and (not said or any(not a.stems & tokens.stems for a in part.rare)):
        return 0.0  # "Do vaccines cause autism?": a cause of autism without vaccines is not it
    named = any(a.names_type and a.stems & tokens.stems for a in part.aspects)
    of_type = 1.0 if named else _answers_type(tokens, part.qtype)
    weight = max(total, 1.0)
    return (said + weight * of_type) / (total + weight)


def _names_focus(query: Query, stems: set[str]) -> bool:
    return any(all(stem(w) in stems for w in words(name)) for name in query.focus)


def _answers_type(tokens: Tokens, qtype: str) -> float:
    """1.0 when the sentence has a word of the kind the question type asks for (or the type
    has no cue words), else 0.0."""
    cues = tuple(themes().get(qtype, {}).get("cues", ()))
    return 1.0 if not cues or tokens.mention(cues) else 0.0


# -- selection ------------------------------------------------------------------------------


def select(
    found: Sequence[Candidate],
    audience: Audience,
    lead: Sequence[Match] = (),
    off_subject: Callable[[str], bool] | None = None,
    query: Query | None = None,
) -> list[Candidate]:
    """The best candidates: no near-duplicates, a few per document (more from an entailed
    source answer), none that `off_subject` says is about another condition. Each part of
    `query` that no entailed answer answers gets its best sentence first, before entailed
    answers fill the room ("will he get better?" beside what caused the stroke)."""
    if query is not None:
        found = _each_part_first(found, query, lead)
    chosen: list[Candidate] = []
    per_doc: dict[str, int] = {}
    per_kind: dict[str, int] = {}
    seen: list[set[str]] = []
    used: set[SentenceRef | None] = set()
    leads = {m.doc.id for m in lead}
    for cand in found:
        if len(chosen) >= MAX_STATEMENTS[audience.lay] + len(leads):
            break
        own = cand.doc.id in leads
        if not _room(cand, own, per_doc, per_kind, audience):
            continue
        tokens = set(words(cand.ref.text))
        refs = {cand.ref, cand.antecedent} - {None}
        if refs & used or any(_jaccard(tokens, other) >= 0.6 for other in seen):
            continue
        if not own and off_subject is not None and off_subject(_said(cand)):
            continue
        used |= refs
        chosen.append(cand)
        seen.append(tokens)
        per_doc[cand.doc.id] = per_doc.get(cand.doc.id, 0) + 1
        if not own:
            per_kind[cand.doc.kind.value] = per_kind.get(cand.doc.kind.value, 0) + 1
    return chosen


def _each_part_first(
    found: Sequence[Candidate], query: Query, lead: Sequence[Match]
) -> list[Candidate]:
    """`found` with the best sentence for each part no entailed answer answers first."""
    answered = {m.part for m in lead}
    leads = {m.doc.id for m in lead}
    first: list[Candidate] = []
    for index, part in enumerate(query.parts):
        if index in answered or len(query.parts) < 2:
            continue
        for cand in found:
            tokens = Tokens.of(_said(cand))
            if (
                cand.doc.id not in leads
                and _answers_type(tokens, part.qtype)
                and _part_share(part, tokens) > 0
            ):
                if cand not in first:
                    first.append(cand)
                break
    return [*first, *(c for c in found if c not in first)]


def _room(cand: Candidate, own: bool, per_doc: dict, per_kind: dict, audience: Audience) -> bool:
    limit = MAX_FROM_LEAD[audience.lay] if own else MAX_PER_DOCUMENT
    if per_doc.get(cand.doc.id, 0) >= limit:
        return False
    return own or per_kind.get(cand.doc.kind.value, 0) < MAX_PER_SECTION


def _said(cand: Candidate) -> str:
    return cand.ref.text if cand.antecedent is None else cand.antecedent.text + " " + cand.ref.text


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# -- assembly -------------------------------------------------------------------------------


def layout(
    chosen: Sequence[Candidate],
    query: Query,
    audience: Audience,
    lead: Sequence[Match] = (),
    *,
    partial: bool = False,
) -> Layout:
    """Short answer first, the rest into sections and themes.

    With an entailed source question, the short answer is the start of its answer and the
    rest of that answer follows, in the source's order, under the heading of the part it
    answers; when it answers a nearby question (`partial`), its sentences of the kind asked
    lead. Without one, the best-retrieved document of the reader's preferred kind that
    has something to say leads, with its best two sentences. In an emergency,
    what the sources say to do at once is the short answer, alone."""
    order = SECTION_ORDER[audience]
    part_of = {m.doc.id: m.part for m in lead}
    own = sorted((c for c in chosen if c.doc.id in part_of), key=_in_order(part_of))
    others = [c for c in chosen if c.doc.id not in part_of]
    act_now = sorted((c for c in chosen if c.urgent), key=lambda c: -c.score)[:SHORT_ANSWER]
    if act_now:  # an emergency: what to do now, and nothing else, comes first
        plan = Layout(short=act_now)
    elif own:
        first = [c for c in own if c.doc.id == own[0].doc.id]
        qtype = query.parts[part_of[own[0].doc.id]].qtype
        plan = Layout(short=_answering(first, qtype) if partial else first[:SHORT_ANSWER])
    else:  # the best-retrieved document of the preferred kind that answers, in its order
        short_order = SHORT_ANSWER_ORDER[audience]
        best = min(others, key=lambda c: (short_order.index(c.doc.kind.value), c.rank))
        mine = sorted((c for c in others if c.doc.id == best.doc.id), key=lambda c: -c.score)
        plan = Layout(short=sorted(mine[:SHORT_ANSWER], key=lambda c: c.ref.sentence))
    for cand in own:
        if cand not in plan.short:
            asked = query.parts[part_of[cand.doc.id]].qtype
            # a nearby question's answer goes under what it answers ("Overview"), not ours
            heading = part_heading(source_type(cand.doc) or OVERVIEW if partial else asked)
            heading = _overview_if_defining(cand, heading, asked)
            plan.sections.setdefault(cand.doc.kind.value, {}).setdefault(heading, []).append(cand)
    for cand in sorted(others, key=lambda c: -c.score):
        if cand not in plan.short:
            qtype = _part_type(query, cand)
            heading = _overview_if_defining(cand, theme_of(cand.ref.text, qtype), qtype)
            plan.sections.setdefault(cand.doc.kind.value, {}).setdefault(heading, []).append(cand)
    plan.sections = {k: plan.sections[k] for k in order if k in plan.sections}
    return plan


_DEFINING = re.compile(
    r"^[^,;:.]{1,80}?\b(?:is|are) (?:a|an|the name for|a group of|a type of|a form of|"
    r"a kind of)\b|^[^,;:.]{1,80}?\brefers? to\b",
    re.IGNORECASE,
)


# A dictionary's definition, a noun phrase without its term: "A common condition in which
# fat builds up in the liver", "A drug that blocks acid from being made in the stomach".
_GLOSSED = re.compile(
    r"^(?:a|an)\s+(?:[\w-]+\s+){0,3}?[\w-]+\s+(?:in which|that|which|used to|used in)\b",
    re.IGNORECASE,
)


def _overview_if_defining(cand: Candidate, heading: str, qtype: str) -> str:
    """A sentence that says what something is ("Pulmonary fibrosis is a disease in which
    ...") and nothing of the kind asked goes under the overview's heading, not "Outlook"
    ("Lupus nephritis is a kidney disorder that is a complication of lupus" stays); a
    dictionary's definition always does ("A common condition in which fat builds up in the
    liver" is not about diet for holding "fat")."""
    said = _said(cand)
    if _GLOSSED.match(said):
        return part_heading(OVERVIEW)
    if _DEFINING.match(said) and not _answers_type(Tokens.of(said), qtype):
        return part_heading(OVERVIEW)
    return heading


def _answering(mine: Sequence[Candidate], qtype: str) -> list[Candidate]:
    """A source answer's first sentences of the kind asked ("Treatment may include ..."
    rather than what the condition is, when the source answers a nearby question), in its
    order; its first sentences when none is of that kind."""
    typed = [c for c in mine if _answers_type(Tokens.of(c.ref.text), qtype)]
    return list(typed or mine)[:SHORT_ANSWER]


def _in_order(part_of: dict[str, int]) -> Callable[[Candidate], tuple]:
    """Entailed answers by the part they answer, each in its source's own order."""
    return lambda c: (part_of[c.doc.id], c.doc.id, c.ref.passage, c.ref.sentence)


def _part_type(query: Query, cand: Candidate) -> str:
    """The type of the question part a sentence answers best (the first part's on a tie)."""
    tokens = Tokens.of(cand.ref.text)
    for part in query.parts:
        if _answers_type(tokens, part.qtype) and _part_share(part, tokens) > 0:
            return part.qtype
    return query.qtype


def part_heading(qtype: str) -> str:
    """The heading of an answer to a question of this type ("How it is treated")."""
    return (themes().get(qtype) or {}).get("default") or _type_heading(qtype)


def _type_heading(qtype: str) -> str:
    from evimap.questions import question_types

    text = question_types().get(qtype, "key points").split(":")[0]
    return text[:1].upper() + text[1:]


def theme_of(text: str, qtype: str) -> str:
    """The sub-heading a sentence goes under for this question type: a theme whose cue words
    it holds, else the heading of an answer to that type ("How it is treated")."""
    spec = themes().get(qtype) or {}
    for theme in spec.get("themes", ()):
        if mentions(text, tuple(theme["cues"])):
            return theme["heading"]
    return part_heading(qtype)


def assemble(
    question: str,
    query: Query,
    plan: Layout,
    audience: Audience,
    definitions: Sequence[tuple[str, Candidate]],
    notices: Sequence[Notice],
) -> Answer:
    """Number references in order of first use and build the Answer."""
    numbers: dict[str, int] = {}
    docs: dict[str, Document] = {}
    quoted: dict[str, list[str]] = {}  # the sections of each study a statement comes from

    def statement(cand: Candidate) -> Statement:
        number = numbers.setdefault(cand.doc.id, len(numbers) + 1)
        docs[cand.doc.id] = cand.doc
        heading = cand.doc.passages[cand.ref.passage].heading
        if heading and cand.doc.kind is SourceKind.RESEARCH:
            quoted.setdefault(cand.doc.id, []).append(heading)
        support = (cand.antecedent, cand.ref) if cand.antecedent else (cand.ref,)
        return Statement(" ".join(r.text for r in support), (number,), support)

    short = tuple(statement(c) for c in plan.short)
    sections = tuple(
        Section(
            kind,
            SECTION_TITLES[kind],
            tuple(
                Theme(heading, tuple(statement(c) for c in cands))
                for heading, cands in themes.items()
            ),
        )
        for kind, themes in plan.sections.items()
    )
    helps = tuple(Definition(term, statement(cand)) for term, cand in definitions)
    references = tuple(
        reference(docs[doc_id], n, audience, quoted.get(doc_id, ()))
        for doc_id, n in numbers.items()
    )
    return Answer(
        question=question,
        audience=audience,
        focus=query.focus[:1],
        qtype=query.qtype,
        notices=tuple(notices),
        short_answer=short,
        sections=sections,
        definitions=helps,
        references=references,
        summary=evidence_summary(references),
        disclaimer=wording.disclaimer(audience),
    )


def reference(
    doc: Document,
    number: int,
    audience: Audience = Audience.CLINICIAN,
    sections: Sequence[str] = (),
) -> Reference:
    """How `doc` is cited: its record, a guideline's grade for this reader, and for a study
    the `sections` quoted ("Results"), its authors and licence (CC BY asks for both)."""
    size = None
    if doc.kind is SourceKind.RESEARCH:
        match = _SIZE.search(doc.text)
        if match:
            size = int((match.group(1) or match.group(2)).replace(",", ""))
    return Reference(
        number=number,
        doc_id=doc.id,
        kind=doc.kind.value,
        title=doc.title,
        publisher=doc.publisher or wording.provenance(doc.extra.get("dataset") or doc.collection),
        year=doc.year,
        design=doc.design.value if doc.design else "",
        url=doc.url,
        pmid=doc.pmid,
        doi=doc.doi,
        level=doc.level,
        size=size,
        authors=doc.authors,
        license=doc.extra.get("license", ""),
        sections=tuple(dict.fromkeys(sections)),
        **_graded(doc, audience),
    )


def _graded(doc: Document, audience: Audience) -> dict[str, str]:
    """A guideline's grade and what it means for this reader (data/guideline_grades.yaml)."""
    meaning = (
        grade_meaning(doc.grade, doc.extra.get("grade_scheme", "uspstf")) if doc.grade else None
    )
    if meaning is None:
        return {}
    said = meaning.patients if audience.lay else meaning.clinicians
    return {"grade": meaning.name, "grade_meaning": said}


def _grade_bonus(doc: Document) -> float:
    """Graded guidelines rank by how sure their grade is: A, B and D (against) are said with
    certainty, C selectively, I when the evidence is insufficient."""
    meaning = (
        grade_meaning(doc.grade, doc.extra.get("grade_scheme", "uspstf")) if doc.grade else None
    )
    return {"recommended": 0.15, "against": 0.15, "selective": 0.05}.get(
        meaning.stance if meaning else "", 0.0
    )


_DESIGN_LABELS = {
    "practice guideline": "practice guideline",
    "meta-analysis": "meta-analysis",
    "systematic review": "systematic review",
    "randomized controlled trial": "RCT",
    "cohort/observational": "observational study",
    "case report": "case report",
    "review": "review",
}


def _plural(label: str) -> str:
    for singular, plural in (("study", "studies"), ("analysis", "analyses")):
        if label.endswith(singular):
            return label[: -len(singular)] + plural
    return label + "s"


def evidence_summary(references: Sequence[Reference]) -> str:
    """ "Based on 5 sources: 1 guideline, 2 randomized controlled trials, ...; newest 2021"."""
    if not references:
        return "No sources."
    counts: dict[str, int] = {}
    for ref in references:
        label = {"guideline": "guideline", "reference": "health-agency page"}.get(ref.kind)
        label = label or _DESIGN_LABELS.get(ref.design, "other study")
        counts[label] = counts.get(label, 0) + 1
    parts = [f"{n} {_plural(label) if n > 1 else label}" for label, n in counts.items()]
    years = [r.year for r in references if r.year]
    newest = f"; newest {max(years)}" if years else ""
    plural = "s" if len(references) > 1 else ""
    return f"Based on {len(references)} source{plural}: {', '.join(parts)}{newest}."


def _partial(nearest: Match, audience: Audience, query: Query) -> str:
    """Says that a nearby question is answered: the source's own, or its title."""
    if nearest.doc.question is not None:
        return wording.says("partial", audience, asked=nearest.doc.question.text.strip())
    about = query.focus[0] if query.focus else "the subject"
    return wording.says("partial_source", audience, asked=nearest.doc.title.strip(), about=about)


def abstention(
    question: str,
    query: Query,
    audience: Audience,
    found: int,
    notices: Sequence[Notice],
    reason: str = "",
) -> Answer:
    """Say what was and was not found (or `reason`, why we do not answer), nothing else."""
    about = f" about {query.focus[0]}" if query.focus else ""
    if reason:
        text = reason
    elif query.unknown:
        named = ", ".join(f"“{w}”" for w in query.unknown)
        text = wording.says("unknown_words", audience, named=named)
    else:
        sources = "source" if found == 1 else "sources"
        name = "nothing_found" if query.focus else "nothing_found_unnamed"
        text = wording.says(name, audience, about=about, found=found, sources=sources)
    return Answer(
        question=question,
        audience=audience,
        focus=query.focus[:1],
        qtype=query.qtype,
        notices=(*notices, Notice("abstention", text)),
        short_answer=(),
        sections=(),
        definitions=(),
        references=(),
        summary="No sources.",
        abstained=True,
        disclaimer=wording.disclaimer(audience),
    )


def compose(
    question: str,
    query: Query,
    retrieved: Sequence[object],
    audience: Audience,
    *,
    notices: Sequence[Notice] = (),
    define: Callable[[str], Candidate | None] | None = None,
    jargon: Callable[[Sequence[str]], Sequence[str]] | None = None,
    lead: Sequence[Match] = (),
    off_subject: Callable[[str], bool] | None = None,
    urgent: Sequence[str] | bool = False,
    nearest: Match | None = None,
) -> Answer:
    """All stages: candidates -> select -> layout -> (definitions) -> assemble.

    `lead`: the source documents whose own questions the question entails (`matching`).
    `off_subject(text)`: whether a sentence is about another condition than the focus.
    `nearest`: a source question about the focus that asks something else; when nothing
    answers the question itself, its answer is given, and the reader is told so.
    For lay readers, `define(term)` finds a cited source's own definition of the focus and
    of up to MAX_DEFINITIONS - 1 further terms that `jargon(statement texts)` names.
    """
    chosen, partial = [], False
    if urgent:  # an emergency's answer is about what it is, or the focus, nothing nearby
        lead = [
            m for m in lead if _on_urgent_subject(m.doc, _names_the_focus(m.doc, query), urgent)
        ]
    if not query.unknown:
        found = candidates(query, retrieved, audience, lead, urgent, off_subject)
        chosen = select(found, audience, lead, off_subject, query)
        if not chosen and nearest is not None and _may_stand_in(nearest, audience, query):
            lead = [nearest]
            found = candidates(query, retrieved, audience, lead, off_subject=off_subject)
            chosen = select(found, audience, lead, off_subject)
            partial = bool(chosen)
            if partial:
                notices = (*notices, Notice("partial", _partial(nearest, audience, query)))
    if not chosen:
        return abstention(question, query, audience, len(retrieved), notices)
    plan = layout(chosen, query, audience, lead, partial=partial)
    helps: list[tuple[str, Candidate]] = []
    if define is not None and audience.lay:
        helps = _definitions(query, chosen, define, jargon)
    return assemble(question, query, plan, audience, helps, notices)


def _may_stand_in(nearest: Match, audience: Audience, query: Query) -> bool:
    """Whether a nearby answer may stand in for the one asked: a single study's findings
    ("effects of metformin on inflammatory mediators") are no answer for a lay reader who
    asked about side effects, unless its title holds something asked ("withdrawal"); a
    clinician may weigh them, told that they are nearby."""
    if not audience.lay or nearest.doc.kind is not SourceKind.RESEARCH:
        return True
    return _says_what_was_asked(query, Tokens.of(nearest.doc.title), everything=False)


def _definitions(
    query: Query,
    chosen: Sequence[Candidate],
    define: Callable[[str], Candidate | None],
    jargon: Callable[[Sequence[str]], Sequence[str]] | None,
) -> list:
    terms = list(query.focus[:1])
    if jargon is not None:
        known = {name.lower() for name in query.focus}
        said = [" ".join(r.text for r in (c.antecedent, c.ref) if r) for c in chosen]
        terms += [t for t in jargon(said) if t.lower() not in known]
    used = {c.ref for c in chosen}
    helps: list[tuple[str, Candidate]] = []
    for term in dict.fromkeys(terms):
        found = define(term)
        if found is not None and found.ref not in used:
            helps.append((term, found))
            used.add(found.ref)
        if len(helps) == MAX_DEFINITIONS:
            break
    return helps
