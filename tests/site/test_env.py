"""The site's settings from the environment: defaults, PostgreSQL URLs, loud refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evimap.errors import ConfigError
from evimap.site.env import DEV_SECRET_KEY, SiteSettings, parse_database_url


def test_defaults_are_a_sqlite_file_and_a_dev_key():
    settings = SiteSettings.from_env({})
    assert settings.database["NAME"] == str(Path("var/site.sqlite3"))
    assert settings.debug and settings.secret_key == DEV_SECRET_KEY


def test_a_postgres_url_becomes_a_django_database():
    db = parse_database_url("postgres://me:p%40ss@db.example:5433/evimap")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "me",
        "p@ss",
        "db.example",
        "5433",
        "evimap",
    )


def test_sqlite_urls_name_relative_and_absolute_files():
    assert parse_database_url("sqlite:///var/x.db")["NAME"] == "var/x.db"
    assert parse_database_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://host:notaport/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres:///nohost"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite://"}, "DATABASE_URL"),
        ({"EVIMAP_DEBUG": "maybe"}, "EVIMAP_DEBUG"),
        ({"EVIMAP_DEBUG": "0"}, "EVIMAP_SECRET_KEY"),
        ({"EVIMAP_SECRET_KEY_FILE": "/nonexistent/key"}, "EVIMAP_SECRET_KEY_FILE"),
    ],
)
def test_a_bad_setting_names_the_variable(env, named):
    with pytest.raises(ConfigError, match=named):
        SiteSettings.from_env(env)


def test_production_settings_take_the_key_and_hosts(tmp_path):
    key = tmp_path / "key"
    key.write_text("s3cret\n")
    env = {"EVIMAP_DEBUG": "0", "EVIMAP_SECRET_KEY_FILE": str(key), "EVIMAP_ALLOWED_HOSTS": "a, b"}
    settings = SiteSettings.from_env(env)
    assert (settings.debug, settings.secret_key, settings.allowed_hosts) == (
        False,
        "s3cret",
        ("a", "b"),
    )


def test_serve_refuses_a_malformed_database_url_with_one_line():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "evimap"), "serve", "--check"],
        env={"DATABASE_URL": "postgres://host:bad/db", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0]


def test_cache_and_smtp_urls():
    from evimap.site.env import parse_cache_url, parse_smtp_url

    assert parse_cache_url("")["BACKEND"].endswith("LocMemCache")
    redis = parse_cache_url("redis://127.0.0.1:6379/2")
    assert redis["BACKEND"] == "evimap.site.redis_cache.TolerantRedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/2"
    assert redis["OPTIONS"]["socket_timeout"] <= 1  # a hung Redis costs little
    assert parse_smtp_url("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = parse_smtp_url("smtps://mailer:s%40cret@mail.example:2465")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_SSL"]) == (
        "mail.example",
        2465,
        True,
    )
    assert smtp["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert parse_smtp_url("smtp://mail.example")["EMAIL_PORT"] == 25


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EVIMAP_CACHE_URL", "memcached://127.0.0.1:11211"),
        ("EVIMAP_CACHE_URL", "redis://"),
        ("EVIMAP_SMTP_URL", "http://mail.example"),
        ("EVIMAP_SMTP_URL", "smtp://mail.example:notaport"),
    ],
)
def test_bad_cache_or_smtp_urls_refuse_to_start(name, value):
    with pytest.raises(ConfigError, match=name):
        SiteSettings.from_env({name: value})
