"""Typed settings read from the environment; a bad value refuses to start with one line.

Settings are data. Every entry point (CLI, web, benchmarks) builds one `Settings` with
`Settings.from_env()` and passes it down; nothing deeper reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evimap.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Settings:
    library: Path = Path("var/library")
    """EVIMAP_LIBRARY: directory of the evidence library (store + index)."""
    shared_data: Path = Path("../shared/data")
    """EVIMAP_SHARED_DATA: the public datasets (MedQuAD, PubMed samples, SciFact...)."""
    workers: int | None = None
    """EVIMAP_WORKERS: parser processes for ingest; unset = one per core for large inputs."""
    ncbi_api_key: str | None = field(default=None, repr=False)  # secrets: never in a repr
    """NCBI_API_KEY (or NCBI_API_KEY_FILE): raises the E-utilities rate limit to 10/s."""
    ncbi_email: str | None = None
    """EVIMAP_NCBI_EMAIL: contact address NCBI asks E-utilities clients to send."""
    # -- the optional writer (docs/decisions/0004) --
    writer_url: str | None = None
    """EVIMAP_WRITER_URL: base URL of an OpenAI-compatible API; unset = no writer."""
    writer_model: str | None = None
    """EVIMAP_WRITER_MODEL: model name sent to the writer (required with EVIMAP_WRITER_URL)."""
    writer_api_key: str | None = field(default=None, repr=False)
    """EVIMAP_WRITER_API_KEY (or EVIMAP_WRITER_API_KEY_FILE): bearer token for the writer."""
    writer_timeout: float = 30.0
    """EVIMAP_WRITER_TIMEOUT: seconds the writer may spend on one answer, all requests."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            library=_path(env, "EVIMAP_LIBRARY", defaults.library),
            shared_data=_path(env, "EVIMAP_SHARED_DATA", defaults.shared_data),
            workers=_int(env, "EVIMAP_WORKERS", None, minimum=0),
            ncbi_api_key=read_secret(env, "NCBI_API_KEY"),
            ncbi_email=env.get("EVIMAP_NCBI_EMAIL") or None,
            writer_url=_url(env, "EVIMAP_WRITER_URL"),
            writer_model=_required_with(env, "EVIMAP_WRITER_MODEL", "EVIMAP_WRITER_URL"),
            writer_api_key=read_secret(env, "EVIMAP_WRITER_API_KEY"),
            writer_timeout=_seconds(env, "EVIMAP_WRITER_TIMEOUT", defaults.writer_timeout),
        )


# Every variable read above; tests check that README.md documents each one.
ENV_VARS = (
    "EVIMAP_LIBRARY",
    "EVIMAP_SHARED_DATA",
    "EVIMAP_WORKERS",
    "NCBI_API_KEY",
    "NCBI_API_KEY_FILE",
    "EVIMAP_NCBI_EMAIL",
    # -- the web site (evimap.site.env) --
    "DATABASE_URL",
    "EVIMAP_DEBUG",
    "EVIMAP_SECRET_KEY",
    "EVIMAP_SECRET_KEY_FILE",
    "EVIMAP_ALLOWED_HOSTS",
    "EVIMAP_CACHE_URL",
    "EVIMAP_SMTP_URL",
    "EVIMAP_CSRF_TRUSTED_ORIGINS",
    "EVIMAP_BEHIND_HTTPS_PROXY",
    "EVIMAP_MAX_ACTIVE",
    "EVIMAP_MAX_QUEUED",
    "EVIMAP_QUEUE_WAIT",
    "EVIMAP_WRITER_URL",
    "EVIMAP_WRITER_MODEL",
    "EVIMAP_WRITER_API_KEY",
    "EVIMAP_WRITER_API_KEY_FILE",
    "EVIMAP_WRITER_TIMEOUT",
)


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name, "").strip()
    if not value:
        return default
    if "\x00" in value:
        raise ConfigError(f"{name} is not a valid path: {value!r}")
    return Path(value).expanduser()


def _int(env: Mapping[str, str], name: str, default: int | None, *, minimum: int) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    return number


def _url(env: Mapping[str, str], name: str) -> str | None:
    """An http(s) URL, or None when unset."""
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.lower().startswith(("http://", "https://")) or " " in value:
        raise ConfigError(f"{name} must be an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


def _required_with(env: Mapping[str, str], name: str, needed_by: str) -> str | None:
    """NAME, which must be set when NEEDED_BY is."""
    value = env.get(name, "").strip() or None
    if value is None and env.get(needed_by, "").strip():
        raise ConfigError(f"{name} must be set when {needed_by} is")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds."""
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {value!r}") from None
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"{name} must be a finite number of seconds above 0, got {value!r}")
    return seconds


def read_secret(env: Mapping[str, str], name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE."""
    if env.get(name):
        return env[name].strip()
    file_name = env.get(f"{name}_FILE")
    if not file_name:
        return None
    try:
        return Path(file_name).read_text().strip() or None
    except OSError as exc:
        raise ConfigError(f"{name}_FILE cannot be read: {exc.strerror} ({file_name})") from None
