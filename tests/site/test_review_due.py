"""'Review due': new or changed evidence flags published pages; approval or an editor resolves.

The library is a per-test copy of the fictional one; new evidence is about Glimmerfield
syndrome flares (fictional) and an unrelated fictional condition, Brindlewort palsy.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from sitedata import PASSWORD
from wagtail.models import PageLogEntry

from evimap.evidence import Document, Passage, SourceKind, StudyDesign
from evimap.library import Library
from evimap.site import answers
from evimap.site.errors import InvalidTransition, ReviewForbidden
from evimap.site.review import actions, freshness
from evimap.site.review.models import ReviewDue

COLD_TRIAL = Document(
    id="site:trial-cold",
    kind=SourceKind.RESEARCH,
    collection="site",
    title="Cold water immersion and Glimmerfield syndrome flares: a randomised trial",
    passages=(
        Passage(
            "In 240 adults, cold water immersion caused fewer Glimmerfield syndrome flares "
            "than usual care. Glimmerfield syndrome flares were shorter after cooling."
        ),
    ),
    publisher="Journal of Fictional Neurology",
    year=2025,
    design=StudyDesign.RCT,
)
UNRELATED = Document(
    id="site:agency-brindlewort",
    kind=SourceKind.REFERENCE,
    collection="site",
    title="What is Brindlewort palsy?",
    passages=(Passage("Brindlewort palsy is a fictional weakness of the eyelid in goats."),),
    publisher="Fictional Health Agency",
    year=2025,
)


@pytest.fixture
def library_path(tmp_path, settings, evidence_library):
    """A copy of the fictional library that this test may change; the site answers from it."""
    path = tmp_path / "library"
    shutil.copytree(evidence_library, path)
    settings.EVIMAP_LIBRARY = path
    answers.reset_engine()
    return path


@pytest.fixture
def reviewed(library_path, approved_page):
    """The flares page, approved, answered from the copy."""
    return approved_page


def ingest(path, *docs: Document) -> None:
    with Library(path) as library:
        library.add(list(docs))


def delete(path, *ids: str) -> None:
    with Library(path) as library:
        library.delete(ids)


def check(path, **kwargs) -> freshness.FlagReport:
    with Library(path, readonly=True) as library:
        return freshness.flag_review_due(library, **kwargs)


def open_flags(page) -> dict[str, list[str]]:
    return {f.reason: f.doc_ids for f in freshness.open_flags(page)}


def test_the_library_says_what_changed_since_a_time(library_path):
    with Library(library_path) as library:
        before = max(library.changed_since(0).values())
        assert "site:agency-causes" in library.changed_since(0)
        assert library.changed_since(before) == {}
        library.add([COLD_TRIAL])
        assert list(library.changed_since(before)) == ["site:trial-cold"]
        assert library.exists(["site:trial-cold", "site:nope"]) == {"site:trial-cold"}


def test_nothing_is_due_when_the_evidence_is_older_than_the_page(reviewed, library_path):
    report = check(library_path)
    assert report.pages == 1 and report.flags == []
    assert not ReviewDue.objects.exists()


def test_new_matching_evidence_flags_the_published_page(reviewed, library_path):
    ingest(library_path, COLD_TRIAL, UNRELATED)
    report = check(library_path)
    assert report.changed == 2
    assert open_flags(reviewed) == {ReviewDue.NEW_EVIDENCE: ["site:trial-cold"]}
    flag = freshness.open_flags(reviewed).get()
    assert flag.revision_id == reviewed.live_revision_id
    assert flag.since == reviewed.live_revision.created_at
    assert "1 pages review due" in report.summary()


def test_checking_again_changes_nothing(reviewed, library_path):
    ingest(library_path, COLD_TRIAL)
    check(library_path)
    assert check(library_path).flags == []
    assert ReviewDue.objects.count() == 1


def test_evidence_outside_the_top_results_does_not_flag(reviewed, library_path):
    ingest(library_path, COLD_TRIAL)
    with Library(library_path, readonly=True) as library:
        ranked = freshness._searcher(answers.engine_for(library), 20)(reviewed.question)
    assert "site:trial-cold" in ranked
    cut = ranked.index("site:trial-cold")  # a k that stops just before the new trial
    assert check(library_path, k=cut).flags == []
    assert check(library_path, k=cut + 1).flags


def test_since_moves_the_reference_time_later(reviewed, library_path):
    ingest(library_path, COLD_TRIAL)
    later = reviewed.live_revision.created_at + timedelta(days=1)
    assert check(library_path, since=later).flags == []


def test_an_updated_or_removed_cited_source_flags_the_page(reviewed, library_path):
    cited = freshness.cited_documents(reviewed)
    assert "site:agency-causes" in cited and "site:cohort-heat" in cited
    with Library(library_path) as library:
        changed = library.get("site:agency-causes")
    passage = Passage(changed.passages[0].text + " Cold weather rarely triggers flares.")
    ingest(library_path, replace(changed, passages=(passage,)))
    delete(library_path, "site:cohort-heat")
    check(library_path)
    assert open_flags(reviewed) == {
        ReviewDue.CITED_UPDATED: ["site:agency-causes"],
        ReviewDue.CITED_REMOVED: ["site:cohort-heat"],
    }


def test_later_matches_join_the_open_flag(reviewed, library_path):
    ingest(library_path, COLD_TRIAL)
    check(library_path)
    second = replace(COLD_TRIAL, id="site:trial-cold-2", title="Cooling vests and flares")
    ingest(library_path, second)
    check(library_path)
    assert open_flags(reviewed) == {
        ReviewDue.NEW_EVIDENCE: ["site:trial-cold", "site:trial-cold-2"]
    }
    assert ReviewDue.objects.count() == 1


def test_an_editor_dismisses_a_flag_and_it_is_not_raised_again(reviewed, library_path, people):
    ingest(library_path, COLD_TRIAL)
    flag = check(library_path).flags[0]
    done = actions.dismiss_review_due(flag, people["editor"], "Same advice as before.")
    assert done.resolution == ReviewDue.DISMISSED and done.resolved_by == people["editor"]
    assert done.note == "Same advice as before."
    assert PageLogEntry.objects.filter(page=reviewed, action="evimap.review_due.dismiss").exists()
    assert check(library_path).flags == []  # the same document for the same version
    with pytest.raises(InvalidTransition, match="already resolved"):
        actions.dismiss_review_due(flag, people["editor"])


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_only_editors_and_reviewers_dismiss(reviewed, library_path, people, who):
    ingest(library_path, COLD_TRIAL)
    flag = check(library_path).flags[0]
    with pytest.raises(ReviewForbidden):
        actions.dismiss_review_due(flag, people[who])
    flag.refresh_from_db()
    assert flag.is_open


def test_approving_a_new_revision_resolves_the_flag(reviewed, library_path, people):
    from evimap.site.pages.drafting import regenerate

    ingest(library_path, COLD_TRIAL)
    flag = check(library_path).flags[0]
    revision = regenerate(reviewed, people["admin"])
    assert "site:trial-cold" in str(revision.content["answers"])  # the new trial is used
    actions.approve(reviewed, people["editor"], revision.id)
    flag.refresh_from_db()
    assert flag.is_open  # the editorial check alone does not resolve it
    actions.approve(reviewed, people["reviewer2"], revision.id)
    flag.refresh_from_db()
    assert flag.resolution == ReviewDue.REAPPROVED and flag.resolved_by == people["reviewer2"]
    assert check(library_path).flags == []  # the new version was made with the new trial


def test_a_flag_raised_after_the_approved_revision_was_written_stays_open(
    reviewed, library_path, people
):
    from evimap.site.pages.drafting import regenerate

    revision = regenerate(reviewed, people["admin"])
    ingest(library_path, COLD_TRIAL)  # newer than the revision under review
    flag = check(library_path).flags[0]
    actions.approve(reviewed, people["editor"], revision.id)
    actions.approve(reviewed, people["reviewer"], revision.id)
    flag.refresh_from_db()
    assert flag.is_open


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


NOTICE = "Review due:</strong> new evidence since"


@pytest.mark.parametrize(("who", "sees"), [("editor", True), ("reviewer", True), ("member", False)])
def test_the_page_tells_editors_and_reviewers_only(reviewed, library_path, who, sees):
    ingest(library_path, COLD_TRIAL)
    check(library_path)
    html = signed_in(who).get(reviewed.url).content.decode()
    assert (NOTICE in html) is sees
    assert ("site:trial-cold" in html.split('class="review-panel"')[-1]) is sees
    assert NOTICE not in Client().get(reviewed.url).content.decode()


def test_no_notice_without_a_flag(reviewed, library_path):
    assert NOTICE not in signed_in("editor").get(reviewed.url).content.decode()


def test_the_review_due_list_and_its_csrf_protected_dismiss_form(reviewed, library_path, people):
    ingest(library_path, COLD_TRIAL)
    flag = check(library_path).flags[0]
    assert Client().get("/review/due/").status_code == 302  # sign in first
    assert signed_in("member").get("/review/due/").status_code == 403
    client = Client(enforce_csrf_checks=True)
    client.login(username="editor", password=PASSWORD)
    html = client.get("/review/due/").content.decode()
    assert reviewed.title in html and "site:trial-cold" in html
    url = f"/review/due/{flag.pk}/dismiss/"
    assert client.post(url, {"note": "x"}).status_code == 403  # no CSRF token
    flag.refresh_from_db()
    assert flag.is_open
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"note": "No change", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolution == ReviewDue.DISMISSED and flag.note == "No change"
    assert "Nothing is due" in client.get("/review/due/").content.decode()


def test_the_admin_dashboard_lists_review_due_pages(reviewed, library_path):
    ingest(library_path, COLD_TRIAL)
    check(library_path)
    html = signed_in("editor").get("/admin/").content.decode()
    assert "Review due: new evidence (1)" in html and reviewed.title in html


def test_evimap_ingest_flags_pages_when_a_site_is_set_up(
    reviewed, library_path, tmp_path, monkeypatch, capsys
):
    from evimap.cli import main
    from evimap.site import commands

    guideline = tmp_path / "cooling.md"
    guideline.write_text(
        '---\ntitle: "Cooling during Glimmerfield syndrome flares"\n'
        "organization: Fictional Society of Neurology\nyear: 2026\n---\n\n"
        "## Flares\n\nCooling shortens Glimmerfield syndrome flares caused by heat. "
        "Offer cooling to adults with Glimmerfield syndrome flares.\n"
    )
    monkeypatch.setattr(commands, "site_in_use", lambda: True)
    args = ["ingest", "guidelines", str(guideline), "-L", str(library_path)]
    assert main([*args, "--no-review-check"]) == 0
    assert open_flags(reviewed) == {}
    guideline.write_text(guideline.read_text() + "Cooling vests helped in one trial.\n")
    assert main(args) == 0  # the guideline changed: checked after the ingest
    assert "pages review due" in capsys.readouterr().err
    assert list(open_flags(reviewed)) == [ReviewDue.NEW_EVIDENCE]


def test_review_due_finds_new_evidence_by_the_engines_first_stage(reviewed, library_path):
    """flag_review_due asks the engine it is given (`AnswerEngine.retrieve`), the site's by
    default: an engine that retrieves nothing flags nothing new."""
    ingest(library_path, COLD_TRIAL)

    class Retrieves:
        def __init__(self, found):
            self.found = found

        def retrieve(self, question, k):
            return self.found[:k]

    with Library(library_path, readonly=True) as library:
        nothing = freshness.flag_review_due(library, engine=Retrieves([]))
        assert nothing.flags == []
        found = answers.engine_for(library).retrieve(reviewed.question, 10)
        flagged = freshness.flag_review_due(library, engine=Retrieves(found))
    assert [f.reason for f in flagged.flags] == [ReviewDue.NEW_EVIDENCE]
