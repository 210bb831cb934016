"""Every review transition, and every forbidden one, through the one set of actions."""

from __future__ import annotations

import pytest
from wagtail.models import PageLogEntry, WorkflowState

from evimap.site.errors import InvalidTransition, ReviewForbidden, StaleRevision
from evimap.site.review import actions
from evimap.site.review.status import public_status


def status_of(page):
    page.refresh_from_db()
    return public_status(page)


def current(page) -> str:
    return next(s.name for s in status_of(page).steps if s.current)


def test_a_drafted_page_is_submitted_and_shown_as_ai_drafted(flares_page):
    assert current(flares_page) == "Submitted"
    assert status_of(flares_page).line == "AI-drafted · pending human review"
    assert flares_page.live


def test_editorial_check_then_medical_review_approves(flares_page, people):
    revision = flares_page.latest_revision_id
    actions.approve(flares_page, people["editor"], revision)
    assert current(flares_page) == "Under review"
    state = actions.approve(flares_page, people["reviewer"], revision, "Accurate.")
    assert state.status == WorkflowState.STATUS_APPROVED
    status = status_of(flares_page)
    assert status.reviewed and current(flares_page) == "Approved"
    assert status.line.startswith("Medically reviewed by Dr Ana Ruiz, MD, Neurology · Last updated")
    assert all(step.date for step in status.steps)


def test_every_transition_is_in_the_audit_log(approved_page):
    logged = set(PageLogEntry.objects.filter(page=approved_page).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= logged


@pytest.mark.parametrize("who", ["member", "moderator", "reviewer"])
def test_the_editorial_check_needs_an_editor(flares_page, people, who):
    with pytest.raises(ReviewForbidden):
        actions.approve(flares_page, people[who], flares_page.latest_revision_id)
    assert current(flares_page) == "Submitted"


def test_the_medical_review_needs_a_medical_reviewer(flares_page, people):
    revision = flares_page.latest_revision_id
    actions.approve(flares_page, people["editor"], revision)
    for who in ("editor", "moderator", "member"):
        with pytest.raises(ReviewForbidden):
            actions.approve(flares_page, people[who], revision)
    assert current(flares_page) == "Under review"


def test_a_reviewer_cannot_approve_their_own_edit(flares_page, people):
    reviewer = people["reviewer"]
    page = flares_page.get_latest_revision_as_object()
    page.focus = "Glimmerfield syndrome (edited)"
    revision = actions.save_edit(page, reviewer)
    actions.approve(flares_page, people["editor"], revision.id)
    with pytest.raises(ReviewForbidden, match="your own edit"):
        actions.approve(flares_page, reviewer, revision.id)
    actions.approve(flares_page, people["reviewer2"], revision.id)
    assert status_of(flares_page).line.startswith("Medically reviewed by Dr Ben Okafor")


def test_the_rule_holds_in_the_task_itself(flares_page, people):
    task_state = flares_page.current_workflow_task_state
    with pytest.raises(ReviewForbidden):
        task_state.task.specific.on_action(task_state, people["member"], "approve")


def test_approving_a_stale_revision_is_refused(flares_page, people):
    stale = flares_page.latest_revision_id
    page = flares_page.get_latest_revision_as_object()
    page.question_type = "cause"
    actions.save_edit(page, people["editor"])
    with pytest.raises(StaleRevision):
        actions.approve(flares_page, people["reviewer2"], stale)


def test_an_edit_after_approval_returns_the_page_to_review(approved_page, people):
    live_before = approved_page.live_revision_id
    page = approved_page.get_latest_revision_as_object()
    page.focus = "GFS"
    revision = actions.save_edit(page, people["editor"])
    approved_page.refresh_from_db()
    assert approved_page.live_revision_id == live_before  # the reviewed text stays public
    assert current(approved_page) == "Submitted"
    task_state = approved_page.current_workflow_task_state
    assert task_state.revision_id == revision.id
    assert status_of(approved_page).reviewed  # still the approved revision on show


def test_an_editorial_approval_of_an_earlier_revision_does_not_count(flares_page, people):
    actions.approve(flares_page, people["editor"], flares_page.latest_revision_id)
    page = flares_page.get_latest_revision_as_object()
    page.focus = "GFS"
    actions.save_edit(page, people["admin"])
    assert current(flares_page) == "Submitted"


def test_request_changes_needs_a_comment_and_records_it(flares_page, people):
    revision = flares_page.latest_revision_id
    with pytest.raises(InvalidTransition, match="comment"):
        actions.request_changes(flares_page, people["editor"], revision, "  ")
    state = actions.request_changes(flares_page, people["editor"], revision, "Cite the guideline")
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    entry = PageLogEntry.objects.filter(page=flares_page, action="wagtail.workflow.reject").get()
    assert entry.data["comment"] == "Cite the guideline"
    assert status_of(flares_page).note == "Changes requested"
    actions.submit(flares_page, people["admin"])
    assert current(flares_page) == "Submitted"


def test_nothing_to_approve_once_approved(approved_page, people):
    with pytest.raises(InvalidTransition):
        actions.approve(approved_page, people["reviewer2"], approved_page.latest_revision_id)


def test_regenerate_is_a_new_revision_in_review(approved_page, people):
    from evimap.site.pages.drafting import regenerate

    revision = regenerate(approved_page, people["editor"])
    approved_page.refresh_from_db()
    assert approved_page.latest_revision_id == revision.id != approved_page.live_revision_id
    assert current(approved_page) == "Submitted"


def test_the_status_line_survives_a_deleted_reviewer_account(approved_page, people, client):
    people["reviewer"].delete()  # an admin closed the account; the approval stays
    html = client.get(approved_page.url).content.decode()
    assert "Medically reviewed by a former member of our medical advisory board" in html
