"""The site's errors: part of evimap's one hierarchy (each has `status` and `message`).

EvimapError
 ├── NotAuthenticated    no valid API token on a request that needs one            401
 ├── Forbidden           this user may not do this                                  403
 │    └── ReviewForbidden  not their review step (wrong role, own edit)            403
 ├── InvalidTransition   not possible in this state (nothing in review, done)      409
 │    └── StaleRevision  the revision reviewed is not the latest one               409
 ├── InvalidPost         a post or survey answer that cannot be accepted as sent   400
 ├── BadRequest          a request that cannot be read (malformed JSON, a bad id)  400
 ├── PayloadTooLarge     a request body over DATA_UPLOAD_MAX_MEMORY_SIZE           413
 ├── RateLimited         too many posts, sign-ups or reports; try again later      429
 ├── DatabaseBusy        the database stayed locked by other writers; try again    503
 ├── DatabaseUnavailable the database server cannot be reached just now            503
 ├── LibraryUnavailable  the evidence library cannot be read just now              503
 └── EngineStarting      the answer engine is still loading after a start          503

(A request refused past capacity, before the site sees it, is a 503 too, with the same
JSON shape under /api/: `evimap.site.admission`.)

Forbidden is also Django's PermissionDenied, so Wagtail's admin answers it with 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from evimap import EvimapError


class NotAuthenticated(EvimapError):
    """The request carries no valid API token (the review API)."""

    status = 401


class Forbidden(EvimapError, PermissionDenied):
    status = 403


class ReviewForbidden(Forbidden):
    pass


class InvalidTransition(EvimapError):
    status = 409


class StaleRevision(InvalidTransition):
    """Approval binds to a revision; a later edit must be reviewed itself."""


class InvalidPost(EvimapError):
    status = 400


class BadRequest(EvimapError):
    status = 400


class PayloadTooLarge(EvimapError):
    status = 413


class RateLimited(EvimapError):
    status = 429
    retryable = True


class DatabaseBusy(EvimapError):
    """SQLite stayed locked by other writers past the busy timeout: answered 503 with
    Retry-After (`evimap.site.middleware`), never a 500."""

    status = 503
    retryable = True
    retry_after = 5  # seconds, for the Retry-After header


class DatabaseUnavailable(EvimapError):
    """PostgreSQL refused or dropped the connection (a restart, a failover): answered 503
    with Retry-After, never a 500. What the request wrote was rolled back unless it was
    committed before the failure (then trying again finds it done: a 409 for a review step)."""

    status = 503
    retryable = True
    retry_after = 5


class LibraryUnavailable(EvimapError):
    """The evidence library cannot be read (its folder unreadable, its index missing): the
    pages still show their stored answers; asking is answered 503 until it is back
    (`evimap library rebuild-index` rebuilds a lost index)."""

    status = 503
    retryable = True
    retry_after = 30


class EngineStarting(EvimapError):
    """The process has just started and another thread is still loading the answer engine
    (its vocabulary may take minutes to rebuild): a 503 "try again" rather than a request
    holding one of the server's turns until it is ready."""

    status = 503
    retryable = True
    retry_after = 10
