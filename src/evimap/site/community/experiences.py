"""A member's own posts: share, edit, delete. Each goes to the moderation queue first.

    share(page, user, text, relation, choices, other, band) -> Experience
    edit(post, user, ...) -> Experience      back to the queue (and off the page) until approved;
                                             rate-limited like posts (limits.LIMITS["edit"])
    delete(post, user)

Text is stored as the member wrote it (only NUL characters, which no database keeps, go)
and is escaped wherever it is shown. Crisis language holds the post (status "held"), whether
new or edited: the view shows the member crisis resources at once, the moderators are emailed
and the audit records the hold.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from evimap.screening import PERSONAL, screen
from evimap.site.community import limits, members, notices, themes
from evimap.site.community.models import MAX_CHARS, MIN_CHARS, Experience
from evimap.site.community.moderation import record_decision
from evimap.site.community.survey import survey_for
from evimap.site.errors import Forbidden, InvalidPost


def clean_text(text: str | None) -> str:
    """The post's text as given (NULs dropped, ends trimmed); InvalidPost when unusable."""
    text = (text or "").replace("\x00", "").strip()
    if len(text) < MIN_CHARS:
        raise InvalidPost(f"Please write at least {MIN_CHARS} characters about your experience.")
    if len(text) > MAX_CHARS:
        raise InvalidPost(
            f"Your post is {len(text):,} characters long; please keep it under {MAX_CHARS:,}."
        )
    return text


def clean_relation(relation: str | None) -> str:
    if relation not in (Experience.HAS, Experience.CARES):
        raise InvalidPost(
            "Please say whether you have this condition or care for someone who does."
        )
    return relation


@transaction.atomic
def share(page, user, text, relation, choices=(), other="", band="") -> Experience:
    """A new post on `page`, screened and waiting in the moderation queue."""
    members.require_member(user)
    limits.check("post", str(user.pk))
    post = Experience(page=page, author=user)
    _fill(post, text, relation, choices, other, band)
    post.save()
    record_decision(post, user, "submitted", _flag_note(post))
    _hold_if_crisis(post)
    limits.record("post", str(user.pk))
    return post


@transaction.atomic
def edit(post: Experience, user, text, relation, choices=(), other="", band="") -> Experience:
    """The member's own post, changed: screened again and back in the queue."""
    require_owner(post, user)
    limits.check("edit", str(user.pk))
    was_published = post.status == Experience.APPROVED
    _fill(post, text, relation, choices, other, band)
    post.published_at = None
    post.reason = ""
    post.save()
    record_decision(post, user, "edited", _flag_note(post))
    _hold_if_crisis(post)
    limits.record("edit", str(user.pk))
    if was_published:
        themes.refresh(post.page)
    return post


@transaction.atomic
def delete(post: Experience, user) -> None:
    require_owner(post, user)
    page, was_published = post.page, post.status == Experience.APPROVED
    record_decision(post, user, "deleted", "deleted by its author")
    post.delete()
    if was_published:
        themes.refresh(page)


def _hold_if_crisis(post: Experience) -> None:
    """A new or edited post with crisis language: audited as held, moderators emailed (the
    email carries no text) once the transaction commits."""
    if post.status == Experience.HELD:
        record_decision(post, None, "held", "crisis language: a moderator must look first")
        transaction.on_commit(lambda: notices.crisis_alert(post))


def _fill(post: Experience, text, relation, choices, other, band) -> None:
    post.text = clean_text(text)
    post.relation = clean_relation(relation)
    post.answers = survey_for(post.page.question_type).clean(list(choices), other or "", band or "")
    _plain_own_words(post.answers["other"])
    screening = screen(post.text)
    post.flags = screening.to_list() + _repeats(post)
    post.status = Experience.HELD if screening.crisis else Experience.PENDING
    post.updated_at = timezone.now()


def _plain_own_words(others: list[str]) -> None:
    """Own survey answers are counted and shown as themes without a moderator's edit, so they
    may hold no personal data, links, advertising or crisis words (those go in the text)."""
    for other in others:
        kinds = set(screen(other).kinds)
        if kinds & (PERSONAL | {"link", "spam"}):
            raise InvalidPost(
                "Please leave names, contact details and links out of your own answers "
                f"({other!r}); you can write about them in your post."
            )
        if "crisis" in kinds:
            raise InvalidPost(
                "Please tell us about this in your post rather than in a short answer, so a "
                "moderator can read it and you can see where to find help."
            )


def _repeats(post: Experience) -> list[dict]:
    """A spam flag when the same text was already posted (by anyone, on any page)."""
    same = Experience.objects.filter(text=post.text).exclude(pk=post.pk).first()
    if same is None:
        return []
    whose = "this member" if same.author_id == post.author_id else "another member"
    reason = f"the same text as post {same.pk} by {whose}"
    return [
        {
            "kind": "spam",
            "start": 0,
            "end": len(post.text),
            "text": post.text[:40],
            "reason": reason,
        }
    ]


def require_owner(post: Experience, user) -> None:
    """Forbidden unless `user` wrote `post`."""
    if not (user and user.is_authenticated and post.author_id == user.pk):
        raise Forbidden("You can only change your own posts.")


def _flag_note(post: Experience) -> str:
    kinds = sorted({f["kind"] for f in post.flags})
    return f"screening: {', '.join(kinds)}" if kinds else "screening: nothing found"
