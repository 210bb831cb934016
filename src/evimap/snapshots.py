"""Library snapshots: a writer publishes a whole library, readers switch to it atomically.

    ROOT/
      CURRENT                   symlink -> versions/NAME: the version readers open
      versions/
        20261203T170102Z-5f3a/  one whole library (store.sqlite, index/, vectors.sqlite,
                                ann-*.usearch, vocabulary.json) and SNAPSHOT.json
        .NAME.partial/          a version being written: no reader ever looks here

`publish(library, root)` copies the writer's library into `.NAME.partial` (the SQLite files
with the online backup API, one read snapshot each; the search index's segment files,
which tantivy never changes once written, hard-linked from the current version where it has
them, so a publish copies only new segments), syncs it to disk, renames it to
`versions/NAME`, and only then points CURRENT at it: a new symlink renamed over the old one,
which POSIX makes atomic. A reader resolving CURRENT gets the old version or the new one,
each complete, never a mixture. The oldest versions past `keep` are then deleted (never the
current one); a process that still has one open keeps reading it (unlinked files stay
readable on POSIX).

Readers: `resolve(path)` is the folder to open for `path` (the version CURRENT names when
`path` is a snapshot root, else `path`); `Library(root, readonly=True)` calls it, so every
reader (CLI, site) opens the current version. `Follower` is how a long-running reader picks
up new versions without a restart: `changed()` is one readlink, at most every `interval`
seconds, and the site's answer engine makes a new engine on the new version when it is true
(evimap.site.answers). Multi-machine deployment: docs/DEPLOY.md.

This module imports nothing of the library's own, so the library can import it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evimap.errors import LibraryError

CURRENT = "CURRENT"
VERSIONS = "versions"
MANIFEST = "SNAPSHOT.json"
STORE_FILE = "store.sqlite"  # = evimap.library.STORE_FILE (not imported: no cycle)
DATABASES = ("store.sqlite", "vectors.sqlite")
INDEX_DIR = "index"
KEEP = 3


@dataclass(slots=True, frozen=True)
class PublishReport:
    name: str
    path: Path
    files: int
    linked: int  # index segment files hard-linked from the previous version
    bytes_copied: int
    seconds: float


def is_root(path: Path) -> bool:
    return (path / CURRENT).is_symlink()


def is_version(path: Path) -> bool:
    """Whether `path` is a published version (ROOT/versions/NAME): never written again."""
    return path.parent.name == VERSIONS and is_root(path.parent.parent)


def resolve(path: Path) -> Path:
    """The folder to open for `path`: its current version when it is a snapshot root."""
    if not is_root(path):
        return path
    target = current(path)
    if target is None:
        raise LibraryError(f"{path / CURRENT} points at no version")
    return target


def current(root: Path) -> Path | None:
    """The version CURRENT points at (resolved to an absolute path), or None."""
    try:
        link = os.readlink(root / CURRENT)
    except OSError:
        return None
    target = (root / link).resolve()
    return target if target.is_dir() else None


def versions(root: Path) -> list[Path]:
    """Published versions, oldest first (names start with their UTC time)."""
    folder = root / VERSIONS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def publish(library: Path | str, root: Path | str, *, keep: int = KEEP) -> PublishReport:
    """Publish the library at `library` as the new current version of snapshot `root`.

    Run it from the writer, between writes (after an ingest or embed run): the store's
    journal must be empty, i.e. every committed batch is in the search index too."""
    started = time.perf_counter()
    source, root = Path(library), Path(root)
    if not (source / STORE_FILE).exists():
        raise LibraryError(f"no evidence library at {source}")
    if source.resolve() == root.resolve() or root.resolve() in source.resolve().parents:
        raise LibraryError("publish a library into a snapshot root outside it")
    _check_settled(source / STORE_FILE)
    (root / VERSIONS).mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stamp}-{uuid.uuid4().hex[:6]}"
    partial = root / VERSIONS / f".{name}.partial"
    final = root / VERSIONS / name
    previous = current(root)
    files = linked = copied = 0
    partial.mkdir()
    try:
        for entry in sorted(source.iterdir()):
            target = partial / entry.name
            if entry.name in DATABASES:
                _copy_database(entry, target)
            elif entry.name == INDEX_DIR:
                n, links, size = _copy_index(entry, target, previous)
                files, linked, copied = files + n, linked + links, copied + size
                continue
            elif entry.is_file() and not entry.name.endswith(("-wal", "-shm", ".partial")):
                shutil.copy2(entry, target)
            else:
                continue
            files += 1
            copied += target.stat().st_size
        manifest = {
            "name": name,
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": str(source.resolve()),
            "documents": _documents(partial / STORE_FILE),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        _sync_tree(partial)
        os.rename(partial, final)
        _fsync_dir(root / VERSIONS)
        switch(root, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    prune(root, keep=keep)
    return PublishReport(name, final, files, linked, copied, time.perf_counter() - started)


def switch(root: Path, version: Path) -> None:
    """Point CURRENT at `version` (a folder under ROOT/versions) in one atomic rename."""
    version = Path(version)
    if version.parent.resolve() != (root / VERSIONS).resolve() or not version.is_dir():
        raise LibraryError(f"{version} is not a published version of {root}")
    link = root / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    os.symlink(Path(VERSIONS) / version.name, link)
    os.replace(link, root / CURRENT)  # rename(2): readers see the old link or the new
    _fsync_dir(root)


def prune(root: Path, *, keep: int = KEEP) -> list[str]:
    """Delete the oldest versions past `keep` (never the current one); their names."""
    live = current(root)
    old = [v for v in versions(root) if v != live]
    doomed = old[: max(0, len(old) - max(keep - 1, 0))]
    for version in doomed:
        shutil.rmtree(version, ignore_errors=True)
    return [v.name for v in doomed]


class Follower:
    """For a long-running reader: notices when ROOT's CURRENT moves to another version."""

    def __init__(self, path: Path, *, interval: float = 1.0) -> None:
        self.path = Path(path)
        self.interval = interval
        self.version = current(self.path) if is_root(self.path) else None
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def changed(self) -> bool:
        """True once per switch (a readlink at most every `interval` seconds); the new
        version is then `self.version`."""
        if self.version is None:
            return False  # not a snapshot root: nothing to follow
        now = time.monotonic()
        if now - self._checked < self.interval:
            return False
        with self._lock:
            self._checked = now
            latest = current(self.path)
            if latest is None or latest == self.version:
                return False
            self.version = latest
            return True


