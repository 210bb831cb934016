"""The editors' "review due" list on the site (/review/due/) and dismissing a flag there.

Session-authenticated and CSRF-protected like every form on the site; the same action
(`actions.dismiss_review_due`) serves the CLI and the token-authenticated API.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from evimap.site.review import actions, freshness
from evimap.site.review.models import ReviewDue, check_editorial


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
