"""A cache of published question pages for readers who are not signed in.

A cached page is keyed on the URL path, the audience asked for (URL or cookie) and the page
of experiences, and is used only while its *version* still matches the database:

    version(page_id) = (live revision, latest revision, newest review task and when it
                        finished, when the page's experience counts last changed)

One small query reads it, so every gunicorn worker serves the current review status and
experiences without invalidation messages between processes; the cache itself is Django's
(per-process memory by default). Entries also expire after TTL seconds, which bounds the
staleness of what lies outside the version (the parent condition's title, the policy link).

The CSRF token is not cached: the stored HTML holds a placeholder that each response
replaces with this visitor's own token (which also sets their CSRF cookie as usual).
Signed-in users (a session cookie), POSTs and any other query parameters bypass the cache.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Max, Subquery
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from wagtail.models import Page, TaskState

from evimap.site.audience import AUDIENCE_COOKIE, remember
from evimap.site.community.models import PageThemes

TTL = 300
CACHEABLE_PARAMS = frozenset({"audience", "posts"})
CSRF_PLACEHOLDER = "__EVIMAP_CSRF_TOKEN__"
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
_SKIP_PREFIXES = ("/api/", "/admin/", "/community/", "/review/", "/login/", "/logout/")


CACHE_MARK = "evimap_cache"  # the attribute of a response the middleware caches


def mark_cacheable(response: HttpResponse, page_id: int, audience_cookie: str | None) -> None:
    """Called by the question page view for a plain GET by an anonymous reader."""
    setattr(response, CACHE_MARK, {"page_id": page_id, "audience_cookie": audience_cookie})


def version(page_id: int) -> tuple | None:
    """What a cached copy of page `page_id` depends on (None when it is not live)."""
    tasks = (
        TaskState.objects.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
            workflow_state__object_id=str(page_id),
        )
        .order_by()
        .values("workflow_state__object_id")
    )
    row = (
        Page.objects.filter(pk=page_id, live=True)
        .annotate(
            task=Subquery(tasks.annotate(m=Max("id")).values("m")[:1]),
            finished=Subquery(tasks.annotate(m=Max("finished_at")).values("m")[:1]),
            themes=Subquery(PageThemes.objects.filter(page_id=page_id).values("updated_at")[:1]),
        )
        .values_list("live_revision_id", "latest_revision_id", "task", "finished", "themes")
        .first()
    )
    return tuple(row) if row is not None else None


class PageCacheMiddleware:
    """Serve a cached question page when its version still holds; store new ones."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = cache_key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None and entry["version"] == version(entry["page_id"]):
            return _from_entry(request, entry)
        response = self.get_response(request)
        marked = getattr(response, CACHE_MARK, None)
        if marked and response.status_code == 200 and not response.streaming:
            _store(key, response, marked)
        return response


def cache_key(request: HttpRequest) -> str | None:
    """The key for this request, or None when the cache must not be used."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if request.path.startswith(_SKIP_PREFIXES) or not set(request.GET) <= CACHEABLE_PARAMS:
        return None
    audience = request.GET.get("audience") or f"cookie:{request.COOKIES.get(AUDIENCE_COOKIE, '')}"
    raw = f"{request.path}|{audience.strip().lower()[:20]}|{request.GET.get('posts', '')[:6]}"
    # hashed: what a visitor typed (spaces, any character) never makes an unusable key
    return f"evimap:page:{hashlib.sha256(raw.encode()).hexdigest()}"


def _store(key: str, response: HttpResponse, marked: dict) -> None:
    html = _CSRF_VALUE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<3>", response.content.decode())
    entry = {
        **marked,
        "version": version(marked["page_id"]),
        "html": html,
        "content_type": response["Content-Type"],
    }
    cache.set(key, entry, TTL)


def _from_entry(request: HttpRequest, entry: dict) -> HttpResponse:
    html = entry["html"]
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    response = HttpResponse(html, content_type=entry["content_type"])
    response["X-Evimap-Cache"] = "hit"
    if entry["audience_cookie"]:
        remember(response, entry["audience_cookie"], True)
    return response
