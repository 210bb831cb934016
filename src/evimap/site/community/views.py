"""The community pages: the experiences block of a question page, sharing, a member's own
data, and the moderators' queue. Every form is a CSRF-protected POST that works without
JavaScript; errors of the one hierarchy are shown beside the form or by the error page."""

from __future__ import annotations

import json
from math import ceil

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from evimap.safety import crisis
from evimap.screening import PERSONAL
from evimap.site.answer_view import AnswerView
from evimap.site.community import experiences, limits, members, moderation
from evimap.site.community.chart import bar_chart
from evimap.site.community.forms import ExperienceForm, ReasonForm, SignUpForm
from evimap.site.community.models import Experience, PageThemes
from evimap.site.community.survey import band_label, survey_for
from evimap.site.community.themes import with_evidence
from evimap.site.errors import Forbidden, InvalidPost, RateLimited
from evimap.site.pages.models import QuestionPage
from evimap.site.roles import require_moderator, signed_in, team_account
from evimap.text import words

PER_PAGE = 10


def condition_name(page: QuestionPage) -> str:
    return page.focus or page.get_parent().title


def block(page: QuestionPage, request: HttpRequest, answer: AnswerView | None) -> dict:
    """What the question page shows about experiences (one row of counts, one page of posts)."""
    row = PageThemes.objects.filter(page=page).first()
    data = row.data if row else {}
    survey = survey_for(page.question_type)
    statements = list(answer.statements) if answer else []
    items = with_evidence(data.get("survey", []), statements, lambda i: _item_words(survey, i))
    terms = with_evidence(data.get("terms", []), statements, lambda t: t["term"].split())
    total = row.posts if row else 0
    pages = max(1, ceil(total / PER_PAGE))
    number = min(max(_int(request.GET.get("posts"), 1), 1), pages)
    posts = (
        Experience.objects.filter(page=page, status=Experience.APPROVED)
        .select_related("author__member_profile")
        .order_by("-published_at", "-id")[(number - 1) * PER_PAGE : number * PER_PAGE]
    )
    return {
        "condition": condition_name(page),
        "people": row.people if row else 0,
        "total": total,
        "posts": [_post_view(p, survey) for p in posts],
        "number": number,
        "pages": pages,
        "heading": survey.heading,
        "items": items,
        "bands": data.get("bands", []),
        "terms": terms,
        "chart": _chart(survey.heading, items, css_id="survey-chart"),
        "terms_chart": _chart("Words that recur in posts", terms, css_id="terms-chart"),
        "share_url": reverse("community-share", args=[page.pk]),
    }


def _chart(title: str, items: list[dict], *, css_id: str) -> str:
    """The SVG bar chart, marked safe: bar_chart escapes every text it writes (labels,
    title, id) and the counts are integers (tests/site/test_chart_escaping.py)."""
    return mark_safe(bar_chart(title, items, css_id=css_id))  # nosec B308 B703


def _item_words(survey, item: dict) -> tuple[str, ...]:
    return tuple(words(item["label"].lower())) if item["own"] else survey.keywords(item["value"])


def _post_view(post: Experience, survey) -> dict:
    profile = getattr(post.author, "member_profile", None)
    answers = post.answers or {}
    return {
        "id": post.pk,
        "name": profile.display_name if profile else "A member",
        "relation": post.relation,
        "text": post.text,
        "choices": [survey.label(c) for c in answers.get("choices", [])] + answers.get("other", []),
        "band": band_label(answers.get("band", "")),
        "published_at": post.published_at,
    }


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        try:  # a form that cannot be read is a failed attempt too
            members.signup_attempt(limits.address_key(request))
        except RateLimited as exc:
            form.add_error(None, exc.message)
    elif request.method == "POST":
        try:
            user = members.sign_up(**form.cleaned_data, key=limits.address_key(request))
        except (InvalidPost, RateLimited) as exc:
            form.add_error(None, exc.message)
        else:
            link = members.verification_link(user, request.build_absolute_uri("/"))
            send_mail(
                "Verify your evimap email address",
                f"Open this link to verify your address: {link}",
                None,
                [user.email],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return TemplateResponse(request, "evimap/community/signed_up.html", {"user": user})
    return TemplateResponse(request, "evimap/community/sign_up.html", {"form": form})


def verify(request: HttpRequest, token: str) -> HttpResponse:
    user = members.verify(token)
    return TemplateResponse(request, "evimap/community/verified.html", {"member": user})


def terms(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "evimap/community/terms.html", {})


def share(request: HttpRequest, page_id: int) -> HttpResponse:
    """GET: the form (after sign-in and verification); POST: the post goes to the queue."""
    page = get_object_or_404(QuestionPage.objects.live(), pk=page_id)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    members.require_member(request.user)
    return _post_form(request, page, None)


@login_required
def edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Experience.objects.select_related("page"), pk=post_id)
    experiences.require_owner(post, request.user)
    return _post_form(request, post.page, post)


