"""Community experiences: post -> queue -> approve -> counted -> shown; rejection, reports,
edits, deletion, export, permissions, rate limits, escaping, the API and the themes."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
import yaml
from django.core import mail
from django.test import Client
from django.utils.html import escape

from evimap import safety
from evimap.screening import screen
from evimap.site.community import experiences, members, moderation, themes
from evimap.site.community.models import Experience, ModerationDecision, PageThemes
from evimap.site.community.survey import TRIGGERS
from evimap.site.errors import Forbidden, InvalidPost, InvalidTransition, RateLimited

POST = "Hot weather and a bad cold came before both of my flares last summer."


def client_for(user=None) -> Client:
    client = Client(enforce_csrf_checks=False)
    if user is not None:
        client.force_login(user)
    return client


def share(page, user, text=POST, choices=("heat",), **kw):
    return experiences.share(page, user, text, kw.pop("relation", "has"), choices, **kw)


@pytest.fixture
def member(people):
    return people["member"]  # verified, consented (setup.seed_accounts)


@pytest.fixture
def second_member(db):
    user = members.sign_up("riley", "riley@example.org", "a-long-pass-phrase", "Riley", True, "k")
    members.verify(members.verification_link(user, "http://x").rsplit("/", 2)[-2])
    user.refresh_from_db()
    return user


def test_post_waits_in_the_queue_then_is_counted_and_shown(approved_page, member, people):
    client = client_for()
    before = client.get(approved_page.url).content.decode()
    assert "has shared their experience on this question yet" in before

    post = share(approved_page, member)
    assert post.status == Experience.PENDING
    assert POST not in client.get(approved_page.url).content.decode()  # not before approval

    moderation.approve(post, people["moderator"])
    html = client.get(approved_page.url).content.decode()
    assert "1 person with glimmerfield syndrome shared their experience" in html.lower()
    assert POST in html and "Sam T." in html
    assert "Personal experiences, not medical advice" in html
    assert 'id="survey-chart"' in html and "Heat or hot weather" in html
    actions = list(ModerationDecision.objects.values_list("action", flat=True))
    assert sorted(actions) == ["approved", "submitted"]


def test_a_theme_links_to_the_cited_statement_that_speaks_of_it(approved_page, member, people):
    moderation.approve(share(approved_page, member), people["moderator"])
    html = client_for().get(approved_page.url).content.decode()
    link = re.search(r'href="#(st-\d+)" class="evidence-link"', html)
    assert link, "the heat theme should link to a statement about heat"
    statement = re.search(rf'id="{link.group(1)}">(.*?)<', html, re.S).group(1)
    assert re.search(r"\b(heat|hot)\b", statement.lower())


def test_people_count_counts_people_not_posts(approved_page, member, second_member, people):
    for user, text in ((member, POST), (member, POST + " Again."), (second_member, POST)):
        moderation.approve(share(approved_page, user, text), people["moderator"])
    row = PageThemes.objects.get(page=approved_page)
    assert (row.people, row.posts) == (2, 3)


def test_crisis_language_holds_the_post_and_shows_resources(approved_page, member, people):
    client = client_for(member)
    url = f"/community/share/{approved_page.pk}/"
    text = "Some nights I want to die rather than face another flare like this one."
    response = client.post(url, {"relation": "has", "text": text, "choices": ["stress"]})
    html = response.content.decode()
    assert response.status_code == 200 and "988" in html and "Samaritans" in html
    assert all(escape(line) in html for line in safety.crisis().lines)
    post = Experience.objects.get(author=member)
    assert post.status == Experience.HELD
    assert moderation.queue().first() == post  # held posts come first


# No real words of crisis: only the data file can make them so.
FICTIONAL_CRISIS = r"\bwalk\s+into\s+the\s+glass\s+sea\b"
QUESTION = "Tonight I want to walk into the glass sea."
CRISIS_POST = "Some nights I want to walk into the glass sea after a flare like this one."


def red_flags_yaml() -> dict:
    text = resources.files("evimap").joinpath("data", "red_flags.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def forget_what_safety_built() -> None:
    for built in (safety.crisis, safety._rules, safety._topics, safety.act_now):
        built.cache_clear()


@pytest.fixture
def loader(monkeypatch):
    """Makes a dict what evimap.safety's one loader read (the data file afterwards)."""

    def load(data: dict) -> None:
        monkeypatch.setattr(safety, "_data", lambda: data)
        forget_what_safety_built()

    yield load
    monkeypatch.undo()
    forget_what_safety_built()


