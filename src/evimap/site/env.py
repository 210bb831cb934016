"""The site's settings read from the environment; a bad value refuses to start with one line.

Read by `evimap.site.settings` only. The variables are listed in `evimap.settings.ENV_VARS`
and documented in README.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from evimap.errors import ConfigError
from evimap.settings import read_secret

DEV_SECRET_KEY = "evimap-dev-only-not-secret"
DEFAULT_DATABASE = Path("var/site.sqlite3")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class SiteSettings:
    debug: bool = True
    """EVIMAP_DEBUG: development mode (detailed errors, a dev secret key allowed)."""
    secret_key: str = DEV_SECRET_KEY
    """EVIMAP_SECRET_KEY (or EVIMAP_SECRET_KEY_FILE): required when EVIMAP_DEBUG is off."""
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "testserver")
    """EVIMAP_ALLOWED_HOSTS: comma-separated host names the site answers to."""
    database: dict = field(default_factory=dict)
    """DATABASE_URL: sqlite:///path or postgres://user:pass@host:port/name."""
    cache: dict = field(default_factory=dict)
    """EVIMAP_CACHE_URL: redis://host:port/db (shared by every worker) or per-process memory."""
    email: dict = field(default_factory=dict)
    """EVIMAP_SMTP_URL: smtp://user:pass@host:port (smtps:// for TLS); unset: to the log."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SiteSettings:
        """Settings from `environ` (default os.environ); raises ConfigError naming the variable."""
        env = os.environ if environ is None else environ
        debug = read_bool(env, "EVIMAP_DEBUG", default=True)
        secret = read_secret(env, "EVIMAP_SECRET_KEY")
        if secret is None:
            if not debug:
                raise ConfigError("EVIMAP_SECRET_KEY must be set when EVIMAP_DEBUG is off")
            secret = DEV_SECRET_KEY
        hosts = read_list(env, "EVIMAP_ALLOWED_HOSTS") or cls().allowed_hosts
        return cls(
            debug=debug,
            secret_key=secret,
            allowed_hosts=hosts,
            database=parse_database_url(env.get("DATABASE_URL", "").strip()),
            cache=parse_cache_url(env.get("EVIMAP_CACHE_URL", "").strip()),
            email=parse_smtp_url(env.get("EVIMAP_SMTP_URL", "").strip()),
        )


def read_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off."""
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1, true, yes, on, 0, false, no, off; got {value!r}")


def read_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list; empty items are dropped."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def parse_database_url(url: str) -> dict:
    """Django's DATABASES['default'] for `url` (empty: the SQLite file var/site.sqlite3)."""
    if not url:
        return _sqlite(DEFAULT_DATABASE)
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/file or sqlite:////absolute/file, as dj-database-url reads them
        path = unquote(parts.path)[1:]
        if parts.netloc or not path:
            raise ConfigError(f"DATABASE_URL names no SQLite file (sqlite:///path): {url!r}")
        return _sqlite(Path(path))
    if parts.scheme in ("postgres", "postgresql"):
        return _postgres(url, parts)
    raise ConfigError(f"DATABASE_URL must start with sqlite:// or postgres://, got {url!r}")


def _sqlite(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def _postgres(url: str, parts) -> dict:
    name = unquote(parts.path.lstrip("/"))
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"DATABASE_URL has a bad port: {url!r}") from None
    if not parts.hostname or not name:
        raise ConfigError(f"DATABASE_URL needs a host and a database name: {url!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
    }


def parse_cache_url(url: str) -> dict:
    """Django's CACHES['default'] for `url` (empty: memory of each process)."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ConfigError(f"EVIMAP_CACHE_URL must be redis://host:port/db, got {url!r}")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def parse_smtp_url(url: str) -> dict:
    """Django's EMAIL_* settings for `url` (empty: messages are written to the server log)."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"EVIMAP_SMTP_URL must be smtp://user:pass@host:port, got {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"EVIMAP_SMTP_URL has a bad port: {url!r}") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }
