"""Admission control: past what the machine can do, a quick 503 "try again", never a hang.

Each server process lets at most `max_active` requests into the site at once; up to
`max_queued` more wait for a turn, each for at most `max_wait` seconds; any other request is
answered at once with 503 and Retry-After (JSON in the API's one error shape under /api/, a
short page elsewhere), before Django reads it or the database sees it. So past capacity the
answers that are given stay fast, the refused ones come back in milliseconds, and the queue
(and so the wait) has a bound. Without this, gunicorn's workers took connections as fast as
they came and readers waited in the listen backlog until they gave up (measured past
capacity: 62% of requests unanswered after 15 s, docs/decisions/0010).

    EVIMAP_MAX_ACTIVE   requests at work at once in each worker process   4
    EVIMAP_MAX_QUEUED   requests waiting for a turn in each one           8
    EVIMAP_QUEUE_WAIT   seconds a request may wait for its turn         10

`evimap serve` runs gunicorn's threaded workers with max_active + max_queued + SPARE_THREADS
threads each: the spare ones answer the refusals while the others work and wait.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from evimap import ConfigError

SPARE_THREADS = 4
RETRY_AFTER = 5  # seconds
log = logging.getLogger("evimap.site.admission")

_HEADERS = [
    ("Retry-After", str(RETRY_AFTER)),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
]
MESSAGE = (
    "The site is busy answering other readers just now; nothing you sent was used. "
    "Please try again in a few seconds."
)
_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Busy: please try again</title>'
    f"<h1>Busy: please try again</h1><p>{MESSAGE}</p></html>"
)


@dataclass(frozen=True, slots=True)
class Limits:
    max_active: int = 4
    max_queued: int = 8
    max_wait: float = 10.0

    @property
    def threads(self) -> int:
        """Threads a gunicorn worker needs: the working, the waiting and the refusing."""
        return self.max_active + self.max_queued + SPARE_THREADS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        default = cls()
        return cls(
            max_active=_number(env, "EVIMAP_MAX_ACTIVE", default.max_active, int, 1),
            max_queued=_number(env, "EVIMAP_MAX_QUEUED", default.max_queued, int, 0),
            max_wait=_number(env, "EVIMAP_QUEUE_WAIT", default.max_wait, float, 0),
        )


def _number(env: Mapping[str, str], name: str, default, kind, least):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value < least or value != value:
        raise ConfigError(f"{name} must be a number >= {least}, got {raw!r}")
    return value


class Admission:
    """WSGI middleware around the site: at most `limits.max_active` requests inside `app`,
    the waiting ones let in first come, first served."""

    def __init__(self, app: Callable, limits: Limits) -> None:
        self.app = app
        self.limits = limits
        self.active = 0
        self.refused = 0
        self._waiting: deque[threading.Event] = deque()
        self._lock = threading.Lock()

    @property
    def queued(self) -> int:
        return len(self._waiting)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.enter():
            return self.refuse(environ, start_response)
        try:
            # The body is written after this returns: a slow reader holds a thread, not a turn.
            return self.app(environ, start_response)
        finally:
            self.leave()

    def enter(self) -> bool:
        """Take a turn, waiting up to max_wait behind those already waiting; False: refuse."""
        limits = self.limits
        with self._lock:
            if self.active < limits.max_active and not self._waiting:
                self.active += 1
                return True
            if len(self._waiting) >= limits.max_queued or limits.max_wait <= 0:
                self.refused += 1
                return False
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(limits.max_wait):
            return True
        with self._lock:
            if turn.is_set():  # handed a turn just as the wait ran out
                return True
            self._waiting.remove(turn)
            self.refused += 1
            return False

    def leave(self) -> None:
        """End a turn: the first one waiting takes it over, else there is one more free."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self.active -= 1

    def refuse(self, environ: dict, start_response: Callable) -> list[bytes]:
        if self.refused % 100 == 1:
            log.warning(
                "busy: %d requests refused so far (%d at work, %d waiting)",
                self.refused, self.active, self.queued,
            )  # fmt: skip
        if environ.get("PATH_INFO", "").startswith("/api/"):
            error = {"status": 503, "type": "Overloaded", "message": MESSAGE, "retryable": True}
            body = json.dumps({"error": error}).encode()
            kind = "application/json"
        else:
            body, kind = _PAGE.encode(), "text/html; charset=utf-8"
        headers = [("Content-Type", kind), ("Content-Length", str(len(body))), *_HEADERS]
        start_response("503 Service Unavailable", headers)
        return [body]
