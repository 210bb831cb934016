"""Every editorial mutation, one function each, used by views, admin hooks, API and CLI.

    submit(page, user)                          start (or resume) the review workflow
    approve(page, user, revision_id, comment)   approve the current step for that revision
    request_changes(page, user, revision_id, comment)
    save_edit(page, user)                       a new revision; returns the page to review
    return_to_review(page, user)                restart review on the latest revision

Rules (role, own edit, stale revision) are checked by the task itself
(`evimap.site.review.models.check_can_act`); every transition is in Wagtail's audit log.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Revision, WorkflowState

from evimap.site.errors import InvalidTransition, StaleRevision


def submit(page, user) -> WorkflowState:
    """Send the page's latest revision into review (resume it after changes were requested)."""
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        raise InvalidTransition("This page is already in review.")
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
        return state
    workflow = page.get_workflow()
    if workflow is None:
        raise InvalidTransition("No review workflow applies to this page.")
    return workflow.start(page, user)


def approve(page, user, revision_id: int, comment: str = "") -> WorkflowState:
    """Approve the current review step for `revision_id` (which must be the latest)."""
    return _act(page, user, revision_id, "approve", comment)


def request_changes(page, user, revision_id: int, comment: str) -> WorkflowState:
    """Send the page back to its authors with a comment saying what to change."""
    return _act(page, user, revision_id, "reject", comment)


@transaction.atomic
def _act(page, user, revision_id: int, action: str, comment: str) -> WorkflowState:
    page = type(page).objects.select_for_update().get(pk=page.pk)
    task_state = page.current_workflow_task_state
    if task_state is None:
        raise InvalidTransition("This page is not in review.")
    if int(revision_id) != task_state.revision_id:
        raise StaleRevision("You reviewed an earlier revision; review the latest one.")
    task_state.task.specific.on_action(task_state, user, action, comment=comment.strip())
    return WorkflowState.objects.get(pk=task_state.workflow_state_id)


@transaction.atomic
def save_edit(page, user) -> Revision:
    """Save `page` as a new revision (not published) and return it to review."""
    revision = page.save_revision(user=user, log_action=True)
    return_to_review(page, user)
    return revision


def return_to_review(page, user) -> WorkflowState | None:
    """After an edit: restart review on the latest revision unless it is already there."""
    page = type(page).objects.get(pk=page.pk)
    state = page.current_workflow_state
    task_state = page.current_workflow_task_state
    if state is not None and task_state and task_state.revision_id == page.latest_revision_id:
        return state  # already reviewing this revision
    if state is not None:
        state.cancel(user=user)
    if page.get_workflow() is None:
        return None
    return page.get_workflow().start(page, user)
