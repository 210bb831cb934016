"""Questions readers ask that no page covers: counted for editors, drafted in one click,
never recorded when they hold personal data; counted once per visitor per question per day,
and drafted by themselves (unpublished, under a condition page that is not live either) only
when enough different visitors asked (issue 10, D7)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from evimap.site.pages.models import AskedQuestion, AskedVisit, ConditionPage, QuestionPage

NEW = "How are Glimmerfield syndrome flares treated?"


def ask(question: str, address: str = "10.0.0.1", user=None) -> None:
    """`question` in the home page's ask box, from a fresh session at `address`."""
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    response = client.post("/", {"question": question})
    assert response.status_code == 200


def addresses(n: int) -> list[str]:
    return [f"10.0.0.{i}" for i in range(1, n + 1)]


def test_new_questions_are_counted_by_their_content_words(site):
    ask(NEW)
    ask("how are glimmerfield syndrome flares treated", "10.0.0.2")  # same words, other case
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
    for address in addresses(3):
        ask(NEW, address)
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

    ask(NEW, user=people["member"])
    ask(NEW, user=people["moderator"])
    assert not QuestionPage.objects.filter(question=NEW).exists()
    ask(NEW, user=people["reviewer2"])  # the third signed-in reader drafts it
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
    assert "<title>Questions readers asked · evimap</title>" in listed  # the list not in it
    revision = page.latest_revision_id
    actions.approve(page, people["editor"], revision)
    actions.approve(page, people["reviewer"], revision)
    page.refresh_from_db()
    assert page.live
    html = Client().get(url).content.decode()
    assert "Medically reviewed by Dr Ana Ruiz" in html


def test_questions_the_sources_cannot_answer_are_not_drafted(site):
    unanswerable = "What is the airspeed velocity of an unladen swallow?"
    for address in addresses(8):
        ask(unanswerable, address)
    asked = AskedQuestion.objects.get()
    assert asked.times == 8 and not asked.answered and asked.page is None
    assert not QuestionPage.objects.filter(question=unanswerable).exists()


# -- issue 10, D7: anonymous visitors do not make pages -----------------------------------


def test_fresh_sessions_from_one_address_are_one_visitor_a_day(site):
    for _ in range(4):
        ask(NEW)  # a new session (no cookie) each time, as a script would
    asked = AskedQuestion.objects.get()
    assert asked.times == 1 and asked.page is None
    assert not QuestionPage.objects.exists() and not ConditionPage.objects.exists()
    visit = AskedVisit.objects.get()
    assert "10.0.0.1" not in visit.visitor and not visit.signed_in  # a keyed hash only


def test_a_visitor_counts_again_the_next_day_but_never_drafts_alone(site):
    for _ in range(6):
        for visit in AskedVisit.objects.order_by("day"):  # each earlier visit a day earlier
            visit.day -= timedelta(days=1)
            visit.save()
        ask(NEW)
    asked = AskedQuestion.objects.get()
    assert asked.times == 6 and asked.page is None
    assert not QuestionPage.objects.exists() and not ConditionPage.objects.exists()


def test_anonymous_visitors_need_twice_as_many_as_signed_in_readers(site, people):
    for address in addresses(5):
        ask(NEW, address)
    assert not QuestionPage.objects.exists()
    ask(NEW, "10.0.0.6")  # the sixth address: as many as three signed-in readers
    assert not QuestionPage.objects.get(question=NEW).live


def test_a_signed_in_reader_is_one_visitor_wherever_they_ask_from(site, people):
    for address in addresses(3):
        ask(NEW, address, people["member"])  # counted once today: one visitor
    ask(NEW, "10.0.0.1", people["moderator"])  # another reader at the same address
    asked = AskedQuestion.objects.get()
    assert asked.times == 2 and asked.page is None  # the member once, the moderator once
    ask(NEW, "10.0.0.9", people["reviewer2"])  # a third signed-in reader
    assert AskedQuestion.objects.get().page is not None


def test_addresses_of_one_ipv6_network_are_one_visitor(site):
    for n in range(1, 8):
        ask(NEW, f"2001:db8:0:7::{n:x}")
    ask(NEW, "2001:db8:0:8::1")  # another /64
    assert AskedQuestion.objects.get().times == 2 and not QuestionPage.objects.exists()


def test_a_condition_made_for_a_draft_is_live_only_once_a_page_under_it_is(site, people):
    from evimap.site.review import actions

    for user in ("member", "moderator", "reviewer2"):
        ask(NEW, user=people[user])
    page = QuestionPage.objects.get(question=NEW)
    condition = page.get_parent().specific
    assert not page.live and not condition.live
    assert not ConditionPage.objects.live().exists()
    home = Client().get("/").content.decode()
    assert condition.title not in home and "No conditions yet." in home
    revision = page.latest_revision_id
    actions.approve(page, people["editor"], revision)
    actions.approve(page, people["reviewer"], revision)
    condition.refresh_from_db()
    assert condition.live
    assert condition.title in Client().get("/").content.decode()
    assert Client().get(condition.url).status_code == 200


def test_an_editors_draft_publishes_the_condition_an_automatic_draft_made(site, people):
    from evimap.site.pages.drafting import draft_question

    for user in ("member", "moderator", "reviewer2"):
        ask(NEW, user=people[user])
    condition = QuestionPage.objects.get(question=NEW).get_parent().specific
    assert not condition.live
    page = draft_question("Can Glimmerfield syndrome be prevented?", people["editor"])
    condition.refresh_from_db()
    assert page.live and page.get_parent().pk == condition.pk and condition.live
