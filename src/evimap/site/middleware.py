"""evimap errors rendered in one place: JSON under /api/, an HTML page elsewhere.

A database that stays locked past SQLite's busy timeout ("database is locked": other
workers writing at length) becomes `DatabaseBusy`, a 503 "try again" with Retry-After, never
a 500 (issue 10, D8): `busy_error` decides, for the views (`EvimapErrorMiddleware`), the
JSON API's handler (`evimap.site.api`) and the site's 500 handler (`server_error`, for the
rest: a session saved after the view).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.views import defaults

from evimap import EvimapError
from evimap.site.errors import BadRequest, DatabaseBusy, DatabaseUnavailable, PayloadTooLarge

log = logging.getLogger("evimap.site")


def error_payload(exc: EvimapError) -> dict:
    """The one JSON error shape: {"error": {"status", "type", "message", "retryable"}}."""
    return {
        "error": {
            "status": exc.status,
            "type": type(exc).__name__,
            "message": exc.message,
            "retryable": exc.retryable,
        }
    }


def error_response(request: HttpRequest, exc: EvimapError) -> HttpResponse:
    """`exc` as JSON for the API, as the site's error page for everything else."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_payload(exc), status=exc.status)
    else:
        response = HttpResponse(error_page(request, exc), status=exc.status)
    return with_retry_after(response, exc)


def error_page(request: HttpRequest, exc: EvimapError) -> str:
    """The site's error page for `exc`. When the database is the trouble, without the
    request's context: that reads the signed-in user through the database, and failed again
    inside the 500 handler (a bare 500 for every signed-in reader during a PostgreSQL
    restart). Plain HTML if even the template fails."""
    database = isinstance(exc, (DatabaseBusy, DatabaseUnavailable))
    try:
        context_from = None if database else request
        return render_to_string("evimap/error.html", {"error": exc}, request=context_from)
    except Exception:  # the error page itself must not fail
        log.exception("the error page could not be rendered")
        return (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sorry</title>'
            f"<h1>Sorry: that did not work</h1><p>{escape(exc.message)}</p></html>"
        )


def with_retry_after(response: HttpResponse, exc: EvimapError) -> HttpResponse:
    """A Retry-After header for an error that says when to try again (DatabaseBusy)."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


_LOCKED = ("database is locked", "database table is locked")


def busy_error(exc: BaseException | None) -> EvimapError | None:
    """The 503 "try again" a database error stands for, or None (a real 500):

    - DatabaseBusy: SQLite's "database is locked" past the busy timeout (D8);
    - DatabaseUnavailable: PostgreSQL cannot be reached or dropped the connection (a
      restart): every OperationalError or InterfaceError of a server database. SQLite's
      other OperationalErrors (no such table...) are bugs, and stay 500s.
    """
    from django.db import InterfaceError, connection

    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    if any(m in str(exc).lower() for m in _LOCKED):
        return DatabaseBusy(
            "The site is busy saving other changes and could not save yours just now; "
            "nothing was lost. Please try again in a few seconds."
        )
    if connection.vendor != "sqlite":
        return DatabaseUnavailable(
            "The site's database cannot be reached just now. Please try again in a few seconds."
        )
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 handler (`handler500`, when DEBUG is off): a locked or unreachable
    database that escaped the views (middleware reading the session or the page cache's
    version, a session saved after a view) is still a 503 "try again"."""
    busy = busy_error(sys.exc_info()[1])
    if busy is not None:
        return error_response(request, busy)
    return defaults.server_error(request)


class EvimapErrorMiddleware:
    """Turns an EvimapError raised by any view into `error_response` (and a locked
    database into DatabaseBusy's)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, EvimapError):
            return error_response(request, exc)
        busy = busy_error(exc)
        return error_response(request, busy) if busy is not None else None


class RequestSizeMiddleware:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 before anything reads it (as
    JSON under /api/, the error page elsewhere); Django would raise RequestDataTooBig inside
    the view. File uploads in Wagtail's admin (multipart) keep Django's own limits."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, BadRequest("The Content-Length header is not a number."))
        upload = request.content_type == "multipart/form-data" and request.path.startswith(
            "/admin/"
        )
        if limit is not None and length > limit and not upload:
            message = (
                f"The request is too large: {length:,} bytes; the most we accept is {limit:,}."
            )
            return error_response(request, PayloadTooLarge(message))
        return self.get_response(request)
