"""The public review status and status line of a page, read from Wagtail's workflow data.

Submitted     the workflow started (editorial check)
Under review  the medical review step started
Approved      a medical reviewer approved the revision the page shows: "Medically reviewed
              by ..." while the page shows that revision

Both come only from a medical approval of the *live* revision, never from the page's
editable content: without one, the line is the fixed `pending_line` ("AI-drafted from N
sources · pending human review"), whatever the answer JSON says, and the stepper does not
read Approved (an admin's publish or an approval of another revision does not count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wagtail.models import TaskState, WorkflowState

from evimap import Answer
from evimap.answer import pending_line
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


def public_status(page, answer: Answer | None = None) -> PublicStatus:
    """The status line and steps of `page`, showing `answer` (its sources are counted)."""
    approval = live_approval(page)
    if approval is not None:
        who = reviewer_name(approval.finished_by)
        line = f"Medically reviewed by {who} · Last updated {day(approval.finished_at)}"
    else:
        line = pending_line(len(answer.references) if answer else 0)
    status = PublicStatus(line=line, reviewed=approval is not None)
    _fill_steps(status, page, approval)
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
            workflow_state__status=WorkflowState.STATUS_APPROVED,
        )
        .select_related("finished_by__reviewer_profile", "workflow_state")
        .order_by("-finished_at")
        .first()
    )


def _fill_steps(status: PublicStatus, page, approval: TaskState | None) -> None:
    """The latest review of the page if it is running (or waits for changes), else the
    review that approved the live revision; no step is reached without one of them."""
    state = (
        WorkflowState.objects.for_instance(page)
        .exclude(status=WorkflowState.STATUS_CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )
    if state is not None and state.status == WorkflowState.STATUS_APPROVED:
        state = approval.workflow_state if approval is not None else None
    if state is None:
        status.steps = [Step(name) for name in STEPS]
        return
    medical = (
        state.task_states.filter(task__in=MedicalReviewTask.objects.all())
        .order_by("-started_at")
        .first()
    )
    approved = approval is not None and state.pk == approval.workflow_state_id
    status.steps = [
        Step("Submitted", state.created_at, current=medical is None and not approved),
        Step(
            "Under review",
            medical.started_at if medical else None,
            current=medical is not None and not approved,
        ),
        Step("Approved", approval.finished_at if approval and approved else None, current=approved),
    ]
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        status.note = "Changes requested"


def day(moment: datetime) -> str:
    """'3 March 2025'."""
    return f"{moment.day} {moment:%B %Y}"


def review_panel(page, user) -> dict | None:
    """For a signed-in user who may act on the current step: the step and the revision."""
    if not user.is_authenticated:
        return None
    task_state = page.current_workflow_task_state
    if task_state is None:
        return None
    task = task_state.task.specific
    return {
        "task": task.name,
        "revision_id": task_state.revision_id,
        "can_act": bool(task.get_actions(page, user)),
    }
