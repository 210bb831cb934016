"""Ids no row can have are "not found" and ids that are not numbers are "bad request", never a
500 (issue 10, D14): huge page, post and flag ids in URLs and API requests, a review form's
revision_id that is not a number."""

from __future__ import annotations

import pytest
from django.test import Client

HUGE = 10**30
EDGE = 2**63  # one past the largest id SQLite and PostgreSQL can hold


@pytest.fixture
def as_browser(settings):
    settings.DEBUG = True  # a crash would be a 500 with a traceback
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("number", [HUGE, EDGE])
def test_huge_ids_in_the_api_are_404_in_the_error_shape(as_browser, approved_page, number):
    for url in (f"/api/pages/{number}/answer", f"/api/pages/{number}/experiences"):
        response = as_browser.get(url)
        assert response.status_code == 404, (url, response.content[:200])
        assert response.json()["error"]["type"] == "NotFoundError"
    body = {"question": "How are flares treated?", "page_id": number}
    response = as_browser.post("/api/ask", body, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]["status"] == 404
    response = as_browser.get(f"/api/pages/{approved_page.pk}/experiences", {"page": number})
    assert response.status_code == 200 and response.json()["posts"] == []


@pytest.mark.parametrize("number", [HUGE, EDGE])
def test_huge_ids_in_site_urls_are_404(as_browser, people, approved_page, number):
    as_browser.force_login(people["member"])
    for url in (
        f"/community/share/{number}/",
        f"/community/posts/{number}/edit/",
    ):
        assert as_browser.get(url).status_code == 404, url
    as_browser.force_login(people["editor"])
    for url in (
        f"/review/{number}/approve/",
        f"/review/due/{number}/dismiss/",
        f"/community/posts/{number}/report/",
    ):
        assert as_browser.post(url, {"revision_id": "1"}).status_code == 404, url


def _token(user) -> str:
    from wagtail.models import APIToken

    return APIToken.create_token(user=user, name="test")[1]


def test_huge_ids_in_the_review_api_are_404(as_browser, people, approved_page):
    token = _token(people["editor"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for method, url in (
        ("get", f"/api/review/pages/{HUGE}"),
        ("post", f"/api/review/pages/{HUGE}/submit"),
        ("post", f"/api/review/due/{HUGE}/dismiss"),
    ):
        response = getattr(as_browser, method)(url, content_type="application/json", **headers)
        assert response.status_code == 404, (url, response.content[:200])
        assert response.json()["error"]["type"] == "NotFoundError"


def test_a_revision_id_that_is_not_a_number(as_browser, people, flares_page):
    as_browser.force_login(people["editor"])
    response = as_browser.post(f"/review/{flares_page.pk}/approve/", {"revision_id": "abc"})
    assert response.status_code == 400 and "Traceback" not in response.content.decode()
    token = _token(people["editor"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/review/pages/{flares_page.pk}/approve"
    as_json = as_browser.post(
        url, {"revision_id": "abc"}, content_type="application/json", **headers
    )
    as_form = as_browser.post(url, {"revision_id": "abc"}, **headers)
    for response in (as_json, as_form):
        assert 400 <= response.status_code < 500, response.content[:200]
        assert set(response.json()["error"]) == {"status", "type", "message", "retryable"}
