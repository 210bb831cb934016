"""The review forms on the site, under /review/: approving or requesting changes from the
question page's review panel, the editors' "review due" list and dismissing a flag there.

Session-authenticated and CSRF-protected like every form on the site; the same actions
(`evimap.site.review.actions`) serve the admin, the CLI and the token-authenticated API.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from evimap.site.errors import BadRequest
from evimap.site.pages.models import QuestionPage
from evimap.site.review import actions, freshness
from evimap.site.review.models import ReviewDue
from evimap.site.roles import check_editorial


@require_POST
@login_required
def review_action(request: HttpRequest, page_id: int, action: str) -> HttpResponse:
    """Approve or request changes from the question page (same rules as the admin)."""
    if action not in ("approve", "request-changes"):
        raise Http404("no such review action")
    page = get_object_or_404(QuestionPage, pk=page_id)
    revision_id = _revision_id(request.POST.get("revision_id"))
    comment = request.POST.get("comment", "")
    if action == "approve":
        actions.approve(page, request.user, revision_id, comment)
    else:
        actions.request_changes(page, request.user, revision_id, comment)
    return redirect(page.url)


def _revision_id(value: str | None) -> int:
    """The revision a review form names: a number, or a 400 (never a crash)."""
    try:
        return int((value or "0").strip())
    except ValueError:
        raise BadRequest("The form named no revision; reload the page and try again.") from None


@login_required
def review_due(request: HttpRequest) -> HttpResponse:
    """Open review-due flags, newest first, each with a dismiss form."""
    check_editorial(request.user, "see review-due flags")
    context = {"flags": freshness.open_flags()[:200], "page": None}
    return TemplateResponse(request, "evimap/review_due.html", context)


@require_POST
@login_required
def dismiss(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = get_object_or_404(ReviewDue, pk=flag_id)
    actions.dismiss_review_due(flag, request.user, request.POST.get("note", ""))
    return redirect(_next_url(request) or "review-due")


def _next_url(request: HttpRequest) -> str | None:
    """The form's `next` when it stays on this site (never a redirect elsewhere)."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else None
