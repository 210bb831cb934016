"""Running the site for people (issue 10): `evimap serve` and `evimap demo` run with DEBUG
off unless asked, a debug page never shows a secret, a site behind an HTTPS proxy takes its
forms, and a bad key stops `serve --check` with one line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from evimap.errors import ConfigError
from evimap.site.env import DEV_SECRET_KEY, SiteSettings

EVIMAP = Path(sys.executable).parent / "evimap"
SECRETS = {
    "EVIMAP_SECRET_KEY": "key-7f3a9c1d-not-for-pages",
    "EVIMAP_SMTP_URL": "smtp://mailer:smtp-pw-5e2b8d@mail.example:587",
    "EVIMAP_WRITER_API_KEY": "sk-writer-91c4e7a2",
    "DATABASE_URL": "postgres://me:db-pw-3d6f1b@db.example:5432/evimap",
    "EVIMAP_CACHE_URL": "redis://:cache-pw-8a4e2c@cache.example:6379/0",
}
SECRET_VALUES = ("key-7f3a9c1d", "smtp-pw-5e2b8d", "sk-writer-91c4e7a2", "db-pw-3d6f1b", "cache-pw")

# A view that fails with secrets in its local variables, on a site whose settings hold them,
# asked for the debug page as HTML and as text (what `curl` gets).
_DEBUG_PAGE = """
import os, sys, types
import django
django.setup()
from django.test import Client, override_settings
from django.urls import path

def boom(request):
    smtp_url = os.environ["EVIMAP_SMTP_URL"]
    from evimap.settings import Settings
    evimap = Settings.from_env()
    raise RuntimeError("the view failed")

urls = types.ModuleType("boom_urls")
urls.urlpatterns = [path("api/boom/", boom)]  # /api/: not the page cache
sys.modules["boom_urls"] = urls
with override_settings(ROOT_URLCONF="boom_urls"):
    client = Client(raise_request_exception=False)
    extra = {"HTTP_AUTHORIZATION": "Bearer tok-6b1d9e", **{k: v for k, v in os.environ.items()
             if k.startswith(("EVIMAP_", "DATABASE_URL"))}}  # META as runserver's: the env
    page = client.get("/api/boom/", HTTP_ACCEPT="text/html", **extra)
    text = client.get("/api/boom/", HTTP_ACCEPT="text/plain", **extra)
assert page.status_code == text.status_code == 500, page.status_code
sys.stdout.write(page.content.decode() + "\\n=====\\n" + text.content.decode())
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("EVIMAP_", "DJANGO_")) and name != "DATABASE_URL"
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    env["EVIMAP_LIBRARY"] = str(tmp_path / "library")
    return {**env, **extra}


