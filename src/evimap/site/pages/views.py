"""Serving the public pages: the question page (answer, review panel, experiences, follow-up
box) and the home page (ask box, search, conditions). `PagesConfig.ready` wires them to the
page models, which import nothing above them.

Every form is a CSRF-protected POST that works without JavaScript; with HTMX (`HX-Request`)
the follow-up answer comes back as a fragment and replaces the box's result in place.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from evimap import EvimapError
from evimap.index import query_words
from evimap.site import answers
from evimap.site.answer_view import AnswerView, stored_answer
from evimap.site.audience import chosen_audience, remember
from evimap.site.community import views as community
from evimap.site.pages import cache, drafting
from evimap.site.pages.models import ConditionPage, HomePage, PolicyPage, QuestionPage
from evimap.site.review import freshness
from evimap.site.review.status import public_status, review_panel
from evimap.site.roles import is_editor


def serve_question(page: QuestionPage, request: HttpRequest) -> HttpResponse:
    """GET: the page for the chosen audience; POST: the same page with a follow-up answer."""
    audience, note, chosen = chosen_audience(request)
    followup = _followup(request, audience, page.question) if request.method == "POST" else None
    if followup and request.headers.get("HX-Request"):
        context = {"followup": followup, "can_draft": is_editor(request.user)}
        return TemplateResponse(request, "evimap/_followup_result.html", context)
    stored = stored_answer(page.answer_for(audience))
    answer = AnswerView.of(stored) if stored else None
    context = {
        "page": page,
        "self": page,
        "audience": audience,
        "audience_note": note,
        "audiences": answers.AUDIENCES,
        "lay": audience != "clinician",
        "answer": answer,
        "experiences": community.block(page, request, answer),
        "status": public_status(page, stored),
        "followup": followup,
        "review": review_panel(page, request.user),
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
            answered = not followup["answer"].abstained
            drafting.record_asked(followup["question"], answered, drafting.visitor_of(request))
    query = request.GET.get("q", "").strip()
    results = _search_pages(query) if query else None
    context = {
        "page": page,
        "self": page,
        "audience": audience,
        "audience_note": note,
        "audiences": answers.AUDIENCES,
        "conditions": page.get_children().live().type(ConditionPage).specific(),
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
    return {**result, "answer": AnswerView.of(answer), "close_page": close}
