"""Django's Redis cache, for a cache that may go away: then the site works without it.

The cache only ever saves work (the page cache, Wagtail's site root paths), so while Redis
is stopped, unreachable or slow, every read is a miss and every write is skipped, and pages
are rendered from the database: slower, never a 500 (issue 10: with Django's RedisCache each
request failed with ConnectionError while Redis was stopped). One warning is logged per
outage. After a failure Redis is left alone for RETRY_AFTER seconds (each attempt would cost
a connection try), then tried again; timeouts are short (`evimap.site.env.parse_cache_url`)
so a Redis that hangs costs at most about half a second.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed
log = logging.getLogger("evimap.site.cache")


class _Outage:
    """When Redis last failed, shared by the threads of a process."""

    def __init__(self) -> None:
        self.until = 0.0
        self.down = False
        self.lock = threading.Lock()

    def skip(self) -> bool:
        return time.monotonic() < self.until

    def failed(self, exc: Exception) -> None:
        with self.lock:
            self.until = time.monotonic() + RETRY_AFTER
            if not self.down:
                self.down = True
                log.warning("the cache (Redis) is unavailable, serving without it: %s", exc)

    def worked(self) -> None:
        if self.down:
            with self.lock:
                if self.down:
                    self.down = False
                    log.warning("the cache (Redis) is back")


class TolerantRedisCacheClient(RedisCacheClient):
    """Every operation answers as if the key were absent when Redis fails."""

    _lib: Any  # the redis module, set by Django's RedisCacheClient (not in its stubs)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outage = _Outage()

    def _guard(self, operation, fallback, *args):
        if self.outage.skip():
            return fallback
        try:
            result = operation(*args)
        except (self._lib.RedisError, OSError) as exc:
            self.outage.failed(exc)
            return fallback
        self.outage.worked()
        return result

    def add(self, key, value, timeout):
        return self._guard(super().add, False, key, value, timeout)

    def get(self, key, default):
        return self._guard(super().get, default, key, default)

    def set(self, key, value, timeout):
        return self._guard(super().set, None, key, value, timeout)

    def touch(self, key, timeout):
        return self._guard(super().touch, False, key, timeout)

    def delete(self, key):
        return self._guard(super().delete, False, key)

    def get_many(self, keys):
        return self._guard(super().get_many, {}, keys)

    def has_key(self, key):
        return self._guard(super().has_key, False, key)

    def incr(self, key, delta):
        result = self._guard(super().incr, None, key, delta)
        if result is None:
            raise ValueError(f"Key {key!r} not found (the cache is unavailable)")
        return result

    def set_many(self, data, timeout):
        return self._guard(super().set_many, list(data), data, timeout)

    def delete_many(self, keys):
        return self._guard(super().delete_many, None, keys)

    def clear(self):
        return self._guard(super().clear, False)


class TolerantRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that serves without Redis when it fails."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient
