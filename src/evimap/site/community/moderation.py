"""The moderation queue and every moderator's decision (each one audited).

    queue()                                  posts waiting: held (crisis) first, then oldest
    approve(post, moderator)                 published and counted on its page
    reject(post, moderator, reason)          a reason is required; the member sees it
    redact(post, moderator)                  personal data found by screening -> "[removed]"
    edit_out(post, moderator, text)          a hand edit that may only delete or "[removed]"
    report(post, reporter, reason, key)      REPORTS_TO_UNPUBLISH distinct readers' reports (or
                                             one moderator's) send a published post back
    record_decision(post, actor, action, reason)

Moderators hold the moderate_experience permission (the Moderators group, and admins).
Nobody moderates their own post.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from evimap.screening import PERSONAL, REMOVED, Flag, only_removals, screen
from evimap.screening import redact as redact_text
from evimap.site.community import limits, notices, themes
from evimap.site.community.models import Experience, ModerationDecision, Report
from evimap.site.errors import Forbidden, InvalidPost, InvalidTransition
from evimap.site.roles import is_moderator, require_moderator

MAX_REASON_CHARS = 500
# Distinct reporters (an account, or a client address when signed out, counts once) whose
# reports since the post was published send it back to the queue; a moderator's report does
# at once. Django's setting EVIMAP_REPORTS_TO_UNPUBLISH overrides.
REPORTS_TO_UNPUBLISH = 3
REPORTED = "reported by readers: a moderator will look at it again"  # what the author sees


def queue() -> QuerySet:
    held_first = Case(When(status=Experience.HELD, then=Value(0)), default=Value(1))
    return (
        Experience.objects.filter(status__in=(Experience.PENDING, Experience.HELD))
        .annotate(priority=held_first)
        .order_by("priority", "created_at")
        .select_related("page", "author__member_profile")
    )


@transaction.atomic
def approve(post: Experience, moderator, reason: str = "") -> Experience:
    _may_moderate(post, moderator)
    post.status, post.reason, post.published_at = Experience.APPROVED, "", timezone.now()
    post.save(update_fields=["status", "reason", "published_at", "updated_at"])
    record_decision(post, moderator, "approved", reason.strip()[:MAX_REASON_CHARS])
    themes.refresh(post.page)
    transaction.on_commit(lambda: notices.decision_notice(post))
    return post


@transaction.atomic
def reject(post: Experience, moderator, reason: str) -> Experience:
    _may_moderate(post, moderator)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidPost("Rejecting a post needs a reason the member will see.")
    post.status, post.reason, post.published_at = Experience.REJECTED, reason[:500], None
    post.save(update_fields=["status", "reason", "published_at", "updated_at"])
    record_decision(post, moderator, "rejected", reason[:MAX_REASON_CHARS])
    transaction.on_commit(lambda: notices.decision_notice(post))
    return post


@transaction.atomic
def redact(post: Experience, moderator) -> Experience:
    """Edit out the personal data screening found (emails, phones, addresses, names)."""
    _may_moderate(post, moderator)
    flags = [Flag(**f) for f in post.flags]
    found = sorted({f.kind for f in flags if f.kind in PERSONAL})
    if not found:
        raise InvalidTransition("Screening found no personal data in this post to remove.")
    post.text = redact_text(post.text, flags)
    post.flags = screen(post.text).to_list()
    post.save(update_fields=["text", "flags", "updated_at"])
    record_decision(post, moderator, "redacted", f"removed: {', '.join(found)}")
    return post


@transaction.atomic
def edit_out(post: Experience, moderator, text: str, reason: str = "") -> Experience:
    """The moderator's hand edit, allowed only to delete words or put "[removed]" in their
    place: moderators take personal data out, they never put words in a member's mouth."""
    _may_moderate(post, moderator)
    text = (text or "").replace("\x00", "").strip()
    if text == post.text:
        raise InvalidPost("The text is unchanged.")
    added = only_removals(post.text, text)
    if added:
        raise InvalidPost(
            f'Moderators may only delete words or replace them with "{REMOVED}"; '
            f"this edit adds {added!r}."
        )
    post.text = text
    post.flags = screen(text).to_list()
    post.save(update_fields=["text", "flags", "updated_at"])
    record_decision(
        post, moderator, "edited out", reason.strip() or "personal data removed by hand"
    )
    return post


def reports_to_unpublish() -> int:
    return getattr(settings, "EVIMAP_REPORTS_TO_UNPUBLISH", REPORTS_TO_UNPUBLISH)


@transaction.atomic
def report(post: Experience, reporter, reason: str, key: str) -> Experience:
    """A reader reports a published post (`key`: "user:<id>" or the hashed address). It
    leaves the page and returns to the queue once reports_to_unpublish() distinct reporters
    reported it since it was published, or at once on a moderator's report. What reporters
    write is for moderators (the queue); the author sees only REPORTED, never their words."""
    if post.status != Experience.APPROVED:
        raise InvalidTransition("Only published posts can be reported.")
    reason = (reason or "").strip()[:MAX_REASON_CHARS] or "no reason given"
    limits.check("report", key)
    user = reporter if reporter and reporter.is_authenticated else None
    Report.objects.create(experience=post, reporter=user, reporter_key=key, reason=reason)
    limits.record("report", key)
    reports = post.reports.all()
    if post.published_at is not None:
        reports = reports.filter(created_at__gte=post.published_at)
    reporters = reports.values("reporter_key").distinct().count()
    if is_moderator(user):
        why = "a moderator's report"
    elif reporters >= reports_to_unpublish():
        why = f"reports from {reporters} different readers"
    else:
        return post
    post.status, post.published_at, post.reason = Experience.PENDING, None, REPORTED
    post.save(update_fields=["status", "published_at", "reason", "updated_at"])
    record_decision(post, user, "reported", f"back to the queue after {why}")
    themes.refresh(post.page)
    return post


def record_decision(post: Experience, actor, action: str, reason: str = "") -> ModerationDecision:
    return ModerationDecision.objects.create(
        experience=post,
        experience_ref=post.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        reason=reason[:MAX_REASON_CHARS],
    )


def _may_moderate(post: Experience, moderator) -> None:
    require_moderator(moderator)
    if post.author_id == moderator.pk:
        raise Forbidden("You cannot moderate your own post; another moderator must do it.")
    if not post.in_queue:
        raise InvalidTransition(f"This post is not waiting for moderation (it is {post.status}).")
