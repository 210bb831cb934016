"""Drafting question pages from the engine, and finding the page a question already has.

    draft_question(question, user)   a QuestionPage under its condition, published as
                                     "AI-drafted · pending human review" and sent to review
    draft_unpublished(question)      the same, not published: an automatic draft that goes
                                     live only when medical review approves it
    regenerate(page, user)           new answers as a new revision, back into review
    find_page(question)              the live page asking (nearly) the same, if any
    visitor_of(request)              who asks: an account or an address, as a keyed hash
    record_asked(question, answered, visitor)
                                     count a reader's question no page covers
    most_asked(limit)                the most asked questions still without a page
    drafted_from_asks(limit)         those drafted into pages not live yet

New questions from the ask box become drafts by an editor's action ("Save as a draft page",
or "Draft a page" in the list of questions readers asked), and on their own once enough
different visitors asked one and the sources answer it: ASKS_TO_DRAFT signed-in readers, or
ADDRESSES_PER_READER times as many addresses of visitors not signed in (mixed: each address
counts as 1/ADDRESSES_PER_READER of a reader). A visitor counts once per question per day
(`AskedVisit`, in the database, so every worker counts alike). The draft is unpublished and
in the review workflow, and a condition page made for it is not live either: it goes live
with the first question page under it (docs/decisions/0005-site-review-workflow.md).
Questions holding personal data (an email, a phone number, a name...) are not recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Revision

from evimap import EvimapError
from evimap.screening import PERSONAL, screen
from evimap.site import answers
from evimap.site.pages.models import (
    AskedQuestion,
    AskedVisit,
    ConditionPage,
    HomePage,
    QuestionPage,
)
from evimap.site.review import actions

CLOSE_ENOUGH = 0.75  # share of content words two questions must share to be "the same"


@transaction.atomic
def draft_question(question: str, user, home: HomePage | None = None) -> QuestionPage:
    """Answer `question` for every audience and save it as a page in the review workflow."""
    page = _new_page(question, user, home)
    # The site publishes the AI draft itself (labelled "pending human review"): editors have
    # no publish permission, so nobody can publish their own text outside the workflow.
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user, skip_permission_checks=True)
    actions.submit(page, user)
    AskedQuestion.objects.filter(key=asked_key(question), page=None).update(page=page)
    return page


@transaction.atomic
def draft_unpublished(question: str) -> QuestionPage:
    """An automatic draft: not live, waiting for the editorial check; approval publishes it."""
    page = _new_page(question, None, None, live=False)
    page.save_revision(log_action=True)
    page.get_workflow().start(page, None)
    AskedQuestion.objects.filter(key=asked_key(question), page=None).update(page=page)
    return page


def _new_page(question: str, user, home: HomePage | None, live: bool = True) -> QuestionPage:
    """The question answered for every audience, as a page under its condition."""
    question = answers.clean_question(question)
    drafted = answers.answer_all(question)
    first = drafted[answers.DEFAULT_AUDIENCE]
    focus = first["focus"][0] if first["focus"] else "General health"
    condition = condition_for(focus, home or HomePage.objects.first())
    page = QuestionPage(
        title=question[:255],
        slug=_unique_slug(condition, question),
        question=question,
        focus=focus,
        question_type=first.get("qtype", ""),
        answers=drafted,
        owner=user,
        live=live,
    )
    condition.add_child(instance=page)
    return page


MAX_ASKED = 10_000  # distinct questions kept; beyond it only known ones are counted
ASKS_TO_DRAFT = 3  # different signed-in readers whose asks make an automatic draft
ADDRESSES_PER_READER = 2  # addresses of visitors not signed in that count as one reader
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who asked: `key` a keyed hash of their account or client address (never either)."""

    key: str
    signed_in: bool


