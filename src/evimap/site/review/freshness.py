"""'Review due': published question pages whose evidence changed after their answers were made.

    flag_review_due(library, since=None, k=TOP_K)   flag pages; returns a FlagReport
    open_flags(page=None)                            the unresolved flags, newest first
    notice_for(page, user)                           the question page's notice for editors

A page's answers on show were made from the library as it was when its live revision was
written; that moment (or `since`, when later) is the page's reference time. After an ingest,
a live question page is flagged when

    new_evidence    a document added or updated after it is among the `k` documents the
                    page's question retrieves (the engine's first stage: analysis + retrieval),
                    scoring at least a tenth of the best
    cited_updated   a document the page cites was updated after it
    cited_removed   a document the page cites is no longer in the library

One open flag per page and reason; later matches are added to it. A document already flagged
for the page's live revision (open or dismissed) is not flagged again, so running the check
twice changes nothing. A flag is resolved when a medical reviewer approves a revision written
after it (`actions.resolve_review_due`) or an editor dismisses it (`actions.dismiss_review_due`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction

from evimap import AnswerEngine, Library
from evimap.site import answers
from evimap.site.pages.models import QuestionPage
from evimap.site.review.models import ReviewDue
from evimap.site.roles import editorial

TOP_K = 10  # "among the top results": the documents a question retrieves first
# ... scoring at least this share of the best one: in a small library every document that
# shares a word ("what") with the question is in the top 10 without being about it.
MIN_SHARE_OF_BEST = 0.1


@dataclass(slots=True)
class FlagReport:
    """What a check found: pages checked, documents changed, flags made or extended."""

    pages: int = 0
    changed: int = 0
    flags: list[ReviewDue] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        pages = len({f.page_id for f in self.flags})
        return (
            f"checked {self.pages} published question pages against {self.changed} changed "
            f"documents: {pages} pages review due ({len(self.flags)} flags new or extended)"
        )


def flag_review_due(
    library: Library,
    since: datetime | None = None,
    *,
    k: int = TOP_K,
    engine: AnswerEngine | None = None,
) -> FlagReport:
    """Flag the live question pages whose evidence changed (see the module docstring).

    `engine`: an `evimap.AnswerEngine` over `library` (default: as the site's,
    `answers.engine_for`), whose first stage (`AnswerEngine.retrieve`) finds new evidence.
    """
    started = time.perf_counter()
    report = FlagReport()
    pages = list(QuestionPage.objects.live().select_related("live_revision").order_by("pk"))
    report.pages = len(pages)
    if not pages:
        return report
    reference = {page.pk: _reference_time(page, since) for page in pages}
    changed = library.changed_since(min(reference.values()).timestamp())
    report.changed = len(changed)
    search = _searcher(engine or answers.engine_for(library), k)
    for page in pages:
        after = reference[page.pk].timestamp()
        fresh = {doc_id for doc_id, written in changed.items() if written > after}
        cited = cited_documents(page)
        found = {
            ReviewDue.CITED_UPDATED: [d for d in cited if d in fresh],
            ReviewDue.CITED_REMOVED: sorted(set(cited) - library.exists(cited)),
            ReviewDue.NEW_EVIDENCE: (
                [d for d in search(page.question) if d in fresh and d not in cited] if fresh else []
            ),
        }
        report.flags.extend(_record(page, reference[page.pk], found))
    report.seconds = time.perf_counter() - started
    return report


def cited_documents(page) -> list[str]:
    """The ids of the documents the page's answers cite (every audience), in order."""
    ids: dict[str, None] = {}
    for data in (page.answers or {}).values():
        for ref in data.get("references", []) if isinstance(data, dict) else []:
            if ref.get("doc_id"):
                ids[ref["doc_id"]] = None
    return list(ids)


def _reference_time(page, since: datetime | None) -> datetime:
    revision = page.live_revision
    written = revision.created_at if revision else page.last_published_at or page.first_published_at
    written = written or datetime.fromtimestamp(0, UTC)
    return max(written, since) if since else written


def _searcher(engine: AnswerEngine, k: int):
    def search(question: str) -> list[str]:
        hits = engine.retrieve(question, k)
        best = hits[0].score if hits else 0.0
        return [hit.document.id for hit in hits if hit.score >= MIN_SHARE_OF_BEST * best]

    return search


@transaction.atomic
def _record(page, since: datetime, found: dict[str, list[str]]) -> list[ReviewDue]:
    """Make or extend the page's open flags with documents not yet flagged for its revision."""
    flags = ReviewDue.objects.select_for_update().filter(page=page)
    seen = {
        doc_id
        for doc_ids in flags.filter(revision_id=page.live_revision_id).values_list(
            "doc_ids", flat=True
        )
        for doc_id in doc_ids
    }
    made = []
    for reason, doc_ids in found.items():
        new = [d for d in dict.fromkeys(doc_ids) if d not in seen]
        if not new:
            continue
        flag = flags.filter(reason=reason, resolved_at__isnull=True).first()
        if flag is None:
            flag = ReviewDue(
                page=page, revision_id=page.live_revision_id, reason=reason, since=since
            )
        flag.doc_ids = [*flag.doc_ids, *new]
        flag.save()
        made.append(flag)
    return made


def open_flags(page=None):
    """Unresolved flags (of `page`, or all), newest first, with their pages."""
    flags = ReviewDue.objects.filter(resolved_at__isnull=True).select_related("page")
    return flags.filter(page=page) if page is not None else flags


def notice_for(page, user) -> dict | None:
    """'Review due: new evidence since DATE' for editors and reviewers; None for anyone else."""
    if not editorial(user):
        return None
    flags = list(open_flags(page))
    if not flags:
        return None
    return {
        "since": min(f.since for f in flags),
        "reasons": [f.get_reason_display() for f in flags],
        "documents": sorted({d for f in flags for d in f.doc_ids}),
        "flags": flags,
    }


def as_dict(flag: ReviewDue) -> dict:
    """A flag as JSON (the API and `evimap review due --json`)."""
    return {
        "id": flag.pk,
        "page": {"id": flag.page_id, "title": flag.page.title, "url": flag.page.url},
        "reason": flag.reason,
        "reason_label": flag.get_reason_display(),
        "doc_ids": list(flag.doc_ids),
        "since": flag.since.isoformat(),
        "created_at": flag.created_at.isoformat(),
        "resolved_at": flag.resolved_at.isoformat() if flag.resolved_at else None,
        "resolved_by": flag.resolved_by.get_username() if flag.resolved_by else None,
        "resolution": flag.resolution,
        "note": flag.note,
    }
