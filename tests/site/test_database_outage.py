"""PostgreSQL restarted or out of reach under the site: a 503 "try again" with Retry-After,
never a 500, and served again as soon as it is back, without restarting the site (issue 10,
faults: a restart killed the kept connections, and each worker's next request on one
failed with a 500 InterfaceError/OperationalError; so did every request while it was down).

The unit tests run on any database; the end-to-end one runs `evimap serve` against a
database of its own on the test PostgreSQL server (EVIMAP_TEST_POSTGRES, default
postgres://postgres@127.0.0.1:5432/test) and takes it away by refusing connections to that
database and ending its sessions, as a restart does, without restarting a shared server.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import Client
from site_on_disk import _SET_UP, site_env
from sitedata import FLARES, PASSWORD

DOWN = "server closed the connection unexpectedly"


@pytest.fixture
def server_database(monkeypatch):
    """The default connection behaves as PostgreSQL's would for the error mapping."""
    monkeypatch.setattr(connections["default"], "vendor", "postgresql")


@pytest.mark.parametrize("error", [OperationalError(DOWN), InterfaceError("connection closed")])
def test_the_api_answers_503_when_the_database_is_out_of_reach(
    approved_page, server_database, monkeypatch, error
):
    from evimap.site import answers

    def down(*args, **kwargs):
        raise error

    monkeypatch.setattr(answers, "ask", down)
    response = Client().post(
        "/api/ask", {"question": "Is it catching?"}, content_type="application/json"
    )
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    body = json.loads(response.content)["error"]
    assert (body["type"], body["retryable"]) == ("DatabaseUnavailable", True)


def test_a_page_answers_503_when_the_database_fails_before_the_view(
    approved_page, server_database, monkeypatch
):
    """Middleware (the page cache's version query, the session) fails first in a restart."""
    from evimap.site.pages import cache

    def down(page_id):
        raise OperationalError(DOWN)

    Client().get(approved_page.url)  # cached
    monkeypatch.setattr(cache, "version", down)
    response = Client(raise_request_exception=False).get(approved_page.url)
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "try again" in response.content.decode()


def test_a_signed_in_reader_gets_503_when_the_session_cannot_be_read(
    approved_page, people, server_database, monkeypatch
):
    """The error page read the user through the database again, in the 500 handler."""
    from django.contrib.sessions.backends.db import SessionStore

    client = Client(raise_request_exception=False)
    client.force_login(people["member"])

    def down(self):
        raise OperationalError(DOWN)

    monkeypatch.setattr(SessionStore, "load", down)
    for url in (approved_page.url, "/", f"/community/share/{approved_page.pk}/"):
        response = client.get(url)
        assert response.status_code == 503, (url, response.status_code)
        assert "database cannot be reached" in response.content.decode()


def test_a_post_answers_503_when_the_database_fails_in_the_view(
    approved_page, people, server_database, monkeypatch
):
    from evimap.site.community import experiences

    def down(*args, **kwargs):
        raise OperationalError(DOWN)

    monkeypatch.setattr(experiences, "share", down)
    client = Client()
    client.force_login(people["member"])
    text = "Hot weather came before each of my flares this year."
    response = client.post(
        f"/community/share/{approved_page.pk}/", {"relation": "has", "text": text}
    )
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "database cannot be reached" in response.content.decode()


def test_postgres_settings_check_connections_and_bound_waits():
    from evimap.site.env import parse_database_url

    db = parse_database_url("postgres://me@db.example/evimap")
    assert db["CONN_HEALTH_CHECKS"] is True  # a connection a restart closed is replaced
    assert 0 < db["OPTIONS"]["connect_timeout"] <= 10
    assert "statement_timeout" in db["OPTIONS"]["options"]


# -- end to end: evimap serve on PostgreSQL ---------------------------------------------------

POSTGRES = os.environ.get("EVIMAP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")


def _admin(url: str):
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(
            url.replace("postgres://", "postgresql://", 1), autocommit=True, connect_timeout=3
        )
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {url}: {exc}")


def _end_sessions(admin, name: str) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass (it makes its own PostgreSQL database)",
)
def test_evimap_serve_rides_out_a_postgres_restart(tmp_path, evidence_library):
    from test_threaded_server import free_port, wait_until_up

    admin = _admin(POSTGRES)
    name = f"evimap_outage_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", POSTGRES)
    env = {**site_env(tmp_path, evidence_library), "DATABASE_URL": url, "EVIMAP_DEBUG": "0"}
    env["EVIMAP_SECRET_KEY"] = "a-test-secret-key-that-is-long-enough-for-django-0123456789"
    server = None
    try:
        made = subprocess.run(
            [sys.executable, "-c", _SET_UP, FLARES, PASSWORD],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        page_id = int(re.search(r"^page (\d+)", made.stdout, re.MULTILINE)[1])
        port, log = free_port(), tmp_path / "server.log"
        evimap = Path(sys.executable).parent / "evimap"
        with log.open("w") as out:
            server = subprocess.Popen(
                [str(evimap), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                env=env, cwd=tmp_path, stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            page = f"/api/pages/{page_id}/answer"

            def statuses(count: int) -> list[int]:
                return [client.get(page).status_code for _ in range(count)]

            assert statuses(8) == [200] * 8  # every thread holds a kept connection now

            # A restart: every session ends; the next requests reconnect (health checks).
            _end_sessions(admin, name)
            assert statuses(8) == [200] * 8

            # Down: connections refused, sessions ended.
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            _end_sessions(admin, name)
            for path in (page, "/", "/api/ask"):
                if path == "/api/ask":
                    reply = client.post(path, json={"question": "Why?", "page_id": page_id})
                else:
                    reply = client.get(path)
                assert reply.status_code == 503, (path, reply.status_code, reply.text[:300])
                assert int(reply.headers["Retry-After"]) > 0
            assert client.get(page).json()["error"]["type"] == "DatabaseUnavailable"

            # Back: served again at once, the site not restarted.
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert statuses(8) == [200] * 8
        assert " 500 " not in log.read_text() and "Traceback" not in log.read_text()
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        _end_sessions(admin, name)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
