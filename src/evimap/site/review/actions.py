"""Every editorial mutation, one function each, used by views, admin hooks, API and CLI.

    submit(page, user)                          start (or resume) the review workflow
    approve(page, user, revision_id, comment)   approve the current step for that revision
    request_changes(page, user, revision_id, comment)
    save_edit(page, user)                       a new revision; returns the page to review
    return_to_review(page, user)                restart review on the latest revision
    dismiss_review_due(flag, user, note)        an editor closes a "review due" flag
    resolve_review_due(page, user, revision)    approval closes the flags it answers

Rules (role, own edit, stale revision) are checked by the task itself
(`evimap.site.review.models.check_can_act`); sending to review and handling review-due
flags need an editor, a medical reviewer or an admin (`evimap.site.roles`). Every transition
is in Wagtail's audit log.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision, WorkflowState

from evimap.site.errors import InvalidTransition, StaleRevision
from evimap.site.review.models import ReviewDue
from evimap.site.roles import check_editorial


def submit(page, user) -> WorkflowState:
    """Send the page's latest revision into review (resume it after changes were requested)."""
    check_editorial(user, "send a page to review")
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


@transaction.atomic
def dismiss_review_due(flag: ReviewDue, user, note: str = "") -> ReviewDue:
    """An editor or reviewer judged the new evidence changes nothing on the page."""
    check_editorial(user, "dismiss a review-due flag")
    flag = ReviewDue.objects.select_for_update().select_related("page").get(pk=flag.pk)
    if flag.resolved_at is not None:
        raise InvalidTransition("This review-due flag is already resolved.")
    flag.resolved_at, flag.resolved_by = timezone.now(), user
    flag.resolution, flag.note = ReviewDue.DISMISSED, note.strip()
    flag.save()
    PageLogEntry.objects.log_action(
        flag.page,
        "evimap.review_due.dismiss",
        user=user,
        data={"flag": flag.pk, "reason": flag.reason, "doc_ids": flag.doc_ids, "note": flag.note},
    )
    return flag


def resolve_review_due(page_id: int, user, revision: Revision | None) -> int:
    """A medical approval of `revision` resolves the page's flags raised before it was
    written (a later flag is about evidence the approved text could not include)."""
    flags = ReviewDue.objects.filter(page_id=page_id, resolved_at__isnull=True)
    if revision is not None:
        flags = flags.filter(created_at__lte=revision.created_at)
    return flags.update(
        resolved_at=timezone.now(), resolved_by=user, resolution=ReviewDue.REAPPROVED
    )


def on_workflow_approved(sender, instance: WorkflowState, user=None, **kwargs) -> None:
    """Wagtail's `workflow_approved` signal (admin, site, API and CLI approvals alike)."""
    task_state = instance.current_task_state
    revision = task_state.revision if task_state is not None else None
    resolve_review_due(int(instance.object_id), user, revision)
