"""The follow-up and ask boxes, reviewer forms: CSRF on every form, escaping, context."""

from __future__ import annotations

import pytest
from django.test import Client
from sitedata import FLARES, PASSWORD

from evimap.site.pages.models import QuestionPage


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def token(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def test_a_follow_up_is_answered_in_the_context_of_the_page(client, flares_page):
    html = client.post(flares_page.url, {"question": "How are they treated?"}).content.decode()
    assert "AI-drafted · pending human review" in html
    result = html.split('id="followup-result"', 1)[1]
    assert "steroid" in result  # "they" are Glimmerfield syndrome flares


def test_a_follow_up_with_htmx_returns_only_the_result(client, flares_page):
    response = client.post(
        flares_page.url, {"question": "How are they treated?"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="followup-result"')
    assert "<html" not in html


def test_user_text_comes_back_escaped(client, flares_page):
    evil = "<script>alert(1)</script> how are they treated?"
    html = client.post(flares_page.url, {"question": evil}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("question", ["", "   ", "x" * 100_000])
def test_empty_or_huge_questions_get_a_message(client, flares_page, question):
    response = client.post(flares_page.url, {"question": question})
    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.content.decode()


def test_the_home_ask_box_leads_to_the_existing_page(client, flares_page):
    response = client.post("/", {"question": "what causes glimmerfield syndrome flares"})
    assert response.status_code == 302
    assert response["Location"].startswith(flares_page.url)


def test_the_home_ask_box_answers_a_new_question(client, site):
    html = client.post("/", {"question": "How are Glimmerfield syndrome flares treated?"})
    assert "AI-drafted · pending human review" in html.content.decode()


def test_an_editor_saves_a_new_question_as_a_draft_page(client, site, people):
    client.force_login(people["editor"])
    question = "How are Glimmerfield syndrome flares treated?"
    assert "Save as a draft page" in client.post("/", {"question": question}).content.decode()
    response = client.post("/draft/", {"question": question})
    page = QuestionPage.objects.get(question=question)
    assert response["Location"] == page.url
    assert page.current_workflow_task_state is not None


def test_a_member_cannot_save_draft_pages(client, site, people):
    client.force_login(people["member"])
    response = client.post("/draft/", {"question": "How are Glimmerfield flares treated?"})
    assert response.status_code == 403
    assert not QuestionPage.objects.exists()


@pytest.mark.parametrize("path", ["page", "/"])
def test_ask_forms_refuse_a_post_without_csrf(csrf_client, flares_page, path):
    url = flares_page.url if path == "page" else path
    assert csrf_client.post(url, {"question": "How are they treated?"}).status_code == 403
    ok = csrf_client.post(url, {"question": "x", "csrfmiddlewaretoken": token(csrf_client, url)})
    assert ok.status_code in (200, 302)


def test_review_forms_refuse_a_post_without_csrf(csrf_client, flares_page, people):
    csrf_client.force_login(people["editor"])
    url = f"/review/{flares_page.pk}/approve/"
    data = {"revision_id": flares_page.latest_revision_id}
    assert csrf_client.post(url, data).status_code == 403
    data["csrfmiddlewaretoken"] = token(csrf_client, flares_page.url)
    assert csrf_client.post(url, data).status_code == 302


def test_draft_and_login_forms_refuse_a_post_without_csrf(csrf_client, site, people):
    csrf_client.force_login(people["editor"])
    assert csrf_client.post("/draft/", {"question": FLARES}).status_code == 403
    csrf_client.logout()
    login = {"username": "editor", "password": PASSWORD}
    assert csrf_client.post("/login/", login).status_code == 403


def test_a_reviewer_approves_from_the_page(client, flares_page, people):
    revision = flares_page.latest_revision_id
    client.force_login(people["editor"])
    assert "Approve revision" in client.get(flares_page.url).content.decode()
    client.post(f"/review/{flares_page.pk}/approve/", {"revision_id": revision})
    client.force_login(people["reviewer"])
    client.post(f"/review/{flares_page.pk}/approve/", {"revision_id": revision})
    assert "Medically reviewed by Dr Ana Ruiz" in client.get(flares_page.url).content.decode()


def test_a_forbidden_review_shows_a_message_not_a_crash(client, flares_page, people):
    client.force_login(people["member"])
    data = {"revision_id": flares_page.latest_revision_id}
    response = client.post(f"/review/{flares_page.pk}/approve/", data)
    assert response.status_code == 403
    assert "Only members of Editors" in response.content.decode()


def test_a_stale_review_is_a_conflict(client, flares_page, people):
    client.force_login(people["editor"])
    response = client.post(f"/review/{flares_page.pk}/approve/", {"revision_id": 1})
    assert response.status_code == 409
