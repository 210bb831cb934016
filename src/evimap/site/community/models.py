"""Members, their experiences, moderators' decisions, readers' reports and rate events.

An Experience moves through the moderation queue:

    pending  --approve-->  approved  --reports-->  pending (back in the queue)
       |  \\--reject--->  rejected
    held (crisis language: a moderator must look first; same exits as pending)

An edit by the member sends an approved post back to pending. Text is stored as given and
escaped when shown; a moderator's redaction replaces personal data by "[removed]".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from evimap.site.community.names import skeleton
from evimap.site.pages.models import QuestionPage

TERMS_VERSION = "2026-11"  # the publication terms a member consents to (see terms.html)
MIN_CHARS, MAX_CHARS = 20, 5000


class MemberProfile(models.Model):
    """A member's public display name and consent; their email must be verified to post."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_profile"
    )
    display_name = models.CharField(max_length=40, unique=True)
    # What the name looks like (names.skeleton), so no look-alike of it can be taken.
    name_key = models.CharField(max_length=80, db_index=True, blank=True, default="")
    consented_terms = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    email_verified_at = models.DateTimeField(null=True, blank=True)

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None

    def save(self, *args, **kwargs):
        self.name_key = skeleton(self.display_name)
        if kwargs.get("update_fields") is not None and "display_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.display_name


class Experience(models.Model):
    PENDING, HELD, APPROVED, REJECTED = "pending", "held", "approved", "rejected"
    STATUSES = [
        (PENDING, "Waiting for a moderator"),
        (HELD, "Held: crisis language"),
        (APPROVED, "Published"),
        (REJECTED, "Rejected"),
    ]
    HAS, CARES = "has", "cares"
    RELATIONS = [(HAS, "I have this condition"), (CARES, "I care for someone who has it")]

    page = models.ForeignKey(QuestionPage, on_delete=models.CASCADE, related_name="experiences")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experiences"
    )
    relation = models.CharField(max_length=10, choices=RELATIONS)
    text = models.TextField()
    answers = models.JSONField(default=dict, blank=True)  # survey.Survey.clean()
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    flags = models.JSONField(default=list, blank=True)  # screening.Screening.to_list()
    reason = models.CharField(max_length=500, blank=True, default="")  # rejection, report
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["page", "status", "-published_at"]),
            models.Index(fields=["status", "created_at"]),
        ]
        permissions = [("moderate_experience", "Can moderate members' experiences")]

    @property
    def in_queue(self) -> bool:
        return self.status in (self.PENDING, self.HELD)

    def __str__(self) -> str:
        return f"experience {self.pk} on page {self.page_id} ({self.status})"


class ModerationDecision(models.Model):
    """The audit trail: who did what to which post, and why (kept after a post is deleted)."""

    experience = models.ForeignKey(
        Experience, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    experience_ref = models.BigIntegerField()  # the post's id, kept when it is deleted
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)  # submitted, held, approved, rejected, redacted...
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Report(models.Model):
    """A reader's report of a published post; enough distinct reporters send it back to the
    queue (moderation.report). The reason is for moderators only, never the author."""

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Who reported, to count distinct reporters: "user:<id>" or the address's keyed hash.
    reporter_key = models.CharField(max_length=64, blank=True, default="")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)


class PageThemes(models.Model):
    """A question page's counts, refreshed after every moderation change (themes.refresh)."""

    page = models.OneToOneField(QuestionPage, on_delete=models.CASCADE, related_name="themes")
    people = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)  # {"survey": [...], "terms": [...]}
    updated_at = models.DateTimeField(auto_now=True)


class RateEvent(models.Model):
    """One counted action (post, sign-up, report) by a key (user id or hashed address)."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"])]
