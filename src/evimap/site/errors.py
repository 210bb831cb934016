"""The site's errors: part of evimap's one hierarchy (each has `status` and `message`).

EvimapError
 ├── ReviewForbidden     this user may not do this (wrong role, own edit)          403
 └── InvalidTransition   not possible in this state (nothing in review, done)      409
      └── StaleRevision  the revision reviewed is not the latest one               409

ReviewForbidden is also Django's PermissionDenied, so Wagtail's admin answers it with 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from evimap.errors import EvimapError


class ReviewForbidden(EvimapError, PermissionDenied):
    status = 403


class InvalidTransition(EvimapError):
    status = 409


class StaleRevision(InvalidTransition):
    """Approval binds to a revision; a later edit must be reviewed itself."""
