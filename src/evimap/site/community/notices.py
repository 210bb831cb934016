"""Emails the community sends: moderators hear at once of a post with crisis language, and
members hear what became of their post. No email carries a post's text (it may hold
personal data); each links to the page where the reader signs in to see it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from evimap.site.roles import moderators

log = logging.getLogger(__name__)


def crisis_alert(post) -> int:
    """Tell every moderator with an email address that a held post waits; how many told."""
    to = moderator_emails()
    if to:
        _send(
            "evimap: a post with crisis language is waiting",
            "A member's post was held because it contains words of self-harm or suicide. "
            "The member was shown crisis lines. Please read it first:\n"
            f"{_base()}/community/queue/#queue-{post.pk}",
            to,
        )
    return len(to)


def decision_notice(post) -> bool:
    """Tell the author that their post was published or not (with the moderator's reason)."""
    email = post.author.email
    if not email:
        return False
    if post.status == post.APPROVED:
        subject = "evimap: your experience is published"
        body = f"Thank you. Your experience is now on {_base()}{post.page.url}"
    else:
        subject = "evimap: your experience was not published"
        body = f"A moderator did not publish your post: {post.reason}\nSee {_base()}/community/me/"
    _send(subject, body, [email])
    return True


def moderator_emails() -> list[str]:
    users = moderators().exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _send(subject: str, body: str, to: list[str]) -> None:
    try:
        send_mail(subject, body, None, to)
    except OSError as exc:  # an unreachable mail server must not lose the post
        log.error("could not send %r to %d recipients: %s", subject, len(to), exc)


def _base() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")
