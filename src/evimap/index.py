"""The full-text search index (tantivy, BM25) over the library's documents.

Only what search needs is indexed; the document itself is read back from the store, so the
index can always be rebuilt from it. Ids are indexed raw so a document can be replaced or
deleted by id.
"""

from __future__ import annotations

import itertools
import os
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from evimap.errors import LibraryBusyError, LibraryError
from evimap.store import IndexFields

TEXT_FIELDS = ("title", "question", "body", "keywords")
# Tuned on SciFact train claims (bench/retrieval_quality.py --tune; 0002): title 1.5 -> 0.5
# raised hybrid nDCG@10 on train 0.689 -> 0.722 and on test 0.679 -> 0.712.
DEFAULT_BOOSTS = {"title": 0.5, "question": 1.5, "body": 1.0, "keywords": 0.5}
FILTER_FIELDS = ("kind", "collection", "design")
FILTER_SCORE = 1.0  # what a filter adds to a hit's BM25 score (tantivy's term set scores 1)
KINDS = ("guideline", "reference", "research")  # every document has one (evidence.SourceKind)
MOST = 0.5  # a kind filter on more than this share of documents leaves the others out
# Unfiltered searches rank this deep (addresses only: ids are read for the hits kept) so that
# the search of a kind holding most documents can be read off them instead of run again. At
# 1M, 500 answered 106 of 125 research searches (120: 77; 2,000: 122 but cost more than it
# saved); decision 0013.
DEEP = 500

_QUERY_WORD = re.compile(r"[^\W_]+")  # no punctuation reaches tantivy's query parser
_POSSESSIVE = re.compile(r"['’]s\b")
_OPERATORS = {"AND", "OR", "NOT", "IN"}
# Words of a query kept: far more than any question (the engine analyses 2,000 characters),
# few enough that a pasted book costs milliseconds, not seconds.
MAX_QUERY_WORDS = 1024
# A parsed text query as tantivy-py prints it: a flat OR of (boosted) term queries.
_PARSED = re.compile(
    r"Query\(BooleanQuery \{ subqueries: \[(.*)\], minimum_number_should_match: 1 \}\)"
)
_CLAUSE = re.compile(
    r'\(Should, (?:Boost\(query=)?TermQuery\(Term\(field=(\d+), type=Str, "([^"\\]*)"\)\)'
    r"(?:, boost=([0-9.eE+-]+)\))?\)"
)


def query_words(text: str, limit: int = MAX_QUERY_WORDS) -> list[str]:
    """The first `limit` words of user text, letters and digits only: safe in any query
    language (no quotes, operators' punctuation, field names or NUL survive), in order."""
    words = _QUERY_WORD.finditer(_POSSESSIVE.sub("", text))
    return [match.group() for match in itertools.islice(words, limit)]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in FILTER_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("level", indexed=True, fast=True)
    for name in TEXT_FIELDS:  # no positions: no phrase queries, 45% smaller, 5% faster
        builder.add_text_field(name, tokenizer_name="en_stem", index_option="freq")
    return builder.build()


def _writer_threads() -> int:
    """Indexing threads: one on two cores or fewer, where parser processes keep every core
    busy and a second thread only costs (7% more CPU per document here), else two."""
    return 1 if (os.cpu_count() or 1) <= 2 else 2


@dataclass(slots=True, frozen=True)
class IndexHit:
    id: str
    score: float


