"""The page cache for anonymous readers: hits, a fresh CSRF token per visitor, and never a
stale review status, experience count or signed-in view."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from evimap.site.community import experiences, moderation
from evimap.site.review import actions

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def get(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_second_anonymous_get_is_a_hit_with_this_visitors_own_token(approved_page):
    first = get(Client(), approved_page.url)
    assert "X-Evimap-Cache" not in first
    visitor = Client(enforce_csrf_checks=True)
    second = get(visitor, approved_page.url)
    assert second["X-Evimap-Cache"] == "hit"
    html = second.content.decode()
    assert "__EVIMAP_CSRF_TOKEN__" not in html
    strip = lambda text: TOKEN.sub("", text)  # noqa: E731
    assert strip(html) == strip(first.content.decode())
    token = TOKEN.search(html).group(1)
    assert "csrftoken" in visitor.cookies  # the hit set this visitor's CSRF cookie
    followup = visitor.post(
        approved_page.url,
        {"csrfmiddlewaretoken": token, "question": "How are they treated?"},
        HTTP_HX_REQUEST="true",
    )
    assert followup.status_code == 200 and 'id="followup-result"' in followup.content.decode()


def test_a_review_transition_is_shown_at_once(flares_page, people):
    before = get(Client(), flares_page.url).content.decode()
    get(Client(), flares_page.url)  # now cached
    assert "Medically reviewed by" not in before
    revision = flares_page.latest_revision_id
    actions.approve(flares_page, people["editor"], revision)
    actions.approve(flares_page, people["reviewer"], revision)
    after = get(Client(), flares_page.url)
    assert "X-Evimap-Cache" not in after
    assert "Medically reviewed by Dr Ana Ruiz" in after.content.decode()


def test_an_approved_experience_is_counted_at_once(approved_page, people):
    get(Client(), approved_page.url)
    assert get(Client(), approved_page.url)["X-Evimap-Cache"] == "hit"
    text = "Hot weather came before each of my flares this year."
    post = experiences.share(approved_page, people["member"], text, "has", ["heat"])
    moderation.approve(post, people["moderator"])
    html = get(Client(), approved_page.url).content.decode()
    assert "1 person with" in html and text in html


def test_signed_in_readers_and_other_parameters_bypass_the_cache(approved_page, people):
    get(Client(), approved_page.url)
    get(Client(), approved_page.url)
    client = Client()
    client.force_login(people["editor"])
    response = get(client, approved_page.url)
    assert "X-Evimap-Cache" not in response and "editor" in response.content.decode()
    assert "X-Evimap-Cache" not in get(Client(), approved_page.url + "?utm=x")


def test_audiences_are_cached_apart_and_the_choice_is_remembered(approved_page):
    url = approved_page.url + "?audience=clinician"
    clinician = get(Client(), url).content.decode()
    client = Client()
    hit = get(client, url)
    assert hit["X-Evimap-Cache"] == "hit" and client.cookies["evimap_audience"].value == "clinician"
    patient = get(Client(), approved_page.url).content.decode()
    assert 'data-audience="clinician"' in clinician and 'data-audience="patient"' in patient


def test_the_cache_can_live_in_redis_shared_by_workers(approved_page, settings):
    """With EVIMAP_CACHE_URL a page cached by one worker is a hit for another."""
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    url = "redis://127.0.0.1:6379/0"
    server = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        server.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {url}: {exc}")
    prefix = f"evimap-test-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": prefix}}
    try:
        get(Client(), approved_page.url)
        assert list(server.scan_iter(f"{prefix}:*")), "the page should be stored in Redis"
        caches["default"].close()  # a fresh connection, as another worker would have
        assert get(Client(), approved_page.url)["X-Evimap-Cache"] == "hit"
    finally:
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)
