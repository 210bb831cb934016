"""Past capacity the site answers at once with 503 "try again", never a 500 or a hang
(issue 10, load: with gunicorn's workers taking every connection, 62% of the requests sent at
3x the sustained rate had no answer after 15 s). `evimap.site.admission` lets a bounded
number of requests work and wait in each process; `evimap serve` runs threaded workers with
threads to spare for the refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from site_on_disk import site_on_disk

from evimap.errors import ConfigError
from evimap.site.admission import SPARE_THREADS, Admission, Limits


class SlowApp:
    """A WSGI app that holds each request until released (or `hold` seconds)."""

    def __init__(self, hold: float = 5.0) -> None:
        self.release = threading.Event()
        self.hold = hold
        self.inside = 0
        self.most_inside = 0
        self.served: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.release.wait(self.hold)
        with self.lock:
            self.inside -= 1
            self.served.append(environ.get("QUERY_STRING", ""))
        if environ.get("PATH_INFO") == "/boom":
            raise RuntimeError("boom")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def call(app, path: str = "/", query: str = "") -> tuple[str, dict, bytes]:
    got = {}

    def start_response(status, headers):
        got["status"], got["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "QUERY_STRING": query}, start_response))
    return got["status"], got["headers"], body


def in_threads(app, count: int, path: str = "/") -> list[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(count)
    futures = [pool.submit(call, app, path, str(n)) for n in range(count)]
    return pool, futures


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_past_its_turns_and_queue_a_request_is_refused_at_once_with_503():
    slow = SlowApp()
    app = Admission(slow, Limits(max_active=2, max_queued=3, max_wait=10))
    pool, futures = in_threads(app, 5)  # 2 at work, 3 waiting
    wait_for(lambda: slow.inside == 2 and app.queued == 3)
    started = time.monotonic()
    status, headers, body = call(app, "/multiple-sclerosis/")
    assert time.monotonic() - started < 0.5  # at once, not after the others
    assert status.startswith("503") and int(headers["Retry-After"]) > 0
    assert headers["Content-Type"].startswith("text/html") and b"try again" in body
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert header in headers  # the refusal carries the site's security headers too
    status, headers, body = call(app, "/api/ask")
    error = json.loads(body)["error"]  # the API's one error shape
    assert (error["status"], error["type"], error["retryable"]) == (503, "Overloaded", True)
    slow.release.set()
    assert [f.result()[0] for f in futures] == ["200 OK"] * 5  # the queued ones were served
    assert slow.most_inside == 2 and app.active == 0 and app.queued == 0
    pool.shutdown()


def test_queued_requests_are_let_in_first_come_first_served():
    slow = SlowApp()
    app = Admission(slow, Limits(max_active=1, max_queued=5, max_wait=10))
    pool = ThreadPoolExecutor(6)
    futures = [pool.submit(call, app, "/", "first")]
    wait_for(lambda: slow.inside == 1)
    for n in range(5):
        futures.append(pool.submit(call, app, "/", f"q{n}"))
        wait_for(lambda n=n: app.queued == n + 1)
    slow.release.set()
    assert all(f.result()[0] == "200 OK" for f in futures)
    assert slow.served == ["first", "q0", "q1", "q2", "q3", "q4"]
    pool.shutdown()


def test_a_request_that_waits_past_max_wait_is_refused():
    slow = SlowApp(hold=2.0)
    app = Admission(slow, Limits(max_active=1, max_queued=4, max_wait=0.2))
    pool, futures = in_threads(app, 1)
    wait_for(lambda: slow.inside == 1)
    started = time.monotonic()
    status, _, _ = call(app)
    assert status.startswith("503") and 0.15 < time.monotonic() - started < 1.5
    assert app.queued == 0  # it left the queue
    slow.release.set()
    assert futures[0].result()[0] == "200 OK"
    pool.shutdown()


def test_a_turn_is_given_back_when_the_site_raises():
    slow = SlowApp(hold=0)
    app = Admission(slow, Limits(max_active=1, max_queued=0, max_wait=1))
    for _ in range(3):
        with pytest.raises(RuntimeError):
            call(app, "/boom")
    assert app.active == 0 and call(app)[0] == "200 OK"


def test_limits_come_from_the_environment_and_size_the_threads():
    limits = Limits.from_env(
        {"EVIMAP_MAX_ACTIVE": "3", "EVIMAP_MAX_QUEUED": "0", "EVIMAP_QUEUE_WAIT": "2.5"}
    )
    assert (limits.max_active, limits.max_queued, limits.max_wait) == (3, 0, 2.5)
    assert limits.threads == 3 + 0 + SPARE_THREADS
    assert Limits.from_env({}) == Limits()
    for name, value in (("EVIMAP_MAX_ACTIVE", "0"), ("EVIMAP_MAX_QUEUED", "x"),
                        ("EVIMAP_QUEUE_WAIT", "-1"), ("EVIMAP_QUEUE_WAIT", "nan")):  # fmt: skip
        with pytest.raises(ConfigError, match=name):
            Limits.from_env({name: value})


def test_serve_runs_threaded_workers_with_the_threads_admission_needs(monkeypatch):
    from evimap.site.commands import gunicorn_args

    monkeypatch.setenv("EVIMAP_MAX_ACTIVE", "2")
    monkeypatch.setenv("EVIMAP_MAX_QUEUED", "6")
    args = gunicorn_args("127.0.0.1:9", 3)
    assert args[args.index("--worker-class") + 1] == "gthread"
    assert args[args.index("--threads") + 1] == str(2 + 6 + SPARE_THREADS)
    assert args[args.index("--workers") + 1] == "3"
    assert "evimap.site.wsgi:application" in args and "--timeout" in args
    assert gunicorn_args("127.0.0.1:9", 1, threads=7)[args.index("--threads") + 1] == "7"


@pytest.mark.slow
def test_evimap_serve_past_capacity_answers_503_never_500_or_a_hang(
    tmp_path, tmp_path_factory, evidence_library
):
    """A real `evimap serve` with one turn and no queue: 24 readers asking at once each get an
    answer or a quick 503 with Retry-After in the API's error shape."""
    from test_threaded_server import free_port, wait_until_up

    site = site_on_disk(tmp_path_factory, tmp_path, evidence_library)
    port = free_port()
    env = {**site.env, "EVIMAP_MAX_ACTIVE": "1", "EVIMAP_MAX_QUEUED": "0", "EVIMAP_DEBUG": "0"}
    env["EVIMAP_SECRET_KEY"] = "a-test-secret-key-that-is-long-enough-for-django-0123456789"
    evimap = os.path.join(os.path.dirname(sys.executable), "evimap")
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [evimap, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env, cwd=tmp_path, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    question = {"question": "Can heat trigger a flare?", "page_id": site.page}
    try:
        wait_until_up(base, server, log)
        start = threading.Barrier(24)

        def ask(_: int) -> tuple[int, str, str, float]:
            with httpx.Client(base_url=base, timeout=60) as client:
                start.wait(timeout=30)
                began = time.monotonic()
                reply = client.post("/api/ask", json=question)
                return (reply.status_code, reply.headers.get("Retry-After", ""), reply.text,
                        time.monotonic() - began)  # fmt: skip

        with ThreadPoolExecutor(24) as pool:
            replies = list(pool.map(ask, range(24)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    statuses = sorted(r[0] for r in replies)
    assert set(statuses) <= {200, 503}, statuses
    assert 200 in statuses and 503 in statuses, statuses
    for status, retry, text, seconds in replies:
        if status == 503:
            assert int(retry) > 0 and json.loads(text)["error"]["type"] == "Overloaded"
            assert seconds < 5  # refused at once, not after waiting for the others
    assert "Traceback" not in log.read_text()
