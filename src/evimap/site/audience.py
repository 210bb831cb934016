"""Which reader a page is for: `?audience=` first, then the visitor's cookie.

    chosen_audience(request)            (audience, note, chosen in the URL)
    remember(response, audience, chosen)  the cookie, when the URL chose the audience

Used by the page views and by the page cache (a cached page is keyed on the same cookie).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from evimap.site import answers

AUDIENCE_COOKIE = "evimap_audience"
COOKIE_AGE = 365 * 24 * 3600


def chosen_audience(request: HttpRequest) -> tuple[str, str | None, bool]:
    """(audience, note, from the URL): ?audience= first, then the visitor's cookie.

    Any case is accepted (`Clinician` is `clinician`, as in the API and the CLI); an unknown
    audience shows the patient page with a note saying so (`answers.parse_audience`)."""
    asked = request.GET.get("audience")
    if asked is not None:
        audience, note = answers.parse_audience(normal_audience(asked))
        return audience, note, note is None
    audience, _ = answers.parse_audience(normal_audience(request.COOKIES.get(AUDIENCE_COOKIE)))
    return audience, None, False


def normal_audience(value: str | None) -> str | None:
    """`value` without surrounding spaces, in lower case: the form every audience has."""
    return value.strip().lower() if isinstance(value, str) else value


def remember(response: HttpResponse, audience: str, chosen: bool) -> HttpResponse:
    """Set the audience cookie when the visitor chose `audience` in the URL."""
    if chosen:
        response.set_cookie(AUDIENCE_COOKIE, audience, max_age=COOKIE_AGE, samesite="Lax")
    return response
