"""Rate limits on posting, editing, sign-up and reporting, counted in the database (so they hold
across every worker process) as RateEvent rows.

    check(kind, key)    RateLimited when `key` did `kind` too often in any window
    record(kind, key)   count one more
    address_key(request)  a keyed hash of the client address (the address is not stored)

Limits per kind are ((count, seconds), ...); Django's setting EVIMAP_RATE_LIMITS overrides.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from evimap.site.community.models import RateEvent
from evimap.site.errors import RateLimited

POSTS = ((5, 3600), (20, 86400))
LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    "post": POSTS,
    "edit": POSTS,  # an edit goes back to the queue like a new post: limited like one
    "signup": ((5, 3600),),
    "report": ((10, 3600),),
}
_WHAT = {
    "post": "posted",
    "edit": "edited posts",
    "signup": "signed up",
    "report": "reported posts",
}


def limits(kind: str) -> tuple[tuple[int, int], ...]:
    return getattr(settings, "EVIMAP_RATE_LIMITS", LIMITS).get(kind, ())


def check(kind: str, key: str) -> None:
    now = timezone.now()
    for count, seconds in limits(kind):
        since = now - timedelta(seconds=seconds)
        done = RateEvent.objects.filter(kind=kind, key=key, at__gte=since).count()
        if done >= count:
            raise RateLimited(
                f"You have {_WHAT.get(kind, kind)} {done} times in the last "
                f"{_span(seconds)}; please try again later."
            )


def record(kind: str, key: str) -> None:
    RateEvent.objects.create(kind=kind, key=key)


def address_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _span(seconds: int) -> str:
    return "hour" if seconds == 3600 else "day" if seconds == 86400 else f"{seconds} seconds"
