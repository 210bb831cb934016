"""The document store: one SQLite file that holds every document whole.

The store is the source of truth; the search index is rebuilt from it. Documents are kept as
compressed JSON (with their sentence spans filled in) beside a few columns used for counting
and filtering. `prepare` turns a Document into a row without touching the database, so it can
run in parser processes while the writer only inserts.

Writes go through `Store.write(...)`, one transaction per batch. The table `index_journal`
lists documents written to the store whose index entry is not yet committed; the library
replays it after a crash.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson
import zstandard

from evimap.errors import LibraryError
from evimap.evidence import Document
from evimap.text import split_sentences

SCHEMA_VERSION = 1
DECODED_KEPT = 1024  # decoded documents remembered (keyed by their stored bytes; a full-text
# trial decodes to some 50 kB, so at most about 50 MB a process)

# zstd level 1: 12 us and 0.55x per PubMed record here, against 75 us for zlib level 1.
# (De)compressor objects are not thread-safe: one pair per thread.
_codec = threading.local()


def _compress(payload: bytes) -> bytes:
    if not hasattr(_codec, "compressor"):
        _codec.compressor = zstandard.ZstdCompressor(level=1)
    return _codec.compressor.compress(payload)


def _decompress(body: bytes) -> bytes:
    if not hasattr(_codec, "decompressor"):
        _codec.decompressor = zstandard.ZstdDecompressor()
    return _codec.decompressor.decompress(body)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    collection TEXT NOT NULL,
    design TEXT,
    level INTEGER NOT NULL,
    year INTEGER,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    n_passages INTEGER NOT NULL,
    n_sentences INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    body BLOB NOT NULL,
    updated_at REAL NOT NULL,
    grade TEXT,
    license TEXT
);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (kind, design);
CREATE INDEX IF NOT EXISTS documents_collection ON documents (collection);
CREATE TABLE IF NOT EXISTS index_journal (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_UPSERT = """
INSERT INTO documents (id, kind, collection, design, level, year, language, title,
                       n_passages, n_sentences, content_hash, body, grade, license, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, collection = excluded.collection, design = excluded.design,
    level = excluded.level, year = excluded.year, language = excluded.language,
    title = excluded.title, n_passages = excluded.n_passages,
    n_sentences = excluded.n_sentences, content_hash = excluded.content_hash,
    body = excluded.body, grade = excluded.grade, license = excluded.license,
    updated_at = excluded.updated_at
"""
# Columns added after the first release: a store made before them gets them when opened for
# writing (NULL for every document it holds: none of those had a grade or a license).
_ADDED_COLUMNS = (("grade", "TEXT"), ("license", "TEXT"))


class IndexFields(NamedTuple):
    """What the search index needs of a document (plain strings: cheap to pickle)."""

    id: str
    kind: str
    collection: str
    design: str
    year: int | None
    level: int
    title: str
    question: str
    body: str
    keywords: str


class Prepared(NamedTuple):
    """A document made ready for the store and the index, computed off the writer."""

    id: str
    content_hash: str
    row: tuple
    fields: IndexFields


def prepare(doc: Document) -> Prepared:
    """Split sentences, serialise and hash `doc`; pure, runs in parser processes."""
    passages = [
        {
            "text": p.text,
            "heading": p.heading,
            "sentences": split_sentences(p.text) if p.sentences is None else p.sentences,
        }
        for p in doc.passages
    ]
    data = doc.to_dict()
    data["passages"] = passages  # with the spans filled in
    payload = orjson.dumps(data)  # 3 us against 20 us for json.dumps here
    digest = hashlib.blake2b(payload, digest_size=16).hexdigest()
    design = doc.design.value if doc.design else ""
    n_sentences = sum(len(p["sentences"]) for p in passages)
    row = (
        doc.id,
        doc.kind.value,
        doc.collection,
        design or None,
        doc.level,
        doc.year,
        doc.language,
        doc.title,
        len(passages),
        n_sentences,
        digest,
        _compress(payload),
        doc.grade or None,
        doc.extra.get("license") or None,
    )
    return Prepared(doc.id, digest, row, _index_fields(doc, design))


def _index_fields(doc: Document, design: str) -> IndexFields:
    question = ""
    if doc.question is not None:
        q = doc.question
        question = " ".join((q.text, q.focus, *q.synonyms))
    return IndexFields(
        id=doc.id,
        kind=doc.kind.value,
        collection=doc.collection,
        design=design,
        year=doc.year,
        level=doc.level,
        title=doc.title,
        question=question,
        body="\n".join(p.text for p in doc.passages),
        keywords=" ; ".join((*doc.mesh, *doc.keywords)),
    )


@functools.lru_cache(maxsize=DECODED_KEPT)
def decode_body(body: bytes) -> Document:
    """The document stored as `body`. Documents are immutable, and the key is the stored
    bytes themselves, so a changed document is decoded afresh: an answer reads the same
    few hundred documents again and again, and decoding was a third of its time."""
    return Document.from_dict(orjson.loads(_decompress(body)))


@functools.lru_cache(maxsize=DECODED_KEPT)
def _source_qtype(body: bytes) -> str:
    """The qtype of the source question of the document stored as `body` ("" if none)."""
    question = orjson.loads(_decompress(body)).get("question")
    return (question.get("qtype") or "") if question else ""


@dataclass(slots=True)
class WriteResult:
    added: list[Prepared]
    updated: list[Prepared]
    unchanged: int
    deleted: list[str]


class Store:
    """The SQLite file of a library. One writer at a time; readers see snapshots (WAL).

    Each thread has its own connection (`conn`, opened on its first use), so the threads of
    a web server can share one Store: a transaction (a reader's snapshot, a written batch)
    belongs to the thread that began it. One shared connection made two concurrent
    snapshots fail ("cannot start a transaction within a transaction"); a lock around it
    would serialise every read (as fast on 2 cores, where answering is CPU-bound, but
    readers would wait on each other's disk reads). A finished thread's connection is
    closed when the next thread opens one, and every connection by `close()`.
    """

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: dict[threading.Thread, sqlite3.Connection] = {}
        self._closed = False
        conn = self.conn
        if not readonly:
            conn.executescript(_SCHEMA)
            self._check_version()
            self._add_columns()

    @property
    def conn(self) -> sqlite3.Connection:
        """The calling thread's connection."""
        conn = getattr(self._local, "conn", None)
        return conn if conn is not None else self._open()

    def _open(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise LibraryError(f"the document store {self.path} was closed")
            for thread in [t for t in self._conns if not t.is_alive()]:
                self._conns.pop(thread).close()
            try:
                conn = _connect(self.path, self.readonly)
            except sqlite3.Error as exc:
                raise LibraryError(f"cannot open document store {self.path}: {exc}") from exc
            self._conns[threading.current_thread()] = conn
            self._local.conn = conn
            return conn

    def _check_version(self) -> None:
        found = self.meta("schema_version")
        if found is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        elif found != str(SCHEMA_VERSION):
            raise LibraryError(
                f"{self.path} has store schema {found}; this evimap reads {SCHEMA_VERSION}"
            )

    def _add_columns(self) -> None:
        have = {row[1] for row in self.conn.execute("PRAGMA table_info(documents)")}
        for name, kind in _ADDED_COLUMNS:
            if name not in have:
                try:
                    with self.conn:
                        self.conn.execute(f"ALTER TABLE documents ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError as exc:  # another writer added it just now
                    if "duplicate column" not in str(exc):
                        raise

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            self._closed = True
            conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            conn.close()

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def write(self, upserts: Sequence[Prepared], deletions: Sequence[str]) -> WriteResult:
        """Apply one batch in one transaction; unchanged documents are left alone."""
        known = self._hashes([p.id for p in upserts] + list(deletions))
        added = [p for p in upserts if p.id not in known]
        updated = [p for p in upserts if p.id in known and known[p.id] != p.content_hash]
        deleted = [i for i in deletions if i in known]
        now = time.time()
        with self.conn:
            self.conn.executemany(_UPSERT, [(*p.row, now) for p in (*added, *updated)])
            self.conn.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in deleted])
            self.conn.executemany(
                "INSERT OR IGNORE INTO index_journal (doc_id) VALUES (?)",
                [(p.id,) for p in (*added, *updated)] + [(i,) for i in deleted],
            )
        unchanged = len(upserts) - len(added) - len(updated)
        return WriteResult(added, updated, unchanged, deleted)

    def _hashes(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            # only "?" placeholders are written into the SQL; the ids are bound parameters
            query = f"SELECT id, content_hash FROM documents WHERE id IN ({marks})"  # nosec B608
            found.update(self.conn.execute(query, chunk).fetchall())
        return found

    def journal(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT doc_id FROM index_journal")]

    def clear_journal(self, ids: Iterable[str] | None = None) -> None:
        with self.conn:
            if ids is None:
                self.conn.execute("DELETE FROM index_journal")
            else:
                self.conn.executemany(
                    "DELETE FROM index_journal WHERE doc_id = ?", [(i,) for i in ids]
                )

    def get_many(self, ids: Sequence[str], *, with_text: bool = False) -> dict[str, Document]:
        """The documents of `ids` that exist; `with_text`: only those with passages (none
        without is even decoded)."""
        docs: dict[str, Document] = {}
        where = " AND n_passages > 0" if with_text else ""
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            # only "?" placeholders are written into the SQL; the ids are bound parameters
            query = f"SELECT id, body FROM documents WHERE id IN ({marks}){where}"  # nosec B608
            docs.update((i, decode_body(b)) for i, b in self.conn.execute(query, chunk))
        return docs

    def source_qtypes(self, ids: Sequence[str], *, with_text: bool = False) -> dict[str, str]:
        """{id: the type of the source's own question ("" without one)} of the `ids` that
        exist (`with_text`: that have passages), read without building the documents:
        retrieval ranks three times the documents it keeps by this alone, and building a
        document was two thirds of reading it."""
        found: dict[str, str] = {}
        where = " AND n_passages > 0" if with_text else ""
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            # only "?" placeholders are written into the SQL; the ids are bound parameters
            query = f"SELECT id, body FROM documents WHERE id IN ({marks}){where}"  # nosec B608
            found.update((i, _source_qtype(b)) for i, b in self.conn.execute(query, chunk))
        return found

    def kinds(self, ids: Sequence[str]) -> dict[str, str] | None:
        """{id: kind} of the `ids` the store holds; None while documents written to the
        store wait for their index entry (the index may still hold their former kind)."""
        if self.conn.execute("SELECT 1 FROM index_journal LIMIT 1").fetchone():
            return None
        found: dict[str, str] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            # only "?" placeholders are written into the SQL; the ids are bound parameters
            query = f"SELECT id, kind FROM documents WHERE id IN ({marks})"  # nosec B608
            found.update(self.conn.execute(query, chunk).fetchall())
        return found

    def iter_documents(self, batch: int = 2000) -> Iterator[Document]:
        """Every document, in id order, read in pages (bounded memory)."""
        last = ""
        while True:
            rows = self.conn.execute(
                "SELECT id, body FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for _, body in rows:
                yield decode_body(body)
            last = rows[-1][0]

    def count(self) -> int:
        """Documents in the store (in the calling thread's snapshot).

        Counting reads the whole table (26 ms at 700,000 documents, twice or more per
        answer), so each connection remembers its count until the data it reads changes:
        PRAGMA data_version moves when a read begins after another connection committed,
        total_changes when this connection writes."""
        conn = self.conn
        version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        known = getattr(self._local, "count", None)
        if known is not None and known[0] is conn and known[1] == version:
            return known[2]
        found = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        self._local.count = (conn, version, found)
        return found

    def group_counts(self, column: str) -> dict[str, int]:
        if column not in {"kind", "collection", "design", "year", "language", "grade", "license"}:
            raise ValueError(f"cannot group by {column!r}")
        # `column` is one of the names allowed just above
        query = f"SELECT {column}, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC"  # nosec B608
        try:
            rows = self.conn.execute(query).fetchall()
        except sqlite3.OperationalError:
            if column in dict(_ADDED_COLUMNS):  # a store made before it, opened read-only
                return {}
            raise
        return {("" if k is None else str(k)): n for k, n in rows}

    def totals(self) -> tuple[int, int, int]:
        """(documents, passages, sentences)."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(n_passages), 0), coalesce(sum(n_sentences), 0) "
            "FROM documents"
        ).fetchone()
        return row[0], row[1], row[2]


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn
