"""Members: sign-up with consent, email verification, their data, and leaving.

sign_up(username, email, password, display_name, consent, key) -> User
                                          the display name as names.clean and refuse_taken say
refuse_taken(name)                        InvalidPost when the name looks like a reviewer's or a
                                          staff member's public name, a reserved word, or
                                          another member's name
verification_link(user, base) / verify(token) -> User
require_member(user) -> MemberProfile     Forbidden unless signed up, verified, consented
export(user) -> dict                      everything we hold about them, as JSON
delete_account(user)                      the account and every post go (counts refreshed)
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from evimap.site.community import limits, names, themes
from evimap.site.community.models import TERMS_VERSION, MemberProfile
from evimap.site.community.moderation import record_decision
from evimap.site.errors import Forbidden, InvalidPost
from evimap.site.review.models import ReviewerProfile
from evimap.site.roles import team_account

VERIFY_SALT = "evimap.community.verify"
VERIFY_MAX_AGE = 7 * 24 * 3600


def sign_up(username, email, password, display_name, consent: bool, key: str) -> User:
    """A new member (email not yet verified); InvalidPost says what is wrong. Every attempt
    counts toward the sign-up limit of address `key`, refused ones too."""
    signup_attempt(key)
    return _new_member(username, email, password, display_name, consent)


def signup_attempt(key: str) -> None:
    """RateLimited when address `key` tried to sign up too often; else one more attempt is
    counted (outside any transaction a refused sign-up rolls back)."""
    limits.check("signup", key)
    limits.record("signup", key)


@transaction.atomic
def _new_member(username, email, password, display_name, consent: bool) -> User:
    if not consent:
        raise InvalidPost("Please accept the publication terms to join.")
    username, display_name, email = username.strip(), display_name.strip(), email.strip()
    if not (username and display_name and "@" in email):
        raise InvalidPost("A user name, a display name and an email address are needed.")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidPost("That user name is taken.")
    display_name = names.clean(display_name)
    refuse_taken(display_name)
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidPost(" ".join(exc.messages)) from None
    user = User.objects.create_user(username, email, password)
    MemberProfile.objects.create(
        user=user,
        display_name=display_name,
        consented_terms=TERMS_VERSION,
        consented_at=timezone.now(),
    )
    return user


def refuse_taken(name: str) -> None:
    """InvalidPost when `name` is, or looks like, a public name someone else holds."""
    key = names.skeleton(name)
    if key in {names.skeleton(r) for r in names.RESERVED}:
        raise InvalidPost("That display name is kept for the site's own team.")
    team = [profile.display_name for profile in ReviewerProfile.objects.all()]
    staff = User.objects.filter(is_staff=True) | User.objects.filter(groups__isnull=False)
    team += [user.get_full_name() for user in staff.distinct() if user.get_full_name()]
    if key in {names.skeleton(n) for n in team}:
        raise InvalidPost(
            "That display name is, or looks like, the name of a reviewer or a member of the "
            "site's team; please choose another."
        )
    if MemberProfile.objects.filter(name_key=key).exists():
        raise InvalidPost("That display name is taken (or looks like one that is).")


def verification_link(user: User, base: str) -> str:
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)
    return f"{base.rstrip('/')}/community/verify/{token}/"


def verify(token: str) -> User:
    """Mark the member's email verified; InvalidPost for a bad or expired link."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        raise InvalidPost("This verification link is not valid or has expired.") from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None or not hasattr(user, "member_profile"):
        raise InvalidPost("This verification link is for an account that no longer exists.")
    profile = user.member_profile
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return user


def require_member(user) -> MemberProfile:
    """The member's profile when they may post; Forbidden saying what is missing."""
    if not (user and user.is_authenticated):
        raise Forbidden("Please sign in to share your experience.")
    profile = getattr(user, "member_profile", None)
    if profile is None:
        raise Forbidden("Please join as a member (display name and terms) to share.")
    if not profile.verified:
        raise Forbidden("Please verify your email address first (see the link we sent).")
    return profile


def export(user: User) -> dict:
    """Every piece of data about `user`: account, profile, posts, reports and decisions."""
    profile = getattr(user, "member_profile", None)
    posts = user.experiences.select_related("page").order_by("created_at")
    return {
        "account": {
            "username": user.username,
            "email": user.email,
            "joined": user.date_joined.isoformat(),
        },
        "profile": profile
        and {
            "display_name": profile.display_name,
            "consented_terms": profile.consented_terms,
            "consented_at": profile.consented_at.isoformat(),
            "email_verified_at": profile.email_verified_at
            and profile.email_verified_at.isoformat(),
        },
        "experiences": [_post_export(post) for post in posts],
        "reports_made": [
            {"post": r.experience_id, "reason": r.reason, "at": r.created_at.isoformat()}
            for r in user.report_set.all()
        ],
    }


def _post_export(post) -> dict:
    return {
        "id": post.pk,
        "question": post.page.question,
        "relation": post.relation,
        "text": post.text,
        "answers": post.answers,
        "status": post.status,
        "reason": post.reason,
        "created_at": post.created_at.isoformat(),
        "decisions": [
            {"action": d.action, "reason": d.reason, "at": d.created_at.isoformat()}
            for d in post.decisions.all()
        ],
    }


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete the member and their posts; pages that showed their posts are recounted.
    Editorial accounts (staff, editors, reviewers, moderators) are closed by an admin: their
    names stand behind published reviews and decisions."""
    if team_account(user):
        raise Forbidden("Accounts of the editorial team are closed by an admin, not here.")
    pages = {
        post.page for post in user.experiences.filter(status="approved").select_related("page")
    }
    for post in user.experiences.all():
        record_decision(post, None, "deleted", "the member deleted their account")
    user.delete()
    for page in pages:
        themes.refresh(page)
