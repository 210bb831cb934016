"""The community's JSON API: approved posts and theme counts of a question page.

    GET /api/pages/{id}/experiences?page=1

Never personal data: no user names, emails, display names or moderation details; only what
a post says (as published), its relation to the condition, its survey answers and its date.
"""

from __future__ import annotations

from ninja import Router

from evimap import NotFoundError
from evimap.site import ids
from evimap.site.api_schemas import ALWAYS, ExperiencesOut, errors
from evimap.site.community.models import Experience, PageThemes
from evimap.site.community.survey import band_label, survey_for
from evimap.site.pages.models import QuestionPage

router = Router(tags=["community"])
PER_PAGE = 50


@router.get(
    "/pages/{page_id}/experiences",
    response={200: ExperiencesOut, **errors(404, *ALWAYS)},
    exclude_unset=True,
)
def page_experiences(request, page_id: int, page: int = 1) -> dict:
    """Approved posts of question page `page_id`, newest first, 50 per page, and the themes."""
    live = QuestionPage.objects.live()
    question = live.filter(pk=page_id).first() if ids.known(page_id) else None
    if question is None:
        raise NotFoundError(f"no published question page {page_id}")
    row = PageThemes.objects.filter(page=question).first()
    survey = survey_for(question.question_type)
    page = min(max(page, 1), ids.MAX_ID // PER_PAGE)  # past the last page: no posts
    posts = Experience.objects.filter(page=question, status=Experience.APPROVED).order_by(
        "-published_at", "-id"
    )[(page - 1) * PER_PAGE : page * PER_PAGE]
    return {
        "page": {"id": question.pk, "title": question.title, "condition": question.focus},
        "people": row.people if row else 0,
        "posts_total": row.posts if row else 0,
        "themes": {
            "prompt": survey.prompt,
            "heading": survey.heading,
            "survey": (row.data.get("survey", []) if row else []),
            "bands": (row.data.get("bands", []) if row else []),
            "terms": [
                {"term": t["term"], "count": t["count"]}
                for t in (row.data.get("terms", []) if row else [])
            ],
        },
        "page_number": page,
        "posts": [_post(p, survey) for p in posts],
    }


def _post(post: Experience, survey) -> dict:
    answers = post.answers or {}
    return {
        "id": post.pk,
        "relation": post.relation,
        "text": post.text,
        "choices": [{"value": c, "label": survey.label(c)} for c in answers.get("choices", [])],
        "other": answers.get("other", []),
        "time_since_diagnosis": band_label(answers.get("band", "")),
        "published": post.published_at.date().isoformat() if post.published_at else None,
    }
