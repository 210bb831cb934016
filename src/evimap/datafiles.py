"""The package's data files (src/evimap/data): word lists, safety texts and surveys kept as
data, not code, and read through here.

    read_text(name) -> str      data/NAME as text (UTF-8)
    read_bytes(name) -> bytes   data/NAME as bytes (fingerprints)
    read_yaml(name) -> Any      data/NAME parsed as YAML

Each reader caches what it made from a file itself (safety, grades, vocabulary, surveys).
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from typing import Any

import yaml


def _file(name: str) -> Traversable:
    return resources.files("evimap").joinpath("data", name)


def read_text(name: str) -> str:
    return _file(name).read_text("utf-8")


def read_bytes(name: str) -> bytes:
    return _file(name).read_bytes()


def read_yaml(name: str) -> Any:
    return yaml.safe_load(read_text(name))
