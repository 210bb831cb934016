"""evimap errors rendered in one place: JSON under /api/, an HTML page elsewhere."""

from __future__ import annotations

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
