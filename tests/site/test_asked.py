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


def test_editors_see_the_most_asked_and_draft_a_page_in_one_click(site, people, settings):
    settings.EVIMAP_ASKS_TO_DRAFT = 0  # no automatic drafts here
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


def test_a_question_asked_often_becomes_an_unpublished_draft_in_review(site, people):
    from evimap.site.review import actions

    ask(NEW)
    ask(NEW)
    assert not QuestionPage.objects.filter(question=NEW).exists()
    ask(NEW)  # the third ask drafts it
    page = QuestionPage.objects.get(question=NEW)
    assert not page.live and AskedQuestion.objects.get(question=NEW).page_id == page.pk
    assert page.current_workflow_task_state.task.name == "Editorial check"
    url = page.get_url()
    assert url and Client().get(url).status_code == 404  # readers cannot see a draft
    assert Client().post("/", {"question": NEW}).status_code == 200  # not a live page yet
    editor = Client()
    editor.force_login(people["editor"])
    listed = editor.get("/draft/asked/").content.decode()
    assert f'href="/admin/pages/{page.pk}/edit/"' in listed and "asked 4 times" in listed
    revision = page.latest_revision_id
    actions.approve(page, people["editor"], revision)
    actions.approve(page, people["reviewer"], revision)
    page.refresh_from_db()
    assert page.live
    html = Client().get(url).content.decode()
    assert "Medically reviewed by Dr Ana Ruiz" in html


def test_questions_the_sources_cannot_answer_are_not_drafted(site):
    unanswerable = "What is the airspeed velocity of an unladen swallow?"
    for _ in range(4):
        ask(unanswerable)
    asked = AskedQuestion.objects.get()
    assert asked.times == 4 and not asked.answered and asked.page is None
    assert not QuestionPage.objects.filter(question=unanswerable).exists()
