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

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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
from evimap.query import Aspect, Part, Query, Tokens, cue_sets, mentions, themes
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
_KIND_BONUS = {  # preferred sources per audience
    True: {"reference": 0.25, "guideline": 0.15, "research": 0.0},  # lay readers
    False: {"guideline": 0.25, "research": 0.1, "reference": 0.0},  # clinicians
}
MIN_COVERAGE = 0.34  # share of what was asked (beside the focus) a sentence must cover
MAX_STATEMENTS = {True: 8, False: 12}  # lay, clinician
MAX_PER_DOCUMENT = 2
MAX_PER_SECTION = 5
SHORT_ANSWER = 2
MAX_DEFINITIONS = 3  # plain-language help: the focus and up to two more terms
LAY_GRADE = 8  # reading grade above which a sentence costs a lay reader
NEWEST_YEAR = 2026  # recency is counted back from here
LAY_GRADE_PENALTY = 0.04  # score lost per grade above it
_DANGLING = re.compile(
    r"^(this|these|those|it|its|they|their|such|both|he|she|however|therefore|thus|also|"
    r"still|yet|but|and|or|so|instead|otherwise|similarly|likewise|additionally|hence|"
    r"consequently|nevertheless|nonetheless|in contrast|on the other hand|"
    r"in addition|furthermore|moreover|in this|for this)\b",
    re.IGNORECASE,
)
# Pointers to elsewhere on a source's web page, not statements about health.
_NAVIGATION = re.compile(
    r"^(?:learn more|read more|click|see (?:also|the|our)|visit|go to|for more (?:information|"
    r"details)|more information|you can (?:find|read|learn|order|search|call)|call |contact |"
    r"this (?:page|section|fact sheet|web ?site)|these resources|the following (?:list|"
    r"resources|organizations))|https?://|www\.|\bclick here\b",
    re.IGNORECASE,
)
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


@dataclass(slots=True)
class Layout:
    """Where each selected candidate goes, before references are numbered."""

    short: list[Candidate] = field(default_factory=list)
    sections: dict[str, dict[str, list[Candidate]]] = field(default_factory=dict)


# -- candidates -----------------------------------------------------------------------------


def candidates(query: Query, retrieved: Sequence[object], audience: Audience) -> list[Candidate]:
    """Every well-formed sentence of the retrieved documents, scored for this question."""
    found: list[Candidate] = []
    needles = _needles(query)
    for rank, hit in enumerate(retrieved):
        doc: Document = hit.document  # type: ignore[attr-defined]
        doc_weight = 1.0 / (1.0 + 0.1 * rank) * (1.0 if _about_focus(doc, query) else 0.6)
        own = doc.question is not None and bool(doc.question.qtype) and _own_answer(doc, query)
        for ref, previous in _sentences(doc):
            if needles and not own and not _may_cover(ref, previous, needles):
                continue  # cheap: no asked word in it, so it cannot cover the question
            candidate = _score(query, doc, ref, previous, doc_weight, audience)
            if candidate is not None:
                found.append(candidate)
    return sorted(found, key=lambda c: c.score, reverse=True)


def _needles(query: Query) -> tuple[str, ...]:
    """Lower-case strings one of which a sentence must contain to cover any part (none, so
    no filter, when a part asks nothing beside the focus). Each is a prefix of the words it
    stands for (stems and cue prefixes are), so the test is conservative."""
    needles: set[str] = set()
    for part in query.parts:
        if not part.aspects:
            return ()
        needles |= {stem for aspect in part.aspects for stem in aspect.stems}
        if any(a.names_type for a in part.aspects):  # any sentence of the type covers it
            prefixes, exact = cue_sets(tuple(themes().get(part.qtype, {}).get("cues", ())))
            needles |= set(prefixes) | exact
    return tuple(needles)


def _may_cover(ref: SentenceRef, previous: SentenceRef | None, needles: tuple[str, ...]) -> bool:
    text = ref.text.lower() if previous is None else (previous.text + " " + ref.text).lower()
    return any(needle in text for needle in needles)


def _sentences(doc: Document) -> Iterable[tuple[SentenceRef, SentenceRef | None]]:
    for p_index, passage in enumerate(doc.passages):
        previous = None
        for s_index, (start, end) in enumerate(passage.sentences or ()):
            ref = SentenceRef(doc.id, p_index, s_index, start, end, passage.text[start:end])
            yield ref, previous
            previous = ref


