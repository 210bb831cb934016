"""Typed settings read from the environment; a bad value refuses to start with one line.

Settings are data. Every entry point (CLI, web, benchmarks) builds one `Settings` with
`Settings.from_env()` and passes it down; nothing deeper reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
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
    ncbi_api_key: str | None = None
    """NCBI_API_KEY (or NCBI_API_KEY_FILE): raises the E-utilities rate limit to 10/s."""
    ncbi_email: str | None = None
    """EVIMAP_NCBI_EMAIL: contact address NCBI asks E-utilities clients to send."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            library=_path(env, "EVIMAP_LIBRARY", defaults.library),
            shared_data=_path(env, "EVIMAP_SHARED_DATA", defaults.shared_data),
            workers=_int(env, "EVIMAP_WORKERS", None, minimum=0),
            ncbi_api_key=_secret(env, "NCBI_API_KEY"),
            ncbi_email=env.get("EVIMAP_NCBI_EMAIL") or None,
        )


# Every variable read above; tests check that README.md documents each one.
ENV_VARS = (
    "EVIMAP_LIBRARY",
    "EVIMAP_SHARED_DATA",
    "EVIMAP_WORKERS",
    "NCBI_API_KEY",
    "NCBI_API_KEY_FILE",
    "EVIMAP_NCBI_EMAIL",
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


def _secret(env: Mapping[str, str], name: str) -> str | None:
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
