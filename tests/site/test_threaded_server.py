"""The site under threaded web servers, as it runs for readers: gunicorn with gthread workers
and Django's development server (what `evimap demo` serves), each answering follow-up
questions asked at the same moment by many readers (issue 10, D3: one of two concurrent
questions failed with "cannot start a transaction within a transaction")."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from site_on_disk import site_on_disk

pytestmark = pytest.mark.slow

READERS = 8
QUESTIONS_EACH = 6
FOLLOW_UPS = (
    "Can heat trigger a flare?",
    "How are flares treated?",
    "Does stress make it worse?",
    "Can infections cause flares?",
)
SERVERS = {
    "gunicorn-gthread": [
        "-m", "gunicorn", "evimap.site.wsgi:application", "--worker-class", "gthread",
        "--workers", "1", "--threads", str(READERS), "--bind", "127.0.0.1:{port}",
    ],
    "django-runserver": ["-m", "django", "runserver", "--noreload", "127.0.0.1:{port}"],
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/api/docs", timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within 120 s:\n{log.read_text()}")


@pytest.mark.parametrize("server", list(SERVERS))
def test_readers_asking_at_once_all_get_answers(
    tmp_path, tmp_path_factory, evidence_library, server
):
    site = site_on_disk(tmp_path_factory, tmp_path, evidence_library)
    port = free_port()
    args = [sys.executable, *(a.format(port=port) for a in SERVERS[server])]
    env = {**site.env, "DJANGO_SETTINGS_MODULE": "evimap.site.settings"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            args, env=env, cwd=tmp_path, stdout=out, stderr=out, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        start = threading.Barrier(READERS)

        def reader(n: int) -> list[tuple[int, str]]:
            got = []
            with httpx.Client(base_url=base, timeout=60) as client:
                start.wait(timeout=60)
                for i in range(QUESTIONS_EACH):
                    body = {
                        "question": FOLLOW_UPS[(n + i) % len(FOLLOW_UPS)],
                        "audience": "patient",
                        "page_id": site.page,
                    }
                    response = client.post("/api/ask", json=body)
                    got.append((response.status_code, response.text[:300]))
            return got

        with ThreadPoolExecutor(READERS) as pool:
            results = [r for rs in pool.map(reader, range(READERS)) for r in rs]
        failed = [r for r in results if r[0] != 200]
        assert not failed, f"{len(failed)} of {len(results)} failed: {failed[:3]}"
        assert "Traceback" not in log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
