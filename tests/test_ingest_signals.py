"""D20 (issue 10): parser processes die with the ingest that started them, however it ends,
and Ctrl-C prints the documented line (exit 130), no worker tracebacks. Run as users run it:
`evimap ingest` in a process of its own, with parser processes, on a generated PubMed file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.test_ingest import ARTICLE

from evimap.library import Library

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and /proc"),
]

EVIMAP = Path(sys.executable).parent / "evimap"
RECORDS = 30_000  # about 20 MB: three segments, parsed for several seconds
INTERRUPTED = "interrupted: every batch committed before the interruption is kept"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signals") / "big.xml"
    with path.open("w") as out:
        out.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
        out.writelines(ARTICLE.format(pmid=pmid) for pmid in range(1, RECORDS + 1))
        out.write("</PubmedArticleSet>\n")
    return path


def start_ingest(path: Path, library: Path, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'no-site.sqlite3'}"}
    argv = [str(EVIMAP), "ingest", "pubmed", str(path), "-L", str(library), "--workers", "2"]
    # its own session: a terminal's Ctrl-C signals the whole foreground group, as killpg does
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def parsers_of(pid: int) -> list[int]:
    """The parser (spawn_main) processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_parsers(proc: subprocess.Popen, count: int = 2) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(found := parsers_of(proc.pid)) >= count:
            time.sleep(1.5)  # let them parse a while: the signal lands mid-record
            return found
        time.sleep(0.05)
    pytest.fail(f"no parser processes started (exit {proc.poll()})")


def wait_gone(pids: list[int], seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find parser processes")
def test_sigkill_of_an_ingest_ends_its_parser_processes(big_file, tmp_path):
    proc = start_ingest(big_file, tmp_path / "lib", tmp_path)
    parsers = wait_for_parsers(proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    left = wait_gone(parsers)
    for pid in left:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == [], "parser processes outlived a SIGKILLed ingest"
    proc.stdout.close()
    proc.stderr.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find parser processes")
def test_ctrl_c_prints_the_documented_line_and_keeps_committed_batches(big_file, tmp_path):
    library = tmp_path / "lib"
    proc = start_ingest(big_file, library, tmp_path)
    parsers = wait_for_parsers(proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = proc.communicate(timeout=60)
    text = stderr.decode()
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert text.rstrip().splitlines()[-1] == INTERRUPTED
    assert wait_gone(parsers) == []
    with Library(library, readonly=True) as lib:
        kept = lib.stats().documents
    assert kept < RECORDS
    again = start_ingest(big_file, library, tmp_path)  # the next run replays and completes
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr.decode()
    assert f"unchanged {kept}," in stderr.decode()  # what the first run committed was kept
    with Library(library, readonly=True) as lib:
        assert lib.stats().documents == RECORDS and lib.stats().pending_index == 0
        assert len(lib.search("glimmerfield", k=2 * RECORDS)) == RECORDS
