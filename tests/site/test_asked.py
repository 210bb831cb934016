"""Questions readers ask that no page covers: counted for editors, drafted in one click,
never recorded when they hold personal data."""

from __future__ import annotations

from django.test import Client

from evimap.site.pages.models import AskedQuestion, QuestionPage

NEW = "How are Glimmerfield syndrome flares treated?"


def ask(question: str) -> None:
    response = Client().post("/", {"question": question})
    assert response.status_code == 200


def test_new_questions_are_counted_by_their_content_words(site):
    ask(NEW)
    ask("how are glimmerfield syndrome flares treated")  # same words, other case
    ask("Can Glimmerfield syndrome be prevented?")
    rows = {a.question: a.times for a in AskedQuestion.objects.all()}
    assert rows == {NEW: 2, "Can Glimmerfield syndrome be prevented?": 1}


def test_a_question_that_has_a_page_is_not_recorded(flares_page):
    assert Client().post("/", {"question": flares_page.question}).status_code == 302
    assert not AskedQuestion.objects.exists()


def test_questions_with_personal_data_are_not_recorded(site):
    ask("My neurologist Sarah Connors says flares come from heat, is that right?")
    ask("Email me at pat@example.org about Glimmerfield syndrome treatment")
    assert not AskedQuestion.objects.exists()


def test_editors_see_the_most_asked_and_draft_a_page_in_one_click(site, people):
    for _ in range(3):
        ask(NEW)
    ask("Can Glimmerfield syndrome be prevented?")
    editor = Client()
    editor.force_login(people["editor"])
    html = editor.get("/draft/asked/").content.decode()
    assert html.index(NEW) < html.index("Can Glimmerfield syndrome be prevented?")
    editor.post("/draft/", {"question": NEW})
    page = QuestionPage.objects.get(question=NEW)
    assert AskedQuestion.objects.get(question=NEW).page_id == page.pk
    assert NEW not in editor.get("/draft/asked/").content.decode()


def test_only_editors_see_the_asked_questions(site, people):
    member = Client()
    member.force_login(people["member"])
    assert member.get("/draft/asked/").status_code == 403
    assert Client().get("/draft/asked/").status_code == 302


def test_the_dashboard_shows_editors_the_most_asked(site, people):
    ask(NEW)
    editor = Client()
    editor.force_login(people["editor"])
    assert "Questions readers asked that no page covers" in editor.get("/admin/").content.decode()
