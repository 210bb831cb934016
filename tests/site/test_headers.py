"""Every response carries the security headers, a cached page too (issue 10, D9): a
Content-Security-Policy, X-Frame-Options, Referrer-Policy and X-Content-Type-Options."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from sitedata import FLARES, PASSWORD

from evimap.site.pages.models import ConditionPage, PolicyPage

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _headers_of(response) -> dict[str, str]:
    names = (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Content-Type-Options",
    )
    return {name: response.headers.get(name) for name in names}


def _check(response, where: str) -> None:
    assert response.status_code == 200, (where, response.status_code)
    headers = _headers_of(response)
    assert all(headers.values()), (where, headers)
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp, (where, csp)
    script = re.search(r"script-src ([^;]*)", csp)[1]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (where, csp)
    assert headers["X-Frame-Options"] == "DENY", where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where


def test_every_kind_of_page_has_the_security_headers(client, approved_page):
    condition = ConditionPage.objects.live().first()
    policy = PolicyPage.objects.live().first()
    pages = {
        "home": "/",
        "condition page": condition.url,
        "question page": approved_page.url,
        "search": f"/?q={FLARES}",
        "editorial policy": policy.url,
        "sign-in": "/login/",
        "join": "/community/join/",
        "API JSON": f"/api/pages/{approved_page.pk}/answer",
    }
    for where, url in pages.items():
        _check(client.get(url), where)
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "frame-ancestors 'none'" in docs["Content-Security-Policy"]
    assert docs["X-Frame-Options"] == "DENY"
    cache.clear()
    first = client.get(approved_page.url)
    hit = client.get(approved_page.url)
    assert (first.get("X-Evimap-Cache"), hit.get("X-Evimap-Cache")) == (None, "hit")
    _check(hit, "cached question page")
    assert _headers_of(hit) == _headers_of(first)


def test_the_public_pages_run_under_the_policy(client, approved_page):
    """No inline script, event handler or style attribute that the policy would block."""
    for url in ("/", approved_page.url, "/login/", "/community/join/"):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=|\sstyle\s*=|<style", html, re.IGNORECASE), url


def test_the_admin_may_frame_its_own_previews(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_on_the_site_breaks_the_policy_in_a_browser(live_server, flares_page):
    """Chromium reports no Content-Security-Policy violation on the public pages (a follow-up
    asked with HTMX too), the API docs, or Wagtail's admin (dashboard, page editor)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    base, violations = live_server.url, []
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            page.on(
                "console",
                lambda m: violations.append(m.text) if "Content Security" in m.text else None,
            )
            page.goto(base + flares_page.url)
            page.fill(".followup textarea", "Can heat trigger a flare?")
            page.click(".followup button[type=submit]")
            page.wait_for_selector("#followup-result .label.pending")
            for url in ("/", "/login/", "/community/join/", "/api/docs"):
                page.goto(base + url, wait_until="networkidle")
            page.goto(f"{base}/admin/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/admin/")
            page.goto(f"{base}/admin/pages/{flares_page.pk}/edit/", wait_until="networkidle")
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert not violations, "\n".join(violations)
