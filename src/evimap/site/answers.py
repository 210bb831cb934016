"""The process's one AnswerEngine, and asking it for the site.

`ask()` is what the pages, the JSON API and the CLI call to answer a question at once; the
answer is stored as `render.to_dict(answer)` JSON and shown through
`evimap.site.answer_view` (the page's view of an `Answer`).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from evimap import (
    Answer,
    AnswerEngine,
    Audience,
    Library,
    LibraryBusyError,
    LibraryError,
    NotFoundError,
    QuestionError,
    snapshots,
    to_dict,
)
from evimap.answer import pending_line
from evimap.site.errors import EngineStarting, LibraryUnavailable

MAX_QUESTION_CHARS = 5000
FOLLOW_UP_LABEL = pending_line(None)  # "AI-drafted · pending human review"
AUDIENCES = tuple(a.value for a in Audience)
DEFAULT_AUDIENCE = Audience.PATIENT.value

log = logging.getLogger("evimap.site.answers")
_engine: AnswerEngine | None = None
_follower: snapshots.Follower | None = None  # when EVIMAP_LIBRARY is a published snapshot
_lock = threading.Lock()


ENGINE_WAIT = 2.0  # seconds a request waits for the engine another thread is loading


def engine(*, block: bool = False) -> AnswerEngine:
    """The process's engine, made on first use with its vocabulary loaded (or built: 10 s to
    minutes); lexical when the library has no vectors.

    One thread makes it while the others wait, at most ENGINE_WAIT seconds (`block`: as long
    as it takes); then EngineStarting, a 503 "try again", so requests that ask do not hold the
    server's turns while the vocabulary is built (each thread built its own before, holding
    every turn of a worker for minutes: issue 10, load). LibraryUnavailable (503) when the
    library cannot be opened (missing, unreadable)."""
    global _engine, _follower
    ready = _engine
    if ready is not None:
        if _follower is not None and _follower.changed():
            _follow()  # a new snapshot version was published: answer from it from now on
        return _engine or ready
    if not _lock.acquire(timeout=-1 if block else ENGINE_WAIT):
        raise EngineStarting(ENGINE_STARTING)
    try:
        if _engine is None:
            path = Path(settings.EVIMAP_LIBRARY)
            with library_errors():
                made = engine_for(Library(path, readonly=True))
                made.vocabulary  # noqa: B018  (loaded here once, not by each thread asking)
            _engine = made
            _follower = snapshots.Follower(path)
        return _engine
    finally:
        _lock.release()


def _follow() -> None:
    """Make the engine on the snapshot's new current version and swap it in; meanwhile the
    other threads go on answering from the old one (its files stay readable until no
    request holds them). One thread does it; if it fails, the old engine stays."""
    global _engine
    if not _lock.acquire(blocking=False):
        return
    try:
        with library_errors():
            made = engine_for(Library(Path(settings.EVIMAP_LIBRARY), readonly=True))
            made.vocabulary  # noqa: B018
        _engine = made
        log.info("evidence library: now answering from %s", made.library.path)
    except LibraryUnavailable:
        log.error("evidence library: the new snapshot version cannot be opened; kept the old")
    finally:
        _lock.release()


def engine_for(library: Library) -> AnswerEngine:
    """An engine over `library` as the site runs it: hybrid search when the library has
    vectors, else lexical (the encoder is not even loaded), with the site's shared data."""
    mode = "hybrid" if library.has_vectors else "lexical"
    return AnswerEngine(library, mode=mode, shared_data=settings.EVIMAP_SHARED_DATA)


ENGINE_STARTING = (
    "Answers are getting ready: the site has just started and is loading the evidence "
    "library. Please try again in a few seconds."
)
LIBRARY_UNAVAILABLE = (
    "The evidence library cannot be read just now, so new questions cannot be answered; "
    "the question pages still show their answers. Please try again later."
)


@contextmanager
def library_errors() -> Iterator[None]:
    """The library's failures while answering (its folder unreadable, its index deleted, its
    store missing) as LibraryUnavailable: a 503 "try later" for the reader, the reason
    (with `evimap library rebuild-index` for a lost index) in the server's log. Questions
    the engine refuses (QuestionError...) pass through as they are."""
    try:
        yield
    except LibraryBusyError:
        raise
    except (LibraryError, NotFoundError, sqlite3.Error, OSError) as exc:
        log.error("evidence library unavailable (%s): %s", settings.EVIMAP_LIBRARY, exc)
        raise LibraryUnavailable(LIBRARY_UNAVAILABLE) from exc


def reset_engine() -> None:
    """Forget the engine (tests switch libraries; a rebuilt library needs a new one)."""
    global _engine, _follower
    with _lock:
        if _engine is not None:
            _engine.library.close()
        _engine = None
        _follower = None


WARM_UP_QUESTION = "What causes flares?"


def warm_up() -> None:
    """Load the engine and answer one question (what the first reader would wait for: about
    1.5 s here, far more on a busy machine). Best effort: without a library the site still
    serves its pages, and asking says the library is unavailable."""
    try:
        engine(block=True).ask(WARM_UP_QUESTION, DEFAULT_AUDIENCE)
    except Exception as exc:  # never stop a server from starting
        log.warning("the answer engine could not be warmed up: %s", exc)


def clean_question(text: str | None) -> str:
    """The question stripped; QuestionError with a reader-facing message when unusable."""
    question = (text or "").strip()
    if not question:
        raise QuestionError("Please type a question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"Your question is {len(question):,} characters long; please keep it under "
            f"{MAX_QUESTION_CHARS:,}."
        )
    return question


def ask(question: str, audience: str, context: str | None = None) -> Answer:
    """The engine's answer to a cleaned question, in the context of a page's question."""
    question = clean_question(question)
    answering = engine()
    with library_errors():
        searchable(answering)
        return answering.ask(question, audience, context=context)


def answer_all(question: str) -> dict[str, dict]:
    """The answer JSON for every audience (what a drafted question page stores)."""
    answering = engine()
    with library_errors():
        searchable(answering)
        return {audience: to_dict(answering.ask(question, audience)) for audience in AUDIENCES}


def searchable(answering: AnswerEngine) -> None:
    """LibraryError when the search index is empty but the store is not: the index is being
    rebuilt (`rebuild-index` commits once, at the end) or was replaced by an empty one, and
    every answer would say the sources hold nothing (measured: 49 s of such answers during
    a rebuild). One reload of the index's metadata; the store is counted only then."""
    library = answering.library
    if library.index.count() == 0 and library.store.count() > 0:
        raise LibraryError(
            f"the search index {library.index.path} is empty while the store holds documents "
            "(being rebuilt: `evimap library rebuild-index`)"
        )


def parse_audience(value: str | None) -> tuple[str, str | None]:
    """(audience, note): an unknown audience falls back to the default with a visible note."""
    if not value:
        return DEFAULT_AUDIENCE, None
    if value in AUDIENCES:
        return value, None
    return DEFAULT_AUDIENCE, "That reader type is not one we know; showing the page for patients."


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "what which who how why when is are do does the a an of to in for and or can".split()
)


def question_key(text: str) -> frozenset[str]:
    """The content words of a question (for finding the page that already answers it)."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of the content words of two questions (1.0: the same words)."""
    ka, kb = question_key(a), question_key(b)
    return len(ka & kb) / len(ka | kb) if ka and kb else 0.0
