"""The public review status and status line of a page, read from Wagtail's workflow data.

Submitted     the workflow started (editorial check)
Under review  the medical review step started
Approved      a medical reviewer approved; "Medically reviewed by ..." while the page
              shows that revision
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wagtail.models import TaskState, WorkflowState

from evimap.site.review.models import MedicalReviewTask

STEPS = ("Submitted", "Under review", "Approved")


@dataclass(slots=True)
class Step:
    name: str
    date: datetime | None = None
    current: bool = False


@dataclass(slots=True)
class PublicStatus:
    """What the question page shows about review."""

    line: str
    reviewed: bool
    steps: list[Step] = field(default_factory=list)
    note: str = ""  # "Changes requested", "Edited: back in review"


def public_status(page, drafted_line: str) -> PublicStatus:
    """The status line (from the approved live revision, else `drafted_line`) and steps."""
    approval = live_approval(page)
    if approval is not None:
        who = reviewer_name(approval.finished_by)
        line = f"Medically reviewed by {who} · Last updated {day(approval.finished_at)}"
    else:
        line = drafted_line
    status = PublicStatus(line=line, reviewed=approval is not None)
    _fill_steps(status, page)
    return status


def reviewer_name(user) -> str:
    """ "Dr Ana Ruiz, MD, Neurology"; a user name without a profile; a deleted account."""
    if user is None:
        return "a former member of our medical advisory board"
    profile = getattr(user, "reviewer_profile", None)
    return str(profile) if profile else user.get_username()


def live_approval(page) -> TaskState | None:
    """The medical approval of the revision the page now shows, if there is one."""
    if not page.live_revision_id:
        return None
    return (
        TaskState.objects.filter(
            revision_id=page.live_revision_id,
            task__in=MedicalReviewTask.objects.all(),
            status=TaskState.STATUS_APPROVED,
        )
        .select_related("finished_by__reviewer_profile")
        .order_by("-finished_at")
        .first()
    )


def _fill_steps(status: PublicStatus, page) -> None:
    state = (
        WorkflowState.objects.for_instance(page)
        .exclude(status=WorkflowState.STATUS_CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )
    if state is None:
        status.steps = [Step(name) for name in STEPS]
        return
    medical = (
        state.task_states.filter(task__in=MedicalReviewTask.objects.all())
        .order_by("-started_at")
        .first()
    )
    approved = state.status == WorkflowState.STATUS_APPROVED
    status.steps = [
        Step("Submitted", state.created_at, current=medical is None and not approved),
        Step(
            "Under review",
            medical.started_at if medical else None,
            current=medical is not None and not approved,
        ),
        Step("Approved", medical.finished_at if approved and medical else None, current=approved),
    ]
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        status.note = "Changes requested"


def day(moment: datetime) -> str:
    """'3 March 2025'."""
    return f"{moment.day} {moment:%B %Y}"
