"""Which configured values the error reports blank out (evimap.site.security.known_secrets)."""

from __future__ import annotations

from evimap.site.security import HIDDEN, known_secrets, redact


def test_passwords_of_databases_caches_and_service_urls_are_secrets(settings, monkeypatch):
    settings.SECRET_KEY = "fictional-secret-key-0001"
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "db-pass-1")
    settings.CACHES = {"default": {"LOCATION": "redis://:cache%2Fpass@cache.example.org:6379/0"}}
    monkeypatch.setenv("EVIMAP_SMTP_URL", "smtp://desk:mail-pass-9@smtp.example.org:587")
    monkeypatch.setenv("EVIMAP_WRITER_API_KEY", "writer-key-77")
    found = known_secrets()
    for secret in ("fictional-secret-key-0001", "db-pass-1", "cache%2Fpass", "cache/pass"):
        assert secret in found
    assert {"mail-pass-9", "writer-key-77"} <= set(found)
    assert found == sorted(found, key=len, reverse=True)  # the longest blanked first


def test_short_values_are_never_secrets_so_ordinary_text_survives(settings, monkeypatch):
    settings.SECRET_KEY = "fictional-secret-key-0002"
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "ab")
    assert "ab" not in known_secrets()
    assert redact("a tab and a cab") == "a tab and a cab"


def test_a_report_keeps_its_text_and_loses_only_the_secret(settings):
    settings.SECRET_KEY = "fictional-secret-key-0003"
    report = "SECRET_KEY = 'fictional-secret-key-0003' at line 3"
    assert redact(report) == f"SECRET_KEY = '{HIDDEN}' at line 3"


def test_a_url_without_a_password_or_unreadable_gives_none(settings, monkeypatch):
    settings.SECRET_KEY = "fictional-secret-key-0004"
    settings.CACHES = {"default": {"LOCATION": "redis://cache.example.org:6379/0"}}
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "")
    for name in ("EVIMAP_CACHE_URL", "EVIMAP_SMTP_URL", "EVIMAP_WRITER_API_KEY", "NCBI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@[::1/db")  # urlsplit refuses it
    assert known_secrets() == ["fictional-secret-key-0004"]
