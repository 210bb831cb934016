"""The package's data files (src/evimap/data) read through evimap.datafiles: each one there,
readable, and in the shape its reader expects."""

from __future__ import annotations

from importlib import resources

import pytest

from evimap.datafiles import read_bytes, read_text, read_yaml

DATA = resources.files("evimap").joinpath("data")
YAML = sorted(p.name for p in DATA.iterdir() if p.name.endswith((".yaml", ".yml")))


def test_there_are_data_files_to_read():
    assert {"red_flags.yaml", "surveys.yaml", "vocabulary.yaml"} <= set(YAML)


@pytest.mark.parametrize("name", YAML)
def test_every_yaml_file_parses_to_a_mapping_or_a_list(name):
    assert isinstance(read_yaml(name), dict | list)


def test_text_and_bytes_are_the_same_file():
    assert read_text("stopwords.txt").encode("utf-8") == read_bytes("stopwords.txt")


def test_the_stop_word_file_is_one_lower_case_word_a_place_each_once():
    words = [
        w
        for line in read_text("stopwords.txt").splitlines()
        if not line.startswith("#")
        for w in line.split()
    ]
    assert words and all((w == w.lower() and w.isalpha()) or "'" in w for w in words)
    assert len(words) == len(set(words))


def test_a_missing_data_file_is_an_error_not_an_empty_file():
    with pytest.raises(FileNotFoundError):
        read_text("no-such-file.yaml")
