"""The answer engine: a question in, a grounded, cited Answer out, for the reader who asked.

    AnswerEngine(library).ask(question, audience, context=None)
      analyse      questions.analyze: focus, type, expansions, safety      (evimap.questions)
      retrieve     lexical + semantic, fused                               (evimap.retrieval)
      compose      select source sentences, sections, references           (evimap.compose)
      ground       every statement checked against its source sentences    (evimap.grounding)

An engine keeps what answering needs warm (encoder, vectors, vocabulary); make one per
process and reuse it. A follow-up question is asked with `context` (the page's question):
when it names no focus of its own ("how are they treated?"), it borrows the context's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from evimap import safety
from evimap.answer import Answer, AnswerTrace, Audience, Notice, SentenceRef
from evimap.compose import Candidate, abstention, compose
from evimap.definitions import dictionary_definition, jargon_terms, with_plain_names
from evimap.evidence import Document
from evimap.grounding import check_answer
from evimap.library import Library
from evimap.matching import entailed, focus_at, names_focus, nearest
from evimap.query import Query, query_of
from evimap.questions import QuestionAnalysis, analyze, question_types
from evimap.retrieval import Retrieved, Retriever
from evimap.vocabulary import Vocabulary, for_library
from evimap.writer import Writer, WriterReport, rewrite

RETRIEVE = 20  # documents handed to composition, best overall
PER_KIND = 8  # and the best of each of guideline and research
SOURCE_QUESTIONS = 12  # and the sources' own questions on the focus and types (`matching`)
SOURCE_ASKS = 2  # for the first this many types asked
CONDITION_KINDS = frozenset({"condition"})  # what a sentence may not be about, beside the focus
MEDICINE_KINDS = frozenset({"drug", "supplement", "vaccine"})  # ... and for a medicine, these
JARGON_TERMS = 6  # terms named in an answer that are looked up for plain-language help
DEFINITIONS_KEPT = 2048  # plain-language definitions remembered per engine
# "X is a ...", "X refers to ...": not "X is not ...", "X is usually ...", "X is caused by ...",
# "X is three times more common ...", which say something else about X.
_DEFINES = (
    r"^\W*{term}\s*(?:\([^)]*\)\s*)?(?:refers to\b|(?:is|are)\s+(?!(?:not|also|caused|"
    r"thought|found|more|less|common|rare|often|seen|diagnosed|treated|inherited|passed|"
    r"present|known|most)\b|\w+ly\b|\w+\s+times\b))"
)


class AnswerEngine:
    """Answers questions from one library."""

    def __init__(
        self,
        library: Library,
        *,
        mode: str = "hybrid",
        shared_data: Path | None = None,
        vocabulary: Vocabulary | None = None,
        writer: Writer | None = None,
    ) -> None:
        """`writer`: an optional language model that may reword statements (docs/decisions/0004)."""
        self.library = library
        self.writer = writer
        self.last_writer: WriterReport | None = None  # what the writer did to the last answer
        self.retriever = Retriever(library, mode=mode)
        self._shared_data = shared_data
        self._vocabulary = vocabulary
        self.last_trace = AnswerTrace()
        self._definitions: dict[tuple[str, int], Candidate | None] = {}  # (term, documents)

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary, _ = for_library(self.library, self._shared_data)
        return self._vocabulary

    @property
    def fallback(self) -> str | None:
        """Why semantic search is off (None when it runs)."""
        return self.retriever.fallback

    def retrieve(self, question: str, k: int = 10) -> list[Retrieved]:
        """The first stage alone: `question` analysed, then the `k` documents retrieval ranks
        first for its words and its focus's name (what review-due checks new evidence by)."""
        analysis = analyze(question, self.vocabulary)
        focus = " ".join(c.name for c in analysis.focus[:1])
        text = " ".join(filter(None, (analysis.text, focus)))
        return self.retriever.search(text, k, analysis=analysis)

    def ask(
        self,
        question: str,
        audience: str | Audience = Audience.PATIENT,
        *,
        context: str | None = None,
    ) -> Answer:
        """The answer to `question` for `audience`; raises QuestionError/AudienceError."""
        trace = AnswerTrace(retrieval_mode=self.retriever.effective_mode)
        started = time.perf_counter()
        reader = Audience.parse(audience)
        analysis = analyze(question, self.vocabulary)
        around = None
        if context and not analysis.focus:
            around = self._query(analyze(context, self.vocabulary))
            analysis = self._in_context(analysis, around)
        trace.seconds["analyse"] = time.perf_counter() - started
        query = self._query(analysis)
        if analysis.out_of_scope:
            notices = notices_of(analysis)
            return abstention(question, query, reader, 0, notices, analysis.out_of_scope)
        if around is not None:
            query = query.narrowed_by(around)
        urgent = safety.topics(analysis.safety) if analysis.safety.emergency else ()
        retrieved = self._retrieve(_search_text(analysis, query), analysis, urgent)
        trace.candidates = len(retrieved)
        trace.seconds["retrieve"] = time.perf_counter() - started
        answer = compose(
            question,
            query,
            retrieved,
            reader,
            notices=notices_of(analysis),
            define=lambda term: self.definition(term, query),
            jargon=self.jargon,
            lead=entailed(query, retrieved),
            off_subject=self._off_subject(query, analysis),
            urgent=urgent or analysis.safety.emergency,
            nearest=nearest(query, retrieved) if not query.unknown else None,
        )
        answer = with_plain_names(self._grounded(answer, query, retrieved, trace), self.vocabulary)
        trace.seconds["total"] = time.perf_counter() - started
        self.last_trace = trace
        return answer

    def _query(self, analysis: QuestionAnalysis) -> Query:
        with self.library.snapshot() as snap:
            return query_of(
                analysis.text, analysis, frequency=snap.frequency, documents=snap.count()
            )

    def _retrieve(self, text: str, analysis: QuestionAnalysis, urgent: tuple = ()) -> list:
        """The best documents overall, plus the best of each kind, so that every section
        the evidence supports gets a chance (agency pages outnumber guidelines here), plus
        the sources' own questions on the focus and each asked type (`matching`), and for
        an emergency, sources about what it is (`urgent`: "poisoning", "stroke")."""
        found: dict[str, Retrieved] = {}
        searches = [(text, (), RETRIEVE), (text, ("guideline",), PER_KIND)]
        searches += [(text, ("research",), PER_KIND)]
        searches += [(own, ("reference",), SOURCE_QUESTIONS) for own in _source_asks(analysis)]
        searches += [(f"{topic} emergency", ("reference",), PER_KIND) for topic in urgent]
        for words, kinds, k in searches:
            hits = self.retriever.search(
                words, k, kinds=kinds, analysis=analysis, with_text=kinds != ("research",)
            )
            for hit in hits:
                found.setdefault(hit.document.id, hit)
        return _one_per_study(list(found.values()))

    def _in_context(self, analysis: QuestionAnalysis, around: Query) -> QuestionAnalysis:
        """A follow-up that names no focus asks about its page's whole subject."""
        concepts = analyze(around.text, self.vocabulary).focus
        return replace(
            analysis,
            text=f"{analysis.text} ({around.subject})" if around.subject else analysis.text,
            focus=concepts,
            expansions=(*analysis.expansions, *(c.name for c in concepts)),
        )

    def _off_subject(self, query: Query, analysis: QuestionAnalysis | None = None):
        """Whether a sentence is about a condition other than the focus: it names one and
        not the focus, or names it before the focus ("Although most people with Legius
        syndrome ..., some have ADHD" is about Legius syndrome). For a medicine, another
        medicine named first makes it so too ("Dapagliflozin added to metformin ...")."""
        kinds = CONDITION_KINDS
        if analysis is not None and analysis.focus and analysis.focus[0].kind in MEDICINE_KINDS:
            kinds = kinds | MEDICINE_KINDS

        def off(text: str) -> bool:
            named = [
                c
                for c in self.vocabulary.match(text).concepts
                if c.kind in kinds
                and not names_focus(c.name, query.focus)
                and not names_focus(c.text, query.focus)
            ]
            if not named:
                return False
            first = focus_at(text, query.focus)
            return first is None or named[0].span[0] < first

        return off if query.focus else None

    def _grounded(
        self, answer: Answer, query: Query, retrieved: list, trace: AnswerTrace
    ) -> Answer:
        documents = {r.document.id: r.document for r in retrieved}
        for definition in answer.definitions:
            for ref in definition.statement.support:
                documents.setdefault(ref.doc_id, self.library.get(ref.doc_id))
        answer = self._rewritten(answer, documents)
        verdict = check_answer(answer, documents)
        if verdict.ok:
            return answer
        trace.rejected = verdict.failures  # never show what failed: say so instead
        return abstention(
            answer.question,
            query,
            answer.audience,
            len(retrieved),
            answer.notices[:1] if answer.notices else (),
        )

    def _rewritten(self, answer: Answer, documents: dict[str, Document]) -> Answer:
        """The writer's faithful rewordings in place of extractive statements, if it is on."""
        self.last_writer = None
        if self.writer is None:
            return answer
        answer, self.last_writer = rewrite(answer, documents, self.writer)
        return answer

    def jargon(self, texts: Sequence[str]) -> list[str]:
        """Conditions, tests, drugs... that the statements name: terms a lay reader may need
        explained (a definition is shown only where a trusted source gives one)."""
        return jargon_terms(texts, self.vocabulary)[:JARGON_TERMS]

    def definition(self, term: str, query: Query | None = None) -> Candidate | None:
        """A trusted source's own sentence defining `term` ("X is a ..."), if there is one;
        remembered while the library holds the same documents."""
        with self.library.snapshot() as snap:
            key = (term.lower(), snap.count())
        if key not in self._definitions:
            if len(self._definitions) >= DEFINITIONS_KEPT:
                self._definitions.pop(next(iter(self._definitions)))
            self._definitions[key] = self._find_definition(term)
        return self._definitions[key]

    def _find_definition(self, term: str) -> Candidate | None:
        """The NCI Dictionary's plain definition first, else an agency's "X is ..." sentence."""
        entry = dictionary_definition(self.library, term, self.vocabulary)
        if entry is not None:
            doc, (*first, last) = entry
            return Candidate(last, doc, 1.0, 1.0, antecedent=first[0] if first else None)
        pattern = re.compile(_DEFINES.format(term=re.escape(term)), re.IGNORECASE)
        for hit in self.library.search(f"what is {term}", k=3, kind=["reference"]):
            found = _defining_sentence(hit.document, pattern)
            if found is not None:
                return Candidate(found, hit.document, 1.0, 1.0)
        return None


