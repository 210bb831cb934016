"""What keeps secrets off error pages (issue 10, D4).

Django's debug page (EVIMAP_DEBUG=1 only) and the error emails list the settings, the
request's META and each frame's local variables. `SecretsFilter` hides, by name, every
setting or META entry that may hold a secret, the EVIMAP_* variables among them;
`SecretsReporter` then blanks the secret values themselves wherever they still appear (a
local variable, an object's repr, a URL with a password in it).
"""

from __future__ import annotations

import html
import os
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.safestring import SafeString
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from evimap import EvimapError, Settings

HIDDEN = "********************"
_MIN_SECRET = 4  # shorter values would blank ordinary text all over the page
_URL_VARIABLES = ("DATABASE_URL", "EVIMAP_CACHE_URL", "EVIMAP_SMTP_URL")


class SecretsFilter(SafeExceptionReporterFilter):
    """Django's filter, hiding also URLs with passwords, cache locations and EVIMAP_*."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|CACHE_URL|SMTP"
        "|LOCATION|^EVIMAP_|^NCBI_",
        flags=re.IGNORECASE,
    )


class SecretsReporter(ExceptionReporter):
    """Django's reporter, with every configured secret value blanked out of its output."""

    # Django's own page with each secret blanked out: still the safe text it was.
    def get_traceback_html(self) -> SafeString:
        return SafeString(redact(str(super().get_traceback_html()), escaped=True))

    def get_traceback_text(self) -> SafeString:
        return SafeString(redact(str(super().get_traceback_text()), escaped=True))


def redact(text: str, *, escaped: bool = False) -> str:
    """`text` with each configured secret (and its HTML-escaped form) replaced."""
    for secret in known_secrets():
        text = text.replace(secret, HIDDEN)
        if escaped:
            text = text.replace(html.escape(secret), HIDDEN)
    return text


def known_secrets() -> list[str]:
    """The secret values configured now, longest first."""
    found = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    found.append(getattr(settings, "EMAIL_HOST_PASSWORD", ""))
    found += [db.get("PASSWORD", "") for db in settings.DATABASES.values()]
    for cache in settings.CACHES.values():
        found += _passwords(cache.get("LOCATION", ""))
    for name in _URL_VARIABLES:
        found += _passwords(os.environ.get(name, ""))
    try:
        evimap = Settings.from_env()
        found += [evimap.writer_api_key or "", evimap.ncbi_api_key or ""]
    except EvimapError:
        pass
    values = {
        v for s in found if isinstance(s, str) for v in (s, s.strip()) if len(v) >= _MIN_SECRET
    }
    return sorted(values, key=len, reverse=True)


def _passwords(url) -> list[str]:
    """The password in `url`, as written and %-decoded (none: [])."""
    if not isinstance(url, str) or "@" not in url:
        return []
    try:
        password = urlsplit(url).password or ""
    except ValueError:
        return []
    return [password, unquote(password)]


# -- response headers (D9): every response, cached page hits included ----------------------

_COMMON = ("object-src 'none'", "form-action 'self'", "connect-src 'self'")
CSP_SITE = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        *_COMMON,
    )
)
"""The public pages and the API: only our own scripts and styles, no inline code."""
CSP_API_DOCS = CSP_SITE.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""/api/docs: Swagger UI (served from our static files) styles elements inline."""
CSP_ADMIN = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "frame-src 'self'",
        "base-uri 'self'",
        "frame-ancestors 'self'",
        *_COMMON,
    )
)
"""Wagtail's admin: inline scripts and styles, previews in frames (and no Gravatar)."""


def policy_for(path: str) -> str:
    """The Content-Security-Policy of the response to `path`."""
    if path.startswith("/admin/"):
        return CSP_ADMIN
    if path.startswith("/api/docs"):
        return CSP_API_DOCS
    return CSP_SITE


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy. Listed right after Django's SecurityMiddleware
    (nosniff, Referrer-Policy) and before XFrameOptionsMiddleware, above the page cache, so
    that every response, a cached page too, carries all four."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response
