"""The site's Wagtail pages. Rendering and form handling live in `evimap.site.pages.views`,
which `PagesConfig.ready` wires in (`VIEWS`): the views show what the apps above these
models add to a page (review status, experiences), so the models import none of them."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

# Wagtail's Page is untyped (Any): its subclasses' fields are annotated for mypy by hand.
# The view serving each page type, set by `evimap.site.pages.apps.PagesConfig.ready`.
VIEWS: dict[str, Callable[[Page, HttpRequest], HttpResponse]] = {}


class HomePage(Page):
    """The site root: a top-level ask box, site search and the conditions."""

    intro: models.TextField[str, str] = models.TextField(blank=True, default="")
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["evimap_pages.ConditionPage", "evimap_pages.PolicyPage"]
    template = "evimap/home_page.html"

    def serve(self, request, *args, **kwargs):
        return VIEWS["home"](self, request)


class ConditionPage(Page):
    """A condition ("Multiple sclerosis") listing its question pages."""

    summary: models.TextField[str, str] = models.TextField(blank=True, default="")
    content_panels = [*Page.content_panels, FieldPanel("summary")]
    parent_page_types = ["evimap_pages.HomePage"]
    subpage_types = ["evimap_pages.QuestionPage"]
    template = "evimap/condition_page.html"

    def questions(self):
        """Its live question pages, alphabetical, each with `people`: how many shared."""
        pages = QuestionPage.objects.child_of(self).live().order_by("title")
        return pages.annotate(people=Coalesce("themes__people", Value(0)))


class QuestionPage(Page):
    """One question and the engine's answer for each audience (render.to_dict JSON)."""

    question: models.CharField[str, str] = models.CharField(max_length=500)
    focus: models.CharField[str, str] = models.CharField(max_length=200, blank=True, default="")
    question_type: models.CharField[str, str] = models.CharField(
        max_length=50, blank=True, default=""
    )
    answers = models.JSONField(default=dict, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("question"),
        FieldPanel("focus"),
        FieldPanel("question_type"),
        FieldPanel("answers"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("question")]
    parent_page_types = ["evimap_pages.ConditionPage"]
    subpage_types: list[str] = []
    template = "evimap/question_page.html"

    def answer_for(self, audience: str) -> dict:
        """The stored answer JSON for `audience` (empty when none was generated)."""
        return self.answers.get(audience) or {}

    def serve(self, request, *args, **kwargs):
        return VIEWS["question"](self, request)


class PolicyPage(Page):
    """The editorial policy (editable by admins)."""

    body = RichTextField()
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["evimap_pages.HomePage"]
    subpage_types: list[str] = []
    template = "evimap/policy_page.html"


class AskedQuestion(models.Model):
    """A question readers asked in the ask box that no page covers yet (same content words:
    one row, counted once per visitor a day: `AskedVisit`). Editors see the most asked and
    draft pages for them in one click."""

    key = models.CharField(max_length=500, unique=True)  # the sorted content words
    question = models.CharField(max_length=500)  # as first asked
    times = models.PositiveIntegerField(default=1)
    answered = models.BooleanField(default=True)  # False: the engine abstained
    first_asked = models.DateTimeField(auto_now_add=True)
    last_asked = models.DateTimeField(auto_now=True)
    page = models.ForeignKey(
        QuestionPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["page", "-times"])]

    def __str__(self) -> str:
        return f"{self.question} ({self.times})"


class AskedVisit(models.Model):
    """One visitor asking an AskedQuestion on one day: what `times` counts, and whose distinct
    visitors make an automatic draft (`evimap.site.pages.drafting`). The visitor is a keyed
    hash of the account or of the client address (its /64 network for IPv6), never either
    itself; the database holds these, so every worker counts alike."""

    asked = models.ForeignKey(AskedQuestion, on_delete=models.CASCADE, related_name="visits")
    visitor = models.CharField(max_length=64)
    signed_in = models.BooleanField(default=False)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["asked", "visitor", "day"], name="evimap_asked_visit_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asked_id} {self.visitor[:8]} {self.day}"
