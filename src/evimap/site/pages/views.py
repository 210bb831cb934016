"""Serving the public pages: audience choice, follow-up and ask boxes, reviewer actions.

Every form is a CSRF-protected POST that works without JavaScript; with HTMX (`HX-Request`)
the follow-up answer comes back as a fragment and replaces the box's result in place.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from evimap.errors import EvimapError
from evimap.index import query_words
from evimap.render import to_dict
from evimap.site import answers
from evimap.site.community import views as community
from evimap.site.pages import cache, drafting
from evimap.site.pages.models import HomePage, PolicyPage, QuestionPage
from evimap.site.review import actions, freshness
from evimap.site.review.models import EDITORS
from evimap.site.review.status import public_status, sources_in

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
    if chosen:
        response.set_cookie(AUDIENCE_COOKIE, audience, max_age=COOKIE_AGE, samesite="Lax")
    return response


def serve_question(page: QuestionPage, request: HttpRequest) -> HttpResponse:
    """GET: the page for the chosen audience; POST: the same page with a follow-up answer."""
    audience, note, chosen = chosen_audience(request)
    followup = _followup(request, audience, page.question) if request.method == "POST" else None
    if followup and request.headers.get("HX-Request"):
        context = {"followup": followup, "can_draft": is_editor(request.user)}
        return TemplateResponse(request, "evimap/_followup_result.html", context)
    data = page.answer_for(audience)
    answer = answers.view_model(data) if data else None
    context = {
        "page": page,
        "self": page,
        "audience": audience,
        "audience_note": note,
        "audiences": answers.AUDIENCES,
        "lay": audience != "clinician",
        "answer": answer,
        "experiences": community.block(page, request, answer),
        "status": public_status(page, sources_in(data)),
        "followup": followup,
        "review": _review_panel(page, request.user),
        "review_due": freshness.notice_for(page, request.user),
        "policy": PolicyPage.objects.live().first(),
        "can_draft": is_editor(request.user),
    }
    response = TemplateResponse(request, page.template, context)
    if request.method == "GET" and not request.user.is_authenticated:
        cache.mark_cacheable(response, page.pk, audience if chosen else None)
    return remember(response, audience, chosen)


def serve_home(page: HomePage, request: HttpRequest) -> HttpResponse:
    """GET: ask box, search results (?q=) and conditions; POST: ask (or go to the page)."""
    audience, note, chosen = chosen_audience(request)
    followup = None
    if request.method == "POST":
        question = request.POST.get("question", "")
        existing = drafting.find_page(question) if question.strip() else None
        if existing is not None:
            return redirect(f"{existing.url}?audience={audience}", permanent=False)
        followup = _followup(request, audience, None)
        if followup.get("answer") is not None:
            answered = not followup["answer"]["abstained"]
            drafting.record_asked(followup["question"], answered, drafting.visitor_of(request))
    query = request.GET.get("q", "").strip()
    results = _search_pages(query) if query else None
    context = {
        "page": page,
        "self": page,
        "audience": audience,
        "audience_note": note,
        "audiences": answers.AUDIENCES,
        "conditions": page.get_children().live().type(_condition_type()).specific(),
        "query": query,
        "results": results,
        "followup": followup,
        "policy": PolicyPage.objects.live().first(),
        "can_draft": is_editor(request.user),
    }
    return remember(TemplateResponse(request, page.template, context), audience, chosen)


SEARCH_WORDS = 32  # the site's search box: question titles are far shorter


def _search_pages(query: str) -> list[QuestionPage]:
    """Live question pages matching `query`'s words. Only letters and digits reach the search
    backend (a quote or NUL broke SQLite's full-text syntax), and at most SEARCH_WORDS of
    them (each word nests the backend's query one level deeper: 600 overflowed the stack)."""
    words = query_words(query, SEARCH_WORDS)
    return list(QuestionPage.objects.live().search(" ".join(words))[:20]) if words else []


def _condition_type():
    from evimap.site.pages.models import ConditionPage

    return ConditionPage


def _followup(request: HttpRequest, audience: str, context: str | None) -> dict:
    """Answer the posted question at once; a problem becomes a message, never a crash."""
    question = request.POST.get("question", "")
    result = {
        "question": question.strip()[: answers.MAX_QUESTION_CHARS],
        "label": answers.FOLLOW_UP_LABEL,
    }
    try:
        answer = answers.ask(question, audience, context=context)
    except EvimapError as exc:
        return {**result, "error": exc.message}
    close = drafting.find_page(question)
    return {**result, "answer": answers.view_model(to_dict(answer)), "close_page": close}


def is_editor(user) -> bool:
    """Whether `user` is signed in and in the Editors group."""
    return user.is_authenticated and user.groups.filter(name=EDITORS).exists()


def _review_panel(page: QuestionPage, user) -> dict | None:
    """For a signed-in user who may act on the current step: the step and the revision."""
    if not user.is_authenticated:
        return None
    task_state = page.current_workflow_task_state
    if task_state is None:
        return None
    task = task_state.task.specific
    return {
        "task": task.name,
        "revision_id": task_state.revision_id,
        "can_act": bool(task.get_actions(page, user)),
    }


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
    from evimap.site.errors import BadRequest

    try:
        return int((value or "0").strip())
    except ValueError:
        raise BadRequest("The form named no revision; reload the page and try again.") from None


@login_required
def asked_questions(request: HttpRequest) -> HttpResponse:
    """For editors: the questions readers asked that no page covers, most asked first."""
    if not is_editor(request.user):
        from evimap.site.errors import Forbidden

        raise Forbidden("Only editors can see the questions readers asked.")
    context = {"asked": drafting.most_asked(100), "drafted": drafting.drafted_from_asks(100)}
    return TemplateResponse(request, "evimap/asked_questions.html", context)


@require_POST
@login_required
def draft_page(request: HttpRequest) -> HttpResponse:
    """An editor saves an asked question as a draft page in the review workflow."""
    if not is_editor(request.user):
        from evimap.site.errors import ReviewForbidden

        raise ReviewForbidden("Only editors can save questions as draft pages.")
    page = drafting.draft_question(request.POST.get("question", ""), request.user)
    return redirect(page.url)
