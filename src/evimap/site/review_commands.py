"""`evimap review ...`: editorial actions and review-due checks from the command line.

    evimap review list [--all] [--as USER] [--json]         pages in review (can USER act?)
    evimap review submit PAGE --as USER                     send a page (back) to review
    evimap review approve PAGE --revision N --as USER [--comment TEXT]
    evimap review request-changes PAGE --revision N --comment TEXT --as USER
    evimap review check-evidence [--since DATE] [--k N]     flag pages whose evidence changed
    evimap review due [--all] [--json]                      the review-due flags
    evimap review dismiss FLAG --as USER [--note TEXT]      close a flag: nothing to change
    evimap review token --as USER [--name NAME]             a bearer token for /api/review/

Every action acts as a named user through `evimap.site.review.actions`, so the site's rules
hold (role, own edit, stale revision). Errors are evimap errors; `evimap.cli.main` prints
them as one line. Django is imported inside the commands (the site extra is optional), and
anything that imports models (`actions`, `listing`, `freshness`, wagtail) only after
`_setup()`: before it, Django's settings are not configured and the import fails.
"""

from __future__ import annotations

import json
import sys
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path

import click

from evimap import Settings


@click.group("review")
def review_app() -> None:
    """Editorial review of the site's question pages, and "review due" flags."""


def _as_user(func):
    return click.option("--as", "username", required=True, help="act as this user")(func)


def _json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="machine-readable output")(func)


def _setup(library: Path | None = None) -> Settings:
    """Configure Django against the site's database (and the library, when given)."""
    from evimap.site.commands import configure

    settings = Settings.from_env()
    if library is not None:
        fields = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
        settings = Settings(**{**fields, "library": library})
    configure(settings)
    return settings


def _site_output_to_stderr():
    """Stdout is the command's output (--json): what the site prints while acting goes to
    stderr, such as the notifications the development mail backend (EVIMAP_SMTP_URL unset)
    writes to stdout."""
    return redirect_stdout(sys.stderr)


def _echo(data, as_json: bool, line: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str) if as_json else line)


def _line(item: dict) -> str:
    step = f" ({item['step']})" if item["step"] else ""
    due = f"  review due: {item['review_due']}" if item["review_due"] else ""
    can_act = item.get("can_act")
    act = "" if can_act is None else "  you can act" if can_act else "  not yours to act on"
    return (
        f"{item['id']:>5}  {item['status']}{step}  revision {item['revision_id']}  "
        f"{item['title']}{due}{act}"
    )


@review_app.command("list")
@click.option("--all", "everything", is_flag=True, help="every question page, not only in review")
@click.option("--as", "username", help="say whether this user can act on each page")
@_json_option
def list_command(everything: bool, username: str | None, as_json: bool) -> None:
    """Question pages in review (or sent back), with the revision to act on."""
    _setup()
    from evimap.site.review import listing

    user = listing.user_by_name(username) if username else None
    items = [listing.summary(page, user) for page in listing.pages(everything)]
    if as_json:
        _echo(items, True, "")
        return
    for item in items:
        click.echo(_line(item))
    if not items:
        click.echo("no question pages in review")


def _act(page_id: int, username: str, as_json: bool, action: str, done: str, *args) -> None:
    """`actions.<action>(page, user, *args)` as `username`, then the page's review state."""
    _setup()
    from evimap.site.review import actions, listing

    user = listing.user_by_name(username)
    page = listing.page_by_id(page_id)
    with _site_output_to_stderr():
        getattr(actions, action)(page, user, *args)
    page.refresh_from_db()
    item = listing.summary(page)
    _echo(item, as_json, f"{done}: {_line(item).strip()}")


@review_app.command("submit")
@click.argument("page_id", type=int, metavar="PAGE")
@_as_user
@_json_option
def submit_command(page_id: int, username: str, as_json: bool) -> None:
    """Send PAGE's latest revision to review (or back to review after changes)."""
    _act(page_id, username, as_json, "submit", "submitted")


@review_app.command("approve")
@click.argument("page_id", type=int, metavar="PAGE")
@click.option("--revision", type=int, required=True, help="the revision you reviewed")
@click.option("--comment", default="", help="optional comment for the audit log")
@_as_user
@_json_option
def approve_command(
    page_id: int, revision: int, comment: str, username: str, as_json: bool
) -> None:
    """Approve the current review step of PAGE for the revision you reviewed."""
    _act(page_id, username, as_json, "approve", "approved", revision, comment)


