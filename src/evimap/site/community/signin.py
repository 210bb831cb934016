"""Failed sign-ins, throttled in the database per account and per client address.

SignInThrottle comes first in AUTHENTICATION_BACKENDS (settings.py): before any password is
checked it raises RateLimited (429, the site's error page) when the user name typed or the
client address had too many failed sign-ins (limits.LIMITS "signin-account" and
"signin-address"); otherwise the next backend (Django's ModelBackend) checks the password.
Django's user_login_failed signal counts each failure (`record_failure`, connected in
apps.py). Every form that signs in with a password goes through it: /login/ and Wagtail's
/admin/login/. The user name is stored only as a keyed hash, the address likewise.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async

from evimap.site.community import limits


def account_key(username: str) -> str:
    return limits.hashed(f"account:{username.strip().casefold()}")


def check(request, username: str | None) -> None:
    """RateLimited when the account or the client address failed to sign in too often."""
    if username:
        limits.check("signin-account", account_key(username))
    if request is not None:
        limits.check("signin-address", limits.address_key(request))


def record_failure(sender, credentials: dict, request=None, **kwargs) -> None:
    """user_login_failed: one more failure for the user name typed and the address."""
    username = credentials.get("username")
    if username:
        limits.record("signin-account", account_key(username))
    if request is not None:
        limits.record("signin-address", limits.address_key(request))


class SignInThrottle:
    """An authentication backend that authenticates nobody: it only refuses, with
    RateLimited, to let a throttled account or address try a password. It has no get_user,
    so sessions and Django's test client use the backend after it."""

    def authenticate(self, request, username=None, **credentials):
        check(request, username)
        return None

    async def aauthenticate(self, request, username=None, **credentials):
        await sync_to_async(check)(request, username)
        return None