def test_crisis_words_and_lines_exist_once_for_question_safety_and_screening(
    loader, approved_page, member
):
    """data/red_flags.yaml's crisis words decide both what a question's safety check and
    what community screening call crisis; its crisis lines are the very strings a member
    whose post was held is shown and an answer's emergency notice gives."""
    data = red_flags_yaml()
    assert not safety.check(QUESTION).emergency and not screen(CRISIS_POST).crisis
    data["crisis"]["words"].append(FICTIONAL_CRISIS)
    loader(data)

    check = safety.check(QUESTION)
    assert [flag.category for flag in check.red_flags] == [data["crisis"]["category"]]
    assert [f.text for f in screen(CRISIS_POST).flags if f.kind == "crisis"] == [
        "walk into the glass sea"
    ]
    response = client_for(member).post(
        f"/community/share/{approved_page.pk}/",
        {"relation": "has", "text": CRISIS_POST, "choices": ["stress"]},
    )
    assert Experience.objects.get(author=member).status == Experience.HELD
    shown = re.findall(r"<li>(.*?)</li>", response.content.decode())
    lines = [" ".join(line.split()) for line in data["crisis"]["lines"]]
    assert lines and all(escape(line) in shown for line in lines)
    assert all(line in check.notice for line in lines)
    assert escape(safety.crisis().lines[-1]) in shown  # what to do in danger, last in both
    assert check.notice.endswith(safety.crisis().lines[-1])

    changed = dict(data, crisis=dict(data["crisis"], lines=["Call the fictional line 000."]))
    loader(changed)  # a fix to the lines reaches the member and the notice alike
    assert "Call the fictional line 000." in safety.check(QUESTION).notice
    assert safety.crisis().lines[0] == "Call the fictional line 000."


def test_held_posts_come_before_older_pending_ones(approved_page, member, second_member):
    pending = share(approved_page, member)
    held = share(approved_page, second_member, "I have thought about killing myself lately.")
    assert [p.pk for p in moderation.queue()] == [held.pk, pending.pk]


def test_rejection_needs_a_reason_the_member_sees(approved_page, member, people):
    post = share(approved_page, member)
    with pytest.raises(InvalidPost):
        moderation.reject(post, people["moderator"], "  ")
    moderation.reject(post, people["moderator"], "Please describe your own experience.")
    page = client_for(member).get("/community/me/").content.decode()
    assert "Please describe your own experience." in page
    assert POST not in client_for().get(approved_page.url).content.decode()


def test_redaction_removes_personal_data_and_is_audited(approved_page, member, people):
    post = share(approved_page, member, POST + " Write to pat@example.org or call 0161 496 0000.")
    assert {"email", "phone"} <= {f["kind"] for f in post.flags}
    moderation.redact(post, people["moderator"])
    post.refresh_from_db()
    assert "pat@example.org" not in post.text and "[removed]" in post.text
    decision = ModerationDecision.objects.filter(action="redacted").get()
    assert decision.actor == people["moderator"] and "email" in decision.reason
    assert "pat@example.org" not in decision.reason
    with pytest.raises(InvalidTransition):
        moderation.redact(post, people["moderator"])  # nothing left to remove


def _report(post, client, reason="It names my doctor"):
    response = client.post(f"/community/posts/{post.pk}/report/", {"reason": reason})
    assert response.status_code == 200
    post.refresh_from_db()
    return post.status


