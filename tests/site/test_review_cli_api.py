"""Editorial actions from the CLI (`evimap review ... --as USER`) and the token API
(/api/review/...): every transition and every forbidden one, through the same actions."""

from __future__ import annotations

import json
import shlex
import shutil

import pytest
from django.test import Client
from sitedata import PASSWORD
from wagtail.models import APIToken, WorkflowState

from evimap.cli import main
from evimap.evidence import Document, Passage, SourceKind
from evimap.library import Library
from evimap.site.review import actions
from evimap.site.review.models import ReviewDue

ERROR_KEYS = {"status", "type", "message", "retryable"}


@pytest.fixture(autouse=True)
def _restore_environment(monkeypatch, evidence_library):
    """`evimap review` points the environment at the library; undo that after each test."""
    monkeypatch.setenv("EVIMAP_LIBRARY", str(evidence_library))


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["review", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli_json(capsys, *argv: str):
    code, out, err = cli(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def step(page) -> str | None:
    page.refresh_from_db()
    task_state = page.current_workflow_task_state
    return task_state.task.name if task_state else None


def edited_by(page, user):
    """A new revision written by `user` (returned to review)."""
    draft = page.get_latest_revision_as_object()
    draft.focus = f"{draft.focus} (edited)"
    return actions.save_edit(draft, user)


# -- CLI --------------------------------------------------------------------------------------


def test_cli_lists_pages_in_review_and_who_can_act(capsys, flares_page):
    items = cli_json(capsys, "list", "--as", "editor")
    assert [i["id"] for i in items] == [flares_page.pk]
    item = items[0]
    assert item["status"] == "in review" and item["step"] == "Editorial check"
    assert item["revision_id"] == flares_page.latest_revision_id and item["can_act"] is True
    assert cli_json(capsys, "list", "--as", "reviewer")[0]["can_act"] is False
    code, out, _ = cli(capsys, "list")
    assert code == 0 and "Editorial check" in out and flares_page.title in out


def test_cli_takes_a_page_through_both_steps(capsys, flares_page):
    revision = str(flares_page.latest_revision_id)
    page = str(flares_page.pk)
    item = cli_json(capsys, "approve", page, "--revision", revision, "--as", "editor")
    assert item["step"] == "Medical review"
    code, out, _ = cli(capsys, "approve", page, "--revision", revision, "--as", "reviewer")
    assert code == 0 and out.startswith("approved:") and "approved" in out
    assert step(flares_page) is None
    assert cli_json(capsys, "list", "--all")[0]["status"] == "approved"


def test_cli_requests_changes_then_resubmits(capsys, flares_page):
    page, revision = str(flares_page.pk), str(flares_page.latest_revision_id)
    argv = ["request-changes", page, "--revision", revision, "--comment", "Cite it"]
    item = cli_json(capsys, *argv, "--as", "editor")
    assert item["status"] == "changes requested"
    assert flares_page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    item = cli_json(capsys, "submit", page, "--as", "admin")
    assert item["status"] == "in review" and item["step"] == "Editorial check"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("approve {page} --revision {rev} --as member", "Only members of"),
        ("approve {page} --revision {rev} --as reviewer", "Only members of"),
        ("approve {page} --revision {rev} --as nobody", "no user 'nobody'"),
        ("approve 999999 --revision {rev} --as editor", "no question page"),
        ("submit {page} --as member", "Only editors and medical reviewers"),
        ("submit {page} --as editor", "already in review"),
        ("request-changes {page} --revision {rev} --comment ' ' --as editor", "needs a comment"),
    ],
)
def test_cli_refuses_what_the_rules_forbid(capsys, flares_page, argv, message):
    filled = argv.format(page=flares_page.pk, rev=flares_page.latest_revision_id)
    code, out, err = cli(capsys, *shlex.split(filled))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert step(flares_page) == "Editorial check"


def test_cli_refuses_a_stale_revision_and_an_own_edit(capsys, flares_page, people):
    stale = flares_page.latest_revision_id
    revision = edited_by(flares_page, people["editor"])
    page = str(flares_page.pk)
    code, _, err = cli(capsys, "approve", page, "--revision", str(stale), "--as", "editor")
    assert code == 1 and "earlier revision" in err
    code, _, err = cli(capsys, "approve", page, "--revision", str(revision.id), "--as", "editor")
    assert code == 1 and "your own edit" in err
    assert step(flares_page) == "Editorial check"


def test_cli_needs_as_and_a_revision(capsys, flares_page):
    code, _, err = cli(capsys, "approve", str(flares_page.pk), "--as", "editor")
    assert code == 2 and "--revision" in err
    code, _, err = cli(capsys, "submit", str(flares_page.pk))
    assert code == 2 and "--as" in err


def test_cli_refuses_approving_an_approved_page(capsys, approved_page):
    revision = str(approved_page.latest_revision_id)
    argv = ["approve", str(approved_page.pk), "--revision", revision, "--as", "reviewer2"]
    code, _, err = cli(capsys, *argv)
    assert code == 1 and "not in review" in err


NEW_TRIAL = Document(
    id="site:trial-cooling",
    kind=SourceKind.RESEARCH,
    collection="site",
    title="Cooling vests and Glimmerfield syndrome flares",
    passages=(Passage("Cooling vests caused fewer Glimmerfield syndrome flares in 90 adults."),),
    year=2025,
)


@pytest.fixture
def changed_library(tmp_path, evidence_library, settings):
    from evimap.site import answers

    path = tmp_path / "library"
    shutil.copytree(evidence_library, path)
    settings.EVIMAP_LIBRARY = path
    answers.reset_engine()
    return path


def test_cli_checks_evidence_lists_due_and_dismisses(
    capsys, changed_library, approved_page, people
):
    with Library(changed_library) as library:
        library.add([NEW_TRIAL])
    lib = str(changed_library)
    code, out, err = cli(capsys, "check-evidence", "-L", lib)
    assert code == 0, err
    assert "1 pages review due" in out and "site:trial-cooling" in out
    again = cli_json(capsys, "check-evidence", "-L", lib)
    assert again["flags"] == [] and again["pages"] == 1
    due = cli_json(capsys, "due")
    assert [(d["page"]["id"], d["reason"], d["doc_ids"]) for d in due] == [
        (approved_page.pk, ReviewDue.NEW_EVIDENCE, ["site:trial-cooling"])
    ]
    flag = str(due[0]["id"])
    code, _, err = cli(capsys, "dismiss", flag, "--as", "member")
    assert code == 1 and "Only editors and medical reviewers" in err
    done = cli_json(capsys, "dismiss", flag, "--note", "No change", "--as", "editor")
    assert done["resolution"] == "dismissed" and done["resolved_by"] == "editor"
    code, _, err = cli(capsys, "dismiss", flag, "--as", "editor")
    assert code == 1 and "already resolved" in err
    assert cli_json(capsys, "due") == []
    assert cli_json(capsys, "due", "--all")[0]["note"] == "No change"
    code, _, err = cli(capsys, "dismiss", "999999", "--as", "editor")
    assert code == 1 and "no review-due flag" in err


# -- API --------------------------------------------------------------------------------------


@pytest.fixture
def tokens(people):
    """A bearer token per person."""
    return {name: APIToken.create_token(user=user, name="test")[1] for name, user in people.items()}


def api(tokens, who: str | None, method: str, path: str, body: dict | None = None):
    client = Client(enforce_csrf_checks=True)  # token requests need no CSRF token
    headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
    if method == "get":
        return client.get(f"/api/review{path}", headers=headers)
    return client.post(
        f"/api/review{path}", body or {}, content_type="application/json", headers=headers
    )


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS and error["status"] == status
    return error


def test_api_needs_a_valid_token(tokens, flares_page):
    assert error_of(api(tokens, None, "get", "/pages"), 401)["type"] == "NotAuthenticated"
    client = Client()
    bad = client.get("/api/review/pages", headers={"Authorization": "Bearer evm_nope"})
    assert "unknown" in error_of(bad, 401)["message"]
    basic = client.get("/api/review/pages", headers={"Authorization": "Basic abc"})
    error_of(basic, 401)
    token = APIToken.objects.get(user__username="editor")
    token.revoke()
    error_of(api(tokens, "editor", "get", "/pages"), 401)


def test_api_ignores_a_signed_in_session(flares_page):
    client = Client()
    assert client.login(username="editor", password=PASSWORD)
    path = f"/api/review/pages/{flares_page.pk}/approve"
    body = {"revision_id": flares_page.latest_revision_id}
    error_of(client.post(path, body, content_type="application/json"), 401)
    assert step(flares_page) == "Editorial check"


def test_api_takes_a_page_through_both_steps(tokens, flares_page):
    body = {"revision_id": flares_page.latest_revision_id}
    listed = api(tokens, "editor", "get", "/pages").json()
    assert listed[0]["id"] == flares_page.pk and listed[0]["can_act"] is True
    response = api(tokens, "editor", "post", f"/pages/{flares_page.pk}/approve", body)
    assert response.status_code == 200 and response.json()["step"] == "Medical review"
    body["comment"] = "Accurate."
    response = api(tokens, "reviewer", "post", f"/pages/{flares_page.pk}/approve", body)
    assert response.json()["status"] == "approved"
    assert api(tokens, "editor", "get", f"/pages/{flares_page.pk}").json()["status"] == "approved"