@review_app.command("request-changes")
@click.argument("page_id", type=int, metavar="PAGE")
@click.option("--revision", type=int, required=True, help="the revision you reviewed")
@click.option("--comment", required=True, help="what should change")
@_as_user
@_json_option
def request_changes_command(
    page_id: int, revision: int, comment: str, username: str, as_json: bool
) -> None:
    """Send PAGE back to its authors with a comment saying what to change."""
    _act(page_id, username, as_json, "request_changes", "changes requested", revision, comment)


@review_app.command("check-evidence")
@click.option(
    "--since",
    type=click.DateTime(),
    help="only evidence written after this (UTC; default: each page's version on show)",
)
@click.option("--k", default=10, show_default=True, help="top documents retrieved per question")
@click.option("--library", "-L", type=click.Path(path_type=Path), help="library directory")
@_json_option
def check_evidence_command(
    since: datetime | None, k: int, library: Path | None, as_json: bool
) -> None:
    """Flag published pages whose evidence changed (run after `evimap ingest`)."""
    from datetime import UTC

    settings = _setup(library)
    from evimap import Library
    from evimap.site.review import freshness

    when = since.replace(tzinfo=UTC) if since is not None else None
    with Library(settings.library, readonly=True) as lib, _site_output_to_stderr():
        report = freshness.flag_review_due(lib, when, k=k)
    data = {
        "pages": report.pages,
        "changed": report.changed,
        "flags": [freshness.as_dict(f) for f in report.flags],
        "seconds": round(report.seconds, 3),
    }
    _echo(data, as_json, f"{report.summary()} in {report.seconds:.1f} s")
    if not as_json:
        for flag in report.flags:
            click.echo(_flag_line(freshness.as_dict(flag)))


def _flag_line(flag: dict) -> str:
    return (
        f"{flag['id']:>5}  page {flag['page']['id']} {flag['page']['title']!r}: "
        f"{flag['reason_label']} since {flag['since'][:10]}: {', '.join(flag['doc_ids'])}"
    )


@review_app.command("due")
@click.option("--all", "everything", is_flag=True, help="resolved flags too")
@_json_option
def due_command(everything: bool, as_json: bool) -> None:
    """Pages flagged "review due" (open flags, newest first)."""
    _setup()
    from evimap.site.review import freshness
    from evimap.site.review.models import ReviewDue

    flags = ReviewDue.objects.select_related("page", "resolved_by")
    flags = flags if everything else flags.filter(resolved_at__isnull=True)
    items = [freshness.as_dict(f) for f in flags]
    if as_json:
        _echo(items, True, "")
        return
    for item in items:
        state = f"  [{item['resolution']}]" if item["resolution"] else ""
        click.echo(_flag_line(item) + state)
    if not items:
        click.echo("nothing is due")


@review_app.command("dismiss")
@click.argument("flag_id", type=int, metavar="FLAG")
@click.option("--note", default="", help="why the new evidence changes nothing")
@_as_user
@_json_option
def dismiss_command(flag_id: int, note: str, username: str, as_json: bool) -> None:
    """Close a review-due flag: the new evidence changes nothing on the page."""
    _setup()
    from evimap import NotFoundError
    from evimap.site.review import actions, freshness, listing
    from evimap.site.review.models import ReviewDue

    user = listing.user_by_name(username)
    flag = ReviewDue.objects.filter(pk=flag_id).first()
    if flag is None:
        raise NotFoundError(f"no review-due flag {flag_id}")
    with _site_output_to_stderr():
        item = freshness.as_dict(actions.dismiss_review_due(flag, user, note))
    _echo(item, as_json, f"dismissed: {_flag_line(item)}")


@review_app.command("token")
@click.option("--name", default="evimap review", show_default=True, help="a label for it")
@_as_user
def token_command(name: str, username: str) -> None:
    """Make a bearer token for the review API (printed once; only its digest is kept)."""
    _setup()
    from wagtail.log_actions import log
    from wagtail.models import APIToken

    from evimap.site.review import listing

    token, plaintext = APIToken.create_token(user=listing.user_by_name(username), name=name)
    log(token, "wagtail.apitoken.create", data={"source": "evimap review token"})
    click.echo(plaintext)
    click.echo(
        f"token {token.prefix}… for {username}: send it as 'Authorization: Bearer <token>'",
        err=True,
    )