def visitor_of(request) -> Visitor:
    """The visitor asking: their account when signed in, else their client address (its /64
    network for IPv6, which one household holds). Not a cookie or session: a visitor who
    drops them (a script does) would be new each time."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Visitor(_keyed(f"account:{user.pk}"), True)
    return Visitor(_keyed(f"address:{_network(request.META.get('REMOTE_ADDR', ''))}"), False)


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip() or "unknown"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keyed(text: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"evimap.asked:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def asked_key(question: str) -> str:
    return " ".join(sorted(answers.question_key(question)))[:500]


def record_asked(question: str, answered: bool, visitor: Visitor) -> AskedQuestion | None:
    """Count `question` (cleaned) among those readers asked, once per visitor a day; None
    when not recorded."""
    key = asked_key(question)
    if not key or any(f.kind in PERSONAL for f in screen(question).flags):
        return None
    asked = AskedQuestion.objects.filter(key=key).first()
    if asked is None:
        if AskedQuestion.objects.count() >= MAX_ASKED:
            return None
        asked, _ = AskedQuestion.objects.get_or_create(
            key=key, defaults={"question": question[:500], "answered": answered, "times": 0}
        )
    _, new = AskedVisit.objects.get_or_create(
        asked=asked,
        visitor=visitor.key,
        day=timezone.localdate(),
        defaults={"signed_in": visitor.signed_in},
    )
    if new:
        AskedQuestion.objects.filter(pk=asked.pk).update(
            times=F("times") + 1, last_asked=timezone.now()
        )
        asked.refresh_from_db()
        _draft_when_asked_enough(asked)
    return asked


def asks_to_draft() -> int:
    """How many different signed-in readers' asks make an automatic draft (setting
    EVIMAP_ASKS_TO_DRAFT; 0: never); visitors not signed in need ADDRESSES_PER_READER times
    as many addresses."""
    return int(getattr(settings, "EVIMAP_ASKS_TO_DRAFT", ASKS_TO_DRAFT))


def enough_visitors(asked: AskedQuestion, wanted: int) -> bool:
    """Whether different visitors asked `asked` as often as `wanted` signed-in readers."""
    visits = asked.visits.values("visitor").distinct()
    readers = visits.filter(signed_in=True).count()
    addresses = visits.filter(signed_in=False).count()
    return readers * ADDRESSES_PER_READER + addresses >= wanted * ADDRESSES_PER_READER


def _draft_when_asked_enough(asked: AskedQuestion) -> None:
    """Draft `asked` (unpublished) once enough visitors asked it, when its sources answer it."""
    wanted = asks_to_draft()
    if not wanted or not asked.answered or asked.page_id or not enough_visitors(asked, wanted):
        return
    try:
        with transaction.atomic():  # one draft, however many ask at the same moment
            waiting = AskedQuestion.objects.select_for_update().filter(pk=asked.pk, page=None)
            if waiting.exists():
                draft_unpublished(asked.question)
    except EvimapError as exc:  # e.g. the question no longer passes clean_question
        log.warning("no automatic draft for %r: %s", asked.question, exc.message)


def drafted_from_asks(limit: int = 50):
    """Asked questions drafted into pages that are not live yet (waiting for review)."""
    waiting = AskedQuestion.objects.filter(page__isnull=False, page__live=False)
    return waiting.select_related("page").order_by("-times")[:limit]


def most_asked(limit: int = 50):
    """Questions readers asked that still have no page, most asked first."""
    return AskedQuestion.objects.filter(page=None).order_by("-times", "-last_asked")[:limit]


def regenerate(page: QuestionPage, user) -> Revision:
    """Ask the engine again for every audience: a new revision, which returns to review."""
    page = page.get_latest_revision_as_object()
    page.answers = answers.answer_all(page.question)
    return actions.save_edit(page, user)


def condition_for(focus: str, home: HomePage) -> ConditionPage:
    """The condition page named `focus`; one created here is not live (nothing a visitor's
    question made is): it goes live with its first live question page (`publish_condition`)."""
    title = focus[:1].upper() + focus[1:]
    found = ConditionPage.objects.child_of(home).filter(title__iexact=title).first()
    if found is not None:
        return found
    condition = ConditionPage(
        title=title, slug=_unique_slug(home, title), live=False, has_unpublished_changes=True
    )
    home.add_child(instance=condition)
    condition.save_revision()
    return condition


def publish_condition(sender, instance, **kwargs) -> None:
    """Wagtail's `page_published` for a question page (published as an editor's AI draft, or
    by the final approval): its condition page goes live too, when it was not."""
    parent = instance.get_parent()
    if parent is None or parent.live or parent.specific_class is not ConditionPage:
        return
    revision = parent.get_latest_revision() or parent.specific.save_revision()
    revision.publish(skip_permission_checks=True)


def find_page(question: str) -> QuestionPage | None:
    """The live question page closest to `question`, when close enough to be the same."""
    best, best_score = None, 0.0
    for page in QuestionPage.objects.live().only("id", "question", "path", "url_path"):
        score = answers.similarity(question, page.question)
        if score > best_score:
            best, best_score = page, score
    return best if best_score >= CLOSE_ENOUGH else None


def _unique_slug(parent, text: str) -> str:
    base = slugify(text)[:60].strip("-") or "question"
    slug, n = base, 2
    while parent.get_children().filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
