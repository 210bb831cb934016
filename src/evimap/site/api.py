"""The JSON API (django-ninja; OpenAPI at /api/openapi.json, docs at /api/docs).

The OpenAPI document names, for each operation, every status it answers and the body of
each (`evimap.site.api_schemas`); schemathesis checks the server against it
(tests/site/test_api_schemathesis.py).

    GET  /api/pages/{id}/answer?audience=clinician   a question page's published answer
    POST /api/ask  {"question", "audience", "page_id"?}  an answer at once, pending review
    /api/review/...                                  editorial actions, by bearer token
    GET  /api/pages/{id}/experiences?page=1          approved posts and theme counts

CSRF: the API uses no cookie authentication, so it is exempt from CSRF (django-ninja's
default for operations without cookie auth). Asking only reads; the editorial actions under
/api/review/ (`evimap.site.review.api`) require a bearer token, never a session.

Errors: every evimap error (and validation and 404s) comes back as one shape,
{"error": {"status", "type", "message", "retryable"}} (`evimap.site.middleware.error_payload`):
also a body that is not JSON (400 BadRequest), one over 2.5 MB (413 PayloadTooLarge) and an
id no row can have (404 NotFoundError), and a database locked by other writers past the
busy timeout (503 DatabaseBusy, retryable, with Retry-After).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError

from evimap import EvimapError, NotFoundError, to_dict
from evimap.site import answers, ids
from evimap.site.answer_view import stored_answer
from evimap.site.api_schemas import (
    ALWAYS,
    AUDIENCE_PATTERN,
    BODY,
    QUESTION_PATTERN,
    FollowUpOut,
    PageAnswerOut,
    errors,
)
from evimap.site.community.api import router as community_router
from evimap.site.errors import BadRequest, PayloadTooLarge
from evimap.site.links import safe_answer
from evimap.site.middleware import busy_error, error_payload, with_retry_after
from evimap.site.pages.models import QuestionPage
from evimap.site.review.api import router as review_router
from evimap.site.review.status import public_status

api = NinjaAPI(title="evimap", version="1", urls_namespace="evimap-api")
api.add_router("/review/", review_router)
api.add_router("/", community_router)


class AskIn(Schema):
    question: str = Field(
        json_schema_extra={"pattern": QUESTION_PATTERN},
        description=(
            f"a question in words, at most {answers.MAX_QUESTION_CHARS:,} characters once "
            "trimmed; anything else (blank, greetings only, too long) is a 400 QuestionError"
        ),
    )
    audience: str = Field(
        answers.DEFAULT_AUDIENCE,
        json_schema_extra={"pattern": AUDIENCE_PATTERN},
        description="patient, caregiver or clinician, in any case (anything else: 400)",
    )
    page_id: int | None = None


@api.exception_handler(EvimapError)
def _evimap_error(request, exc: EvimapError):
    response = api.create_response(request, error_payload(exc), status=exc.status)
    return with_retry_after(response, exc)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_error(request, exc: OperationalError | InterfaceError):
    """A database locked past the busy timeout (D8) or out of reach (a PostgreSQL restart):
    503 DatabaseBusy or DatabaseUnavailable, retryable, with Retry-After."""
    busy = busy_error(exc)
    if busy is None:
        raise exc
    return _evimap_error(request, busy)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    error = EvimapError("; ".join(_messages(exc.errors)))
    error.status = 422
    return _evimap_error(request, error)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return _evimap_error(request, NotFoundError(str(exc) or "not found"))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """django-ninja's own errors (a body that is not JSON: 400) in the one shape."""
    error = BadRequest(str(exc)) if exc.status_code == 400 else EvimapError(str(exc))
    error.status = exc.status_code
    return _evimap_error(request, error)


@api.exception_handler(SuspiciousOperation)
def _unreadable(request, exc: SuspiciousOperation):
    """A body over the size limit (413) or one Django refuses to read (400)."""
    if isinstance(exc, RequestDataTooBig):
        return _evimap_error(request, PayloadTooLarge("The request body is too large."))
    return _evimap_error(request, BadRequest("The request cannot be read."))


@api.get(
    "/pages/{page_id}/answer",
    response={200: PageAnswerOut, **errors(404, *ALWAYS)},
    exclude_unset=True,
)
def page_answer(request, page_id: int, audience: str = answers.DEFAULT_AUDIENCE) -> dict:
    """The live answer of question page `page_id` for `audience`, with its review status."""
    page = QuestionPage.objects.live().filter(pk=page_id).first() if ids.known(page_id) else None
    if page is None:
        raise NotFoundError(f"no published question page {page_id}")
    chosen, note = answers.parse_audience(audience.strip().lower())  # any case, as /api/ask
    data = page.answer_for(chosen)
    status = public_status(page, stored_answer(data))
    return {
        "page": {"id": page.pk, "title": page.title, "url": page.full_url or page.url},
        "audience": chosen,
        "audience_note": note,
        "status": {
            "line": status.line,
            "reviewed": status.reviewed,
            "steps": [{"name": s.name, "date": s.date, "current": s.current} for s in status.steps],
        },
        "answer": safe_answer({**data, "status_line": status.line}) if data else data,
    }


@api.post(
    "/ask",
    response={200: FollowUpOut, **errors(404, *BODY, *ALWAYS)},
    exclude_unset=True,
)
def ask(request, body: AskIn) -> dict:
    """Answer a question at once ("AI-drafted · pending human review"), in a page's context."""
    context = None
    if body.page_id is not None:
        live = QuestionPage.objects.live()
        page = live.filter(pk=body.page_id).first() if ids.known(body.page_id) else None
        if page is None:
            raise NotFoundError(f"no published question page {body.page_id}")
        context = page.question
    answer = answers.ask(body.question, body.audience, context=context)
    answer_data = safe_answer(to_dict(answer))
    return {"label": answers.FOLLOW_UP_LABEL, "context": context, "answer": answer_data}


def _messages(errors: list[dict]) -> list[str]:
    return [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors]
