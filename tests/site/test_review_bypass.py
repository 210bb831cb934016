"""D1 (issue 10): medical review cannot be bypassed.

Nobody publishes a question page outside the review workflow (Wagtail's admin Publish saves
a draft that returns to review), and the public status (stepper and status line) comes only
from a medical approval of the live revision, never from the page's editable answer JSON.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import GroupPagePermission, WorkflowState

from evimap.site.review import actions
from evimap.site.roles import EDITORS, REVIEWERS

FORGED = "Medically reviewed by Dr Forged, MD · Last updated 1 January 2025"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_form(page, **changes) -> dict:
    """Wagtail's admin edit form for `page` (its latest revision), with `changes` applied."""
    page = page.get_latest_revision_as_object()
    data = {
        "title": page.title,
        "slug": page.slug,
        "question": page.question,
        "focus": page.focus,
        "question_type": page.question_type,
        "answers": json.dumps(page.answers),
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def admin_publish(user, page, **changes):
    """POST the admin's edit form with its Publish button, as `user`."""
    form = edit_form(page, **changes, **{"action-publish": "action-publish"})
    return client_for(user).post(f"/admin/pages/{page.pk}/edit/", form)


def forged_answers(page) -> str:
    answers = json.loads(json.dumps(page.get_latest_revision_as_object().answers))
    for data in answers.values():
        data["status_line"] = FORGED
    return json.dumps(answers)


def fresh(page):
    page.refresh_from_db()
    return page


def status_of(page) -> dict:
    """The public status as the API gives it (the question page shows the same)."""
    return Client().get(f"/api/pages/{page.pk}/answer").json()["status"]


def pending(status: dict) -> bool:
    line = status["line"]
    return line.startswith("AI-drafted from ") and line.endswith(" · pending human review")


def step(status: dict, name: str) -> dict:
    return next(s for s in status["steps"] if s["name"] == name)


def in_review_on_latest(page) -> bool:
    page = fresh(page)
    task_state = page.current_workflow_task_state
    return (
        page.current_workflow_state is not None
        and page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
        and task_state is not None
        and task_state.revision_id == page.latest_revision_id
    )


# -- nobody publishes outside the workflow ---------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_admin_publish_of_an_approved_page_saves_a_draft_in_review(approved_page, people, who):
    live = approved_page.live_revision_id
    admin_publish(people[who], approved_page, focus="GFS", answers=forged_answers(approved_page))
    page = fresh(approved_page)
    assert page.latest_revision_id != live  # the edit was saved...
    assert page.live_revision_id == live  # ...but the reviewed version stays on show
    assert in_review_on_latest(page)  # and the edit is in review
    status = status_of(page)
    assert status["reviewed"] and status["line"].startswith("Medically reviewed by Dr Ana Ruiz")
    assert not step(status, "Approved")["current"]


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_admin_publish_mid_workflow_does_not_skip_review(flares_page, people, who):
    """The editor at the editorial check, the reviewer at the medical review step."""
    drafted = fresh(flares_page).live_revision_id
    if who == "reviewer":  # the page waits for medical review
        actions.approve(flares_page, people["editor"], drafted)
    admin_publish(people[who], flares_page, focus="GFS", answers=forged_answers(flares_page))
    page = fresh(flares_page)
    assert page.latest_revision_id != drafted
    assert page.live_revision_id == drafted  # the AI draft stays; the edit is not live
    assert in_review_on_latest(page)
    status = status_of(page)
    assert not status["reviewed"] and pending(status)
    assert step(status, "Submitted")["current"]  # the edit starts review over
    assert not step(status, "Approved")["current"] and step(status, "Approved")["date"] is None


def test_editors_and_reviewers_have_no_publish_permission(approved_page, people):
    for who in ("editor", "reviewer", "reviewer2"):
        assert not approved_page.permissions_for_user(people[who]).can_publish()


def test_setup_removes_a_stale_publish_permission(site):
    from django.contrib.auth.models import Permission
    from wagtail.models import Page

    from evimap.site import setup

    publish = Permission.objects.get(codename="publish_page")
    for name in (EDITORS, REVIEWERS):  # as an earlier version of setup gave it
        GroupPagePermission.objects.get_or_create(
            group=Group.objects.get(name=name), page=Page.get_first_root_node(), permission=publish
        )
    setup.ensure_site()
    stale = GroupPagePermission.objects.filter(
        group__name__in=(EDITORS, REVIEWERS), permission=publish
    )
    assert not stale.exists()


def test_approval_in_wagtails_admin_still_publishes_the_reviewed_revision(flares_page, people):
    page = flares_page.get_latest_revision_as_object()
    page.focus = "GFS"
    revision = actions.save_edit(page, people["admin"])
    actions.approve(flares_page, people["editor"], revision.id)
    task_state = fresh(flares_page).current_workflow_task_state
    response = client_for(people["reviewer2"]).post(
        f"/admin/pages/workflow/action/{flares_page.pk}/approve/{task_state.pk}/",
        {"comment": "Accurate."},
    )
    assert response.status_code in (200, 302)
    page = fresh(flares_page)
    assert page.live_revision_id == revision.id
    status = status_of(page)
    assert status["reviewed"] and status["line"].startswith("Medically reviewed by Dr Ben Okafor")
    assert step(status, "Approved")["current"]


def test_an_editors_ai_draft_is_still_published_at_once(site, people):
    from sitedata import FLARES

    from evimap.site.pages.drafting import draft_question

    page = draft_question(FLARES, people["editor"])
    assert fresh(page).live and in_review_on_latest(page)


def publish_as_superuser(page, people):
    admin_publish(people["admin"], page, focus="GFS")


def test_a_superusers_publish_returns_the_page_to_review(approved_page, people):
    publish_as_superuser(approved_page, people)
    page = fresh(approved_page)
    assert page.live_revision_id == page.latest_revision_id
    assert in_review_on_latest(page)
    assert step(status_of(page), "Submitted")["current"]


# -- the public status comes only from an approval of the live revision ----------------------


def test_the_status_line_cannot_be_forged_in_the_answer_json(client, flares_page):
    page = flares_page.get_latest_revision_as_object()
    page.answers = json.loads(forged_answers(flares_page))
    page.save_revision().publish()  # however it got there, the live JSON claims a review
    html = client.get(flares_page.url).content.decode()
    assert "Dr Forged" not in html
    assert "pending human review" in html.split('class="status-line')[1].split("</p>")[0]
    api = client.get(f"/api/pages/{flares_page.pk}/answer").json()
    assert "Dr Forged" not in json.dumps(api)
    assert api["status"]["reviewed"] is False and pending(api["status"])


def publish_directly(page, people):
    revision = page.get_latest_revision_as_object()
    revision.focus = "GFS"
    revision.save_revision(user=people["editor"]).publish()


@pytest.mark.parametrize("publish", [publish_directly, publish_as_superuser])
def test_an_unreviewed_live_revision_is_not_shown_as_approved(approved_page, people, publish):
    publish(approved_page, people)
    page = fresh(approved_page)
    assert page.live_revision_id == page.latest_revision_id  # an admin may still publish...
    status = status_of(page)
    assert not status["reviewed"] and pending(status)  # ...but then it is not reviewed
    approved = step(status, "Approved")
    assert not approved["current"] and approved["date"] is None
