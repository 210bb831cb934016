"""`evimap library backup` / `restore` (issue 10, "Then prove it"), run as users run them: in
a process, on a small fictional library (Glimmerfield syndrome is invented)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from evimap.backup import MANIFEST, backup_library, restore_library
from evimap.errors import LibraryBusyError
from evimap.evidence import Document, Passage, SourceKind, StudyDesign
from evimap.library import INDEX_DIR, STORE_FILE, Library
from evimap.vocabulary import for_library

EVIMAP = Path(sys.executable).parent / "evimap"
SITE_JSONL = Path(__file__).parent / "fixtures" / "site" / "library.jsonl"
FLARES = "What causes Glimmerfield syndrome flares?"
BATCH = 5  # documents per transaction of the concurrent writer


def fixture_documents() -> list[Document]:
    lines = SITE_JSONL.read_text().splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if not line.startswith("#")]


def quendrith(n: int) -> Document:
    """A document on another invented subject, written while a backup runs."""
    return Document(
        id=f"quendrith:{n}",
        kind=SourceKind.RESEARCH,
        collection="quendrith",
        title=f"Quendrith fever cohort {n}",
        passages=(Passage("Quendrith fever follows contact with marsh water."),),
        year=2001,
        design=StudyDesign.OBSERVATIONAL,
    )


@pytest.fixture
def library(tmp_path) -> Path:
    path = tmp_path / "lib"
    with Library(path, create=True) as lib:
        lib.add(fixture_documents())
        for_library(lib, None, rebuild=True)
    return path


@pytest.fixture
def cli(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'no-site.sqlite3'}",
        "EVIMAP_LIBRARY": str(tmp_path / "no-library"),
        "EVIMAP_SHARED_DATA": str(tmp_path / "no-shared-data"),
        "COLUMNS": "300",
    }

    def run(*argv: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(EVIMAP), *argv], env=env, capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert (done.returncode == 0) == ok, done.stderr
        return done

    return run


def stored_count(library: Path) -> int:
    with Library(library, readonly=True) as lib:
        return lib.store.count()


def test_restore_answers_and_searches_exactly_as_the_library_did(tmp_path, library, cli):
    backup = tmp_path / "backup"
    made = cli("library", "backup", str(backup), "--library", str(library))
    assert f"backed up 8 documents (store.sqlite, vocabulary.json; 0.1 MB) to {backup}" in (
        made.stderr
    )
    assert sorted(p.name for p in backup.iterdir()) == [MANIFEST, STORE_FILE, "vocabulary.json"]
    assert json.loads((backup / MANIFEST).read_text())["documents"] == 8

    restored = tmp_path / "restored"
    done = cli("library", "restore", str(backup), "--library", str(restored))
    assert "restored 8 documents" in done.stderr and "search index rebuilt (8 documents)" in (
        done.stderr
    )
    assert (restored / INDEX_DIR).is_dir()  # the index was rebuilt, not copied
    with Library(restored, readonly=True) as lib:
        assert lib.index.count() == lib.store.count() == 8
        assert lib.store.journal() == []

    outputs = {}
    for command in (
        ("ask", FLARES, "--mode", "lexical", "--format", "json"),
        ("ask", FLARES, "--audience", "clinician", "--mode", "lexical", "--format", "json"),
        ("search", "heat and Glimmerfield flares", "--mode", "lexical", "--json"),
        ("library", "search", "hot bath"),
    ):
        before = cli(*command, "--library", str(library)).stdout
        after = cli(*command, "--library", str(restored)).stdout
        assert before == after
        outputs[command[:2]] = after
    answer = json.loads(outputs[("ask", FLARES)])  # the output compared was a real answer
    assert answer["short_answer"] and not answer["abstained"]
    assert answer["references"][0]["doc_id"] == "site:agency-causes"
    found = json.loads(outputs[("search", "heat and Glimmerfield flares")])["results"]
    assert len(found) == 8
    assert "site:agency-causes" in outputs[("library", "search")]


@pytest.mark.slow
def test_a_backup_taken_while_another_connection_writes_is_one_consistent_moment(
    tmp_path, library, cli
):
    written = 0
    stop = threading.Event()
    failed: list[BaseException] = []

    def writer() -> None:
        nonlocal written
        try:
            with Library(library) as lib:
                while not stop.is_set() and written < 5000:
                    lib.add([quendrith(written + i) for i in range(BATCH)])
                    written += BATCH
                    time.sleep(0.005)
        except BaseException as exc:  # reported by the test below
            failed.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written < 3 * BATCH and thread.is_alive():
            time.sleep(0.01)
        before = written
        backup = tmp_path / "backup"
        cli("library", "backup", str(backup), "--library", str(library))
        during = written - before
    finally:
        stop.set()
        thread.join()
    assert not failed, failed
    assert during > 0, "the writer wrote nothing while the backup ran"
    total = stored_count(library)
    assert total == 8 + written

    copied = json.loads((backup / MANIFEST).read_text())["documents"]
    assert 8 + before <= copied <= total
    assert (copied - 8) % BATCH == 0  # whole transactions only
    conn = sqlite3.connect(backup / STORE_FILE)
    assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no WAL
    conn.close()

    restored = tmp_path / "restored"
    cli("library", "restore", str(backup), "--library", str(restored))
    with Library(restored, readonly=True) as lib:
        assert lib.store.count() == lib.index.count() == copied
        assert len(lib.search("quendrith marsh", k=10_000)) == copied - 8
        assert {h.document.collection for h in lib.search("glimmerfield", k=10_000)} == {"site"}


def test_clear_errors_for_missing_unreadable_and_foreign_paths(tmp_path, library, cli):
    def error(*argv: str) -> str:
        done = cli(*argv, ok=False)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert lines[-1].startswith("error: "), done.stderr
        return lines[-1]

    missing = tmp_path / "missing"
    assert error("library", "backup", str(tmp_path / "b"), "--library", str(missing)) == (
        f"error: no evidence library at {missing}"
    )
    assert error("library", "restore", str(missing), "--library", str(tmp_path / "r")) == (
        f"error: no backup at {missing}"
    )
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a library")
    assert "is not an evimap library (it has no store.sqlite)" in error(
        "library", "backup", str(tmp_path / "b"), "--library", str(foreign)
    )
    assert "is not an evimap backup" in error(
        "library", "restore", str(foreign), "--library", str(tmp_path / "r")
    )
    assert "it is a library: back it up with `evimap library backup`" in error(
        "library", "restore", str(library), "--library", str(tmp_path / "r")
    )
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / STORE_FILE).write_bytes(b"\x00not a database" * 100)
    assert "cannot read the document store" in error(
        "library", "backup", str(tmp_path / "b"), "--library", str(garbage)
    )
    assert not (tmp_path / "b").exists()  # nothing half-made is left behind
    assert "must be separate folders" in error(
        "library", "backup", str(library / "inside"), "--library", str(library)
    )


def test_a_non_empty_target_is_replaced_only_when_asked_and_only_if_it_is_ours(
    tmp_path, library, cli
):
    backup = tmp_path / "backup"
    cli("library", "backup", str(backup), "--library", str(library))
    again = cli("library", "backup", str(backup), "--library", str(library), ok=False)
    assert "is not empty: give a new or empty folder, or --force to replace the backup" in (
        again.stderr
    )
    cli("library", "backup", str(backup), "--library", str(library), "--force")

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    for command in ("backup", "restore"):
        args = (str(precious), "--library", str(library))
        if command == "restore":
            args = (str(backup), "--library", str(precious))
        refused = cli("library", command, *args, "--force", ok=False)
        assert "is not empty and holds no evimap" in refused.stderr
        assert (precious / "thesis.txt").read_text() == "years of work"

    # restoring over an existing library: refused, then done with --force
    other = tmp_path / "other"
    with Library(other, create=True) as lib:
        lib.add([quendrith(n) for n in range(3)])
    refused = cli("library", "restore", str(backup), "--library", str(other), ok=False)
    assert "or --force to replace the library there" in refused.stderr
    assert stored_count(other) == 3
    cli("library", "restore", str(backup), "--library", str(other), "--force")
    with Library(other, readonly=True) as lib:
        assert lib.store.count() == lib.index.count() == 8
        assert lib.search("quendrith", k=10) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path, library, cli):
    backup = tmp_path / "backup"
    backup_library(library, backup)
    store = backup / STORE_FILE
    data = bytearray(store.read_bytes())
    data[-100] ^= 0xFF
    store.write_bytes(bytes(data))
    refused = cli("library", "restore", str(backup), "--library", str(tmp_path / "r"), ok=False)
    assert f"error: the backup at {backup} is damaged: store.sqlite has changed since" in (
        refused.stderr
    )
    assert not (tmp_path / "r").exists()


def test_restoring_over_a_library_being_written_is_refused(tmp_path, library):
    backup = tmp_path / "backup"
    backup_library(library, backup)
    with Library(library) as writer:
        writer.index.writer  # noqa: B018 - hold the writer, as an ingest does
        with pytest.raises(LibraryBusyError, match="being written by another process"):
            restore_library(backup, library, overwrite=True)
    assert stored_count(library) == 8


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_library_is_a_clear_error(tmp_path, library, cli):
    (library / STORE_FILE).chmod(0)
    try:
        done = cli("library", "backup", str(tmp_path / "b"), "--library", str(library), ok=False)
    finally:
        (library / STORE_FILE).chmod(0o644)
    assert "error: cannot read the document store" in done.stderr


def test_vectors_and_vocabulary_travel_with_the_store(tmp_path, library):
    from evimap.vectors import VECTORS_FILE, VectorStore

    with VectorStore(library / VECTORS_FILE) as vectors:
        vectors.reset("test-model", "test-recipe")
        vectors.write([("site:agency-causes", "h1", "test-model", "reference", "site", b"\x01")])
    made = backup_library(library, tmp_path / "backup")
    assert made.files == (STORE_FILE, VECTORS_FILE, "vocabulary.json")
    assert made.documents == 8
    done = restore_library(tmp_path / "backup", tmp_path / "restored")
    assert (done.documents, done.indexed) == (8, 8)
    with VectorStore(tmp_path / "restored" / VECTORS_FILE, readonly=True) as vectors:
        assert vectors.rows("test-model") == [("site:agency-causes", "reference", "site", b"\x01")]
        assert vectors.meta("recipe") == "test-recipe"
    vocabulary = "vocabulary.json"
    assert (tmp_path / "restored" / vocabulary).read_bytes() == (library / vocabulary).read_bytes()
