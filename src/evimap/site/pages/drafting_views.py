"""Editors' drafting forms: the questions readers asked that no page covers (/draft/asked/),
and saving a question as a draft page in the review workflow (/draft/). The work is done
by `evimap.site.pages.drafting`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from evimap.site.errors import Forbidden, ReviewForbidden
from evimap.site.pages import drafting
from evimap.site.roles import is_editor


@login_required
def asked_questions(request: HttpRequest) -> HttpResponse:
    """For editors: the questions readers asked that no page covers, most asked first."""
    if not is_editor(request.user):
        raise Forbidden("Only editors can see the questions readers asked.")
    context = {"asked": drafting.most_asked(100), "drafted": drafting.drafted_from_asks(100)}
    return TemplateResponse(request, "evimap/asked_questions.html", context)


@require_POST
@login_required
def draft_page(request: HttpRequest) -> HttpResponse:
    """An editor saves an asked question as a draft page in the review workflow."""
    if not is_editor(request.user):
        raise ReviewForbidden("Only editors can save questions as draft pages.")
    page = drafting.draft_question(request.POST.get("question", ""), request.user)
    return redirect(page.url)
