"""Who may do what on the site: the editorial groups and the checks on them, in one place.

    is_editor(user)                 signed in and in Editors: drafts pages, sees asked questions
    editorial(user)                 editors, medical reviewers and admins: review-due flags,
                                    sending pages to review
    check_editorial(user, doing)    ReviewForbidden unless `editorial(user)`
    check_review_reader(user)       ReviewForbidden unless editorial or staff (the review API)
    is_moderator(user)              holds MODERATE (the Moderators group, and admins)
    require_moderator(user)         Forbidden unless `is_moderator(user)`
    team_account(user)              staff, admins and anyone in an editorial group
    moderators()                    the active accounts that moderate (told of held posts)
    signed_in(request)              the request's user, in a view that requires signing in

Who may act on a review step is the task's own rule (`evimap.site.review.models`), since it
depends on the task's groups and the revision under review.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from evimap.site.errors import Forbidden, ReviewForbidden

EDITORS, REVIEWERS, MODERATORS = "Editors", "Medical reviewers", "Moderators"
MODERATE = "evimap_community.moderate_experience"  # given to the Moderators group
MODERATE_CODENAME = MODERATE.split(".")[1]


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of `request` (views behind `login_required`); Forbidden if none."""
    user = request.user
    if not isinstance(user, User):
        raise Forbidden("Please sign in first.")
    return user


def is_editor(user) -> bool:
    """Whether `user` is signed in and in the Editors group."""
    return user.is_authenticated and user.groups.filter(name=EDITORS).exists()


def editorial(user) -> bool:
    """Editors, medical reviewers and admins: who sees and handles review-due flags."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name__in=(EDITORS, REVIEWERS)).exists()


def check_editorial(user, doing: str) -> None:
    """ReviewForbidden unless `user` is an editor, a medical reviewer or an admin."""
    if not editorial(user):
        raise ReviewForbidden(f"Only editors and medical reviewers can {doing}.")


def check_review_reader(user) -> None:
    """ReviewForbidden unless `user` is an editor, a medical reviewer or staff (an admin):
    who reads the review lists through the API."""
    if not (editorial(user) or (user.is_active and user.is_staff)):
        raise ReviewForbidden(
            "Only editors, medical reviewers and staff can read the review lists."
        )


def is_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MODERATE))


def require_moderator(user) -> None:
    if not is_moderator(user):
        raise Forbidden("Only moderators can see and act on the moderation queue.")


def team_account(user) -> bool:
    """Staff, admins and anyone in an editorial group (editors, reviewers, moderators)."""
    return user.is_staff or user.is_superuser or user.groups.exists()


def moderators() -> QuerySet:
    """The active accounts that moderate: the permission through a group or their own, and
    admins (`is_moderator` asks the same of one user)."""
    perm = Permission.objects.get(codename=MODERATE_CODENAME)
    return User.objects.filter(
        Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True),
        is_active=True,
    )
