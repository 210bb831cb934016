"""Document vectors: one sentence embedding per document, kept beside the library.

    LIBRARY/
      vectors.sqlite   doc_id, content_hash, model, kind, collection, vector (float16)

The store stays the source of truth: a vector is valid for one (doc_id, content_hash, model,
recipe). `embed_library` is the separate, resumable step that brings the file up to date: it
embeds only documents without a valid vector, commits every batch, and removes vectors of
documents that are gone. Documents with no text are recorded with a NULL vector (nothing to
cite, so nothing to find semantically) and are not looked at again until they change.

`VectorIndex` holds every vector of one model in one float32 matrix for brute-force cosine
top-k with kind/collection filters; `vector_index(library)` caches it per open library and
reloads it when an embed run has committed since. What one vector encodes is `embed_text`
(why: docs/decisions/0002-semantic-retrieval.md).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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

    @property
    def texts_per_second(self) -> float:
        return self.embedded / self.encode_seconds if self.encode_seconds else 0.0

    def summary(self) -> str:
        return (
            f"embedded {self.embedded}, empty {self.empty}, removed {self.removed}, "
            f"unchanged {self.unchanged}"
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


def embed_library(
    library: Library,
    encoder: Encoder,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> EmbedReport:
    """Bring LIBRARY/vectors.sqlite up to date with the store; resumable after Ctrl-C."""
    import numpy as np

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
        todo = [i for i, digest in current.items() if known.get(i) != digest]
        report.unchanged = len(current) - len(todo)
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
    report.seconds = time.perf_counter() - started
    return report


@dataclass(slots=True, frozen=True)
class VectorHit:
    id: str
    score: float  # cosine similarity


class VectorIndex:
    """All vectors of one model in memory; exact (brute-force) cosine top-k."""

    def __init__(
        self, ids: list[str], kinds: list[str], collections: list[str], matrix: np.ndarray
    ) -> None:
        import numpy as np

        self.ids = ids
        self.matrix = matrix  # (n, dim) float32, unit rows
        self.kinds = np.array(kinds)
        self.collections = np.array(collections)
        self._masks: dict[tuple, np.ndarray | None] = {}  # per filter, built on first use

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def load(cls, path: Path, model: str) -> VectorIndex:
        import numpy as np

        with VectorStore(path, readonly=True) as store:
            rows = store.rows(model)
        if not rows:
            return cls([], [], [], np.zeros((0, 0), dtype=np.float32))
        blob = b"".join(r[3] for r in rows)
        matrix = np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1)
        return cls(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            matrix.astype(np.float32),
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

        if not self.ids or k <= 0:
            return []
        scores = self.matrix @ query.astype(np.float32).ravel()
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


# One loaded matrix per open Library, dropped with it; reloaded when the file's generation
# moves (an embed run committed). Checking the generation is one small SQLite read. Threads
# that find no current matrix load it one at a time, so it is loaded once, not once each.
_CACHE: weakref.WeakKeyDictionary[Library, tuple[int, str, VectorIndex]] = (
    weakref.WeakKeyDictionary()
)
_LOADING = threading.Lock()


def vector_index(library: Library, model: str) -> VectorIndex | None:
    """The library's vectors of `model`, loaded once and reused; None when never embedded."""
    path = library.path / VECTORS_FILE
    if not path.exists():
        return None
    with VectorStore(path, readonly=True) as store:
        generation = store.generation()
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
