"""Requests the site cannot read are answered, never a traceback (issue 10, D13): a body over
the 2.5 MB limit is 413 and malformed JSON is 400, in the API's one error shape, and the
site's error page for a form."""

from __future__ import annotations

import json

import pytest
from django.test import Client

TOO_BIG = 2_621_440 + 1


@pytest.fixture
def debug_client(settings):
    """Debug on (a traceback would show) and errors answered as a browser gets them."""
    settings.DEBUG = True
    return Client(raise_request_exception=False)


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"status", "type", "message", "retryable"} and error["status"] == status
    return error


def test_a_json_body_over_the_limit_is_413_in_the_error_shape(debug_client, flares_page):
    body = json.dumps({"question": "x" * TOO_BIG, "audience": "patient"})
    error = _error(debug_client.post("/api/ask", body, content_type="application/json"), 413)
    assert error["type"] == "PayloadTooLarge" and "too large" in error["message"]


def test_a_form_body_over_the_limit_on_the_api_is_413_too(debug_client, flares_page):
    response = debug_client.post("/api/ask", {"question": "x" * TOO_BIG})
    assert _error(response, 413)["type"] == "PayloadTooLarge"


def test_malformed_json_is_400_in_the_error_shape(debug_client, flares_page):
    for body in ("{bad", '{"question": ', "\xff"):
        error = _error(debug_client.post("/api/ask", body, content_type="application/json"), 400)
        assert error["type"] == "BadRequest" and error["retryable"] is False


def test_a_page_form_over_the_limit_gets_the_error_page(debug_client, approved_page):
    response = debug_client.post(approved_page.url, {"question": "x" * TOO_BIG})
    assert response.status_code == 413
    html = response.content.decode()
    assert "Sorry: that did not work" in html and "too large" in html
    assert "Traceback" not in html and "RequestDataTooBig" not in html
    response = debug_client.post("/community/join/", {"display_name": "x" * TOO_BIG})
    assert response.status_code == 413 and "Traceback" not in response.content.decode()


def test_a_body_under_the_limit_is_read(client, flares_page):
    body = {"question": "How are flares treated?", "audience": "patient"}
    response = client.post("/api/ask", body, content_type="application/json")
    assert response.status_code == 200
