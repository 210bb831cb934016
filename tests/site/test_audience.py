"""One rule for the audience everywhere (issue 10, D25): any case is accepted and becomes
lower case on the web page, in the API and in the CLI; an unknown one is a visible fallback
to the patient page on the web (and the page answer API), a 400 from /api/ask and an error
from `evimap ask`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitedata import FLARES

UNKNOWN_NOTE = "That reader type is not one we know"


@pytest.mark.parametrize("asked", ["Clinician", "CLINICIAN", " clinician "])
def test_the_web_page_takes_any_case(client, approved_page, asked):
    response = client.get(approved_page.url, {"audience": asked})
    html = response.content.decode()
    assert '<article class="question-page" data-audience="clinician">' in html
    assert UNKNOWN_NOTE not in html
    assert response.cookies["evimap_audience"].value == "clinician"


def test_the_web_page_reads_a_cookie_in_any_case(client, approved_page):
    client.cookies["evimap_audience"] = "Caregiver"
    html = client.get(approved_page.url).content.decode()
    assert 'data-audience="caregiver"' in html


def test_an_unknown_audience_on_the_web_page_is_a_visible_fallback(client, approved_page):
    response = client.get(approved_page.url, {"audience": "astronaut"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-audience="patient"' in html and UNKNOWN_NOTE in html
    assert "evimap_audience" not in response.cookies  # not remembered


def test_the_api_takes_any_case(client, approved_page):
    url = f"/api/pages/{approved_page.pk}/answer"
    data = client.get(url, {"audience": "Clinician"}).json()
    assert (data["audience"], data["audience_note"]) == ("clinician", None)
    unknown = client.get(url, {"audience": "astronaut"}).json()
    assert unknown["audience"] == "patient" and UNKNOWN_NOTE in unknown["audience_note"]
    body = {"question": FLARES, "audience": "CLINICIAN"}
    asked = client.post("/api/ask", body, content_type="application/json")
    assert asked.status_code == 200 and asked.json()["answer"]["audience"] == "clinician"
    body["audience"] = "astronaut"
    refused = client.post("/api/ask", body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["type"] == "AudienceError"


def _ask(evidence_library: Path, tmp_path: Path, audience: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVIMAP_", "DJANGO_"))}
    env |= {"EVIMAP_LIBRARY": str(evidence_library), "EVIMAP_SHARED_DATA": str(tmp_path / "no")}
    command = [str(Path(sys.executable).parent / "evimap"), "ask", FLARES, "--format", "json"]
    return subprocess.run(
        [*command, "--audience", audience],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_takes_any_case(evidence_library, tmp_path):
    done = _ask(evidence_library, tmp_path, "Clinician")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["audience"] == "clinician"
    refused = _ask(evidence_library, tmp_path, "astronaut")
    assert refused.returncode != 0 and "astronaut" in refused.stderr