class SearchIndex:
    """A tantivy index directory. Writing needs the writer lock (one process at a time)."""

    def __init__(
        self,
        path: Path,
        *,
        readonly: bool = False,
        heap_bytes: int = 128_000_000,
        threads: int | None = None,
    ) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.readonly = readonly
        self.path = path
        self.schema = _schema()
        try:
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as exc:
            hint = " (run `evimap library rebuild-index`)" if "schema" in str(exc) else ""
            raise LibraryError(f"cannot open search index {path}: {exc}{hint}") from exc
        self._heap = heap_bytes
        self._threads = threads or _writer_threads()
        self._writer: tantivy.IndexWriter | None = None
        self._loaded: tuple[int, int, int] | None = None  # meta.json when last reloaded
        self._searcher: tantivy.Searcher | None = None  # the searcher of that state
        self._kinds_of: tuple = (None, {})  # (searcher, {kinds: their document addresses})
        self._names: dict[int, str] | None = None  # text fields by tantivy's field number

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            if self.readonly:
                raise LibraryError(f"the library at {self.path.parent} was opened read-only")
            try:
                self._writer = self.index.writer(self._heap, self._threads)
            except ValueError as exc:
                raise LibraryBusyError(
                    f"the library at {self.path.parent} is being written by another process"
                ) from exc
        return self._writer

    def add(self, items: Iterable[IndexFields]) -> None:
        writer = self.writer
        for f in items:
            writer.add_document(_to_tantivy(f))

    def delete(self, ids: Iterable[str]) -> None:
        writer = self.writer
        for doc_id in ids:
            writer.delete_documents_by_term("id", doc_id)

    def delete_all(self) -> None:
        self.writer.delete_all_documents()

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self.index.reload()
            self._searcher = None  # the next searcher() sees this commit

    def rollback(self) -> None:
        if self._writer is not None:
            self._writer.rollback()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()  # releases the writer lock
            self._writer = None

    def searcher(self) -> tantivy.Searcher:
        """A consistent view of the last committed state; LibraryError when the index on disk
        cannot be read (its folder deleted or unreadable: `evimap library rebuild-index`).

        The reader is reloaded only when meta.json changed (a commit replaces it whole, so
        its inode changes): a reload cost about 1 ms, some 7 times per answer. Until then
        the same Searcher object is handed out, so callers may key what they derive from a
        search by it (`Retriever` does)."""
        stamp = _meta_stamp(self.path)
        try:
            searcher = self._searcher
            if stamp is None or stamp != self._loaded or searcher is None:
                self.index.reload()
                searcher = self._searcher = self.index.searcher()
                self._loaded = stamp  # read before the reload: a commit in between reloads again
            return searcher
        except ValueError as exc:
            raise LibraryError(
                f"cannot read the search index {self.path}: {exc} "
                "(run `evimap library rebuild-index`)"
            ) from exc

    def count(self) -> int:
        return self.searcher().num_docs

    def search(
        self,
        text: str,
        k: int = 10,
        *,
        filters: dict[str, Sequence[str]] | None = None,
        boosts: dict[str, float] | None = None,
        searcher: tantivy.Searcher | None = None,
    ) -> list[IndexHit]:
        """BM25 over the text fields; `filters` keeps only documents whose field is listed."""
        query = self.text_query(text, boosts)
        if query is None:
            return []
        searcher = searcher or self.searcher()
        others = self._other_kinds(filters or {}, searcher)
        if others is None:
            result = searcher.search(self._filtered(query, filters or {}), limit=k, count=False)
            hits = result.hits
        else:
            hits = self._most_kinds(query, others, k, searcher)
        return [IndexHit(searcher.doc(address)["id"][0], score) for score, address in hits]

    def ranked(
        self,
        text: str,
        limit: int,
        *,
        boosts: dict[str, float] | None = None,
        searcher: tantivy.Searcher | None = None,
    ) -> list[tuple[float, tantivy.DocAddress]]:
        """The unfiltered top `limit` as (score, address), best first, ids not read: its
        first k are `search(text, k)`'s hits (tantivy orders ties by address)."""
        query = self.text_query(text, boosts)
        if query is None:
            return []
        return (searcher or self.searcher()).search(query, limit=limit, count=False).hits

    def hits(self, ranked, searcher: tantivy.Searcher) -> list[IndexHit]:
        """IndexHits of (score, address) pairs of `searcher`."""
        return [IndexHit(searcher.doc(address)["id"][0], score) for score, address in ranked]

    def read_off(
        self, ranked, limit: int, kinds: Sequence[str], k: int, searcher: tantivy.Searcher
    ) -> list[IndexHit] | None:
        """`search(text, k, filters={"kind": kinds})` read off `ranked`, the unfiltered
        `ranked(text, limit)` of the same searcher, without walking the words' postings
        again: where that search leaves the other kinds out (the kinds hold most documents,
        `_most_kinds`), its top k are the first k of `ranked` not of the other kinds, with
        the same scores and order, provided `ranked` holds k of them or every match. None
        where that does not hold (run the search)."""
        others = self._other_kinds({"kind": list(kinds)}, searcher)
        if others is None:
            return None
        left_out = self._addresses(others, searcher)
        kept = [(s, a) for s, a in ranked if (a.segment_ord, a.doc) not in left_out][:k]
        if len(kept) < k and len(ranked) >= limit:
            return None
        hits = [(_float32(score + FILTER_SCORE), address) for score, address in kept]
        hits.sort(key=lambda hit: (-hit[0], hit[1].segment_ord, hit[1].doc))
        return self.hits(hits, searcher)

    def _addresses(self, kinds: Sequence[str], searcher) -> frozenset[tuple[int, int]]:
        """The (segment, document) addresses of the documents of `kinds` in `searcher`,
        found once per searcher (the kinds beside research: 64,734 at 1M, 86 ms of CPU)."""
        if not kinds:
            return frozenset()
        held, known = self._kinds_of
        if held is not searcher:
            known = {}
            self._kinds_of = (searcher, known)
        key = tuple(sorted(kinds))
        if key not in known:
            query = tantivy.Query.term_set_query(self.schema, "kind", list(key))
            most = max(1, sum(searcher.doc_freq("kind", kind) for kind in key))
            found = searcher.search(query, limit=most, count=False).hits
            known[key] = frozenset((a.segment_ord, a.doc) for _, a in found)
        return known[key]

    def _other_kinds(self, filters: dict[str, Sequence[str]], searcher) -> list[str] | None:
        """The kinds to leave out when `filters` keeps most documents by kind alone (the
        research in a library of citations); None otherwise."""
        wanted = set(filters.get("kind", ()))
        if set(filters) != {"kind"} or not wanted or not wanted <= set(KINDS):
            return None
        kept = sum(searcher.doc_freq("kind", kind) for kind in wanted)
        return [k for k in KINDS if k not in wanted] if kept > MOST * searcher.num_docs else None

    def _most_kinds(self, query, others: list[str], k: int, searcher) -> list:
        """The kind search as the other kinds left out: the same hits, order and scores as
        the filter, for 25% less CPU where the filter holds most documents (an intersection
        visits each of them; leaving out only looks up the few others). The score is the
        filter's (+ FILTER_SCORE in tantivy's float32), ties in the filter's order (by
        document address); hits whose float32 scores differ only below the 1 added can
        tie there and not here."""
        if others:
            left_out = tantivy.Query.term_set_query(self.schema, "kind", others)
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, left_out)]
            )
        hits = [
            (_float32(score + FILTER_SCORE), address)
            for score, address in searcher.search(query, limit=k, count=False).hits
        ]
        return sorted(hits, key=lambda hit: (-hit[0], hit[1].segment_ord, hit[1].doc))

    def frequency(self, word: str, searcher: tantivy.Searcher | None = None) -> int:
        """How many documents contain `word` (stemmed as indexed) in any text field; -1 when
        none does but a word one or two edits away does (a likely typo)."""
        searcher = searcher or self.searcher()
        query = self.text_query(word)
        if query is None:
            return 0
        count = self._count(query, searcher)
        if count > 2:
            return count
        distance = 2 if len(word) >= 6 else 1
        near = tantivy.Query.fuzzy_term_query(
            self.schema, "body", word.lower(), distance=distance, transposition_cost_one=True
        )
        near_count = searcher.search(near, limit=1, count=True).count
        # a word in no document, or in one or two when a near spelling is in many: a typo
        return -1 if near_count > max(20 * count, 0) else count

    def _count(self, query: tantivy.Query, searcher) -> int:
        """How many documents `query` (a parsed text query) matches. Counting walks every
        posting of the word (930,000 of "patients" in a library of a million citations), so
        the field that holds it most is counted by its document frequency and only the
        other fields' postings are walked, less that field's documents: the same count,
        where the index holds no deleted documents (document frequencies count those until
        a merge drops them); else, or for a query of another shape, the walk."""
        clauses = _clauses(query)
        if not clauses or not self._no_deleted(searcher):
            return _matches(searcher, query)
        names = self._field_names()
        if any(names.get(field) is None for field, _, _ in clauses):
            return _matches(searcher, query)
        freq = [(searcher.doc_freq(names[f], token), names[f], token) for f, token, _ in clauses]
        docs, field, token = max(freq)
        others = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, f, t, "basic"))
            for _, f, t in freq
            if (f, t) != (field, token)
        ]
        if not others:
            return docs
        largest = tantivy.Query.term_query(self.schema, field, token, "basic")
        rest = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.boolean_query(others)),
                (tantivy.Occur.MustNot, largest),
            ]
        )
        return docs + _matches(searcher, rest)

    def _no_deleted(self, searcher) -> bool:
        """Whether `searcher` holds no deleted document (each document has one kind, so the
        kinds' document frequencies, which count deleted ones, add up to the live count)."""
        return sum(searcher.doc_freq("kind", kind) for kind in KINDS) == searcher.num_docs

    def _field_names(self) -> dict[int, str]:
        """The text fields by the number tantivy gives them (read off parsed queries)."""
        if self._names is None:
            names = {}
            for name in TEXT_FIELDS:
                found = re.search(r"field=(\d+)", repr(self.index.parse_query("x", [name])))
                if found:
                    names[int(found.group(1))] = name
            self._names = names
        return self._names

    def text_query(self, text: str, boosts: dict[str, float] | None = None) -> tantivy.Query | None:
        words = [w.lower() if w in _OPERATORS else w for w in query_words(text)]
        if not words:
            return None
        return self.index.parse_query(
            " ".join(words), list(TEXT_FIELDS), field_boosts=boosts or DEFAULT_BOOSTS
        )

    def _filtered(self, query: tantivy.Query, filters: dict[str, Sequence[str]]) -> tantivy.Query:
        """`query` restricted by `filters`; each filter adds FILTER_SCORE to a hit's score.

        The filters come first: tantivy walks an intersection from its first clause, so a
        filter on a few documents (the guidelines) is walked and the words' postings only
        looked up, where walking the words' postings first cost as much as no filter."""
        clauses = []
        for field, values in filters.items():
            if field not in FILTER_FIELDS:
                raise LibraryError(f"cannot filter on {field!r}; filters: {FILTER_FIELDS}")
            wanted = list(dict.fromkeys(values))
            if len(wanted) == 1:  # scored as a term set scores: a constant 1
                term = tantivy.Query.term_query(self.schema, field, wanted[0])
                clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term, 1.0)))
            elif wanted:
                term_set = tantivy.Query.term_set_query(self.schema, field, wanted)
                clauses.append((tantivy.Occur.Must, term_set))
        if not clauses:
            return query
        return tantivy.Query.boolean_query([*clauses, (tantivy.Occur.Must, query)])


