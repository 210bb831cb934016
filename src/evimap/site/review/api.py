"""The review API (/api/review/...): the editorial actions of the site, for scripts and tools.

    GET  /api/review/pages?all=false                  pages in review, with `can_act`
    GET  /api/review/pages/{id}                       one page's review state
    POST /api/review/pages/{id}/submit
    POST /api/review/pages/{id}/approve               {"revision_id", "comment"?}
    POST /api/review/pages/{id}/request-changes       {"revision_id", "comment"}
    GET  /api/review/due?all=false                    review-due flags
    POST /api/review/due/{id}/dismiss                 {"note"?}

Authentication: `Authorization: Bearer <token>` with a Wagtail API token (`evimap review
token --as USERNAME`, or `python -m django api_tokens create --user USERNAME --name NAME`);
only its digest is stored. A session cookie never counts here, so CSRF does not apply (the
site's own forms stay session-authenticated and CSRF-protected). Every action goes through
`evimap.site.review.actions` as the token's user, so the site's rules hold; errors come back
in the API's one error shape (401 without a valid token, 403 not your role or your own edit,
409 not possible now or a stale revision, 404 no such page or flag).

Reading (the lists, a page's review state, the review-due flags) is for editors, medical
reviewers and staff only (issue 10, D24): they name unpublished drafts and pages under review,
so any other token (a member's, a moderator's) gets 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from ninja import Router, Schema
from wagtail.api.v3.auth import BearerTokenAuth

from evimap import NotFoundError
from evimap.site.api_schemas import ALWAYS, BODY, REVIEW, ReviewDueOut, ReviewPageOut, errors
from evimap.site.errors import NotAuthenticated
from evimap.site.review import actions, freshness, listing
from evimap.site.review.models import ReviewDue
from evimap.site.roles import check_review_reader


class TokenAuth(BearerTokenAuth):
    """Wagtail's bearer-token check; a missing or unknown token is a NotAuthenticated error
    (and a session cookie never authenticates: request.user is the token's user or nobody)."""

    def __call__(self, request):
        request.user = AnonymousUser()
        header = request.headers.get(self.header, "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise NotAuthenticated("Send an API token: 'Authorization: Bearer <token>'.")
        found = self.authenticate(request, token.strip())
        if found is None:
            raise NotAuthenticated("This API token is unknown, revoked or its user inactive.")
        return found


router = Router(auth=TokenAuth(), tags=["review"])
LIST = errors(401, 403, *ALWAYS)  # the statuses each operation can answer besides 200
READ = errors(401, 403, 404, *ALWAYS)
ACT = errors(*REVIEW, *BODY, *ALWAYS)


class ApproveIn(Schema):
    revision_id: int
    comment: str = ""


class RequestChangesIn(Schema):
    revision_id: int
    comment: str


class DismissIn(Schema):
    note: str = ""


@router.get("/pages", response={200: list[ReviewPageOut], **LIST}, exclude_unset=True)
def review_pages(request, all: bool = False) -> list[dict]:
    """Question pages in review or sent back (every page with ?all=true)."""
    check_review_reader(request.user)
    return [listing.summary(page, request.user) for page in listing.pages(all)]


@router.get("/pages/{page_id}", response={200: ReviewPageOut, **READ}, exclude_unset=True)
def review_page(request, page_id: int) -> dict:
    check_review_reader(request.user)
    return listing.summary(listing.page_by_id(page_id), request.user)


@router.post("/pages/{page_id}/submit", response={200: ReviewPageOut, **ACT}, exclude_unset=True)
def submit(request, page_id: int) -> dict:
    page = listing.page_by_id(page_id)
    actions.submit(page, request.user)
    return _after(page, request.user)


@router.post("/pages/{page_id}/approve", response={200: ReviewPageOut, **ACT}, exclude_unset=True)
def approve(request, page_id: int, body: ApproveIn) -> dict:
    page = listing.page_by_id(page_id)
    actions.approve(page, request.user, body.revision_id, body.comment)
    return _after(page, request.user)


@router.post(
    "/pages/{page_id}/request-changes", response={200: ReviewPageOut, **ACT}, exclude_unset=True
)
def request_changes(request, page_id: int, body: RequestChangesIn) -> dict:
    page = listing.page_by_id(page_id)
    actions.request_changes(page, request.user, body.revision_id, body.comment)
    return _after(page, request.user)


@router.get("/due", response={200: list[ReviewDueOut], **LIST}, exclude_unset=True)
def review_due(request, all: bool = False) -> list[dict]:
    """Review-due flags, newest first (resolved ones too with ?all=true)."""
    check_review_reader(request.user)
    flags = ReviewDue.objects.select_related("page", "resolved_by")
    if not all:
        flags = flags.filter(resolved_at__isnull=True)
    return [freshness.as_dict(flag) for flag in flags]


@router.post("/due/{flag_id}/dismiss", response={200: ReviewDueOut, **ACT}, exclude_unset=True)
def dismiss(request, flag_id: int, body: DismissIn) -> dict:
    flag = ReviewDue.objects.filter(pk=flag_id).first()
    if flag is None:
        raise NotFoundError(f"no review-due flag {flag_id}")
    return freshness.as_dict(actions.dismiss_review_due(flag, request.user, body.note))


def _after(page, user) -> dict:
    page.refresh_from_db()
    return listing.summary(page, user)
