"""The writer's settings and the rest of Settings' rules, on fictional environments."""

from __future__ import annotations

import pytest

from evimap import ConfigError, Settings
from evimap.settings import read_secret

WRITER = {"EVIMAP_WRITER_URL": "https://llm.example.org/v1/", "EVIMAP_WRITER_MODEL": "m"}


def test_the_writer_is_off_unless_its_address_is_set():
    settings = Settings.from_env({})
    assert settings.writer_url is None and settings.writer_model is None
    assert settings.writer_timeout > 0


def test_the_writer_s_address_loses_its_trailing_slash_and_needs_a_model():
    settings = Settings.from_env({**WRITER, "EVIMAP_WRITER_TIMEOUT": "12.5"})
    assert settings.writer_url == "https://llm.example.org/v1"
    assert (settings.writer_model, settings.writer_timeout) == ("m", 12.5)
    with pytest.raises(ConfigError, match="EVIMAP_WRITER_MODEL must be set"):
        Settings.from_env({"EVIMAP_WRITER_URL": "https://llm.example.org"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EVIMAP_WRITER_URL": "ftp://x"}, "must be an http:// or https:// URL"),
        ({"EVIMAP_WRITER_URL": "https://a b"}, "must be an http:// or https:// URL"),
        ({**WRITER, "EVIMAP_WRITER_TIMEOUT": "soon"}, "must be a number of seconds"),
        ({**WRITER, "EVIMAP_WRITER_TIMEOUT": "0"}, "finite number of seconds above 0"),
        ({**WRITER, "EVIMAP_WRITER_TIMEOUT": "inf"}, "finite number of seconds above 0"),
        ({"EVIMAP_LIBRARY": "var/\x00lib"}, "EVIMAP_LIBRARY is not a valid path"),
    ],
)
def test_bad_writer_and_path_values_are_refused_with_their_variable_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_blank_values_read_as_unset():
    settings = Settings.from_env({"EVIMAP_LIBRARY": "  ", "EVIMAP_WORKERS": " ", **WRITER})
    assert str(settings.library) == "var/library" and settings.workers is None


def test_a_secret_in_the_environment_wins_over_its_file_and_an_empty_file_is_none(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert read_secret({"K": " v ", "K_FILE": str(empty)}, "K") == "v"
    assert read_secret({"K_FILE": str(empty)}, "K") is None
    assert read_secret({}, "K") is None