def _clauses(query: tantivy.Query) -> list[tuple[int, str, float]] | None:
    """(field number, token, boost) of each clause of a parsed text query, a flat OR of
    term queries (boosted or not); None for a query of another shape."""
    parsed = _PARSED.fullmatch(repr(query))
    if parsed is None:
        return None
    found = list(_CLAUSE.finditer(parsed.group(1)))
    if ", ".join(c.group() for c in found) != parsed.group(1):
        return None
    return [(int(c.group(1)), c.group(2), float(c.group(3) or 1.0)) for c in found]


def _matches(searcher, query: tantivy.Query) -> int:
    """How many documents match `query` (scored as a constant: no BM25 per posting)."""
    constant = tantivy.Query.const_score_query(query, 1.0)
    return searcher.search(constant, limit=1, count=True).count


def _float32(value: float) -> float:
    """`value` rounded to float32, as tantivy adds scores (exact sum, then rounded)."""
    return struct.unpack("f", struct.pack("f", value))[0]


def _meta_stamp(path: Path) -> tuple[int, int, int] | None:
    """meta.json's inode, size and change time; None when it cannot be read."""
    try:
        stat = os.stat(path / "meta.json")
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _to_tantivy(f: IndexFields) -> tantivy.Document:
    doc = tantivy.Document(
        id=f.id,
        kind=f.kind,
        collection=f.collection,
        level=f.level,
        title=f.title,
        question=f.question,
        body=f.body,
        keywords=f.keywords,
    )
    if f.design:
        doc.add_text("design", f.design)
    if f.year is not None:
        doc.add_integer("year", f.year)
    return doc