def test_api_requests_changes_then_resubmits(tokens, flares_page):
    path = f"/pages/{flares_page.pk}"
    body = {"revision_id": flares_page.latest_revision_id, "comment": "Cite the guideline"}
    response = api(tokens, "editor", "post", f"{path}/request-changes", body)
    assert response.json()["status"] == "changes requested"
    error_of(api(tokens, "member", "post", f"{path}/submit"), 403)
    assert api(tokens, "admin", "post", f"{path}/submit").json()["step"] == "Editorial check"
    error_of(api(tokens, "admin", "post", f"{path}/submit"), 409)  # already in review


@pytest.mark.parametrize(
    ("who", "body", "status", "message"),
    [
        ("member", {}, 403, "Only members of"),
        ("moderator", {}, 403, "Only members of"),
        ("reviewer", {}, 403, "Only members of"),
        ("editor", {"revision_id": 1}, 409, "earlier revision"),
        ("editor", {"revision_id": "x"}, 422, "revision_id"),
    ],
)
def test_api_refuses_what_the_rules_forbid(tokens, flares_page, who, body, status, message):
    body = {"revision_id": flares_page.latest_revision_id, **body}
    response = api(tokens, who, "post", f"/pages/{flares_page.pk}/approve", body)
    assert message in error_of(response, status)["message"]
    assert step(flares_page) == "Editorial check"


def test_api_refuses_a_missing_comment_and_an_own_edit(tokens, flares_page, people):
    path = f"/pages/{flares_page.pk}"
    body = {"revision_id": flares_page.latest_revision_id, "comment": "  "}
    response = api(tokens, "editor", "post", f"{path}/request-changes", body)
    assert "needs a comment" in error_of(response, 409)["message"]
    error_of(api(tokens, "editor", "post", f"{path}/request-changes", {"revision_id": 1}), 422)
    revision = edited_by(flares_page, people["editor"])
    response = api(tokens, "editor", "post", f"{path}/approve", {"revision_id": revision.id})
    assert "your own edit" in error_of(response, 403)["message"]
    assert step(flares_page) == "Editorial check"


def test_api_refuses_unknown_pages_and_approved_ones(tokens, approved_page):
    body = {"revision_id": approved_page.latest_revision_id}
    error_of(api(tokens, "reviewer2", "post", "/pages/999999/approve", body), 404)
    response = api(tokens, "reviewer2", "post", f"/pages/{approved_page.pk}/approve", body)
    assert "not in review" in error_of(response, 409)["message"]


def test_api_lists_and_dismisses_review_due(tokens, changed_library, approved_page):
    from evimap.site.review.freshness import flag_review_due

    with Library(changed_library) as library:
        library.add([NEW_TRIAL])
        flag = flag_review_due(library).flags[0]
    due = api(tokens, "reviewer", "get", "/due").json()
    assert [d["id"] for d in due] == [flag.pk] and due[0]["doc_ids"] == ["site:trial-cooling"]
    error_of(api(tokens, "member", "post", f"/due/{flag.pk}/dismiss"), 403)
    done = api(tokens, "editor", "post", f"/due/{flag.pk}/dismiss", {"note": "No change"})
    assert done.json()["resolution"] == "dismissed"
    error_of(api(tokens, "editor", "post", f"/due/{flag.pk}/dismiss"), 409)
    error_of(api(tokens, "editor", "post", "/due/999999/dismiss"), 404)
    assert api(tokens, "editor", "get", "/due").json() == []
    assert api(tokens, "editor", "get", "/due?all=true").json()[0]["note"] == "No change"


def test_a_cli_token_works_on_the_api(capsys, site, flares_page):
    code, out, err = cli(capsys, "token", "--as", "editor")
    assert code == 0 and "Bearer" in err
    token = out.strip()
    response = Client().get("/api/review/pages", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()[0]["can_act"] is True


def test_the_openapi_schema_lists_the_review_operations(client, db):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/review/pages", "/api/review/pages/{page_id}/approve", "/api/review/due"} <= set(
        schema["paths"]
    )
    security = schema["paths"]["/api/review/pages"]["get"]["security"]
    assert security and "TokenAuth" in security[0]


@pytest.mark.parametrize("who", ["member", "moderator"])
@pytest.mark.parametrize(
    "path", ["/pages", "/pages?all=true", "/due", "/due?all=true", "/pages/{page}"]
)
def test_api_review_lists_are_for_editors_and_reviewers_only(tokens, flares_page, who, path):
    """Issue 10, D24: the lists name unpublished drafts and pages under review."""
    response = api(tokens, who, "get", path.format(page=flares_page.pk))
    error = error_of(response, 403)
    assert error["type"] == "ReviewForbidden" and "Only editors" in error["message"]


@pytest.mark.parametrize("who", ["editor", "reviewer", "admin"])
def test_api_review_lists_are_read_by_editors_reviewers_and_staff(tokens, flares_page, who):
    assert [p["id"] for p in api(tokens, who, "get", "/pages?all=true").json()] == [flares_page.pk]
    assert api(tokens, who, "get", "/due").json() == []
    assert api(tokens, who, "get", f"/pages/{flares_page.pk}").status_code == 200
