"""The evidence library unreadable or its index deleted under the site: question pages are
still served (their answers are stored with them), asking says clearly that the library is
unavailable (503 in the API, a message in the follow-up box), never a 500; when the folder
is readable again, or `evimap library rebuild-index` has rebuilt the index, asking works
again without restarting the site (issue 10, faults: a deleted index gave 500 ValueError
"Failed to acquire Lockfile", an unreadable folder 500 LibraryError, a missing library 404)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from site_on_disk import site_env

from evimap.site import answers

EVIMAP = Path(sys.executable).parent / "evimap"
QUESTION = {"question": "Can heat trigger a flare?"}


@pytest.fixture
def library_copy(tmp_path, evidence_library, settings):
    """The site answers from a copy of the fixture library, which the test may break."""
    copy = tmp_path / "library"
    shutil.copytree(evidence_library, copy)
    settings.EVIMAP_LIBRARY = copy
    answers.reset_engine()
    yield copy
    if copy.exists():
        os.chmod(copy, 0o755)
    answers.reset_engine()


def ask(**extra):
    return Client().post("/api/ask", {**QUESTION, **extra}, content_type="application/json")


def test_a_deleted_index_is_a_clear_503_until_rebuild_index(library_copy, approved_page):
    assert ask().status_code == 200
    shutil.rmtree(library_copy / "index")
    response = ask(page_id=approved_page.pk)
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    error = json.loads(response.content)["error"]
    assert (error["type"], error["retryable"]) == ("LibraryUnavailable", True)
    assert "evidence library cannot be read" in error["message"]
    page = Client().get(approved_page.url)  # the page and its stored answer
    assert page.status_code == 200 and approved_page.title in page.content.decode()
    followup = Client().post(
        approved_page.url, {"question": "How are flares treated?"}, HTTP_HX_REQUEST="true"
    )
    assert followup.status_code == 200
    assert "evidence library cannot be read" in followup.content.decode()

    # rebuild-index makes an empty index first and fills it: answers from it would all say
    # the sources hold nothing, so asking is still "unavailable" until it is committed
    from evimap.index import SearchIndex

    SearchIndex(library_copy / "index").close()
    response = ask()
    assert response.status_code == 503
    assert json.loads(response.content)["error"]["type"] == "LibraryUnavailable"

    rebuilt = subprocess.run(
        [str(EVIMAP), "library", "rebuild-index", "--library", str(library_copy)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert ask().status_code == 200  # the same engine, the site not restarted


def test_a_missing_library_is_503_not_404(library_copy, approved_page):
    library_copy.rename(library_copy.with_name("gone"))
    answers.reset_engine()  # a new worker: the engine is made on first use
    response = ask(page_id=approved_page.pk)
    assert response.status_code == 503
    assert json.loads(response.content)["error"]["type"] == "LibraryUnavailable"
    assert Client().get(approved_page.url).status_code == 200


# The site's threads open their own store connection on first use: a new thread meets the
# unreadable folder, as gunicorn's do. Root reads any file, so the script runs without the
# capabilities that allow it (setpriv), as a server run by a service account would.
_UNREADABLE = """
import json, os, sys, threading
import django
django.setup()
from django.test import Client
library = sys.argv[1]

def ask():
    got = []
    def run():
        r = Client().post("/api/ask", {"question": "Can heat trigger a flare?"},
                          content_type="application/json")
        got.append([r.status_code, r.get("Retry-After"), r.content.decode()[:300]])
    t = threading.Thread(target=run)
    t.start()
    t.join()
    return got[0]

result = {"before": ask()}
os.chmod(library, 0)
try:
    result["unreadable"] = ask()
finally:
    os.chmod(library, 0o755)
result["readable again"] = ask()
print(json.dumps(result))
"""


def test_an_unreadable_library_folder_is_a_clear_503_until_readable(tmp_path, library_copy):
    command = [sys.executable, "-c", _UNREADABLE, str(library_copy)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: every folder is readable to root")
        caps = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *command]
    env = {**site_env(tmp_path, library_copy), "DJANGO_SETTINGS_MODULE": "evimap.site.settings"}
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["before"][0] == 200
    status, retry, body = result["unreadable"]
    assert status == 503 and int(retry) > 0, result["unreadable"]
    assert json.loads(body)["error"]["type"] == "LibraryUnavailable"
    assert result["readable again"][0] == 200
