"""Settings from the environment: typed, defaulted, and loud about bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap import ConfigError, Settings


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.library == Path("var/library")
    assert settings.workers is None and settings.ncbi_api_key is None


def test_values_are_read_and_typed():
    settings = Settings.from_env(
        {
            "EVIMAP_LIBRARY": "~/lib",
            "EVIMAP_WORKERS": "3",
            "NCBI_API_KEY": " k3y ",
            "EVIMAP_NCBI_EMAIL": "desk@example.org",
        }
    )
    assert settings.library == Path("~/lib").expanduser()
    assert settings.workers == 3
    assert settings.ncbi_api_key == "k3y" and settings.ncbi_email == "desk@example.org"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EVIMAP_WORKERS": "two"}, "EVIMAP_WORKERS must be a whole number, got 'two'"),
        ({"EVIMAP_WORKERS": "-1"}, "EVIMAP_WORKERS must be at least 0, got -1"),
        ({"NCBI_API_KEY_FILE": "/nonexistent/key"}, "NCBI_API_KEY_FILE cannot be read"),
    ],
)
def test_bad_values_fail_with_the_variable_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_a_secret_can_come_from_a_file(tmp_path):
    key = tmp_path / "key"
    key.write_text("s3cret\n")
    assert Settings.from_env({"NCBI_API_KEY_FILE": str(key)}).ncbi_api_key == "s3cret"
