"""evimap errors rendered in one place: JSON under /api/, an HTML page elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from evimap.errors import EvimapError


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
    if request.path.startswith("/api/"):
        return JsonResponse(error_payload(exc), status=exc.status)
    html = render_to_string("evimap/error.html", {"error": exc}, request=request)
    return HttpResponse(html, status=exc.status)


class EvimapErrorMiddleware:
    """Turns an EvimapError raised by any view into `error_response`."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, EvimapError):
            return error_response(request, exc)
        return None


class RequestSizeMiddleware:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 before anything reads it (as
    JSON under /api/, the error page elsewhere); Django would raise RequestDataTooBig inside
    the view. File uploads in Wagtail's admin (multipart) keep Django's own limits."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from evimap.site.errors import BadRequest, PayloadTooLarge

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
