"""The library: idempotent adds, updates, deletions, crashes, snapshots and the writer lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evimap import (
    Deletion,
    Document,
    LibraryBusyError,
    LibraryError,
    NotFoundError,
    Passage,
    Problem,
    SourceKind,
    StudyDesign,
)
from evimap.library import Library


def make_doc(n: int, text: str = "Glimmerfield syndrome flares follow heat exposure.") -> Document:
    return Document(
        id=f"test:{n}",
        kind=SourceKind.RESEARCH,
        collection="test",
        title=f"Glimmerfield syndrome cohort {n}",
        passages=(Passage(text),),
        year=2000 + n % 25,
        design=StudyDesign.OBSERVATIONAL,
        mesh=("Glimmerfield Syndrome",),
    )


@pytest.fixture
def library(tmp_path: Path):
    with Library(tmp_path / "lib", create=True) as lib:
        yield lib


def index_ids(lib: Library) -> set[str]:
    return {h.document.id for h in lib.search("glimmerfield", k=10_000)}


def test_added_documents_can_be_read_back_whole_and_searched(library):
    doc = make_doc(1, "Quorvane fever starts abruptly. It resolves in a week.")
    report = library.add([doc])
    assert (report.added, report.failed) == (1, 0)
    stored = library.get("test:1")
    assert stored.title == doc.title and stored.design is StudyDesign.OBSERVATIONAL
    assert stored.passages[0].sentences == ((0, 31), (32, 54))
    assert [h.document.id for h in library.search("quorvane fever")] == ["test:1"]


def test_adding_the_same_documents_again_changes_nothing(library):
    docs = [make_doc(n) for n in range(30)]
    library.add(docs)
    last_write = "SELECT max(updated_at) FROM documents"
    before = library.store.conn.execute(last_write).fetchone()
    report = library.add(docs)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 30)
    assert library.store.conn.execute(last_write).fetchone() == before
    assert library.stats().documents == 30 and len(index_ids(library)) == 30
    assert library.store.journal() == []


def test_changed_content_updates_store_and_index(library):
    library.add([make_doc(1, "Old wording about heat.")])
    report = library.add([make_doc(1, "New wording about humidity.")])
    assert (report.added, report.updated) == (0, 1)
    assert library.get("test:1").passages[0].text == "New wording about humidity."
    assert [h.document.id for h in library.search("humidity")] == ["test:1"]
    assert library.search("heat") == []
    assert library.index.count() == 1


def test_deletion_removes_from_store_and_index(library):
    library.add([make_doc(n) for n in range(3)])
    assert library.delete(["test:1", "test:404"]) == 1
    with pytest.raises(NotFoundError):
        library.get("test:1")
    assert index_ids(library) == {"test:0", "test:2"}


def test_a_deletion_after_an_add_in_the_same_run_wins(library):
    report = library.add([make_doc(1), make_doc(2), Deletion("test:1")], batch_size=2)
    assert report.deleted == 1
    assert index_ids(library) == {"test:2"}


def test_problems_are_counted_and_do_not_stop_the_run(library):
    records = [make_doc(1), Problem("a.xml", "7", "no PMID"), make_doc(2)]
    report = library.add(records)
    assert (report.added, report.failed) == (2, 1)
    assert str(report.problems[0]) == "a.xml [7]: no PMID"


def interrupted(after: int):
    for n in range(after):
        yield make_doc(n)
    raise KeyboardInterrupt


def test_ctrl_c_mid_ingest_keeps_every_committed_batch_and_nothing_else(tmp_path):
    path = tmp_path / "lib"
    with Library(path, create=True) as lib, pytest.raises(KeyboardInterrupt):
        lib.add(interrupted(25), batch_size=10)
    with Library(path) as lib:
        assert lib.recover() == 20  # stored but not yet indexed when interrupted
        assert lib.stats().documents == 20
        assert index_ids(lib) == {f"test:{n}" for n in range(20)}
        assert lib.store.journal() == []


def test_a_new_writer_replays_the_journal_left_by_a_crash(tmp_path):
    path = tmp_path / "lib"
    with Library(path, create=True) as lib:
        from evimap.store import prepare

        lib.store.write([prepare(make_doc(7))], [])  # stored, index never committed
    with Library(path, readonly=True) as reader:
        assert reader.stats().pending_index == 1
        assert reader.search("glimmerfield") == []
    with Library(path) as lib:
        lib.add([])
        assert index_ids(lib) == {"test:7"}


CRASHING_WRITER = textwrap.dedent("""
    import sys, time
    from evimap.library import Library
    from tests.test_library import make_doc

    def slow():
        for n in range(100_000):
            if n and n % 50 == 0:
                print(n, flush=True)
                time.sleep(0.02)
            yield make_doc(n)

    with Library(sys.argv[1], create=True, index_commit_every=120) as lib:
        lib.add(slow(), batch_size=25)
