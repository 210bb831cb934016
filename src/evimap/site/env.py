"""The site's settings read from the environment; a bad value refuses to start with one line.

Read by `evimap.site.settings` only. The variables are listed in `evimap.settings.ENV_VARS`
and documented in README.md.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from evimap import ConfigError
from evimap.settings import read_secret

DEV_SECRET_KEY = "evimap-dev-only-not-secret"
DEFAULT_DATABASE = Path("var/site.sqlite3")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class SiteSettings:
    debug: bool = True
    """EVIMAP_DEBUG: development mode (detailed errors, a dev secret key allowed)."""
    secret_key: str = field(default=DEV_SECRET_KEY, repr=False)
    """EVIMAP_SECRET_KEY (or EVIMAP_SECRET_KEY_FILE): required when EVIMAP_DEBUG is off."""
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "testserver")
    """EVIMAP_ALLOWED_HOSTS: comma-separated host names the site answers to."""
    # The dicts below may hold passwords (in URLs too): never in a repr, a log or a debug page.
    database: dict = field(default_factory=dict, repr=False)
    """DATABASE_URL: sqlite:///path or postgres://user:pass@host:port/name."""
    cache: dict = field(default_factory=dict, repr=False)
    """EVIMAP_CACHE_URL: redis://host:port/db (shared by every worker) or per-process memory."""
    email: dict = field(default_factory=dict, repr=False)
    """EVIMAP_SMTP_URL: smtp://user:pass@host:port (smtps:// for TLS); unset: to the log."""
    csrf_trusted_origins: tuple[str, ...] = ()
    """EVIMAP_CSRF_TRUSTED_ORIGINS: comma-separated https://host[:port] origins forms come from."""
    behind_https_proxy: bool = False
    """EVIMAP_BEHIND_HTTPS_PROXY: a proxy ends TLS and says so in X-Forwarded-Proto: https."""

    def security(self) -> dict:
        """Django's CSRF, proxy and cookie settings for these (settings.py applies them)."""
        behind = self.behind_https_proxy
        return {
            "CSRF_TRUSTED_ORIGINS": list(self.csrf_trusted_origins),
            "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if behind else None,
            "SESSION_COOKIE_SECURE": behind,
            "CSRF_COOKIE_SECURE": behind,
        }

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, key_file: Path | None = None
    ) -> SiteSettings:
        """Settings from `environ` (default os.environ); raises ConfigError naming the variable.

        With EVIMAP_DEBUG off and no key given, the key is the one kept in `key_file`
        (generated there on first use) when one is named, else a ConfigError.
        """
        env = os.environ if environ is None else environ
        debug = read_bool(env, "EVIMAP_DEBUG", default=True)
        hosts = read_list(env, "EVIMAP_ALLOWED_HOSTS") or cls().allowed_hosts
        database = parse_database_url(env.get("DATABASE_URL", "").strip())
        cache = parse_cache_url(env.get("EVIMAP_CACHE_URL", "").strip())
        email = parse_smtp_url(env.get("EVIMAP_SMTP_URL", "").strip())
        origins = read_origins(env, "EVIMAP_CSRF_TRUSTED_ORIGINS")
        behind_proxy = read_bool(env, "EVIMAP_BEHIND_HTTPS_PROXY", default=False)
        return cls(
            debug=debug,
            secret_key=read_secret_key(env, debug, key_file),  # last: it may write key_file
            allowed_hosts=hosts,
            database=database,
            cache=cache,
            email=email,
            csrf_trusted_origins=origins,
            behind_https_proxy=behind_proxy,
        )


def key_given(env: Mapping[str, str]) -> bool:
    """Whether EVIMAP_SECRET_KEY or EVIMAP_SECRET_KEY_FILE is set (to anything)."""
    return bool(env.get("EVIMAP_SECRET_KEY") or env.get("EVIMAP_SECRET_KEY_FILE"))


def read_secret_key(env: Mapping[str, str], debug: bool, key_file: Path | None) -> str:
    """The secret key: never blank, never the public development key when DEBUG is off."""
    if env.get("EVIMAP_SECRET_KEY") and not env["EVIMAP_SECRET_KEY"].strip():
        raise ConfigError("EVIMAP_SECRET_KEY is only whitespace; set a real secret key")
    secret = read_secret(env, "EVIMAP_SECRET_KEY")
    if secret is None and env.get("EVIMAP_SECRET_KEY_FILE"):
        raise ConfigError("EVIMAP_SECRET_KEY_FILE names an empty file; put a secret key in it")
    if secret is None:
        if debug:
            return DEV_SECRET_KEY
        if key_file is None:
            raise ConfigError("EVIMAP_SECRET_KEY must be set when EVIMAP_DEBUG is off")
        return generated_key(key_file)
    if secret == DEV_SECRET_KEY and not debug:
        raise ConfigError(
            "EVIMAP_SECRET_KEY is the public development key; set a secret one when "
            "EVIMAP_DEBUG is off"
        )
    return secret


def generated_key(path: Path) -> str:
    """The key kept in `path`, made (random, readable by this user only) when absent."""
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        kept = ""
    except OSError as exc:
        raise ConfigError(
            f"the generated secret key cannot be read: {exc.strerror} ({path})"
        ) from None
    if kept:
        return kept
    key = secrets.token_urlsafe(50)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(key + "\n")
    except OSError as exc:
        raise ConfigError(f"cannot keep a generated secret key: {exc.strerror} ({path})") from None
    return key


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


_ORIGIN = re.compile(
    r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)


def read_origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated origins: scheme and host (and port), no path, as the browser sends."""
    origins = read_list(env, name)
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigError(
                f"{name} must list origins like https://evimap.example.org (scheme, host, "
                f"optional port; no path), got {origin!r}"
            )
    return origins


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


SQLITE_BUSY_SECONDS = 20  # how long a connection waits for another one's write lock


def _sqlite(path: Path) -> dict:
    """SQLite for a site served by threads and workers at once (issue 10, D8): a connection
    waits up to SQLITE_BUSY_SECONDS for another's write lock (the busy timeout) instead of
    failing with "database is locked", and a transaction takes the write lock when it begins
    (BEGIN IMMEDIATE): one that read first and then wrote could not wait for it, as a writer
    waiting for its readers would wait for it in turn, so SQLite refused it at once. What
    still waits too long is a 503 "try again" page (`evimap.site.middleware`). The journal
    stays a rollback journal (no WAL): the database remains one file to copy or back up."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"timeout": SQLITE_BUSY_SECONDS, "transaction_mode": "IMMEDIATE"},
    }


POSTGRES_CONNECT_TIMEOUT = 5  # seconds
POSTGRES_STATEMENT_TIMEOUT_MS = 30_000


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
        # A kept connection is checked before a request uses it, so one that PostgreSQL
        # closed (a restart) is replaced, not failed on; and no connection attempt or
        # statement waits without end (issue 10: load and faults, docs/decisions/0010).
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "connect_timeout": POSTGRES_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={POSTGRES_STATEMENT_TIMEOUT_MS}",
        },
    }


REDIS_TIMEOUT = 0.5  # seconds to connect to Redis, and for each answer from it


def parse_cache_url(url: str) -> dict:
    """Django's CACHES['default'] for `url` (empty: memory of each process)."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ConfigError(f"EVIMAP_CACHE_URL must be redis://host:port/db, got {url!r}")
    # Redis may stop: the site then serves without it (evimap.site.redis_cache), and a
    # Redis that hangs costs at most REDIS_TIMEOUT seconds.
    return {
        "BACKEND": "evimap.site.redis_cache.TolerantRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }


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