def _post_form(request: HttpRequest, page: QuestionPage, post: Experience | None) -> HttpResponse:
    survey, condition = survey_for(page.question_type), condition_name(page)
    initial = _initial(post) if post else None
    form = ExperienceForm(request.POST or None, initial=initial, survey=survey, condition=condition)
    if request.method == "POST" and form.is_valid():
        try:
            post = _save(page, post, request.user, form.cleaned_data)
        except (InvalidPost, RateLimited) as exc:
            form.add_error(None, exc.message)
        else:
            context = {"post": post, "page": page, "crisis": crisis().lines}
            return TemplateResponse(request, "evimap/community/shared.html", context)
    context = {"form": form, "page": page, "condition": condition, "post": post}
    return TemplateResponse(request, "evimap/community/share.html", context)


def _save(page, post, user, data: dict) -> Experience:
    args = (data["text"], data["relation"], data["choices"], data["other"], data["band"])
    if post is None:
        return experiences.share(page, user, *args)
    return experiences.edit(post, user, *args)


def _initial(post: Experience) -> dict:
    answers = post.answers or {}
    return {
        "relation": post.relation,
        "text": post.text,
        "choices": answers.get("choices", []),
        "other": ", ".join(answers.get("other", [])),
        "band": answers.get("band", ""),
    }


@require_POST
@login_required
def delete(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Experience, pk=post_id)
    experiences.delete(post, request.user)
    return redirect("community-me")


@require_POST
def report(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Experience.objects.select_related("page"), pk=post_id)
    moderation.report(post, request.user, request.POST.get("reason", ""), _reporter_key(request))
    context = {"page": post.page}
    return TemplateResponse(request, "evimap/community/reported.html", context)


def _reporter_key(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return limits.address_key(request)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    context = {
        "posts": user.experiences.select_related("page").order_by("-created_at"),
        "profile": getattr(user, "member_profile", None),
        "can_delete": not team_account(user),
    }
    return TemplateResponse(request, "evimap/community/me.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    body = json.dumps(members.export(signed_in(request)), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="evimap-my-data.json"'
    return response


@require_POST
@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not user.check_password(request.POST.get("password", "")):
        raise Forbidden("That password is not right; your account was not deleted.")
    members.delete_account(user)
    logout(request)
    return TemplateResponse(request, "evimap/community/account_deleted.html", {})


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    require_moderator(request.user)
    posts = moderation.queue().prefetch_related("reports")[:50]
    items = [_queue_item(post) for post in posts]
    return TemplateResponse(request, "evimap/community/queue.html", {"items": items})


def _queue_item(post: Experience) -> dict:
    personal = [f for f in post.flags if f["kind"] in PERSONAL]
    reports = sorted(post.reports.all(), key=lambda r: r.created_at, reverse=True)
    return {
        "post": post,
        "flags": post.flags,
        "reports": reports[:10],  # what readers wrote: moderators only, never the author
        "can_redact": bool(personal),
        "form": ReasonForm(),
    }


@require_POST
@login_required
def moderate(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    post = get_object_or_404(Experience.objects.select_related("page"), pk=post_id)
    reason = request.POST.get("reason", "")
    if action == "approve":
        moderation.approve(post, request.user, reason)
    elif action == "reject":
        moderation.reject(post, request.user, reason)
    elif action == "redact":
        moderation.redact(post, request.user)
    elif action == "edit-out":
        moderation.edit_out(post, request.user, request.POST.get("text", ""), reason)
    else:
        raise InvalidPost(f"No such moderation action: {action!r}")
    return redirect("community-queue")