def _defining_sentence(doc: Document, pattern: re.Pattern[str]) -> SentenceRef | None:
    for p_index, passage in enumerate(doc.passages):
        for s_index, (start, end) in enumerate(passage.sentences or ()):
            text = passage.text[start:end]
            if pattern.search(text) and len(text.split()) <= 45 and not text.endswith(":"):
                return SentenceRef(doc.id, p_index, s_index, start, end, text)
    return None


def _one_per_study(retrieved: list[Retrieved]) -> list[Retrieved]:
    """One record per study: a PubMed citation and the PMC full text of the same article
    (one PMID) are one source, cited once; the better-ranked record stays."""
    seen: set[str] = set()
    kept = []
    for hit in retrieved:
        pmid = hit.document.pmid
        if pmid in seen:
            continue
        if pmid:
            seen.add(pmid)
        kept.append(hit)
    return kept


def _search_text(analysis: QuestionAnalysis, query: Query) -> str:
    focus = " ".join(c.name for c in analysis.focus[:1])
    narrowing = " ".join(a.word for a in query.narrowing)
    return " ".join(filter(None, (analysis.text, focus, narrowing)))


def _source_asks(analysis: QuestionAnalysis) -> list[str]:
    """How a trusted source would ask the parts: the focus and the types' own words (one
    search: BM25 finds the source questions of each type)."""
    if not analysis.focus:
        return []
    focus = analysis.focus[0].name
    types = list(dict.fromkeys(p.qtype for p in analysis.parts))[:SOURCE_ASKS]
    return [" ".join([focus, *(question_types().get(t, "") for t in types)])]


