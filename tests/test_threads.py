"""One library, many threads: what a threaded web server (gunicorn gthread, Django's
runserver) does with the process's one AnswerEngine. Every thread gets the answers one
thread alone gets, and no thread sees another's transaction (issue 10, D3)."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from evimap.engine import AnswerEngine
from evimap.errors import LibraryError
from evimap.library import Library
from evimap.render import to_dict
from evimap.retrieval import Retriever
from evimap.vocabulary import Vocabulary
from test_engine import DOCS

THREADS = 8
ROUNDS = 15
QUESTIONS = (
    ("What causes Glimmerfield syndrome flares?", "patient"),
    ("How are Glimmerfield syndrome flares treated?", "clinician"),
    ("What is Glimmerfield syndrome?", "caregiver"),
)


def run_in_threads(work) -> list:
    """`work(n)` for n in range(THREADS), on as many threads released together; re-raises
    the first failure."""
    start = threading.Barrier(THREADS)

    def released(n: int):
        start.wait(timeout=30)
        return work(n)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(released, range(THREADS)))


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "lib"
    with Library(path, create=True) as library:
        library.add(DOCS)
    return path


def engine_for(library: Library, mode: str) -> AnswerEngine:
    engine = AnswerEngine(library, mode="lexical", vocabulary=Vocabulary.build(DOCS))
    if mode == "hybrid":  # vectors from a stand-in encoder (no model weights needed)
        pytest.importorskip("numpy", reason="vectors need the semantic extra (numpy)")
        from evimap.vectors import embed_library
        from test_vectors import HashingEncoder

        encoder = HashingEncoder()
        embed_library(library, encoder)
        engine.retriever = Retriever(library, mode="hybrid", encoder=encoder)
        assert engine.retriever.effective_mode == "hybrid"
    return engine


@pytest.mark.parametrize(
    ("readonly", "mode"),
    [(True, "lexical"), (False, "lexical"), (True, "hybrid")],
    ids=["read-only", "writable", "hybrid"],
)
def test_one_library_reads_searches_and_answers_from_many_threads(path, readonly, mode):
    if mode == "hybrid":
        with Library(path) as writer:
            engine_for(writer, mode)  # embeds the library
    library = Library(path, readonly=readonly)
    engine = engine_for(library, mode)
    expected = {q: to_dict(engine.ask(q, audience)) for q, audience in QUESTIONS}
    found = [h.document.id for h in library.search("glimmerfield flares", k=10)]
    assert found

    def work(n: int) -> int:
        for i in range(ROUNDS):
            doc = DOCS[(n + i) % len(DOCS)]
            assert library.get(doc.id).title == doc.title
            assert [h.document.id for h in library.search("glimmerfield flares", k=10)] == found
            with library.snapshot() as snap:
                assert snap.count() == len(DOCS)
                assert snap.frequency("glimmerfield") == len(DOCS)
            assert library.exists([doc.id, "t:none"]) == {doc.id}
            question, audience = QUESTIONS[(n + i) % len(QUESTIONS)]
            assert to_dict(engine.ask(question, audience)) == expected[question]
        return n

    try:
        assert run_in_threads(work) == list(range(THREADS))
    finally:
        library.close()


def in_a_new_thread(func):
    """What `func()` returns or raises when called on a thread of its own."""
    result: list = []

    def call() -> None:
        try:
            result.append(func())
        except Exception as exc:
            result.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    return result[0]


def test_each_thread_has_its_own_connection_and_close_closes_them_all(path):
    library = Library(path, readonly=True)
    mine = library.store.conn
    assert library.store.conn is mine  # kept by its thread
    theirs = run_in_threads(lambda n: library.store.conn)  # their threads have finished
    assert mine not in theirs and len({id(c) for c in theirs}) == THREADS
    assert in_a_new_thread(lambda: library.get(DOCS[0].id).id) == DOCS[0].id
    for conn in theirs:  # closed when the next thread opened its connection
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")
    library.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        mine.execute("SELECT 1")
    failed = in_a_new_thread(lambda: library.get(DOCS[0].id))
    assert isinstance(failed, LibraryError) and "closed" in str(failed)