def test_a_report_sends_a_post_back_only_after_several_distinct_reporters(
    approved_page, member, second_member, people
):
    post = share(approved_page, member)
    moderation.approve(post, people["moderator"])
    assert moderation.REPORTS_TO_UNPUBLISH == 3
    assert _report(post, Client(REMOTE_ADDR="10.0.0.1")) == Experience.APPROVED
    assert _report(post, Client(REMOTE_ADDR="10.0.0.1")) == Experience.APPROVED  # same reader
    assert _report(post, Client(REMOTE_ADDR="10.0.0.2")) == Experience.APPROVED
    assert PageThemes.objects.get(page=approved_page).people == 1
    assert _report(post, client_for(second_member), "Rude about my clinic") == Experience.PENDING
    assert PageThemes.objects.get(page=approved_page).people == 0
    assert post in moderation.queue()
    # Moderators read what the reporters wrote; the author never does.
    queue = client_for(people["moderator"]).get("/community/queue/").content.decode()
    assert "It names my doctor" in queue and "Rude about my clinic" in queue
    author = client_for(member)
    for seen in (author.get("/community/me/"), author.get("/community/me/export/")):
        body = seen.content.decode()
        assert "names my doctor" not in body and "Rude about" not in body
    assert "names my doctor" not in post.reason


def test_a_moderators_report_sends_a_post_back_at_once(approved_page, member, people):
    post = share(approved_page, member)
    moderation.approve(post, people["moderator"])
    assert _report(post, client_for(people["moderator"])) == Experience.PENDING
    decision = ModerationDecision.objects.get(experience=post, action="reported")
    assert "names my doctor" not in decision.reason


def test_reports_before_a_new_approval_do_not_count_again(approved_page, member, people):
    post = share(approved_page, member)
    moderation.approve(post, people["moderator"])
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        _report(post, Client(REMOTE_ADDR=address))
    assert post.status == Experience.PENDING
    moderation.approve(post, people["moderator"], "nothing personal in it")
    assert _report(post, Client(REMOTE_ADDR="10.0.0.4")) == Experience.APPROVED


def test_members_cannot_see_the_queue_or_moderate(approved_page, member, people):
    post = share(approved_page, member)
    assert client_for(member).get("/community/queue/").status_code == 403
    assert client_for(people["editor"]).get("/community/queue/").status_code == 403
    assert client_for().get("/community/queue/").status_code == 302  # sign in first
    response = client_for(member).post(f"/community/queue/{post.pk}/approve/")
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.status == Experience.PENDING
    queue = client_for(people["moderator"]).get("/community/queue/")
    assert queue.status_code == 200 and POST in queue.content.decode()


def test_nobody_moderates_their_own_post(approved_page, people):
    moderator = people["moderator"]
    from evimap.site.setup import _member_profile

    _member_profile(moderator, "Mod M.")
    post = share(approved_page, moderator)
    with pytest.raises(Forbidden):
        moderation.approve(post, moderator)


def test_a_member_cannot_edit_or_delete_another_members_post(approved_page, member, second_member):
    post = share(approved_page, member)
    with pytest.raises(Forbidden):
        experiences.edit(post, second_member, POST + " changed", "has")
    client = client_for(second_member)
    assert client.get(f"/community/posts/{post.pk}/edit/").status_code == 403
    assert client.post(f"/community/posts/{post.pk}/delete/").status_code == 403
    assert Experience.objects.filter(pk=post.pk, text=POST).exists()