def notices_of(analysis: QuestionAnalysis) -> tuple[Notice, ...]:
    """Emergency first, then "see a clinician" framing, then a truncation note."""
    notices = []
    if analysis.safety.emergency:
        notices.append(Notice("emergency", analysis.safety.notice))
    if analysis.safety.personal_advice and not analysis.safety.emergency:
        # in an emergency the one thing to do is the emergency notice's, not "decide with
        # a clinician"
        notices.append(Notice("personal-advice", analysis.safety.framing))
    if analysis.truncated:
        notices.append(
            Notice(
                "truncated",
                f"Your message was long; we answered its first {len(analysis.text):,} characters.",
            )
        )
    return tuple(notices)


_engines: dict[tuple[Path, str], AnswerEngine] = {}


def ask(
    question: str,
    audience: str | Audience = Audience.PATIENT,
    *,
    library: Library | Path | str | None = None,
    context: str | None = None,
    mode: str = "hybrid",
) -> Answer:
    """Answer `question` from `library` (default: EVIMAP_LIBRARY), reusing a warm engine."""
    from evimap.settings import Settings

    settings = Settings.from_env()
    if not isinstance(library, Library):
        path = Path(library) if library is not None else settings.library
        key = (path.resolve(), mode)
        if key not in _engines:
            _engines[key] = AnswerEngine(
                Library(path, readonly=True), mode=mode, shared_data=settings.shared_data
            )
        engine = _engines[key]
    else:
        engine = AnswerEngine(library, mode=mode, shared_data=settings.shared_data)
    return engine.ask(question, audience, context=context)