def test_the_debug_page_never_shows_a_secret(tmp_path):
    env = _env(
        tmp_path,
        EVIMAP_DEBUG="1",
        EVIMAP_WRITER_URL="http://127.0.0.1:9/v1",
        EVIMAP_WRITER_MODEL="writer-model",
        DJANGO_SETTINGS_MODULE="evimap.site.settings",
        **SECRETS,
    )
    done = subprocess.run(
        [sys.executable, "-c", _DEBUG_PAGE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "RuntimeError" in done.stdout and "the view failed" in done.stdout  # the debug page
    for secret in (*SECRET_VALUES, "tok-6b1d9e"):
        assert secret not in done.stdout, secret


def test_settings_objects_keep_secrets_out_of_their_repr():
    from evimap.settings import Settings

    site = SiteSettings.from_env({**SECRETS, "EVIMAP_DEBUG": "0"})
    evimap = Settings.from_env(
        {"EVIMAP_WRITER_URL": "http://w/v1", "EVIMAP_WRITER_MODEL": "m", **SECRETS}
    )
    for shown in (repr(site), repr(evimap)):
        assert not any(secret in shown for secret in SECRET_VALUES), shown


def _serve_check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EVIMAP), "serve", "--check"],
        env=_env(tmp_path, **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_runs_with_debug_off_and_a_kept_secret_key(tmp_path):
    first = _serve_check(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "debug off" in first.stderr
    key = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    kept = key.read_text().strip()
    assert len(kept) >= 50 and kept != DEV_SECRET_KEY
    again = _serve_check(tmp_path)
    assert again.returncode == 0 and key.read_text().strip() == kept  # the same key every time


def test_serve_runs_with_debug_on_only_when_asked(tmp_path):
    done = _serve_check(tmp_path, EVIMAP_DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert "debug on" in done.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_the_demo_is_set_up_and_served_with_debug_off(tmp_path):
    from evimap.site.commands import serving_env

    key = tmp_path / "var" / "secret_key"
    env: dict[str, str] = {}
    serving_env(env, key)
    assert env == {"EVIMAP_DEBUG": "0", "EVIMAP_SECRET_KEY_FILE": str(key.resolve())}
    settings = SiteSettings.from_env(env)
    assert not settings.debug and settings.secret_key == key.read_text().strip()
    asked = {"EVIMAP_DEBUG": "1"}
    serving_env(asked, key)
    assert asked == {"EVIMAP_DEBUG": "1"}
    given = {"EVIMAP_SECRET_KEY": "a-real-secret-key"}
    serving_env(given, key)
    assert given == {"EVIMAP_SECRET_KEY": "a-real-secret-key", "EVIMAP_DEBUG": "0"}


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "   "], ids=["dev-key", "whitespace"])
def test_serve_check_refuses_the_dev_key_or_a_blank_one_with_debug_off(tmp_path, key):
    done = _serve_check(tmp_path, EVIMAP_DEBUG="0", EVIMAP_SECRET_KEY=key)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "EVIMAP_SECRET_KEY" in lines[0], done.stderr
    with pytest.raises(ConfigError, match="EVIMAP_SECRET_KEY"):
        SiteSettings.from_env({"EVIMAP_DEBUG": "0", "EVIMAP_SECRET_KEY": key})


def _sign_in(origin: str) -> int:
    """Sign in through an HTTPS proxy (it sends X-Forwarded-Proto), CSRF checked."""
    from django.test import Client
    from sitedata import PASSWORD

    client = Client(
        enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver"
    )
    form = client.get("/login/")
    token = form.cookies["csrftoken"].value
    data = {"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": token}
    return client.post("/login/", data, HTTP_ORIGIN=origin).status_code


def test_forms_work_behind_an_https_proxy(settings, people):
    assert _sign_in("https://testserver") == 403  # the defect: the browser's origin is https
    for name, value in SiteSettings.from_env({"EVIMAP_BEHIND_HTTPS_PROXY": "1"}).security().items():
        setattr(settings, name, value)
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert _sign_in("https://testserver") == 302


def test_forms_come_from_the_trusted_origins(settings, people):
    env = {"EVIMAP_CSRF_TRUSTED_ORIGINS": "https://evimap.example.org, https://*.example.net"}
    security = SiteSettings.from_env(env).security()
    assert security["CSRF_TRUSTED_ORIGINS"] == [
        "https://evimap.example.org",
        "https://*.example.net",
    ]
    assert security["SECURE_PROXY_SSL_HEADER"] is None and not security["SESSION_COOKIE_SECURE"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _sign_in("https://evimap.example.org") == 403
    settings.CSRF_TRUSTED_ORIGINS = security["CSRF_TRUSTED_ORIGINS"]
    assert _sign_in("https://evimap.example.org") == 302
    assert _sign_in("https://www.example.net") == 302
    assert _sign_in("https://evil.example.com") == 403


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EVIMAP_CSRF_TRUSTED_ORIGINS", "evimap.example.org"),
        ("EVIMAP_CSRF_TRUSTED_ORIGINS", "https://evimap.example.org/path"),
        ("EVIMAP_CSRF_TRUSTED_ORIGINS", "ftp://evimap.example.org"),
        ("EVIMAP_BEHIND_HTTPS_PROXY", "maybe"),
    ],
)
def test_bad_proxy_settings_refuse_to_start(name, value):
    with pytest.raises(ConfigError, match=name):
        SiteSettings.from_env({name: value})


def test_serve_check_names_a_bad_origin_in_one_line(tmp_path):
    done = _serve_check(tmp_path, EVIMAP_CSRF_TRUSTED_ORIGINS="evimap.example.org")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "EVIMAP_CSRF_TRUSTED_ORIGINS" in lines[0], done.stderr
