"""The retrieval stage of the answer engine: lexical + semantic candidates, fused.

    retrieve(library, question)          the ranked documents (Retrieved), best first
     ├── lexical   the library's BM25 index, top `candidates`
     ├── semantic  cosine between the question's MiniLM vector and each document vector
     │             (LIBRARY/vectors.sqlite, filled by `evimap library embed`), top `candidates`
     ├── fusion    convex: (1 - alpha) * minmax(BM25) + alpha * minmax(cosine) over the two
     │             candidate lists (a document missing from a list scores 0 there), or
     │             rrf: sum of 1 / (rrf_k + rank) (Cormack et al., SIGIR 2009)
     └── signals   optional question analysis: expansions join the lexical query; candidates
                   whose source question has the asked type get QTYPE_BOOST

Convex fusion with alpha 0.3 is the default: on SciFact *train* claims it beat RRF by 0.02-0.04
nDCG@10, because MiniLM alone is weaker than BM25 there and RRF weighs both lists alike
(bench/retrieval_quality.py --tune; docs/decisions/0002-semantic-retrieval.md; tuned on
train only). Hybrid degrades to lexical-only when the semantic extra is not installed or the
library has no vectors: `Retriever.fallback` names the cause (callers show it as one warning
line; `retrieve` logs it), and mode="semantic" raises instead. This module never prints.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from evimap import embeddings
from evimap.embeddings import Encoder, SemanticUnavailableError
from evimap.evidence import Document
from evimap.index import DEEP, FILTER_SCORE, _float32
from evimap.vectors import vector_index

if TYPE_CHECKING:
    from evimap.library import Library

MODES = ("hybrid", "lexical", "semantic")
FUSIONS = ("convex", "rrf")
CANDIDATES = 100  # documents taken from each stage before fusion
ALPHA = 0.3  # weight of the semantic stage in convex fusion (tuned on SciFact train)
RRF_K = 60  # the constant of Cormack et al.; used when fusion="rrf"
QUERY_CACHE = 16  # query vectors kept per Retriever
QTYPE_BOOST = 0.2  # fused score x 1.2 for a source question of the asked type
UNFILTERED_KEPT = 8  # unfiltered lexical lists remembered per Retriever (see _derived)

log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W_]+")


class QuestionSignals(Protocol):
    """What question analysis hands to retrieval (evimap.questions.QuestionAnalysis fits).

    expansions: terms to add to the lexical query: clinical words for lay words, the focus's
                names ("myocardial infarction" for "heart attack"). The semantic stage gets
                the question as asked; the encoder already relates lay and clinical words.
    qtype:      what is asked, in MedQuAD's vocabulary ("symptoms", "treatment", ...);
                among the fused candidates, a document whose source question has that type
                gets its score multiplied by 1 + QTYPE_BOOST.
    """

    @property
    def expansions(self) -> Sequence[str]: ...

    @property
    def qtype(self) -> str: ...


@dataclass(slots=True, frozen=True)
class StageHit:
    """A document's place in one stage's list (rank from 1)."""

    rank: int
    score: float


@dataclass(slots=True, frozen=True)
class Retrieved:
    """One retrieved document with its fused score and where each stage ranked it."""

    document: Document
    score: float  # fused (RRF) score; in single-stage modes, that stage's score
    lexical: StageHit | None = None
    semantic: StageHit | None = None

    def to_dict(self) -> dict:
        doc = self.document
        return {
            "id": doc.id,
            "kind": doc.kind.value,
            "collection": doc.collection,
            "title": doc.title,
            "url": doc.url,
            "score": self.score,
            "lexical": _stage_dict(self.lexical),
            "semantic": _stage_dict(self.semantic),
        }


def _stage_dict(hit: StageHit | None) -> dict | None:
    return None if hit is None else {"rank": hit.rank, "score": hit.score}


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    *,
    k: float = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Ids by sum over lists of weight / (k + rank), rank counted from 1; ties keep the
    order of first appearance (earlier lists first)."""
    weights = weights if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def convex_fusion(
    lexical: Sequence[tuple[str, float]],
    semantic: Sequence[tuple[str, float]],
    *,
    alpha: float = ALPHA,
) -> list[tuple[str, float]]:
    """Ids by (1 - alpha) * lexical + alpha * semantic, each list's scores min-max scaled to
    [0, 1] (a list of one scores 1); an id missing from a list gets 0 from it. Ties keep the
    order of first appearance (lexical first)."""
    scaled_lexical, scaled_semantic = _minmax(lexical), _minmax(semantic)
    ids = dict.fromkeys([d for d, _ in lexical] + [d for d, _ in semantic])
    scores = {
        d: (1 - alpha) * scaled_lexical.get(d, 0.0) + alpha * scaled_semantic.get(d, 0.0)
        for d in ids
    }
    return sorted(scores.items(), key=lambda item: -item[1])


