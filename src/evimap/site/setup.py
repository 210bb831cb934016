"""Setting up a site: database, roles, workflow, pages and example accounts.

    migrate()                       create or update the database tables
    ensure_site(policy_text=...)    home page, editorial policy, groups, the review workflow
    seed_accounts()                 example editor, reviewers, moderator, admin, member
                                    (the member verified, so they can share at once)

Used by `evimap demo` and by the tests; each step can run again without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from wagtail.models import GroupPagePermission, Page, Site, Workflow, WorkflowPage, WorkflowTask

from evimap.site.community.models import TERMS_VERSION, MemberProfile
from evimap.site.pages.models import HomePage, PolicyPage
from evimap.site.review.models import EditorialCheckTask, MedicalReviewTask, ReviewerProfile
from evimap.site.roles import EDITORS, MODERATE_CODENAME, MODERATORS, REVIEWERS

POLICY_HTML = """
<p>evimap answers health questions only from trusted sources: clinical practice guidelines,
peer-reviewed research (graded by study design) and pages of public health agencies.</p>
<h2>How an answer is made</h2>
<p>Every statement is a sentence taken from a cited source, numbered in order of first use.
Open a citation to read the exact source sentence behind it. An answer that nothing in our
library supports says so instead of guessing.</p>
<h2>Review before "medically reviewed"</h2>
<p>New answers are labelled <em>AI-drafted · pending human review</em>. An editor checks each
draft, then a medical reviewer from our advisory board, named on the page with their
credentials, approves it. Approval covers one version: any later change is reviewed again.
Nobody reviews their own edit.</p>
<h2>What we are not</h2>
<p>This site is for education. It does not replace advice from your own clinician. In an
emergency, call your local emergency number.</p>
"""

# username, group, (display name, credentials) for reviewers; dev passwords are printed.
ACCOUNTS = (
    ("editor", EDITORS, None),
    ("reviewer", REVIEWERS, ("Dr Ana Ruiz", "MD, Neurology")),
    ("reviewer2", REVIEWERS, ("Dr Ben Okafor", "MBBS, PhD, Internal Medicine")),
    ("moderator", MODERATORS, None),
    ("admin", None, None),
    ("member", None, None),
)


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    password: str
    role: str


def migrate(verbosity: int = 0) -> None:
    """Create or update the database tables."""
    call_command("migrate", interactive=False, verbosity=verbosity)


def ensure_site(policy_text: str = POLICY_HTML) -> HomePage:
    """The home page (as the default site's root), the policy page, groups and workflow."""
    home = _home()
    if not PolicyPage.objects.child_of(home).exists():
        policy = PolicyPage(title="Editorial policy", slug="editorial-policy", body=policy_text)
        home.add_child(instance=policy)
        policy.save_revision().publish()
    groups = {name: _group(name) for name in (EDITORS, REVIEWERS, MODERATORS)}
    groups[MODERATORS].permissions.add(Permission.objects.get(codename=MODERATE_CODENAME))
    _workflow(home, groups)
    return home


def _home() -> HomePage:
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    Page.objects.filter(depth=2, slug="home").exclude(pk__in=HomePage.objects.all()).delete()
    home = HomePage(title="evimap", slug="home", intro="Trusted answers, cited and reviewed.")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "evimap"},
    )
    return home


def _group(name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    root = Page.get_first_root_node()
    if name == MODERATORS:  # they moderate members' posts, not pages (least privilege)
        GroupPagePermission.objects.filter(group=group).delete()
        return group
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.get_or_create(
            group=group, page=root, permission=Permission.objects.get(codename=codename)
        )
    # Nobody publishes a page outside the review workflow: its final approval publishes
    # (`evimap.site.review.workflow`). Older databases gave editors and reviewers Wagtail's
    # Publish button, which cancels the workflow and puts an unreviewed revision live.
    GroupPagePermission.objects.filter(group=group, permission__codename="publish_page").delete()
    return group


def _workflow(home: HomePage, groups: dict[str, Group]) -> Workflow:
    workflow, created = Workflow.objects.get_or_create(name="Medical review")
    if created:
        for order, (cls, name, group) in enumerate(
            (
                (EditorialCheckTask, "Editorial check", groups[EDITORS]),
                (MedicalReviewTask, "Medical review", groups[REVIEWERS]),
            )
        ):
            task = cls.objects.create(name=name)
            task.groups.set([group])
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return workflow


def seed_accounts(password_for=lambda username: f"{username}-dev-pass") -> list[Account]:
    """Create the example accounts (again: passwords reset); returns them with passwords."""
    made = []
    for username, group, profile in ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = username == "admin"
        user.email = user.email or f"{username}@example.org"  # reserved domain: dev mail only
        user.set_password(password_for(username))
        user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        if profile:
            ReviewerProfile.objects.update_or_create(
                user=user, defaults={"display_name": profile[0], "credentials": profile[1]}
            )
        if username == "member":
            _member_profile(user, "Sam T.")
        made.append(Account(username, password_for(username), group or username))
    return made


def _member_profile(user: User, display_name: str) -> None:
    """A verified member who has accepted the publication terms (can share at once)."""
    from django.utils import timezone

    now = timezone.now()
    MemberProfile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": display_name,
            "consented_terms": TERMS_VERSION,
            "consented_at": now,
            "email_verified_at": now,
        },
    )
