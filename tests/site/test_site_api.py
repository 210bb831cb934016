"""The JSON API: answers per audience, asking at once, and one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

ERROR_KEYS = {"status", "type", "message", "retryable"}


def test_a_page_answer_per_audience(client, approved_page):
    data = client.get(f"/api/pages/{approved_page.pk}/answer", {"audience": "clinician"}).json()
    assert data["audience"] == "clinician" and data["audience_note"] is None
    assert data["page"]["id"] == approved_page.pk
    status = data["status"]
    assert status["reviewed"] is True
    assert status["line"].startswith("Medically reviewed by")
    assert [s["name"] for s in data["status"]["steps"]] == ["Submitted", "Under review", "Approved"]
    answer = data["answer"]
    # the stored answer, with the status line computed from the review (never stored text)
    assert answer == {**approved_page.answer_for("clinician"), "status_line": status["line"]}
    assert {"short_answer", "sections", "references", "summary", "notices"} <= set(answer)


def test_asking_answers_at_once_in_a_page_context(client, flares_page):
    body = {"question": "How are they treated?", "audience": "patient", "page_id": flares_page.pk}
    data = client.post("/api/ask", body, content_type="application/json").json()
    assert data["label"] == "AI-drafted · pending human review"
    assert data["context"] == flares_page.question
    assert data["answer"]["references"]


def test_the_api_needs_no_csrf_token(flares_page):
    client = Client(enforce_csrf_checks=True)
    body = {"question": "How are Glimmerfield syndrome flares treated?"}
    assert client.post("/api/ask", body, content_type="application/json").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/api/ask", {"question": ""}, 400),
        ("post", "/api/ask", {"question": "Why?", "audience": "astronaut"}, 400),
        ("post", "/api/ask", {"audience": "patient"}, 422),
        ("post", "/api/ask", {"question": "Why?", "page_id": 999999}, 404),
        ("get", "/api/pages/999999/answer", None, 404),
    ],
)
def test_errors_have_one_shape(client, site, method, path, body, status):
    if method == "post":
        response = client.post(path, body, content_type="application/json")
    else:
        response = client.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS and error["status"] == status and error["message"]


def test_the_openapi_schema_lists_the_operations(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/ask" in paths and "/api/pages/{page_id}/answer" in paths