def test_an_edit_takes_a_published_post_off_the_page_until_approved(approved_page, member, people):
    post = share(approved_page, member)
    moderation.approve(post, people["moderator"])
    response = client_for(member).post(
        f"/community/posts/{post.pk}/edit/",
        {"relation": "has", "text": POST + " Stress too.", "choices": ["heat", "stress"]},
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.status == Experience.PENDING and post.answers["choices"] == ["heat", "stress"]
    assert PageThemes.objects.get(page=approved_page).posts == 0


def test_deleting_a_post_uncounts_it_and_keeps_the_audit(approved_page, member, people):
    post = share(approved_page, member)
    moderation.approve(post, people["moderator"])
    client_for(member).post(f"/community/posts/{post.pk}/delete/")
    assert not Experience.objects.filter(pk=post.pk).exists()
    assert PageThemes.objects.get(page=approved_page).people == 0
    assert ModerationDecision.objects.filter(experience_ref=post.pk, action="deleted").exists()


def test_export_holds_all_their_data_and_nothing_of_others(approved_page, member, second_member):
    share(approved_page, member)
    share(approved_page, second_member, "Riley's own words about heat and flares here.")
    response = client_for(member).get("/community/me/export/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["username"] == "member" and data["profile"]["display_name"] == "Sam T."
    assert [p["text"] for p in data["experiences"]] == [POST]
    assert "Riley" not in response.content.decode()


def test_deleting_the_account_deletes_their_posts(approved_page, member, people):
    moderation.approve(share(approved_page, member), people["moderator"])
    client = client_for(member)
    assert client.post("/community/me/delete/", {"password": "wrong"}).status_code == 403
    assert client.post("/community/me/delete/", {"password": "pw"}).status_code == 200
    assert not Experience.objects.exists()
    assert PageThemes.objects.get(page=approved_page).people == 0
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="member").exists()


def test_sign_up_verifies_email_before_posting(approved_page, settings):
    client = client_for()
    form = {
        "username": "jordan",
        "email": "jordan@example.org",
        "password": "correct-horse-battery",
        "display_name": "Jordan",
        "consent": "on",
    }
    response = client.post("/community/join/", form)
    assert response.status_code == 200 and "We sent a link" in response.content.decode()
    url = f"/community/share/{approved_page.pk}/"
    assert client.get(url).status_code == 403  # not verified yet
    link = re.search(r"http://\S+/community/verify/\S+/", mail.outbox[-1].body).group()
    assert client.get(link.split("testserver", 1)[1]).status_code == 200
    assert client.get(url).status_code == 200


def test_sign_up_needs_consent_and_refuses_duplicates(site):
    with pytest.raises(InvalidPost, match="terms"):
        members.sign_up("a1", "a1@example.org", "a-long-pass-phrase", "A1", False, "k")
    members.sign_up("a1", "a1@example.org", "a-long-pass-phrase", "A1", True, "k")
    with pytest.raises(InvalidPost, match="display name"):
        members.sign_up("a2", "a2@example.org", "a-long-pass-phrase", "a1", True, "k")
    with pytest.raises(InvalidPost):
        members.sign_up("a3", "a3@example.org", "123", "A3", True, "k")  # weak password


def test_rate_limits_posting_and_sign_up(approved_page, member, settings):
    settings.EVIMAP_RATE_LIMITS = {"post": ((2, 3600),), "signup": ((1, 3600),)}
    share(approved_page, member)
    share(approved_page, member)
    with pytest.raises(RateLimited):
        share(approved_page, member)
    members.sign_up("b1", "b1@example.org", "a-long-pass-phrase", "B1", True, "addr")
    with pytest.raises(RateLimited):
        members.sign_up("b2", "b2@example.org", "a-long-pass-phrase", "B2", True, "addr")
    response = client_for(member).post(
        f"/community/share/{approved_page.pk}/", {"relation": "has", "text": POST}
    )
    assert "try again later" in response.content.decode()  # shown beside the form


def test_text_is_stored_as_given_and_shown_escaped(approved_page, member, people):
    text = '<script>alert("x")</script> <b>Heat</b> made my flares worse every time.'
    post = share(approved_page, member, text)
    assert post.text == text
    moderation.approve(post, people["moderator"])
    html = client_for().get(approved_page.url).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    queue = client_for(people["moderator"]).get("/community/queue/").content.decode()
    assert "<script>alert" not in queue


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "at least"), ("too short", "at least"), ("x" * 5001, "under 5,000")],
)
def test_empty_short_and_huge_posts_get_a_clear_error(approved_page, member, text, message):
    with pytest.raises(InvalidPost, match=message):
        share(approved_page, member, text)
    assert not Experience.objects.exists()


