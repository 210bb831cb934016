"""The grounding check: nothing reaches a reader unless its source sentences support it.

An extractive statement must be exactly its source sentences. A rephrased statement (from
the optional writer) must not say anything its sources do not: every content word, number
and negation in it must be found in the supporting sentences. Citations must resolve: every
number a statement carries names a reference, references are numbered 1..N in order of first
use, and each reference a statement cites is one of the documents supporting it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from evimap.answer import Answer, SentenceRef, Statement
from evimap.evidence import Document
from evimap.text import normalize_space, stem, stopwords

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NEGATIONS = frozenset({"no", "not", "never", "none", "without", "cannot", "neither", "nor"})
_STOP = stopwords()
_NEGATION = re.compile(r"\b(?:no|not|never|none|without|cannot|neither|nor)\b|n[’']t\b")
_HEDGES = frozenset(
    "may might could can possibly probably likely unlikely suggest suggests suggested "
    "appear appears".split()
)
# Function words the word check ignores (data/stopwords.txt) that still change a claim.
_OVERCLAIMS = frozenset("only most more should will would must before after than very".split())
_WORD = re.compile(r"[a-z]+")


@dataclass(slots=True)
class Grounding:
    """The verdict on one answer: which statements failed, and why."""

    statements: int = 0
    grounded: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def share(self) -> float:
        return self.grounded / self.statements if self.statements else 1.0


def source_text(ref: SentenceRef, documents: Mapping[str, Document]) -> str | None:
    """The sentence `ref` points at, read from the document; None if it does not exist.
    A reference may leave out the start of its sentence (a web page's heading run into it:
    "Exercise Exercise can help ..."), never its end."""
    doc = documents.get(ref.doc_id)
    if doc is None or not 0 <= ref.passage < len(doc.passages):
        return None
    passage = doc.passages[ref.passage]
    spans = passage.sentences or ()
    if not 0 <= ref.sentence < len(spans):
        return None
    start, end = spans[ref.sentence]
    if not start <= ref.start < ref.end == end:
        return None
    return passage.text[ref.start : ref.end]


def check_statement(statement: Statement, documents: Mapping[str, Document]) -> str | None:
    """None when `statement` is supported by its source sentences, else the reason why not."""
    if not statement.support:
        return "no source sentence"
    texts = []
    for ref in statement.support:
        text = source_text(ref, documents)
        if text is None or text != ref.text:
            return f"source sentence {ref.doc_id}#{ref.passage}.{ref.sentence} not found"
        texts.append(text)
    support = " ".join(texts)
    if statement.extractive:
        same = normalize_space(statement.text) == normalize_space(support)
        return None if same else "extractive statement differs from its source sentences"
    return _unsupported_content(statement.text, support) or meaning_lost(statement.text, support)


def _unsupported_content(text: str, support: str) -> str | None:
    said, found = _tokens(text), _tokens(support)
    numbers = set(_NUMBER.findall(text)) - set(_NUMBER.findall(support))
    if numbers:
        return f"numbers not in the sources: {', '.join(sorted(numbers))}"
    negations = (said & _NEGATIONS) - found
    if negations:
        return f"negation not in the sources: {', '.join(sorted(negations))}"
    missing = {w for w in said - found - _STOP if stem(w) not in {stem(f) for f in found}}
    if missing:
        return f"words not in the sources: {', '.join(sorted(missing)[:8])}"
    return None


def meaning_lost(text: str, sources: str) -> str | None:
    """What a rewording drops or overstates that the word-level grounding check cannot see."""
    lower, source = text.lower(), sources.lower()
    dropped = sorted(set(_NUMBER.findall(source)) - set(_NUMBER.findall(lower)))
    if dropped:
        return f"numbers dropped: {', '.join(dropped)}"
    if Counter(_NEGATION.findall(lower)) != Counter(_NEGATION.findall(source)):
        return "negation dropped or repeated"
    said, found = set(_WORD.findall(lower)), set(_WORD.findall(source))
    if found & _HEDGES and not said & _HEDGES:
        return "hedging dropped"
    added = sorted((said & _OVERCLAIMS) - found)
    if added:
        return f"overstating words not in the sources: {', '.join(added)}"
    return None


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text.lower()))


def check_answer(answer: Answer, documents: Mapping[str, Document]) -> Grounding:
    """Check every statement and every citation of `answer`."""
    verdict = Grounding()
    refs = {r.number: r for r in answer.references}
    if [r.number for r in answer.references] != list(range(1, len(refs) + 1)):
        verdict.failures.append("references are not numbered 1..N")
    _check_first_use(answer, verdict)
    for statement in answer.statements:
        verdict.statements += 1
        reason = check_statement(statement, documents) or _citation_problem(statement, refs)
        if reason:
            verdict.failures.append(f"{statement.text[:60]!r}: {reason}")
        else:
            verdict.grounded += 1
    return verdict


def _citation_problem(statement: Statement, refs: Mapping[int, object]) -> str | None:
    if not statement.citations:
        return "no citation"
    missing = [n for n in statement.citations if n not in refs]
    if missing:
        return f"citation {missing[0]} has no reference"
    cited = {refs[n].doc_id for n in statement.citations}  # type: ignore[attr-defined]
    if cited != {ref.doc_id for ref in statement.support}:
        return "citations do not match the supporting documents"
    return None


def _check_first_use(answer: Answer, verdict: Grounding) -> None:
    order: list[int] = []
    for statement in answer.statements:
        order.extend(n for n in statement.citations if n not in order)
    if order != sorted(order):
        verdict.failures.append("references are not numbered in order of first use")
    if set(order) != {r.number for r in answer.references}:
        verdict.failures.append("a reference is never cited")
