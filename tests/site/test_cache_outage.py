"""Redis stopped under the site: pages are still served, from the database, the cache
bypassed; when Redis is back the cache is used again (issue 10, faults: with Django's
RedisCache every page failed with a 500 ConnectionError, Wagtail's site root paths too)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.test import Client

from evimap.site import redis_cache

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def redis(settings, monkeypatch):
    """A redis-server of the test's own, as the site's cache (EVIMAP_CACHE_URL)."""
    from evimap.site.env import parse_cache_url

    server = RedisServer(free_port())
    server.start()
    settings.CACHES = {"default": parse_cache_url(f"redis://127.0.0.1:{server.port}/0")}
    monkeypatch.setattr(redis_cache, "RETRY_AFTER", 0.0)  # try Redis again at once
    yield server
    server.kill()


def get(url: str):
    response = Client().get(url)
    assert response.status_code == 200, response.status_code
    return response


def test_pages_are_served_while_redis_is_stopped_and_cached_again_after(
    approved_page, redis, caplog
):
    get(approved_page.url)
    assert get(approved_page.url)["X-Evimap-Cache"] == "hit"  # the cache works
    redis.kill()
    for _ in range(3):  # no 500: rendered from the database, the cache bypassed
        response = get(approved_page.url)
        assert "X-Evimap-Cache" not in response
        assert approved_page.title in response.content.decode()
    assert get("/").status_code == 200  # Wagtail's own cached data (site root paths) too
    warnings = [r for r in caplog.records if "cache (Redis) is unavailable" in r.getMessage()]
    assert len(warnings) == 1  # one warning per outage, not one per request
    redis.start()
    get(approved_page.url)  # stored again
    assert get(approved_page.url)["X-Evimap-Cache"] == "hit"


def test_a_stopped_redis_costs_no_connection_attempt_for_a_while(redis, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(redis_cache, "RETRY_AFTER", 60.0)
    cache.set("k", 1)
    assert cache.get("k") == 1
    redis.kill()
    assert cache.get("k", "missing") == "missing"  # the failure: Redis is left alone now
    client = cache._cache
    calls = []
    monkeypatch.setattr(client, "get_client", lambda *a, **k: calls.append(a))
    assert cache.get("k", "missing") == "missing" and cache.set("k", 2) is None
    assert cache.add("k", 3) is False and cache.get_many(["k"]) == {}
    assert calls == []


def test_django_redis_cache_would_fail_the_page(approved_page, settings):
    """Why: the stock backend raises on every request while Redis is away."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    with pytest.raises(Exception, match=r"(?i)connect"):
        Client(raise_request_exception=True).get(approved_page.url)