def _minmax(hits: Sequence[tuple[str, float]]) -> dict[str, float]:
    if not hits:
        return {}
    low, high = min(s for _, s in hits), max(s for _, s in hits)
    if high <= low:
        return {d: 1.0 for d, _ in hits}
    return {d: (s - low) / (high - low) for d, s in hits}


@dataclass(slots=True)
class Retriever:
    """Retrieval over one library; loads the encoder (once) only if a semantic stage runs.

    `mode` is what was asked; `effective_mode` what runs, and `fallback` says why they differ.
    """

    library: Library
    mode: str = "hybrid"
    encoder: Encoder | None = None
    loader: Callable[[], Encoder] | None = None  # default: embeddings.load_encoder
    candidates: int = CANDIDATES
    fusion: str = "convex"
    alpha: float = ALPHA
    rrf_k: float = RRF_K
    boosts: dict[str, float] | None = None  # BM25 field boosts; None = the index's defaults
    fallback: str | None = field(default=None, init=False)
    effective_mode: str = field(default="", init=False)
    _vectors: dict = field(default_factory=dict, init=False, repr=False)  # recent queries
    _unfiltered: dict = field(default_factory=dict, init=False, repr=False)  # see _derived
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {self.fusion!r}")
        self.effective_mode = self.mode
        if self.mode == "lexical":
            return
        try:
            self._prepare_semantic()
        except SemanticUnavailableError as exc:
            if self.mode == "semantic":
                raise
            self.fallback = exc.message
            self.effective_mode = "lexical"

    def _prepare_semantic(self) -> None:
        if self.encoder is None:
            self.encoder = (self.loader or embeddings.load_encoder)()
        index = vector_index(self.library, self.encoder.name)
        if index is None or not len(index):
            raise SemanticUnavailableError(
                f"the library at {self.library.path} has no {self.encoder.name} vectors yet "
                "(run `evimap library embed`)"
            )

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        kinds: Sequence[str] = (),
        collections: Sequence[str] = (),
        analysis: QuestionSignals | None = None,
        with_text: bool = False,
    ) -> list[Retrieved]:
        """The k best documents for `query`, restricted to source `kinds`/`collections`;
        `with_text`: only documents with text to quote (MedQuAD keeps some questions whose
        answers it could not share: a title and a link, nothing an answer can say)."""
        qtype = getattr(analysis, "qtype", "") if analysis is not None else ""
        kept = max((3 if with_text else 2) * k, 20) if qtype or with_text else k
        # Fusion needs each stage's candidates; one stage alone is cut to `kept` anyway, and
        # a search for fewer hits skips more postings (its score threshold rises sooner).
        depth = kept if self.effective_mode == "lexical" else max(k, self.candidates)
        lexical: list[tuple[str, float]] = []
        semantic: list[tuple[str, float]] = []
        with self.library.snapshot() as snap:
            if self.effective_mode in ("hybrid", "lexical"):
                lexical = self._lexical(snap, query, depth, kinds, collections, analysis)
            if self.effective_mode in ("hybrid", "semantic"):
                semantic = self._semantic(query, depth, kinds, collections)
            fused = self._fuse(lexical, semantic)
            pool = fused[:kept]
            store = self.library.store
            # the pool's question types (and which have text) first, without building the
            # documents: only the k kept are built
            asked = store.source_qtypes([d for d, _ in pool], with_text=with_text)
            if with_text:
                pool = [(d, s) for d, s in pool if d in asked]
            fused = (self._boost_qtype(pool, qtype, asked) if qtype else pool)[:k]
            docs = store.get_many([d for d, _ in fused], with_text=with_text)
        lex = {d: StageHit(r, s) for r, (d, s) in enumerate(lexical, start=1)}
        sem = {d: StageHit(r, s) for r, (d, s) in enumerate(semantic, start=1)}
        return [
            Retrieved(docs[doc_id], score, lex.get(doc_id), sem.get(doc_id))
            for doc_id, score in fused
            if doc_id in docs  # deleted after the index committed
        ]

    def _lexical(self, snap, query, depth, kinds, collections, analysis):
        expansions = getattr(analysis, "expansions", ()) if analysis is not None else ()
        # Plain words only: the index tokenizer splits "patient's" and "covid-19" at the
        # punctuation anyway, and the query parser rejects some of it (an apostrophe).
        text = " ".join(_WORD.findall(" ".join((query, *expansions))))
        if kinds and not collections:
            derived = self._derived(snap, text, depth, kinds)
            if derived is not None:
                return derived
        index = self.library.index
        if kinds or collections:
            filters = _filters(kinds, collections)
            hits = index.search(
                text, depth, filters=filters, boosts=self.boosts, searcher=snap.searcher
            )
            return [(h.id, h.score) for h in hits]
        limit = max(depth, DEEP)
        ranked = index.ranked(text, limit, boosts=self.boosts, searcher=snap.searcher)
        found = [(h.id, h.score) for h in index.hits(ranked[:depth], snap.searcher)]
        with self._lock:
            while len(self._unfiltered) >= UNFILTERED_KEPT:
                self._unfiltered.pop(next(iter(self._unfiltered)))
            self._unfiltered[(id(snap.searcher), text)] = (
                snap.searcher,
                depth,
                found,
                ranked,
                limit,
            )
        return found

    def _derived(self, snap, text, depth, kinds) -> list[tuple[str, float]] | None:
        """The `kinds` search read off the unfiltered search of the same words, when one
        ran on the same searcher and holds `depth` documents of those kinds (or every
        document the words match): the same documents, order and scores as the filtered
        search (its score is the unfiltered one plus FILTER_SCORE, in tantivy's float32),
        without walking the words' postings again. In a library of millions of citations
        the research search cost more than any other (the filter is most documents, so
        nothing is skipped). None: run the filtered search."""
        with self._lock:
            entry = self._unfiltered.get((id(snap.searcher), text))
        if entry is None or entry[0] is not snap.searcher:
            return None
        searcher, limit, hits, ranked, deep = entry
        read = self.library.index.read_off(ranked, deep, kinds, depth, searcher)
        if read is not None:
            return [(h.id, h.score) for h in read]
        kind_of = self.library.store.kinds([d for d, _ in hits])
        if kind_of is None or len(kind_of) < len(hits):
            return None  # the index may not hold the store's kinds (an ingest is running)
        matching = [(d, _float32(s + FILTER_SCORE)) for d, s in hits if kind_of[d] in kinds]
        if len(matching) >= depth or len(hits) < limit:
            return matching[:depth]
        return None

    def _semantic(self, query, depth, kinds, collections):
        assert self.encoder is not None
        index = vector_index(self.library, self.encoder.name)
        if index is None or not query.strip():
            return []
        hits = index.search(self._vector(query), depth, kinds=kinds, collections=collections)
        return [(h.id, h.score) for h in hits]

    def _vector(self, query: str):
        """The query's vector; the last few are kept, since callers often search the same
        question again with other filters (the answer engine does, once per source kind).
        Threads share the cache: it is read and changed under a lock, encoded outside it."""
        with self._lock:
            found = self._vectors.get(query)
        if found is not None:
            return found
        assert self.encoder is not None  # _semantic runs only with an encoder
        vector = self.encoder.encode([query])[0]
        with self._lock:
            while len(self._vectors) >= QUERY_CACHE:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[query] = vector
        return vector

    def _fuse(self, lexical, semantic) -> list[tuple[str, float]]:
        if self.effective_mode != "hybrid":  # one stage: keep its own scores
            return lexical or semantic
        if self.fusion == "rrf":
            rankings = [[d for d, _ in lexical], [d for d, _ in semantic]]
            return reciprocal_rank_fusion(rankings, k=self.rrf_k)
        return convex_fusion(lexical, semantic, alpha=self.alpha)

    def _boost_qtype(
        self, fused: list[tuple[str, float]], qtype: str, asked: dict[str, str]
    ) -> list[tuple[str, float]]:
        """Scores x (1 + QTYPE_BOOST) where the source's own question (`asked`: {id: its
        type}) is of type `qtype` (MedQuAD labels mapped to ours: "causes" -> "cause")."""
        from evimap.questions import medquad_type_map

        types = medquad_type_map()

        def boosted(doc_id: str, score: float) -> float:
            own = asked.get(doc_id, "").lower()
            same = qtype in (own, types.get(own))
            return score * (1 + QTYPE_BOOST) if same and score > 0 else score

        rescored = [(d, boosted(d, s)) for d, s in fused]
        return sorted(rescored, key=lambda item: -item[1])


def _filters(kinds: Sequence[str], collections: Sequence[str]) -> dict[str, Sequence[str]]:
    filters: dict[str, Sequence[str]] = {}
    if kinds:
        filters["kind"] = list(kinds)
    if collections:
        filters["collection"] = list(collections)
    return filters


def retrieve(
    library: Library,
    query: str,
    k: int = 10,
    *,
    kinds: Sequence[str] = (),
    collections: Sequence[str] = (),
    mode: str = "hybrid",
    encoder: Encoder | None = None,
    analysis: QuestionSignals | None = None,
) -> list[Retrieved]:
    """The k best documents of `library` for `query` (see the module docstring)."""
    retriever = Retriever(library, mode=mode, encoder=encoder)
    if retriever.fallback:
        log.warning("lexical search only: %s", retriever.fallback)
    return retriever.search(query, k, kinds=kinds, collections=collections, analysis=analysis)