def _check_settled(store: Path) -> None:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        pending = conn.execute("SELECT 1 FROM index_journal LIMIT 1").fetchone()
    except sqlite3.Error as exc:
        raise LibraryError(f"cannot read {store}: {exc}") from exc
    finally:
        conn.close()
    if pending:
        raise LibraryError(
            "the library has writes not yet in its search index (an ingest is running or "
            "was interrupted): publish after it ends, or run any ingest to recover first"
        )


def _copy_database(source: Path, target: Path) -> None:
    """One read snapshot of a SQLite file, copied whole; rollback journal, so a reader can
    open the copy read-only with no -wal or -shm file beside it."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout = 20000")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        raise LibraryError(f"cannot copy {source}: {exc}") from exc
    finally:
        src.close()
        dst.close()


def _copy_index(source: Path, target: Path, previous: Path | None) -> tuple[int, int, int]:
    """The index folder: segment files hard-linked from `previous` when it has the same
    file (same name and size: tantivy names segments by a fresh id and never rewrites
    them), everything else copied. Returns (files, linked, bytes copied)."""
    target.mkdir()
    files = linked = copied = 0
    old = previous / INDEX_DIR if previous is not None else None
    for entry in sorted(source.iterdir()):
        if not entry.is_file() or entry.name.endswith(".lock"):
            continue
        files += 1
        mutable = entry.name.startswith(".") or entry.suffix == ".json"
        same = old / entry.name if old is not None else None
        reusable = not mutable and same is not None and same.is_file()
        if reusable and same.stat().st_size == entry.stat().st_size:  # type: ignore[union-attr]
            try:
                os.link(same, target / entry.name)  # type: ignore[arg-type]
                linked += 1
                continue
            except OSError:
                pass  # another file system: copy
        shutil.copy2(entry, target / entry.name)
        copied += entry.stat().st_size
    return files, linked, copied


def _documents(store: Path) -> int:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


def _sync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
