"""Document vectors: one sentence embedding per document, kept beside the library.

    LIBRARY/
      vectors.sqlite   doc_id, content_hash, model, kind, collection, vector (float16)

The store stays the source of truth: a vector is valid for one (doc_id, content_hash, model,
recipe). `embed_library` is the separate, resumable step that brings the file up to date: it
embeds only documents without a valid vector, commits every batch, and removes vectors of
documents that are gone. Documents with no text are recorded with a NULL vector (nothing to
cite, so nothing to find semantically) and are not looked at again until they change.

`VectorIndex` answers cosine top-k with kind/collection filters in two ways, one per kind
(docs/decisions/0014-embedding-and-vector-index.md):

    exact   a kind with fewer than ANN_MIN vectors: its rows in one float32 matrix, scanned
    HNSW    a kind with ANN_MIN or more: LIBRARY/ann-<kind>.usearch, an approximate graph
            index (usearch, float16 vectors, recall@100 about 0.99) that `build_ann` writes
            at the end of an embed run and readers memory-map (shared by every process)

An HNSW file is used only while the vector store has not changed since it was built (meta
`ann:<kind>` = model and generation); otherwise that kind is scanned exactly until the next
embed run rebuilds it, so answers are never missing a vector, only slower.
`vector_index(library)` caches the index per open library and reloads it when an embed run
has committed since. What one vector encodes is `embed_text` (why: decision 0002).

`embed_library(shard=(i, n))` embeds only the documents whose id hashes to i of n, so n
processes can embed one library at once (each commits its own batches; SQLite WAL); the
shards skip the HNSW build, which one plain run after them does.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evimap import snapshots
from evimap.errors import LibraryError
from evimap.evidence import Document

if TYPE_CHECKING:
    import numpy as np

    from evimap.embeddings import Encoder
    from evimap.library import Library

VECTORS_FILE = "vectors.sqlite"
TEXT_CHARS = 400  # how much of a document's text goes into its vector, after its title
RECIPE = f"question | title+text[:{TEXT_CHARS}] v1"  # change it when embed_text changes
BATCH = 256  # documents per encode call and per commit
ANN_MIN = 50_000  # vectors of one kind from which it gets an HNSW index (decision 0014)
ANN_CONNECTIVITY = 16  # HNSW "M"
ANN_EXPANSION_ADD = 128  # HNSW "efConstruction"
ANN_EXPANSION_SEARCH = 160  # HNSW "ef": at least the retriever's 100 candidates

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    doc_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    collection TEXT NOT NULL,
    vector BLOB
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def embed_text(doc: Document, chars: int = TEXT_CHARS) -> str | None:
    """What a document's vector encodes; None when the document has no text to cite.

    A document that answers a question of its own (MedQuAD) is embedded as that question:
    matching the user's question to the source's question is the strongest signal we have,
    and questions are 8x cheaper to encode than passages. Any other document is its title
    and the opening `chars` characters of its text, cut at a word.
    """
    text = " ".join(doc.text.split())
    if not text:
        return None
    question = doc.question.text if doc.question is not None else ""
    if question:
        return question if doc.title in ("", question) else f"{doc.title}\n{question}"
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > chars // 2 else chars]
    return f"{doc.title}\n{text}" if doc.title else text


@dataclass(slots=True)
class EmbedReport:
    """What an embed run did."""

    embedded: int = 0  # vectors computed
    empty: int = 0  # documents with no text, recorded without a vector
    removed: int = 0  # vectors of documents no longer in the store
    unchanged: int = 0  # documents whose vector was already valid
    seconds: float = 0.0
    encode_seconds: float = 0.0
    ann_built: list[str] = field(default_factory=list)  # kinds whose HNSW file was rebuilt

    @property
    def texts_per_second(self) -> float:
        return self.embedded / self.encode_seconds if self.encode_seconds else 0.0

    def summary(self) -> str:
        built = f"; HNSW index rebuilt for {', '.join(self.ann_built)}" if self.ann_built else ""
        return (
            f"embedded {self.embedded}, empty {self.empty}, removed {self.removed}, "
            f"unchanged {self.unchanged}{built}"
        )


Progress = Callable[[int, int], None]  # (documents done in this run, documents to do)


class VectorStore:
    """The vectors.sqlite file of a library (WAL: an embed run and readers can overlap)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly and not path.exists():
            raise LibraryError(f"no vectors at {path} (run `evimap library embed`)")
        try:
            if readonly:
                self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            else:
                self.conn = sqlite3.connect(path)
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.executescript(_SCHEMA)
            self.conn.execute("PRAGMA busy_timeout = 5000")
        except sqlite3.Error as exc:
            raise LibraryError(f"cannot open vector store {path}: {exc}") from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def generation(self) -> int:
        """Bumped by every committed change; readers reload their matrix when it moves."""
        return int(self.meta("generation") or 0)

    def known(self, model: str) -> dict[str, str]:
        """doc_id -> content_hash of every vector (or empty record) made by `model`."""
        query = "SELECT doc_id, content_hash FROM vectors WHERE model = ?"
        return dict(self.conn.execute(query, (model,)))

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT doc_id FROM vectors")]

    def write(self, rows: Sequence[tuple], deletions: Sequence[str] = ()) -> None:
        """Upsert (doc_id, content_hash, model, kind, collection, blob|None) rows, delete ids,
        and bump the generation, in one transaction."""
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?, ?)", list(rows)
            )
            self.conn.executemany("DELETE FROM vectors WHERE doc_id = ?", [(i,) for i in deletions])
            self._bump()

    def reset(self, model: str, recipe: str) -> None:
        """Forget every vector when the model or the recipe changed."""
        with self.conn:
            if (self.meta("model"), self.meta("recipe")) != (model, recipe):
                self.conn.execute("DELETE FROM vectors")
                self._set("model", model)
                self._set("recipe", recipe)
                self._bump()

    def _bump(self) -> None:
        self._set("generation", str(self.generation() + 1))

    def _set(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def rows(self, model: str) -> list[tuple[str, str, str, bytes]]:
        """(doc_id, kind, collection, blob) of every vector of `model`, in doc_id order."""
        query = (
            "SELECT doc_id, kind, collection, vector FROM vectors "
            "WHERE model = ? AND vector IS NOT NULL ORDER BY doc_id"
        )
        return self.conn.execute(query, (model,)).fetchall()


def in_shard(doc_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether `doc_id` belongs to shard (i, n): a stable hash of the id, modulo n."""
    if shard is None:
        return True
    index, count = shard
    digest = hashlib.blake2b(doc_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % count == index


def embed_library(
    library: Library,
    encoder: Encoder,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
    shard: tuple[int, int] | None = None,
    ann_min: int = ANN_MIN,
) -> EmbedReport:
    """Bring LIBRARY/vectors.sqlite up to date with the store; resumable after Ctrl-C.

    `shard` (i, n): only the documents of shard i of n (parallel processes; no HNSW build).
    Otherwise the HNSW files are brought up to date at the end (`build_ann`)."""
    import numpy as np

    if shard is not None and not 0 <= shard[0] < shard[1]:
        raise ValueError(f"shard must be (i, n) with 0 <= i < n, got {shard}")
    if snapshots.is_version(library.path):
        raise LibraryError(
            f"{library.path} is a published snapshot: embed the library it is "
            "published from, then publish again"
        )

    started = time.perf_counter()
    report = EmbedReport()
    with VectorStore(library.path / VECTORS_FILE) as vectors:
        vectors.reset(encoder.name, RECIPE)
        current = dict(
            library.store.conn.execute("SELECT id, content_hash FROM documents ORDER BY id")
        )
        known = vectors.known(encoder.name)
        gone = [i for i in vectors.ids() if i not in current]
        if gone:
            vectors.write([], gone)
            report.removed = len(gone)
        todo = [i for i, digest in current.items() if known.get(i) != digest and in_shard(i, shard)]
        report.unchanged = sum(1 for i in current if in_shard(i, shard)) - len(todo)
        for start in range(0, len(todo), batch):
            docs = library.store.get_many(todo[start : start + batch])
            texts = {i: embed_text(d) for i, d in docs.items()}
            wanted = [i for i, t in texts.items() if t]
            blobs: dict[str, bytes] = {}
            if wanted:
                began = time.perf_counter()
                matrix = encoder.encode([texts[i] for i in wanted]).astype(np.float16)
                report.encode_seconds += time.perf_counter() - began
                blobs = dict(zip(wanted, (row.tobytes() for row in matrix), strict=True))
            vectors.write(
                [
                    (i, current[i], encoder.name, d.kind.value, d.collection, blobs.get(i))
                    for i, d in docs.items()
                ]
            )
            report.embedded += len(wanted)
            report.empty += len(docs) - len(wanted)
            if progress:
                progress(min(start + batch, len(todo)), len(todo))
    if shard is None:
        report.ann_built = build_ann(library.path / VECTORS_FILE, encoder.name, minimum=ann_min)
    report.seconds = time.perf_counter() - started
    return report


def ann_path(vectors_path: Path, kind: str) -> Path:
    return vectors_path.parent / f"ann-{kind}.usearch"


def build_ann(
    vectors_path: Path, model: str, *, minimum: int = ANN_MIN, threads: int = 0
) -> list[str]:
    """(Re)build the HNSW file of each kind with `minimum` vectors or more whose file is not
    current, and drop those of smaller kinds; returns the kinds built. Reads one consistent
    snapshot of the store (vectors written meanwhile make the file stale, never wrong);
    each file is written beside and renamed into place, so readers see old or new whole."""
    import numpy as np
    from usearch.index import Index

    built: list[str] = []
    with VectorStore(vectors_path) as store:
        conn = store.conn
        conn.execute("BEGIN")  # one read snapshot: generation, counts and rows agree
        try:
            generation = store.generation()
            stamp = f"{model} {generation}"
            counts = dict(
                conn.execute(
                    "SELECT kind, count(*) FROM vectors WHERE model = ? AND vector IS NOT NULL "
                    "GROUP BY kind",
                    (model,),
                )
            )
            stale = {
                key.removeprefix("ann:")
                for (key,) in conn.execute("SELECT key FROM meta WHERE key LIKE 'ann:%'")
            }
            for kind, count in sorted(counts.items()):
                path = ann_path(vectors_path, kind)
                if count < minimum:
                    continue
                stale.discard(kind)
                if store.meta(f"ann:{kind}") == stamp and path.exists():
                    continue
                rows = conn.execute(
                    "SELECT vector FROM vectors WHERE model = ? AND kind = ? "
                    "AND vector IS NOT NULL ORDER BY doc_id",
                    (model, kind),
                )
                index = None
                position = 0
                while chunk := rows.fetchmany(20_000):
                    matrix = np.frombuffer(b"".join(r[0] for r in chunk), dtype=np.float16)
                    matrix = matrix.reshape(len(chunk), -1).astype(np.float32)
                    if index is None:
                        index = Index(
                            ndim=matrix.shape[1],
                            metric="ip",
                            dtype="f16",
                            connectivity=ANN_CONNECTIVITY,
                            expansion_add=ANN_EXPANSION_ADD,
                        )
                    keys = np.arange(position, position + len(chunk), dtype=np.uint64)
                    index.add(keys, matrix, threads=threads)
                    position += len(chunk)
                assert index is not None  # count >= minimum > 0
                partial = path.with_name(f"{path.name}.partial")
                index.save(str(partial))
                os.replace(partial, path)
                built.append(kind)
        finally:
            conn.execute("COMMIT")
        with conn:
            for kind in built:
                store._set(f"ann:{kind}", stamp)  # not _bump: the vectors did not change
            for kind in stale:  # a kind that shrank below `minimum`, or is gone
                conn.execute("DELETE FROM meta WHERE key = ?", (f"ann:{kind}",))
            if built or stale:  # readers reload (vector_index)
                store._set("ann_generation", str(int(store.meta("ann_generation") or 0) + 1))
    for kind in stale:
        ann_path(vectors_path, kind).unlink(missing_ok=True)
    return built


@dataclass(slots=True, frozen=True)
class VectorHit:
    id: str
    score: float  # cosine similarity


@dataclass(slots=True)
class AnnPartition:
    """The vectors of one kind in an HNSW file: key i is the i-th of `ids`."""

    kind: str
    ids: list[str]
    collections: np.ndarray
    index: object  # usearch.index.Index, memory-mapped


class VectorIndex:
    """The vectors of one model: exact cosine top-k over a matrix, plus HNSW partitions."""

    def __init__(
        self,
        ids: list[str],
        kinds: list[str],
        collections: list[str],
        matrix: np.ndarray,
        ann: Sequence[AnnPartition] = (),
    ) -> None:
        import numpy as np

        self.ids = ids
        self.matrix = matrix  # (n, dim) float32, unit rows
        self.kinds = np.array(kinds)
        self.collections = np.array(collections)
        self.ann = list(ann)
        self._masks: dict[tuple, np.ndarray | None] = {}  # per filter, built on first use

    def __len__(self) -> int:
        return len(self.ids) + sum(len(p.ids) for p in self.ann)

    @classmethod
    def load(cls, path: Path, model: str) -> VectorIndex:
        import numpy as np

        with VectorStore(path, readonly=True) as store:
            conn = store.conn
            conn.execute("BEGIN")  # one read snapshot for the generation and the rows
            try:
                ann = _open_ann(store, path, model)
                skip = [p.kind for p in ann]
                marks = ",".join("?" * len(skip))
                # only "?" placeholders are written into the SQL; the kinds are parameters
                query = (
                    "SELECT doc_id, kind, collection, vector FROM vectors WHERE model = ? "  # nosec B608
                    f"AND vector IS NOT NULL AND kind NOT IN ({marks}) ORDER BY doc_id"
                )
                rows = conn.execute(query, (model, *skip)).fetchall()
            finally:
                conn.execute("COMMIT")
        if not rows:
            return cls([], [], [], np.zeros((0, 0), dtype=np.float32), ann)
        blob = b"".join(r[3] for r in rows)
        matrix = np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1)
        return cls(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            matrix.astype(np.float32),
            ann,
        )

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        kinds: Sequence[str] = (),
        collections: Sequence[str] = (),
    ) -> list[VectorHit]:
        """The k documents most similar to the unit vector `query`, best first."""
        import numpy as np

        if k <= 0 or not len(self):
            return []
        query = query.astype(np.float32).ravel()
        hits = self._exact(query, k, kinds, collections)
        for part in self.ann:
            if not kinds or part.kind in kinds:
                hits.extend(_search_partition(part, query, k, collections))
        if self.ann:
            hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def _exact(self, query, k, kinds, collections) -> list[VectorHit]:
        import numpy as np

        if not self.ids:
            return []
        scores = self.matrix @ query
        keep = self._mask(tuple(sorted(kinds)), tuple(sorted(collections)))
        if keep is not None:
            scores = np.where(keep, scores, -np.inf)
        k = min(k, int(keep.sum()) if keep is not None else len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [VectorHit(self.ids[i], float(scores[i])) for i in top]

    def _mask(self, kinds: tuple[str, ...], collections: tuple[str, ...]) -> np.ndarray | None:
        """Rows allowed by the filters (None: all), cached: filters repeat across queries."""
        import numpy as np

        key = (kinds, collections)
        masks = self._masks  # shared by the threads of a server: never read back what we set
        if key in masks:
            return masks[key]
        keep = None
        if kinds:
            keep = np.isin(self.kinds, kinds)
        if collections:
            chosen = np.isin(self.collections, collections)
            keep = chosen if keep is None else keep & chosen
        if len(masks) > 64:
            masks.clear()
        masks[key] = keep
        return keep


def _open_ann(store: VectorStore, path: Path, model: str) -> list[AnnPartition]:
    """The current HNSW partitions (built at this generation of the store), memory-mapped."""
    import numpy as np
    from usearch.index import Index

    stamp = f"{model} {store.generation()}"
    found = []
    for (key,) in store.conn.execute("SELECT key FROM meta WHERE key LIKE 'ann:%'"):
        kind = key.removeprefix("ann:")
        file = ann_path(path, kind)
        if store.meta(key) != stamp or not file.exists():
            continue  # stale: that kind is scanned exactly
        rows = store.conn.execute(
            "SELECT doc_id, collection FROM vectors WHERE model = ? AND kind = ? "
            "AND vector IS NOT NULL ORDER BY doc_id",
            (model, kind),
        ).fetchall()
        index = Index.restore(str(file), view=True)
        if index is None or index.size != len(rows):
            continue
        index.expansion_search = ANN_EXPANSION_SEARCH
        found.append(
            AnnPartition(kind, [r[0] for r in rows], np.array([r[1] for r in rows]), index)
        )
    return found


def _search_partition(
    part: AnnPartition, query: np.ndarray, k: int, collections: Sequence[str]
) -> list[VectorHit]:
    """Top k of one HNSW partition; with a collection filter, its rows of those collections
    scored exactly (their vectors read back from the file: collections are small), and so
    are all its rows when k is half of them or more (the graph is approximate)."""
    import numpy as np

    index = part.index
    keys = None
    if collections:
        keys = np.flatnonzero(np.isin(part.collections, list(collections)))
        if not len(keys):
            return []
    elif 2 * k >= len(part.ids):  # most of it asked for: the graph may miss a few, read all
        keys = np.arange(len(part.ids))
    if keys is not None:
        vectors = index.get(keys.astype(np.uint64))  # type: ignore[attr-defined]
        matrix = np.vstack(vectors if isinstance(vectors, tuple) else [vectors])
        scores = matrix.astype(np.float32).reshape(len(keys), -1) @ query
        order = np.argsort(-scores, kind="stable")[:k]
        return [VectorHit(part.ids[keys[i]], float(scores[i])) for i in order]
    found = index.search(query, min(k, len(part.ids)))  # type: ignore[attr-defined]
    return [
        VectorHit(part.ids[int(key)], 1.0 - float(distance))  # ip distance = 1 - cosine
        for key, distance in zip(found.keys, found.distances, strict=True)
    ]


# One loaded matrix per open Library, dropped with it; reloaded when the file's generation
# moves (an embed run committed). Checking the generation is one small SQLite read. Threads
# that find no current matrix load it one at a time, so it is loaded once, not once each.
_CACHE: weakref.WeakKeyDictionary[Library, tuple[tuple[int, int], str, VectorIndex]] = (
    weakref.WeakKeyDictionary()
)
_LOADING = threading.Lock()


def vector_index(library: Library, model: str) -> VectorIndex | None:
    """The library's vectors of `model`, loaded once and reused; None when never embedded."""
    path = library.path / VECTORS_FILE
    if not path.exists():
        return None
    with VectorStore(path, readonly=True) as store:
        generation = (store.generation(), int(store.meta("ann_generation") or 0))
    cached = _CACHE.get(library)
    if cached and cached[:2] == (generation, model):
        return cached[2]
    with _LOADING:
        cached = _CACHE.get(library)  # loaded by another thread while this one waited
        if cached and cached[:2] == (generation, model):
            return cached[2]
        index = VectorIndex.load(path, model)
        _CACHE[library] = (generation, model, index)
    return index
