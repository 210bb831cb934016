"""Rate limits on posting, editing, sign-up, reporting and failed sign-ins, counted in the
database (so they hold across every worker process) as RateEvent rows.

    check(kind, key)      RateLimited when `key` did `kind` too often in any window
    record(kind, key)     count one more
    address_key(request)  a keyed hash of the client address (the address is not stored)
    hashed(value)         a keyed hash of any other key (a user name typed at sign-in)

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
    "signup": ((5, 3600),),  # per address: every attempt counts, refused ones too
    "report": ((10, 3600),),
    # Failed sign-ins (community.signin): per account name typed, and per address.
    "signin-account": ((5, 900), (50, 86400)),
    "signin-address": ((20, 3600),),
}
_MESSAGES = {
    "post": "You have posted {done} times",
    "edit": "You have edited posts {done} times",
    "signup": "You have tried to sign up {done} times",
    "report": "You have reported posts {done} times",
    "signin-account": "This account had {done} failed sign-ins",
    "signin-address": "There were {done} failed sign-ins from your address",
}


def limits(kind: str) -> tuple[tuple[int, int], ...]:
    return getattr(settings, "EVIMAP_RATE_LIMITS", LIMITS).get(kind, ())


def check(kind: str, key: str) -> None:
    now = timezone.now()
    for count, seconds in limits(kind):
        since = now - timedelta(seconds=seconds)
        done = RateEvent.objects.filter(kind=kind, key=key, at__gte=since).count()
        if done >= count:
            what = _MESSAGES.get(kind, "You have done this {done} times").format(done=done)
            raise RateLimited(f"{what} in the last {_span(seconds)}; please try again later.")


def record(kind: str, key: str) -> None:
    RateEvent.objects.create(kind=kind, key=key)


def address_key(request) -> str:
    return hashed(request.META.get("REMOTE_ADDR", "") or "unknown")


def hashed(value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _span(seconds: int) -> str:
    if seconds == 3600:
        return "hour"
    if seconds == 86400:
        return "day"
    if seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
