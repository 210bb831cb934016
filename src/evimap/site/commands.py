"""The site's CLI commands (`evimap serve`, the site half of `evimap demo`).

Django is imported inside the functions, so `evimap` works without the site extra.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, MutableMapping
from contextlib import contextmanager
from pathlib import Path

import click

from evimap import Settings

DEMO_QUESTIONS = (
    "What causes MS flares?",
    "What causes multiple sclerosis?",
    "What are the symptoms of Parkinson's disease?",
    "How is type 2 diabetes treated?",
    "What causes migraine?",
    "How can osteoporosis be prevented?",
)
APPROVED_IN_DEMO = DEMO_QUESTIONS[0]
# The secret key `evimap serve` and `evimap demo` generate and keep when none is given.
GENERATED_KEY = Path("var/secret_key")


def configure(settings: Settings, *, serving: bool = False) -> None:
    """Point Django at our settings and the library, validate the environment, set up.

    `serving` (serve, demo): DEBUG is off unless EVIMAP_DEBUG turns it on (`serving_env`).
    """
    from evimap.site.admission import Limits
    from evimap.site.env import SiteSettings

    if serving:
        serving_env(os.environ)
    site = SiteSettings.from_env()  # ConfigError (one line) before anything starts
    Limits.from_env(os.environ)  # EVIMAP_MAX_ACTIVE... too
    os.environ["EVIMAP_LIBRARY"] = str(settings.library)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evimap.site.settings")
    if site.database["ENGINE"].endswith("sqlite3"):
        Path(site.database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def serving_env(environ: MutableMapping[str, str], key_file: Path = GENERATED_KEY) -> None:
    """The environment of a server people use: EVIMAP_DEBUG is off unless set, and with
    DEBUG off and no key given, the key kept in `key_file` (generated on first use) rather
    than the public development key. Validates every setting (ConfigError) first."""
    from evimap.site.env import SiteSettings, key_given

    environ.setdefault("EVIMAP_DEBUG", "0")
    given = key_given(environ)
    site = SiteSettings.from_env(environ, key_file=key_file)
    if not site.debug and not given:
        environ["EVIMAP_SECRET_KEY_FILE"] = str(key_file.resolve())


def site_in_use() -> bool:
    """Whether a site is set up here: the site extra is installed and its database exists
    (a PostgreSQL DATABASE_URL counts as existing)."""
    from importlib.util import find_spec

    if find_spec("django") is None:
        return False
    from evimap.site.env import SiteSettings

    database = SiteSettings.from_env().database
    return not database["ENGINE"].endswith("sqlite3") or Path(database["NAME"]).exists()


def check_evidence(settings: Settings, say: Callable[[str], None]) -> None:
    """After an ingest: flag the site's published pages whose evidence changed."""
    configure(settings)
    from evimap import Library
    from evimap.site.review import freshness

    with Library(settings.library, readonly=True) as library:
        report = freshness.flag_review_due(library)
    say(f"site: {report.summary()}")


def site_demo(settings: Settings, say: Callable[[str], None]) -> None:
    """Migrate, seed accounts and pages, take one page through review (progress via `say`).

    The site is set up as it is served after: DEBUG off unless EVIMAP_DEBUG=1."""
    configure(settings, serving=True)
    from django.conf import settings as django_settings

    from evimap.site import setup

    if not django_settings.DEBUG:
        say(f"site: debug off (EVIMAP_DEBUG=1 turns it on); secret key from {_key_source()}")
    say("site: migrating the database...")
    setup.migrate()
    home = setup.ensure_site()
    say("site: accounts (development passwords):")
    for account in setup.seed_accounts():
        say(f"  {account.username:<10} {account.password:<20} {account.role}")
    with _mail_kept_in_memory():  # the seeding's workflow notifications would flood the log
        pages = _draft_demo_pages(home, say)
        _approve(pages[APPROVED_IN_DEMO], say)
    say(
        "site: try the community: sign in as member, open a question page, 'Share your "
        "experience'; sign in as moderator and approve it at /community/queue/"
    )


def _key_source() -> str:
    if os.environ.get("EVIMAP_SECRET_KEY"):
        return "EVIMAP_SECRET_KEY"
    return os.environ.get("EVIMAP_SECRET_KEY_FILE", "EVIMAP_SECRET_KEY_FILE")


@contextmanager
def _mail_kept_in_memory():
    from django.conf import settings

    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = backend


def _draft_demo_pages(home, say: Callable[[str], None]) -> dict:
    from django.contrib.auth.models import User

    from evimap.site.pages.drafting import draft_question
    from evimap.site.pages.models import QuestionPage

    admin = User.objects.get(username="admin")
    pages = {}
    for question in DEMO_QUESTIONS:
        page = QuestionPage.objects.filter(question=question).first()
        if page is None:
            page = draft_question(question, admin, home)
            say(f"site: drafted {question!r} under {page.get_parent().title}")
        pages[question] = page
    return pages


def _approve(page, say: Callable[[str], None]) -> None:
    from django.contrib.auth.models import User

    from evimap.site.review import actions

    if page.current_workflow_task_state is None:
        return  # approved on an earlier run
    revision = page.latest_revision_id
    for username in ("editor", "reviewer"):
        actions.approve(page, User.objects.get(username=username), revision)
        say(f"site: {username} approved {page.title!r}")


def runserver(bind: str) -> None:
    """Django's development server (the demo); `serve` is the production one."""
    from django.core.management import call_command

    call_command("runserver", bind, use_reloader=False)


# gunicorn's settings for `evimap serve` (docs/decisions/0010-load-and-faults.md): threaded
# workers behind admission control (evimap.site.admission); a worker whose main loop stops
# answering for TIMEOUT seconds is replaced; on SIGTERM requests in progress get GRACE seconds.
TIMEOUT, GRACE = 30, 20


def gunicorn_args(bind: str, workers: int, threads: int | None = None) -> list[str]:
    """The gunicorn command line of `evimap serve` (after `configure`)."""
    from evimap.site.admission import Limits

    threads = threads or Limits.from_env(os.environ).threads
    args = [sys.executable, "-m", "gunicorn", "evimap.site.wsgi:application"]
    args += ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)]
    args += ["--timeout", str(TIMEOUT), "--graceful-timeout", str(GRACE)]
    return [*args, "--bind", bind, "--access-logfile", "-"]


def gunicorn(
    settings: Settings, bind: str, workers: int, check: bool, threads: int | None = None
) -> None:
    """Run gunicorn against the configured database and library (replaces this process)."""
    configure(settings, serving=True)
    if check:
        from django.conf import settings as django_settings
        from django.core.management import call_command

        call_command("check", deploy=False)
        debug = "on (EVIMAP_DEBUG=1)" if django_settings.DEBUG else "off"
        click.echo(f"settings and database are fine; debug {debug}", err=True)
        return
    args = gunicorn_args(bind, workers, threads)
    os.execv(sys.executable, args)
