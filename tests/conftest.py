"""Shared fixtures. Tests that read ../shared/data skip with a reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def _shared_data_dir() -> Path:
    configured = os.environ.get("EVIMAP_SHARED_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public datasets beside the repo; skips the test when they are absent."""
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path} (set EVIMAP_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
