"""The evidence library: one directory with a document store and a search index.

    LIBRARY/
      store.sqlite     every document whole (source of truth, SQLite WAL)
      index/           tantivy full-text index, rebuildable from the store

Writing: each batch is one store transaction that also lists the touched ids in a journal;
the index is committed every `index_commit_every` documents and at the end, and only then is
the journal cleared. A crash or Ctrl-C leaves every committed batch whole; the next writer
replays the journal into the index before anything else. Readers use `snapshot()`.

Threads: one Library can serve every thread of a web server. Each thread reads through its
own store connection (`Store.conn`), so its snapshot is its own; tantivy's index and
searchers are safe to share. Writing stays one thread at a time.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from evimap import snapshots
from evimap.errors import LibraryError, NotFoundError
from evimap.evidence import Deletion, Document, Problem, Record
from evimap.index import IndexHit, SearchIndex
from evimap.store import Prepared, Store, prepare
from evimap.vectors import VECTORS_FILE

STORE_FILE = "store.sqlite"
INDEX_DIR = "index"
MAX_PROBLEMS_KEPT = 1000
FREQUENCIES_KEPT = 50_000  # word counts remembered per open library


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: the counts, the problems met and how long it took."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return self.added + self.updated + self.unchanged + self.deleted

    def note(self, problem: Problem) -> None:
        self.failed += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"deleted {self.deleted}, failed {self.failed}"
        )


@dataclass(slots=True, frozen=True)
class SearchHit:
    document: Document
    score: float


@dataclass(slots=True, frozen=True)
class LibraryStats:
    documents: int
    passages: int
    sentences: int
    by_kind: dict[str, int]
    by_collection: dict[str, int]
    by_design: dict[str, int]
    by_year: dict[str, int]
    store_bytes: int
    index_bytes: int
    pending_index: int
    by_grade: dict[str, int] = field(default_factory=dict)  # graded guidelines only
    by_license: dict[str, int] = field(default_factory=dict)  # "CC BY 4.0"... ("" unstated)

    @property
    def bytes_per_document(self) -> float:
        return (self.store_bytes + self.index_bytes) / self.documents if self.documents else 0.0


Batch = list[Prepared | Deletion | Problem]


class Library:
    """Open (or create) the library at `path`."""

    def __init__(
        self,
        path: Path | str,
        *,
        create: bool = False,
        readonly: bool = False,
        new_index: bool = False,
        index_commit_every: int = 50_000,
    ) -> None:
        self.path = Path(path)
        if snapshots.is_root(self.path):  # a published snapshot: its current version
            if not readonly:
                raise LibraryError(
                    f"{self.path} is a published snapshot: write to the library "
                    "it is published from (evimap library publish)"
                )
            self.path = snapshots.resolve(self.path)
        if not (self.path / STORE_FILE).exists() and not create:
            raise NotFoundError(f"no evidence library at {self.path} (run `evimap ingest` first)")
        self.path.mkdir(parents=True, exist_ok=True)
        self.readonly = readonly
        self.store = Store(self.path / STORE_FILE, readonly=readonly)
        if new_index and not readonly:  # an index of another schema is dropped, then rebuilt
            shutil.rmtree(self.path / INDEX_DIR, ignore_errors=True)
            self.store.clear_journal()
        self.index = SearchIndex(self.path / INDEX_DIR, readonly=readonly)
        self.index_commit_every = index_commit_every
        self._uncommitted = 0
        self._recovered = False
        self._frequencies: dict[tuple[str, int], int] = {}  # (word, documents indexed)

    def close(self) -> None:
        self.index.close()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    def add(
        self,
        records: Iterable[Record],
        *,
        batch_size: int = 1000,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Add, update or delete documents; problems are counted and the run goes on."""
        with self.writing() as report:
            batch: Batch = []
            for record in records:
                batch.append(prepare(record) if isinstance(record, Document) else record)
                if len(batch) >= batch_size:
                    self.apply(batch, report)
                    if progress:
                        progress(len(batch))
                    batch = []
            self.apply(batch, report)
            if progress and batch:
                progress(len(batch))
        return report

    @contextlib.contextmanager
    def writing(self) -> Iterator[IngestReport]:
        """A write session: recovers first, commits the index at the end, rolls back on error."""
        self.recover()
        report = IngestReport()
        started = time.perf_counter()
        try:
            yield report
        except BaseException:
            self.index.rollback()  # uncommitted index work; the journal still lists it
            self._uncommitted = 0
            raise
        self.commit_index()
        report.seconds = time.perf_counter() - started

    def apply(self, batch: Batch, report: IngestReport) -> None:
        """Write one batch: the store in one transaction, then the index (committed later)."""
        upserts: dict[str, Prepared] = {}
        deletions: dict[str, None] = {}
        for item in batch:
            if isinstance(item, Problem):
                report.note(item)
            elif isinstance(item, Deletion):
                upserts.pop(item.id, None)
                deletions[item.id] = None
            else:
                deletions.pop(item.id, None)
                upserts[item.id] = item
        if not upserts and not deletions:
            return
        result = self.store.write(list(upserts.values()), list(deletions))
        self.index.delete([p.id for p in result.updated] + result.deleted)
        self.index.add(p.fields for p in (*result.added, *result.updated))
        report.added += len(result.added)
        report.updated += len(result.updated)
        report.unchanged += result.unchanged
        report.deleted += len(result.deleted)
        self._uncommitted += len(result.added) + len(result.updated) + len(result.deleted)
        if self._uncommitted >= self.index_commit_every:
            self.commit_index()

    def commit_index(self) -> None:
        if self._uncommitted:
            self.index.commit()
            self.store.clear_journal()
            self._uncommitted = 0

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many existed."""
        with self.writing() as report:
            self.apply([Deletion(i) for i in ids], report)
        return report.deleted

    def recover(self) -> int:
        """Replay the journal into the index after an interrupted write; returns ids replayed."""
        if self._recovered:
            return 0
        pending = self.store.journal()
        if pending:
            docs = self.store.get_many(pending)
            self.index.delete(pending)
            self.index.add(prepare(d).fields for d in docs.values())
            self.index.commit()
            self.store.clear_journal(pending)
        self._recovered = True
        return len(pending)

    def rebuild_index(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop the index and rebuild it from the store; returns documents indexed."""
        self.recover()
        self.index.delete_all()
        count = 0
        for doc in self.store.iter_documents():
            self.index.add([prepare(doc).fields])
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        self.index.commit()
        if progress:
            progress(count % 1000)
        return count

    # -- reading -------------------------------------------------------------------------

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """A consistent read view: one store read transaction and one index searcher."""
        conn = self.store.conn
        conn.execute("BEGIN")
        try:
            yield Snapshot(self, self.index.searcher())
        finally:
            conn.execute("COMMIT")

    @property
    def has_vectors(self) -> bool:
        """Whether `evimap library embed` wrote document vectors here (semantic search)."""
        return (self.path / VECTORS_FILE).exists()

    def count(self) -> int:
        """How many documents the store holds."""
        return self.store.count()

    def get(self, doc_id: str) -> Document:
        doc = self.store.get_many([doc_id]).get(doc_id)
        if doc is None:
            raise NotFoundError(f"no document {doc_id!r} in the library")
        return doc

    def search(self, text: str, k: int = 10, **filters: list[str]) -> list[SearchHit]:
        with self.snapshot() as snap:
            return snap.search(text, k, **filters)

    def changed_since(self, since: float) -> dict[str, float]:
        """{id: when written (epoch seconds)} of documents added or updated after `since`.

        Deleted documents are not listed (they are gone); ask `exists()` for the ids you know.
        """
        query = "SELECT id, updated_at FROM documents WHERE updated_at > ?"
        return dict(self.store.conn.execute(query, (since,)).fetchall())

    def exists(self, ids: Iterable[str]) -> set[str]:
        """The ids among `ids` that the library holds."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            # only "?" placeholders are written into the SQL; the ids are bound parameters
            query = f"SELECT id FROM documents WHERE id IN ({marks})"  # nosec B608
            found.update(r[0] for r in self.store.conn.execute(query, chunk))
        return found

    def stats(self) -> LibraryStats:
        store = self.store
        docs, passages, sentences = store.totals()
        return LibraryStats(
            documents=docs,
            passages=passages,
            sentences=sentences,
            by_kind=store.group_counts("kind"),
            by_collection=store.group_counts("collection"),
            by_design=store.group_counts("design"),
            by_year=store.group_counts("year"),
            store_bytes=_size(self.path, STORE_FILE),
            index_bytes=_size(self.path, INDEX_DIR),
            pending_index=len(store.journal()),
            by_grade={k: n for k, n in store.group_counts("grade").items() if k},
            by_license=store.group_counts("license"),
        )


@dataclass(slots=True)
class Snapshot:
    library: Library
    searcher: tantivy.Searcher

    def search(self, text: str, k: int = 10, **filters: list[str]) -> list[SearchHit]:
        wanted: dict[str, Sequence[str]] = dict(filters)
        hits = self.library.index.search(text, k, filters=wanted, searcher=self.searcher)
        return self._hydrate(hits)

    def _hydrate(self, hits: list[IndexHit]) -> list[SearchHit]:
        docs = self.library.store.get_many([h.id for h in hits])
        # An id the store no longer has was deleted after the index committed: skip it.
        return [SearchHit(docs[h.id], h.score) for h in hits if h.id in docs]

    def count(self) -> int:
        return self.library.store.count()

    def frequency(self, word: str) -> int:
        """Documents with `word` (-1: none, but a near spelling exists); see SearchIndex.
        Remembered while the index holds as many documents (a count weighs a word; a
        replaced document barely moves it, and the typo test costs a fuzzy search)."""
        known = self.library._frequencies
        key = (word, self.searcher.num_docs)
        found = known.get(key)
        if found is None:
            if len(known) >= FREQUENCIES_KEPT:
                known.clear()
            found = known[key] = self.library.index.frequency(word, self.searcher)
        return found


def _size(root: Path, name: str) -> int:
    path = root / name
    if path.is_file():
        extra = [root / f"{name}-wal"]
        return path.stat().st_size + sum(p.stat().st_size for p in extra if p.exists())
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    raise LibraryError(f"missing {path}")