""")


@pytest.mark.slow
def test_a_killed_writer_leaves_a_consistent_library(tmp_path):
    path = tmp_path / "lib"
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    for line in proc.stdout:
        if int(line) >= 400:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with Library(path) as lib:  # the lock died with the process: writing works again
        lib.recover()
        stored = lib.stats().documents
        assert stored >= 375 and stored % 25 == 0  # whole batches only
        assert len(index_ids(lib)) == stored
        assert lib.store.journal() == []


def test_a_reader_snapshot_does_not_move_while_a_writer_adds(tmp_path):
    path = tmp_path / "lib"
    with Library(path, create=True) as writer:
        writer.add([make_doc(n) for n in range(5)])
        with Library(path, readonly=True) as reader, reader.snapshot() as snap:
            assert snap.count() == 5
            writer.add([make_doc(n) for n in range(5, 9)])
            assert snap.count() == 5
            assert len(snap.search("glimmerfield", k=100)) == 5
        with Library(path, readonly=True) as reader:
            assert reader.stats().documents == 9


def test_a_second_writer_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "lib"
    with Library(path, create=True) as first:
        first.add([make_doc(1)])
        first.index.writer  # noqa: B018 - hold the writer
        with Library(path) as second, pytest.raises(LibraryBusyError, match="another process"):
            second.add([make_doc(2)])


def test_opening_a_missing_library_says_how_to_make_one(tmp_path):
    with pytest.raises(NotFoundError, match="evimap ingest"):
        Library(tmp_path / "nowhere")


def test_the_index_can_be_rebuilt_from_the_store(library):
    library.add([make_doc(n) for n in range(12)])
    library.index.delete_all()
    library.index.commit()
    assert index_ids(library) == set()
    assert library.rebuild_index() == 12
    assert len(index_ids(library)) == 12


def test_stats_count_by_kind_design_and_year_and_size(library):
    library.add([make_doc(n) for n in range(4)])
    stats = library.stats()
    assert stats.by_kind == {"research": 4}
    assert stats.by_design == {"cohort/observational": 4}
    assert sum(stats.by_year.values()) == 4 and "2001" in stats.by_year
    assert stats.sentences == 4 and stats.store_bytes > 0 and stats.index_bytes > 0
    assert stats.bytes_per_document > 0


def test_stats_count_guideline_grades_and_licenses(library):
    graded = Document(
        id="g:1",
        kind=SourceKind.GUIDELINE,
        collection="guideline",
        title="Glimmerfield screening",
        passages=(Passage("Screen adults for Glimmerfield syndrome."),),
        grade="B",
    )
    licensed = Document(
        id="pmc:PMC1",
        kind=SourceKind.RESEARCH,
        collection="pmc",
        title="A trial",
        passages=(Passage("Rest helped."),),
        extra={"license": "CC BY 4.0"},
        keywords=("quorvane",),
    )
    library.add([make_doc(1), graded, licensed])
    stats = library.stats()
    assert stats.by_grade == {"B": 1}  # graded documents only
    assert stats.by_license == {"": 2, "CC BY 4.0": 1}
    assert library.get("g:1").grade == "B"
    assert [h.document.id for h in library.search("quorvane")] == ["pmc:PMC1"]  # keywords


def test_a_store_made_before_grades_and_licenses_gets_their_columns(tmp_path):
    import sqlite3

    with Library(tmp_path / "lib", create=True) as lib:
        lib.add([make_doc(1)])
    with sqlite3.connect(tmp_path / "lib" / "store.sqlite") as conn:  # as an older evimap made it
        conn.execute("ALTER TABLE documents DROP COLUMN grade")
        conn.execute("ALTER TABLE documents DROP COLUMN license")
    conn.close()
    with Library(tmp_path / "lib", readonly=True) as lib:
        assert lib.stats().by_grade == {} and lib.stats().by_license == {}
    with Library(tmp_path / "lib") as lib:
        report = lib.add([make_doc(1), make_doc(2)])
        assert (report.added, report.unchanged) == (1, 1)
        assert lib.stats().by_license == {"": 2}


def test_search_filters_by_kind(library):
    guideline = Document(
        id="g:1",
        kind=SourceKind.GUIDELINE,
        collection="guideline",
        title="Glimmerfield syndrome guideline",
        passages=(Passage("Rest."),),
    )
    library.add([make_doc(1), guideline])
    assert [h.document.id for h in library.search("glimmerfield", kind=["guideline"])] == ["g:1"]


@pytest.mark.parametrize(
    "text",
    [
        "parkinson's disease",
        "flare-up AND (heat)",
        '"unclosed',
        "NOT OR AND",
        ":::",
        "a:b c*",
        "title:glimmerfield",
        "glimmerfield^2 [x TO y]",
        "",
        "   ",
        "ñandú’s café",
        "<script>",
    ],
)
def test_any_text_is_a_safe_query(library, text):
    library.add([make_doc(1)])
    assert isinstance(library.search(text), list)


def test_an_index_of_another_schema_says_how_to_rebuild_and_the_rebuild_works(tmp_path):
    import tantivy

    path = tmp_path / "lib"
    with Library(path, create=True) as lib:
        lib.add([make_doc(n) for n in range(3)])
    (path / "index").rename(tmp_path / "old-index")
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("other", stored=True)
    (path / "index").mkdir()
    tantivy.Index(builder.build(), path=str(path / "index"))
    with pytest.raises(LibraryError, match="rebuild-index"):
        Library(path)
    with Library(path, new_index=True) as lib:
        assert lib.rebuild_index() == 3
        assert len(index_ids(lib)) == 3


def test_the_library_says_how_many_documents_and_whether_it_has_vectors(library):
    assert library.count() == 0 and not library.has_vectors
    library.add([make_doc(1), make_doc(2)])
    assert library.count() == 2
    (library.path / "vectors.sqlite").touch()  # what `evimap library embed` writes
    assert library.has_vectors
