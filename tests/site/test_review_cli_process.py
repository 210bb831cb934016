"""`evimap review ...` run as its users run it: the installed command, in a process of its
own, against a site database of its own (issue 10, D2). The in-process tests of
test_review_cli_api.py run with Django already set up by pytest-django, so they could not
see a command that imports the models before it sets Django up."""

from __future__ import annotations

import json
import subprocess

import pytest
from site_on_disk import EVIMAP, site_on_disk
from test_review_cli_api import NEW_TRIAL

from evimap.library import Library

pytestmark = pytest.mark.slow


def test_a_page_goes_through_review_with_evimap_review_in_processes_of_its_own(
    tmp_path, tmp_path_factory, evidence_library
):
    site = site_on_disk(tmp_path_factory, tmp_path, evidence_library)
    page, revision = str(site.page), str(site.revision)

    def run(*argv: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(EVIMAP), "review", *argv],
            env=site.env,
            cwd=site.directory,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def run_json(*argv: str):
        done = run(*argv, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)  # nothing else on stdout (notifications go to stderr)

    listed = run_json("list", "--as", "editor")
    assert [(i["id"], i["step"], i["can_act"]) for i in listed] == [
        (site.page, "Editorial check", True)
    ]
    argv = ["request-changes", page, "--revision", revision, "--comment", "Cite the trial"]
    assert run_json(*argv, "--as", "editor")["status"] == "changes requested"
    item = run_json("submit", page, "--as", "admin")
    assert (item["status"], item["step"]) == ("in review", "Editorial check")

    refused = run("approve", page, "--revision", revision, "--as", "member")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("error: ") and "Only members of" in refused.stderr

    assert run_json("approve", page, "--revision", revision, "--as", "editor")["step"] == (
        "Medical review"
    )
    done = run("approve", page, "--revision", revision, "--as", "reviewer", "--comment", "Fine")
    assert done.returncode == 0 and done.stdout.startswith("approved:"), done.stderr
    assert run_json("list", "--all")[0]["status"] == "approved"

    # new evidence for the approved page: flagged "review due", listed, dismissed
    with Library(site.library) as library:
        library.add([NEW_TRIAL])
    report = run_json("check-evidence")
    assert [f["doc_ids"] for f in report["flags"]] == [[NEW_TRIAL.id]]
    due = run_json("due")
    assert [(d["page"]["id"], d["doc_ids"]) for d in due] == [(site.page, [NEW_TRIAL.id])]
    flag = str(due[0]["id"])
    dismissed = run_json("dismiss", flag, "--note", "No change", "--as", "editor")
    assert (dismissed["resolution"], dismissed["resolved_by"]) == ("dismissed", "editor")

    token = run("token", "--as", "editor")
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.split()) == 1 and "Authorization: Bearer" in token.stderr
