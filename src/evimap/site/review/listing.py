"""What editors see of review, shared by the CLI and the API: pages with their review step.

    pages(everything=False)    question pages in review or sent back (or all of them)
    summary(page, user=None)   a page's review state as JSON; `can_act` when a user is given
    page_by_id(id), user_by_name(name)   lookups that raise NotFoundError

Errors are evimap errors, so each caller renders them in its one place.
"""

from __future__ import annotations

from wagtail.models import WorkflowState

from evimap import NotFoundError
from evimap.site import ids
from evimap.site.errors import ReviewForbidden
from evimap.site.pages.models import QuestionPage
from evimap.site.review.freshness import open_flags
from evimap.site.review.status import live_approval

IN_REVIEW, CHANGES_REQUESTED = "in review", "changes requested"
APPROVED, NOT_IN_REVIEW = "approved", "not in review"


def pages(everything: bool = False):
    """Question pages in review or with changes requested (every one with `everything`)."""
    found = QuestionPage.objects.all().order_by("pk")
    if everything:
        return found
    active = WorkflowState.objects.active().values_list("object_id", flat=True)
    return found.filter(pk__in=[int(i) for i in active])


def summary(page, user=None) -> dict:
    """The page's review state: status, step, the revision to act on, open flags."""
    state = page.current_workflow_state
    task_state = page.current_workflow_task_state
    if task_state is not None:
        status, step = IN_REVIEW, task_state.task.name
    elif state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        status, step = CHANGES_REQUESTED, None
    else:
        status, step = (APPROVED if live_approval(page) else NOT_IN_REVIEW), None
    data = {
        "id": page.pk,
        "title": page.title,
        "url": page.url,
        "status": status,
        "step": step,
        "revision_id": task_state.revision_id if task_state else page.latest_revision_id,
        "live_revision_id": page.live_revision_id,
        "review_due": open_flags(page).count(),
    }
    if user is not None:
        data["can_act"] = bool(task_state and task_state.task.specific.get_actions(page, user))
    return data


def page_by_id(page_id: int):
    page = QuestionPage.objects.filter(pk=page_id).first() if ids.known(page_id) else None
    if page is None:
        raise NotFoundError(f"no question page {page_id}")
    return page


def user_by_name(username: str):
    """The active user `username` (NotFoundError, or ReviewForbidden when deactivated)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    if not user.is_active:
        raise ReviewForbidden(f"user {username!r} is deactivated")
    return user