def test_unknown_survey_answers_and_relations_are_refused(approved_page, member):
    with pytest.raises(InvalidPost, match="Unknown choice"):
        share(approved_page, member, choices=("moonlight",))
    with pytest.raises(InvalidPost, match="care for"):
        share(approved_page, member, relation="neighbour")


def test_forms_need_csrf(approved_page, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(f"/community/share/{approved_page.pk}/", {"relation": "has"})
    assert response.status_code == 403


def test_api_shows_approved_posts_and_themes_without_personal_data(approved_page, member, people):
    moderation.approve(share(approved_page, member), people["moderator"])
    share(approved_page, member, POST + " (still waiting)")
    response = client_for().get(f"/api/pages/{approved_page.pk}/experiences")
    data = response.json()
    assert data["people"] == 1 and len(data["posts"]) == 1
    assert data["themes"]["survey"][0]["label"] == "Heat or hot weather"
    body = response.content.decode()
    for personal in ('"member"', "Sam T.", "@", "author", "email", "username"):
        assert personal not in body


def test_pagination_keeps_the_page_light(approved_page, member, people):
    from evimap.site.community.models import Experience as E

    E.objects.bulk_create(
        E(page=approved_page, author=member, relation="has", text=f"{POST} #{i}",
          answers={"key": "triggers", "choices": ["heat"]}, status="approved",
          published_at=approved_page.last_published_at)
        for i in range(25)
    )  # fmt: skip
    themes.refresh(approved_page)
    html = client_for().get(approved_page.url + "?posts=3").content.decode()
    assert "Page 3 of 3" in html and html.count('class="post"') == 5
    assert client_for().get(approved_page.url + "?posts=x").status_code == 200


def test_theme_counts_are_pure_and_need_three_members_for_a_term():
    triggers = {"key": "triggers"}
    posts = [
        ("a", "Hot weather always comes first, then the fatigue.",
         {**triggers, "choices": ["heat"], "band": "1-5", "other": ["Loud noise"]}),
        ("b", "Hot weather again, and a cold.",
         {**triggers, "choices": ["heat", "infection"], "other": ["Loud noise"]}),
        ("c", "A long flight in hot weather, then a flare.",
         {**triggers, "choices": [], "other": ["loud noise"]}),
    ]  # fmt: skip
    data = themes.count(posts, TRIGGERS, focus="Glimmerfield syndrome")
    survey = {i["label"]: i["count"] for i in data["survey"]}
    assert survey == {
        "Heat or hot weather": 2,
        "An infection (cold, flu, urinary)": 1,
        "Loud noise": 3,
    }
    terms = {t["term"]: t["count"] for t in data["terms"]}
    assert terms == {"hot weather": 3}  # "hot" and "weather" alone are covered by the phrase
    assert data["bands"] == [{"value": "1-5", "label": "1 to 5 years", "count": 1}]


def test_only_moderators_see_the_queue_links(approved_page, member, people):
    moderator_home = client_for(people["moderator"]).get(approved_page.url).content.decode()
    member_home = client_for(member).get(approved_page.url).content.decode()
    assert 'class="queue-link"' in moderator_home and 'class="queue-link"' not in member_home
    assert 'class="my-posts-link"' in member_home
    share(approved_page, member)
    admin = client_for(people["moderator"]).get("/admin/").content.decode()
    assert "Moderation queue (1)" in admin
    assert "Moderation queue" not in client_for(people["editor"]).get("/admin/").content.decode()


def test_moderators_may_only_take_words_out_by_hand(approved_page, member, people):
    text = "My sister Jo said the heat at her flat in Mill Lane made my flares worse."
    post = share(approved_page, member, text)
    moderator = people["moderator"]
    with pytest.raises(InvalidPost, match="adds"):
        moderation.edit_out(post, moderator, text.replace("worse", "much better"))
    with pytest.raises(InvalidPost, match="adds"):
        moderation.edit_out(post, moderator, text + " Buy cooling vests!")
    edited = "My sister [removed] said the heat at her flat made my flares worse."
    response = client_for(moderator).post(
        f"/community/queue/{post.pk}/edit-out/", {"text": edited, "reason": "a name, a street"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == edited
    decision = ModerationDecision.objects.get(action="edited out")
    assert decision.reason == "a name, a street"


def test_the_same_text_posted_twice_is_marked_as_spam(approved_page, member, second_member):
    share(approved_page, member)
    again = share(approved_page, second_member)
    assert [f["reason"] for f in again.flags if f["kind"] == "spam"] == [
        f"the same text as post {again.pk - 1} by another member"
    ]


@pytest.mark.parametrize(
    "other",
    ["Dr Patel's advice", "call 0161 496 0000", "see www.example.com", "BUY NOW", "want to die"],
)
def test_own_survey_answers_hold_no_personal_data_links_or_crisis_words(
    approved_page, member, other
):
    with pytest.raises(InvalidPost):
        share(approved_page, member, other=other)
    assert not Experience.objects.exists()
    share(approved_page, member, other="Loud concerts, long flights")  # plain words pass


def test_moderators_hear_at_once_of_crisis_posts_without_the_text(
    approved_page, member, django_capture_on_commit_callbacks
):
    text = "Some nights I want to die rather than face another flare like this."
    before = len(mail.outbox)  # the review workflow's own notifications came first
    with django_capture_on_commit_callbacks(execute=True):
        post = share(approved_page, member, text)
    assert len(mail.outbox) == before + 1
    alert = mail.outbox[-1]
    assert "crisis" in alert.subject and alert.to == ["admin@example.org", "moderator@example.org"]
    assert f"/community/queue/#queue-{post.pk}" in alert.body and "want to die" not in alert.body
    with django_capture_on_commit_callbacks(execute=True):
        share(approved_page, member)  # an ordinary post alerts nobody
    assert len(mail.outbox) == before + 1


def test_members_hear_what_became_of_their_post(
    approved_page, member, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(share(approved_page, member), people["moderator"])
        moderation.reject(
            share(approved_page, member, POST + "!"), people["moderator"], "Off topic"
        )
    published, rejected = mail.outbox[-2:]
    assert published.to == ["member@example.org"] and "published" in published.subject
    assert approved_page.url in published.body
    assert "not published" in rejected.subject and "Off topic" in rejected.body


def test_the_condition_page_says_how_many_shared_on_each_question(approved_page, member, people):
    condition_url = approved_page.get_parent().url
    assert "shared their experience" not in client_for().get(condition_url).content.decode()
    moderation.approve(share(approved_page, member), people["moderator"])
    html = client_for().get(condition_url).content.decode()
    assert "1 person shared their experience" in html


def test_moderators_moderate_posts_not_pages(approved_page, people):
    moderator = client_for(people["moderator"])
    assert moderator.get("/admin/").status_code == 200  # the queue is in the admin's menu
    edit = moderator.get(f"/admin/pages/{approved_page.pk}/edit/")
    assert edit.status_code in (302, 403)
    editor = client_for(people["editor"])
    assert editor.get(f"/admin/pages/{approved_page.pk}/edit/").status_code == 200


def test_editorial_accounts_cannot_delete_themselves_here(approved_page, people):
    from django.contrib.auth.models import User

    for who in ("reviewer", "moderator", "admin"):
        client = client_for(people[who])
        assert client.post("/community/me/delete/", {"password": "pw"}).status_code == 403
        assert User.objects.filter(username=who).exists()
    assert (
        "Medically reviewed by Dr Ana Ruiz" in client_for().get(approved_page.url).content.decode()
    )


def test_only_members_are_offered_account_deletion(member, people):
    assert 'class="delete-account"' in client_for(member).get("/community/me/").content.decode()
    page = client_for(people["editor"]).get("/community/me/").content.decode()
    assert 'class="delete-account"' not in page and "closed by an admin" in page


def test_an_edit_into_crisis_language_alerts_moderators_and_is_audited_as_held(
    approved_page, member, people, django_capture_on_commit_callbacks
):
    post = share(approved_page, member)
    moderation.approve(post, people["moderator"])
    before = len(mail.outbox)
    text = "Since the last flare I want to die most days and cannot see the point."
    with django_capture_on_commit_callbacks(execute=True):
        experiences.edit(post, member, text, "has", ("heat",))
    post.refresh_from_db()
    assert post.status == Experience.HELD and moderation.queue().first() == post
    assert len(mail.outbox) == before + 1
    alert = mail.outbox[-1]
    assert "crisis" in alert.subject and f"#queue-{post.pk}" in alert.body
    assert "want to die" not in alert.body
    held = ModerationDecision.objects.filter(experience=post, action="held")
    assert held.count() == 1 and held.get().actor is None


def test_edits_are_rate_limited_like_posts(approved_page, member, settings):
    settings.EVIMAP_RATE_LIMITS = {"edit": ((2, 3600),)}
    post = share(approved_page, member)
    experiences.edit(post, member, POST + " One.", "has")
    experiences.edit(post, member, POST + " Two.", "has")
    with pytest.raises(RateLimited):
        experiences.edit(post, member, POST + " Three.", "has")
    response = client_for(member).post(
        f"/community/posts/{post.pk}/edit/", {"relation": "has", "text": POST + " Four."}
    )
    assert "try again later" in response.content.decode()  # shown beside the form
    post.refresh_from_db()
    assert post.text == POST + " Two."


def test_one_members_posts_never_make_a_theme(approved_page, member, people):
    for text in (POST, POST + " Again this year."):
        post = share(approved_page, member, text, other="Loud noise")
        moderation.approve(post, people["moderator"])
    data = PageThemes.objects.get(page=approved_page).data
    assert data["terms"] == []  # "hot weather" twice, but one member
    assert not [i for i in data["survey"] if i["own"]]  # "Loud noise" twice, but one member


def test_a_theme_needs_several_distinct_members():
    triggers = {"key": "triggers", "choices": [], "other": ["Loud noise"]}
    text = "Hot weather, then a flare."
    two = [("a", text, triggers), ("a", text, triggers), ("b", text, triggers)]
    data = themes.count(two, TRIGGERS)
    assert data["terms"] == [] and not [i for i in data["survey"] if i["own"]]
    three = [*two, ("c", text, triggers)]
    data = themes.count(three, TRIGGERS)
    assert themes.MIN_MEMBERS == 3
    assert {t["term"]: t["count"] for t in data["terms"]}["hot weather"] == 4
    assert [(i["label"], i["count"]) for i in data["survey"] if i["own"]] == [("Loud noise", 4)]


def _join(username, display_name):
    return members.sign_up(
        username, f"{username}@example.org", "a-long-pass-phrase", display_name, True, username
    )


@pytest.mark.parametrize(
    "name",
    [
        "Sam\u200bT.",  # zero-width space
        "Sam\u200dT.",  # zero-width joiner
        "\u202eSam T.",  # right-to-left override
        "Sam\u2066 T.",  # bidi isolate
        "Sam\x07 T.",  # a control character
        "Sam\u00adT.",  # soft hyphen (invisible)
    ],
)
def test_display_names_refuse_invisible_and_control_characters(site, name):
    with pytest.raises(InvalidPost, match="display name"):
        _join("newbie", name)


def test_display_names_are_normalised_nfkc(site):
    user = _join("wide", "\uff2a\uff4f\uff52\uff44\uff41\uff4e  Lee")  # full-width letters
    assert user.member_profile.display_name == "Jordan Lee"


@pytest.mark.parametrize(
    "name",
    [
        "Dr Ana Ruiz",  # a reviewer's exact public name
        "dr. ana ruiz",
        "Dr \u0410na Ruiz",  # Cyrillic A
        "Dr Ana Ru\u0456z",  # Cyrillic i
        "Dr \u0391n\u03b1 Ruiz",  # Greek Alpha and alpha
        "Dr Aná Ruiz",
        "Ana Ruiz",  # the same name without the title
    ],
)
def test_display_names_cannot_copy_a_reviewers_public_name(site, name):
    with pytest.raises(InvalidPost, match="display name"):
        _join("impostor", name)


@pytest.mark.parametrize("name", ["\u0405am T.", "sam t", "Sam  T", "S\u0430m T."])
def test_display_names_cannot_confusably_match_another_members(site, name):
    # The seeded member is "Sam T."; Cyrillic Dze and a look like Latin S and a.
    with pytest.raises(InvalidPost, match="display name"):
        _join("lookalike", name)
    _join("different", "Sam K.")  # a different name passes


def test_failed_sign_ups_count_toward_the_sign_up_limit(site, settings):
    settings.EVIMAP_RATE_LIMITS = {"signup": ((2, 3600),)}
    with pytest.raises(InvalidPost, match="terms"):
        members.sign_up("c1", "c1@example.org", "a-long-pass-phrase", "C1", False, "addr")
    with pytest.raises(InvalidPost):
        members.sign_up("c2", "c2@example.org", "123", "C2", True, "addr")  # weak password
    with pytest.raises(RateLimited):
        members.sign_up("c3", "c3@example.org", "a-long-pass-phrase", "C3", True, "addr")
    members.sign_up("c3", "c3@example.org", "a-long-pass-phrase", "C3", True, "elsewhere")
    client = Client(REMOTE_ADDR="10.0.0.9")  # an invalid form counts too
    for _ in range(2):
        client.post("/community/join/", {"username": "d1", "display_name": "D1"})
    form = {
        "username": "d1",
        "email": "d1@example.org",
        "password": "a-long-pass-phrase",
        "display_name": "D1",
        "consent": "on",
    }
    assert "try again later" in client.post("/community/join/", form).content.decode()


def _sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_failed_sign_ins_are_throttled_per_account(member, settings):
    settings.EVIMAP_RATE_LIMITS = {"signin-account": ((3, 900),)}
    for address in ("10.0.1.1", "10.0.1.2", "10.0.1.3"):
        assert _sign_in(Client(REMOTE_ADDR=address), "member", "wrong").status_code == 200
    client = Client(REMOTE_ADDR="10.0.1.4")
    response = _sign_in(client, "MEMBER", "pw")  # the right password, any case of the name
    assert response.status_code == 429 and "try again later" in response.content.decode()
    response = _sign_in(client, "member", "pw")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert _sign_in(Client(REMOTE_ADDR="10.0.1.1"), "editor", "pw").status_code == 302


def test_failed_sign_ins_are_throttled_per_address(member, settings):
    settings.EVIMAP_RATE_LIMITS = {"signin-address": ((3, 3600),)}
    client = Client(REMOTE_ADDR="10.0.2.1")
    for username in ("editor", "reviewer", "nobody"):
        assert _sign_in(client, username, "wrong").status_code == 200
    assert _sign_in(client, "member", "pw").status_code == 429
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="10.0.2.2")
    assert _sign_in(other, "member", "pw").status_code == 302  # signed in
    assert other.session["_auth_user_id"] == str(member.pk)
    # The admin's sign-in form is throttled too.
    admin = Client(REMOTE_ADDR="10.0.2.1")
    response = admin.post("/admin/login/", {"username": "admin", "password": "pw"})
    assert response.status_code == 429
