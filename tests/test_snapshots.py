"""Library snapshots: publish whole, switch atomically, readers follow (decision 0014)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time

import pytest

from evimap import Document, Library, Passage, SourceKind, snapshots
from evimap.errors import LibraryError

PER_VERSION = 20  # documents in each version of the fictional library


def round_docs(version: int) -> list[Document]:
    """Version k of the library holds exactly these: every id and text names k."""
    return [
        Document(
            id=f"v{version}:{n}",
            kind=SourceKind.REFERENCE,
            collection="glimmer",
            title=f"Glimmerfield syndrome note {n} of round {version}",
            passages=(Passage(f"Glimmerfield syndrome marker of round {version}, note {n}."),),
        )
        for n in range(PER_VERSION)
    ]


def write_round(library: Library, version: int) -> None:
    """Replace the library's documents by those of `version` (one ingest-like write)."""
    if version > 0:
        library.delete([d.id for d in round_docs(version - 1)])
    library.add(round_docs(version))


def test_published_versions_are_opened_whole_and_old_ones_pruned(tmp_path):
    source, root = tmp_path / "writer", tmp_path / "root"
    with Library(source, create=True) as lib:
        write_round(lib, 0)
    first = snapshots.publish(source, root)
    with Library(root, readonly=True) as reader:
        assert reader.path == first.path and reader.count() == PER_VERSION
        assert {h.document.id for h in reader.search("glimmerfield", 50)} == {
            d.id for d in round_docs(0)
        }
    again = snapshots.publish(source, root)  # nothing changed: every segment is linked
    segments = [p for p in (source / "index").iterdir() if p.suffix not in (".json", ".lock")]
    assert again.linked == len([p for p in segments if not p.name.startswith(".")]) > 0
    with Library(source) as lib:
        write_round(lib, 1)
    second = snapshots.publish(source, root, keep=2)
    assert os.readlink(root / snapshots.CURRENT) == f"versions/{second.name}"
    with Library(root, readonly=True) as reader:
        assert {h.document.id.split(":")[0] for h in reader.search("glimmerfield", 50)} == {"v1"}
    for version in (2, 3):
        with Library(source) as lib:
            write_round(lib, version)
        last = snapshots.publish(source, root, keep=2)
    assert [v.name for v in snapshots.versions(root)][-1] == last.name
    assert len(snapshots.versions(root)) == 2  # keep=2: the current one and the one before
    assert not list((root / snapshots.VERSIONS).glob(".*.partial"))


def test_a_snapshot_is_never_written_and_never_published_mid_write(tmp_path):
    source, root = tmp_path / "writer", tmp_path / "root"
    with Library(source, create=True) as lib:
        write_round(lib, 0)
    published = snapshots.publish(source, root)
    with pytest.raises(LibraryError, match="published snapshot"):
        Library(root)
    assert snapshots.is_version(published.path)
    with sqlite3.connect(source / "store.sqlite") as conn:  # as an interrupted ingest leaves it
        conn.execute("INSERT INTO index_journal (doc_id) VALUES ('v0:1')")
    with pytest.raises(LibraryError, match="not yet in its search index"):
        snapshots.publish(source, root)
    assert snapshots.versions(root) == [published.path]  # nothing half-made left behind
    with pytest.raises(LibraryError):
        snapshots.switch(root, tmp_path / "elsewhere")


def test_a_follower_notices_each_switch_once(tmp_path):
    source, root = tmp_path / "writer", tmp_path / "root"
    with Library(source, create=True) as lib:
        write_round(lib, 0)
    first = snapshots.publish(source, root)
    follower = snapshots.Follower(root, interval=0)
    assert not follower.changed() and follower.version == first.path
    second = snapshots.publish(source, root)
    assert follower.changed() and follower.version == second.path
    assert not follower.changed()
    snapshots.switch(root, first.path)  # rolling back is a switch too
    assert follower.changed() and follower.version == first.path
    assert not snapshots.Follower(source, interval=0).changed()  # a plain library


# -- two readers while a writer publishes -----------------------------------------------------


def _writer(source: str, root: str, rounds: int) -> None:
    with Library(source) as lib:
        for version in range(1, rounds + 1):
            write_round(lib, version)
            snapshots.publish(source, root, keep=rounds + 2)
            time.sleep(0.05)


def _reader(root: str, seconds: float, rounds: int, results) -> None:
    """Reads as the site does (one library kept open, a new one when the follower says so)
    and as the CLI does (a fresh open each time); every read must be one whole version."""
    follower = snapshots.Follower(root, interval=0)
    kept = Library(root, readonly=True)
    seen: set[int] = set()
    torn: list[str] = []
    reads = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if follower.changed():
            kept = Library(root, readonly=True)
        with Library(root, readonly=True) as fresh:
            for library in (kept, fresh):
                hits = library.search("glimmerfield", 50)
                versions = {h.document.id.split(":")[0] for h in hits}
                count = library.count()
                if len(versions) != 1 or len(hits) != PER_VERSION or count != PER_VERSION:
                    torn.append(f"{library.path.name}: {sorted(versions)}, {len(hits)}, {count}")
                else:
                    seen.add(int(versions.pop()[1:]))
                reads += 1
        if rounds in seen:
            break
    results.put({"seen": sorted(seen), "torn": torn, "reads": reads})


def test_two_readers_never_see_a_half_published_snapshot(tmp_path):
    source, root = tmp_path / "writer", tmp_path / "root"
    with Library(source, create=True) as lib:
        write_round(lib, 0)
    snapshots.publish(source, root)
    rounds = 6
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    readers = [
        context.Process(target=_reader, args=(str(root), 90.0, rounds, results)) for _ in range(2)
    ]
    for process in readers:
        process.start()
    time.sleep(1.5)  # let the readers open version 0 first
    writer = context.Process(target=_writer, args=(str(source), str(root), rounds))
    writer.start()
    writer.join(120)
    outcomes = [results.get(timeout=120) for _ in readers]
    for process in readers:
        process.join(10)
    assert writer.exitcode == 0
    for outcome in outcomes:
        assert outcome["torn"] == []
        assert outcome["reads"] > 0
        assert rounds in outcome["seen"]  # picked up the last version without a restart
        assert len(outcome["seen"]) >= 2


def test_publish_and_switch_from_the_command_line(tmp_path, capsys):
    from evimap.cli import main

    source, root = tmp_path / "writer", tmp_path / "root"
    with Library(source, create=True) as lib:
        write_round(lib, 0)
    assert main(["library", "publish", str(root), "-L", str(source)]) == 0
    first = capsys.readouterr().out.strip()
    with Library(source) as lib:
        write_round(lib, 1)
    assert main(["library", "publish", str(root), "-L", str(source), "--keep", "5"]) == 0
    assert "published" in capsys.readouterr().err
    assert main(["library", "switch", str(root), os.path.basename(first)]) == 0  # roll back
    with Library(root, readonly=True) as reader:
        assert str(reader.path) == first
        assert reader.exists(["v0:1", "v1:1"]) == {"v0:1"}
    assert main(["library", "switch", str(root), "no-such-version"]) != 0
    assert main(["library", "embed", "--shard", "2/2", "-L", str(source)]) != 0
