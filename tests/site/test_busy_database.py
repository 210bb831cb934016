"""Form posts at the same moment on SQLite (issue 10, D8: concurrent posts failed with
"database is locked" 500s): connections wait for each other (a busy timeout, transactions
that take the write lock when they begin), and where contention remains the reader gets a
"try again" page, 503 with Retry-After, never a 500."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import OperationalError, connection
from django.test import Client
from site_on_disk import site_on_disk
from sitedata import PASSWORD
from test_threaded_server import free_port, wait_until_up

from evimap.site.env import parse_database_url

VISITORS = 16
ROUNDS = 6
USERS = ("editor", "reviewer", "reviewer2", "moderator", "admin", "member")
QUESTIONS = (  # each asked by several visitors: drafted at once, in long transactions
    "How are Glimmerfield syndrome flares treated?",
    "Can heat bring on Glimmerfield syndrome flares?",
    "Do infections bring on Glimmerfield syndrome flares?",
    "Is stress linked to Glimmerfield syndrome flares?",
    "Do steroids help Glimmerfield syndrome flares?",
    "Does poor sleep bring on Glimmerfield syndrome flares?",
    "What is Glimmerfield syndrome?",
    "How long do Glimmerfield syndrome flares last?",
)
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_sqlite_connections_wait_for_each_other():
    options = parse_database_url("sqlite:///var/x.db")["OPTIONS"]
    assert options["timeout"] >= 20 and options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
def test_the_site_database_connection_has_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20_000


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_locked_database_is_a_try_again_page_not_a_500(site, monkeypatch):
    from evimap.site.pages import drafting

    monkeypatch.setattr(drafting, "record_asked", locked)
    response = Client().post("/", {"question": QUESTIONS[0]})
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "try again" in html.lower() and "Traceback" not in html


def test_a_locked_database_in_the_api_is_a_retryable_503(site, monkeypatch):
    from evimap.site import answers

    monkeypatch.setattr(answers, "ask", locked)
    body = {"question": QUESTIONS[0], "audience": "patient"}
    response = Client().post("/api/ask", body, content_type="application/json")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["status"] == 503 and error["retryable"] is True
    assert error["type"] == "DatabaseBusy" and "try again" in error["message"].lower()


def test_other_database_errors_stay_errors(site, monkeypatch):
    """A bug is a 500, not a "try again": SQLite's "no such table"; on PostgreSQL, where
    every OperationalError means the server cannot be reached (a 503), a ProgrammingError."""
    from django.db import ProgrammingError, connection

    from evimap.site import answers

    if connection.vendor == "sqlite":
        error: Exception = OperationalError("no such table: nowhere")
    else:
        error = ProgrammingError('relation "nowhere" does not exist')

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(answers, "ask", broken)
    with pytest.raises(type(error)):
        Client().post("/api/ask", {"question": "x"}, content_type="application/json")


def _visit(base: str, n: int, start: threading.Barrier) -> list[tuple[str, int, str]]:
    """Sign in and out and ask new questions on the home page, as one visitor, ROUNDS times."""
    got = []
    with httpx.Client(base_url=base, timeout=120, follow_redirects=False) as client:
        start.wait(timeout=60)
        for i in range(ROUNDS):
            page = client.get("/login/")
            token = _TOKEN.search(page.text)[1]
            login = {"username": USERS[n % len(USERS)], "password": PASSWORD}
            response = client.post("/login/", data={**login, "csrfmiddlewaretoken": token})
            got.append(("login", response.status_code, response.text[:300]))
            home = client.get("/")
            token = _TOKEN.search(home.text)[1]
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            response = client.post("/", data={"question": question, "csrfmiddlewaretoken": token})
            got.append(("ask", response.status_code, response.text[:300]))
            response = client.post("/logout/", data={"csrfmiddlewaretoken": token})
            got.append(("logout", response.status_code, response.text[:300]))
    return got


@pytest.mark.slow
def test_concurrent_form_posts_never_fail_with_a_500(tmp_path, tmp_path_factory, evidence_library):
    site = site_on_disk(tmp_path_factory, tmp_path, evidence_library)
    port = free_port()
    args = [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{port}"]
    env = {**site.env, "DJANGO_SETTINGS_MODULE": "evimap.site.settings"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            args, env=env, cwd=tmp_path, stdout=out, stderr=out, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        start = threading.Barrier(VISITORS)
        with ThreadPoolExecutor(VISITORS) as pool:
            futures = [pool.submit(_visit, base, n, start) for n in range(VISITORS)]
            results = [r for f in futures for r in f.result()]
        failed = [r for r in results if r[1] >= 500 and r[1] != 503]
        assert not failed, f"{len(failed)} of {len(results)} failed: {failed[:3]}"
        assert {r[1] for r in results} <= {200, 302}, results  # the busy timeout waits
        assert "database is locked" not in log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
