"""Reviewer profiles and the workflow's two tasks, which enforce who may act on what.

    Workflow "Medical review"
      1. EditorialCheckTask   group Editors
      2. MedicalReviewTask    group Medical reviewers (each with a public ReviewerProfile)

Also here: `ReviewDue`, a published page whose evidence changed (see `freshness`).

The rules are checked in `ReviewTask.on_action`, the one door both Wagtail's admin and our
actions (`evimap.site.review.actions`) go through: the user must be in the task's groups, must
not have authored the revision under review (or any unreviewed revision before it), and the
revision must still be the latest one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.models import AbstractGroupApprovalTask, Revision, TaskState

from evimap.site.errors import InvalidTransition, ReviewForbidden, StaleRevision


class ReviewerProfile(models.Model):
    """A medical reviewer's public name and credentials ("Dr Ana Ruiz", "MD, Neurology")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"


class ReviewTask(AbstractGroupApprovalTask):
    """A group approval task whose rules hold whoever calls it (admin, site, API, CLI)."""

    class Meta:
        abstract = True

    def on_action(self, task_state, user, action_name, **kwargs):
        """Check the rules, then approve or reject (a rejection needs a comment)."""
        check_can_act(self, task_state, user)
        if action_name == "reject" and not (kwargs.get("comment") or "").strip():
            raise InvalidTransition("Requesting changes needs a comment saying what to change.")
        return super().on_action(task_state, user, action_name, **kwargs)

    def _user_in_groups(self, user) -> bool:
        return self.groups.filter(id__in=user.groups.all()).exists()

    def user_can_access_editor(self, obj, user) -> bool:
        return user.is_superuser or self._user_in_groups(user)

    def locked_for_user(self, obj, user) -> bool:
        return not (user.is_superuser or self._user_in_groups(user))

    def get_actions(self, obj, user):
        """The admin's buttons: none for a user who may not act (the rules decide)."""
        task_state = obj.current_workflow_task_state
        try:
            check_can_act(self, task_state, user)
        except (ReviewForbidden, InvalidTransition):
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self._user_in_groups(user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()


class EditorialCheckTask(ReviewTask):
    """Step 1: an editor checks the draft reads well and cites what it says."""

    class Meta:
        verbose_name = "editorial check"


class MedicalReviewTask(ReviewTask):
    """Step 2: a medical reviewer with a public profile approves what is published."""

    class Meta:
        verbose_name = "medical review"


def check_can_act(task, task_state, user) -> None:
    """Raise ReviewForbidden/InvalidTransition/StaleRevision unless `user` may act now."""
    if task_state is None or task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise InvalidTransition("This page is not waiting for this review step.")
    if not (user and user.is_authenticated and task._user_in_groups(user)):
        raise ReviewForbidden(f"Only members of {_group_names(task)} can act on this step.")
    if isinstance(task, MedicalReviewTask) and not hasattr(user, "reviewer_profile"):
        raise ReviewForbidden("Medical reviewers need a public reviewer profile to approve.")
    page = task_state.workflow_state.content_object
    if task_state.revision_id != page.latest_revision_id:
        raise StaleRevision("The page changed since this step began; review the new revision.")
    if user.pk in unreviewed_authors(page, task_state.revision_id):
        raise ReviewForbidden("You cannot review your own edit; another reviewer must do it.")


def unreviewed_authors(page, revision_id: int) -> set[int]:
    """Users who wrote any revision up to `revision_id` since the last medical approval."""
    approved = (
        TaskState.objects.filter(
            workflow_state__object_id=str(page.pk),
            task__in=MedicalReviewTask.objects.all(),
            status=TaskState.STATUS_APPROVED,
            revision_id__lt=revision_id,
        )
        .order_by("-revision_id")
        .values_list("revision_id", flat=True)
        .first()
    )
    revisions = Revision.objects.for_instance(page).filter(
        id__gt=approved or 0, id__lte=revision_id
    )
    return set(revisions.exclude(user=None).values_list("user_id", flat=True))


def _group_names(task) -> str:
    return " or ".join(task.groups.values_list("name", flat=True)) or "the task's groups"


class ReviewDue(models.Model):
    """A published question page whose evidence changed since its version on show was written.

    Made by `evimap.site.review.freshness.flag_review_due` (one open flag per page and reason,
    later matches merged into it); resolved when the page is approved again or an editor
    dismisses it (`evimap.site.review.actions.dismiss_review_due`).
    """

    NEW_EVIDENCE = "new_evidence"
    CITED_UPDATED = "cited_updated"
    CITED_REMOVED = "cited_removed"
    REASONS = [
        (NEW_EVIDENCE, "New evidence matches the question"),
        (CITED_UPDATED, "A cited source was updated"),
        (CITED_REMOVED, "A cited source was removed from the library"),
    ]
    REAPPROVED, DISMISSED = "reapproved", "dismissed"
    RESOLUTIONS = [(REAPPROVED, "Approved again"), (DISMISSED, "Dismissed by an editor")]

    page = models.ForeignKey(
        "evimap_pages.QuestionPage", on_delete=models.CASCADE, related_name="review_due"
    )
    revision = models.ForeignKey(  # the live revision the evidence is newer than
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=REASONS)
    doc_ids = models.JSONField(default=list, blank=True)
    since = models.DateTimeField(help_text="the evidence is newer than this")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=20, choices=RESOLUTIONS, blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "review due"
        verbose_name_plural = "review due"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "reason"],
                condition=models.Q(resolved_at__isnull=True),
                name="evimap_review_due_one_open_per_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_id}: {self.get_reason_display()} ({len(self.doc_ids)} documents)"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
