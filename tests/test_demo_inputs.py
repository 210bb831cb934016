"""What `evimap demo` reads (evimap.demo), on a fictional shared-data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap import NotFoundError
from evimap.demo import DEMO_SOURCES, demo_inputs, downloads_folder


def shared(tmp_path: Path, *present: str) -> Path:
    """A shared-data folder holding only the datasets `present` (paths as DEMO_SOURCES)."""
    for rel in present:
        path = tmp_path / rel
        if path.suffix:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
        else:
            path.mkdir(parents=True)
    return tmp_path


def test_every_dataset_there_is_read_in_the_demo_s_order(tmp_path):
    folder = shared(tmp_path, *(rel for _, rel in reversed(DEMO_SOURCES)))
    found = demo_inputs(folder)
    assert [source for source, _ in found] == [source for source, _ in DEMO_SOURCES]
    assert all(path.is_relative_to(folder) and path.exists() for _, path in found)


def test_datasets_that_are_missing_are_left_out(tmp_path):
    folder = shared(tmp_path, "medquad", "scifact/corpus.jsonl")
    assert demo_inputs(folder) == [
        ("medquad", folder / "medquad"),
        ("beir", folder / "scifact/corpus.jsonl"),
    ]


def test_no_dataset_at_all_is_an_error_unless_downloading_is_allowed(tmp_path):
    with pytest.raises(NotFoundError, match="EVIMAP_SHARED_DATA"):
        demo_inputs(tmp_path)
    assert demo_inputs(tmp_path, required=False) == []


def test_downloads_are_kept_beside_the_library(tmp_path):
    assert downloads_folder(tmp_path / "var" / "library") == (tmp_path / "var" / "downloads")
