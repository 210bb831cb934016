"""What the JSON API answers, as schemas: the OpenAPI document at /api/openapi.json says what
each operation returns, for each status, and django-ninja checks every 200 against it.

Answers mirror the dataclasses of `evimap.answer` (tests/site/test_api_schema.py keeps them
in step). Fields that a page's stored answer may lack (it was drafted by an older evimap)
have defaults, and output keeps only the keys the data has (`exclude_unset`): a stored
answer comes back as it was stored. Every object may carry more keys than listed (a newer
field), so clients should ignore what they do not know.

Errors have one shape, {"error": {"status", "type", "message", "retryable"}}
(`evimap.site.middleware.error_payload`); each operation lists the statuses it can answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """A response object: more keys than the listed ones may come (kept, not dropped).
    Plain pydantic: django-ninja's Schema reads objects by attribute and drops such keys."""

    model_config = ConfigDict(extra="allow")


# -- errors ----------------------------------------------------------------------------------


class ErrorDetail(Out):
    status: int
    type: str = Field(description="the error's class: NotFoundError, QuestionError, ...")
    message: str = Field(description="a sentence for the reader")
    retryable: bool = Field(description="whether the same request may succeed later")


class ErrorOut(Out):
    error: ErrorDetail


def errors(*statuses: int) -> dict:
    """`statuses` answered in the one error shape (ninja's response map)."""
    return {frozenset(statuses): ErrorOut}


# Every operation: 422 for a parameter or body of the wrong type, 503 when the database or the
# evidence library cannot be used just now (retryable, with Retry-After) or the site is past
# its capacity.
ALWAYS = (422, 503)
BODY = (400, 413)  # a body that is not JSON or cannot be read; one over 2.5 MB
REVIEW = (401, 403, 404, 409)  # no valid token; not this user's step; no such page; not now


# -- answers (evimap.answer) -----------------------------------------------------------------


class SentenceRefOut(Out):
    doc_id: str
    passage: int
    sentence: int
    start: int
    end: int
    text: str


class StatementOut(Out):
    text: str
    citations: list[int]
    support: list[SentenceRefOut]
    extractive: bool = True


class ThemeOut(Out):
    heading: str
    statements: list[StatementOut]


class SectionOut(Out):
    kind: str
    title: str
    themes: list[ThemeOut]


class ReferenceOut(Out):
    number: int
    doc_id: str
    kind: str
    title: str
    publisher: str
    year: int | None
    design: str
    url: str = Field(description='an http(s) address, or "" when the source has none')
    pmid: str = ""
    doi: str = ""
    level: int = 1
    size: int | None = None
    grade: str = ""
    grade_meaning: str = ""
    authors: str = ""
    license: str = ""
    sections: list[str] = Field(default=[], description="the sections of a study quoted")


class DefinitionOut(Out):
    term: str
    statement: StatementOut


class NoticeOut(Out):
    kind: str
    text: str


class AnswerOut(Out):
    question: str
    audience: Literal["patient", "caregiver", "clinician"]
    focus: list[str] = []
    qtype: str = ""
    notices: list[NoticeOut] = []
    short_answer: list[StatementOut]
    sections: list[SectionOut]
    definitions: list[DefinitionOut] = []
    references: list[ReferenceOut]
    summary: str
    abstained: bool = False
    disclaimer: str = ""
    status_line: str


class NoAnswer(BaseModel):
    """A page with no stored answer for the audience: an empty object."""

    model_config = ConfigDict(extra="forbid")


# -- question pages --------------------------------------------------------------------------


class PageRef(Out):
    id: int
    title: str
    url: str | None


class StepOut(Out):
    name: str
    date: datetime | None
    current: bool


class ReviewStatusOut(Out):
    line: str
    reviewed: bool
    steps: list[StepOut]


class PageAnswerOut(Out):
    page: PageRef
    audience: Literal["patient", "caregiver", "clinician"]
    audience_note: str | None
    status: ReviewStatusOut
    answer: AnswerOut | NoAnswer


class FollowUpOut(Out):
    label: str
    context: str | None = Field(description="the question of the page asked on, if any")
    answer: AnswerOut


# What str.strip() removes (str.isspace), spelled out: JSON Schema's \s (ECMA-262) and
# Python's differ, and the server strips questions and audiences with str.strip().
SPACES = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# An audience in any case, with spaces around (Audience.parse); anything else is a 400.
AUDIENCE_PATTERN = (
    rf"^[{SPACES}]*([Pp][Aa][Tt][Ii][Ee][Nn][Tt]|[Cc][Aa][Rr][Ee][Gg][Ii][Vv][Ee][Rr]"
    rf"|[Cc][Ll][Ii][Nn][Ii][Cc][Ii][Aa][Nn])[{SPACES}]*$"
)
# A question holds something besides spaces (answers.clean_question); whether it is a
# question at all (words, not only greetings) is the answer engine's to say: 400 otherwise.
QUESTION_PATTERN = rf"[^{SPACES}]"


# -- experiences (community) -----------------------------------------------------------------


class ExperiencePageOut(Out):
    id: int
    title: str
    condition: str


class SurveyCountOut(Out):
    value: str
    label: str
    count: int
    own: bool = False


class BandCountOut(Out):
    value: str
    label: str
    count: int


class TermCountOut(Out):
    term: str
    count: int


class ThemesOut(Out):
    prompt: str
    heading: str
    survey: list[SurveyCountOut]
    bands: list[BandCountOut]
    terms: list[TermCountOut]


class ChoiceOut(Out):
    value: str
    label: str


class PostOut(Out):
    id: int
    relation: str
    text: str
    choices: list[ChoiceOut]
    other: list[str]
    time_since_diagnosis: str
    published: str | None = Field(description="the date it was published (YYYY-MM-DD)")


class ExperiencesOut(Out):
    page: ExperiencePageOut
    people: int
    posts_total: int
    themes: ThemesOut
    page_number: int
    posts: list[PostOut]


# -- review (bearer token) -------------------------------------------------------------------


class ReviewPageOut(Out):
    id: int
    title: str
    url: str | None
    status: str
    step: str | None
    revision_id: int | None
    live_revision_id: int | None
    review_due: int
    can_act: bool = False


class ReviewDueOut(Out):
    id: int
    page: PageRef
    reason: str
    reason_label: str
    doc_ids: list[str]
    since: str
    created_at: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str
    note: str