def _about_focus(doc: Document, query: Query) -> bool:
    if not query.focus:
        return True
    head = doc.title.lower() + " " + (doc.question.focus.lower() if doc.question else "")
    return any(name in head for name in query.focus)


def _well_formed(text: str) -> bool:
    n_words = len(text.split())
    return 6 <= n_words <= 70 and text[-1:] in ".!?" and not text.endswith("?")


def _score(
    query: Query,
    doc: Document,
    ref: SentenceRef,
    previous: SentenceRef | None,
    doc_weight: float,
    audience: Audience,
) -> Candidate | None:
    text = ref.text
    if not _well_formed(text):
        return None
    antecedent = None
    if _DANGLING.match(text):
        if previous is None or not _well_formed(previous.text) or _DANGLING.match(previous.text):
            return None
        antecedent = previous
    said = text if antecedent is None else previous.text + " " + text
    tokens = Tokens.of(said)
    coverage = _coverage(query, tokens, _about_focus(doc, query))
    own = doc.question is not None and bool(doc.question.qtype) and _own_answer(doc, query)
    answers_type = max((_answers_type(tokens, p.qtype) for p in query.parts), default=1.0)
    if not own and (coverage < MIN_COVERAGE or not answers_type):
        return None  # says nothing about what was asked, or not the kind of thing asked
    score = 0.4 * coverage + 0.3 * doc_weight + 0.2 * answers_type + 0.25 * own
    score += _KIND_BONUS[audience.lay][doc.kind.value] + 0.05 * doc.level / 6 + _recency(doc)
    if audience.lay:
        score -= _hard_to_read(text)
    if _NAVIGATION.search(said):  # checked last: it costs more than the tests above
        return None
    return Candidate(ref, doc, score, coverage, antecedent)


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
    the whole document is about it, or the sentence names it): the best of the parts."""
    focus_met = about_focus or not query.focus or _names_focus(query, tokens.stems)
    shares = [_part_share(part, tokens) for part in query.parts] or [1.0]
    return max(shares) if focus_met else max(shares) / 2


def _part_share(part: Part, tokens: Tokens) -> float:
    stems = tokens.stems
    if not part.aspects:
        return 1.0
    of_type = None  # computed only if some aspect names the question's type

    def covered(aspect: Aspect) -> bool:
        nonlocal of_type
        if aspect.stems & stems:
            return True
        if aspect.names_type:
            of_type = _answers_type(tokens, part.qtype) if of_type is None else of_type
            return bool(of_type)
        return False

    total = sum(a.weight for a in part.aspects)
    return sum(a.weight for a in part.aspects if covered(a)) / total


def _names_focus(query: Query, stems: set[str]) -> bool:
    return any(all(stem(w) in stems for w in words(name)) for name in query.focus)


def _own_answer(doc: Document, query: Query) -> bool:
    from evimap.questions import medquad_type_map

    assert doc.question is not None
    own_type = medquad_type_map().get(doc.question.qtype.lower())
    return any(own_type == part.qtype for part in query.parts)


def _answers_type(tokens: Tokens, qtype: str) -> float:
    """1.0 when the sentence has a word of the kind the question type asks for (or the type
    has no cue words), else 0.0."""
    cues = tuple(themes().get(qtype, {}).get("cues", ()))
    return 1.0 if not cues or tokens.mention(cues) else 0.0


# -- selection ------------------------------------------------------------------------------


def select(found: Sequence[Candidate], audience: Audience) -> list[Candidate]:
    """The best candidates: enough coverage, no near-duplicates, a few per document."""
    chosen: list[Candidate] = []
    per_doc: dict[str, int] = {}
    per_kind: dict[str, int] = {}
    seen: list[set[str]] = []
    used: set[SentenceRef | None] = set()
    for cand in found:
        if len(chosen) >= MAX_STATEMENTS[audience.lay]:
            break
        kind = cand.doc.kind.value
        if per_doc.get(cand.doc.id, 0) >= MAX_PER_DOCUMENT or per_kind.get(kind, 0) >= (
            MAX_PER_SECTION
        ):
            continue
        tokens = set(words(cand.ref.text))
        refs = {cand.ref, cand.antecedent} - {None}
        if refs & used or any(_jaccard(tokens, other) >= 0.6 for other in seen):
            continue
        used |= refs
        chosen.append(cand)
        seen.append(tokens)
        per_doc[cand.doc.id] = per_doc.get(cand.doc.id, 0) + 1
        per_kind[kind] = per_kind.get(kind, 0) + 1
    return chosen


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# -- assembly -------------------------------------------------------------------------------


def layout(chosen: Sequence[Candidate], query: Query, audience: Audience) -> Layout:
    """Short answer first (preferred kinds), the rest into sections and themes."""
    order = SECTION_ORDER[audience]
    ranked = sorted(chosen, key=lambda c: (order.index(c.doc.kind.value), -c.score))
    plan = Layout(short=ranked[:SHORT_ANSWER])
    for cand in sorted(ranked[SHORT_ANSWER:], key=lambda c: -c.score):
        kind = cand.doc.kind.value
        heading = theme_of(cand.ref.text, query.qtype)
        plan.sections.setdefault(kind, {}).setdefault(heading, []).append(cand)
    plan.sections = {k: plan.sections[k] for k in order if k in plan.sections}
    return plan


def theme_of(text: str, qtype: str) -> str:
    """The sub-heading a sentence goes under for this question type."""
    spec = themes().get(qtype) or {"default": "Key points"}
    for theme in spec.get("themes", ()):
        if mentions(text, tuple(theme["cues"])):
            return theme["heading"]
    return spec.get("default", "Key points")


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

    def statement(cand: Candidate) -> Statement:
        number = numbers.setdefault(cand.doc.id, len(numbers) + 1)
        docs[cand.doc.id] = cand.doc
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
    references = tuple(reference(docs[doc_id], n) for doc_id, n in numbers.items())
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
        disclaimer=DISCLAIMERS[audience.lay],
    )


def reference(doc: Document, number: int) -> Reference:
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
        publisher=doc.publisher,
        year=doc.year,
        design=doc.design.value if doc.design else "",
        url=doc.url,
        pmid=doc.pmid,
        doi=doc.doi,
        level=doc.level,
        size=size,
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


DISCLAIMERS = {
    True: "This information is educational and does not replace advice from your own "
    "doctor or nurse, who knows your situation.",
    False: "For health professionals: a summary of the cited evidence. Check the sources and "
    "current local guidance before applying it to a patient.",
}


def abstention(
    question: str, query: Query, audience: Audience, found: int, notices: Sequence[Notice]
) -> Answer:
    """Say what was and was not found, and nothing else."""
    about = f" about {query.focus[0]}" if query.focus else ""
    if query.unknown:
        named = ", ".join(f"“{w}”" for w in query.unknown)
        text = (
            f"None of our trusted sources mentions {named}, so we cannot answer this "
            "question and will not guess. Please ask a clinician."
        )
    else:
        text = (
            f"We could not find trusted sources{about} that answer this question, so we "
            f"will not guess. We looked at {found} source{'s' if found != 1 else ''}; none "
            "said enough about what you asked. Please ask a clinician."
        )
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
        disclaimer=DISCLAIMERS[audience.lay],
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
) -> Answer:
    """All stages: candidates -> select -> layout -> (definitions) -> assemble.

    For lay readers, `define(term)` finds a cited source's own definition of the focus and
    of up to MAX_DEFINITIONS - 1 further terms that `jargon(statement texts)` names.
    """
    chosen = [] if query.unknown else select(candidates(query, retrieved, audience), audience)
    if not chosen:
        return abstention(question, query, audience, len(retrieved), notices)
    plan = layout(chosen, query, audience)
    helps: list[tuple[str, Candidate]] = []
    if define is not None and audience.lay:
        helps = _definitions(query, chosen, define, jargon)
    return assemble(question, query, plan, audience, helps, notices)


def _definitions(
    query: Query,
    chosen: Sequence[Candidate],
    define: Callable[[str], Candidate | None],
    jargon: Callable[[Sequence[str]], Sequence[str]] | None,
) -> list:
    terms = list(query.focus[:1])
    if jargon is not None:
        known = {name.lower() for name in query.focus}
        terms += [t for t in jargon([c.ref.text for c in chosen]) if t.lower() not in known]
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
