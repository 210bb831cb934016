"""Backing up and restoring an evidence library.

    BACKUP/
      evimap-backup.json  what the backup holds: version, documents, each file's size and hash
      store.sqlite        the document store, one self-contained SQLite file
      vectors.sqlite      the document vectors, when the library has them
      vocabulary.json     the question vocabulary, when the library has one

The store and the vectors are copied with SQLite's online backup API in one step: one read
transaction, so the copy is the library as it was at one moment, and (WAL) writers go on
meanwhile. The search index is not copied: `restore_library` rebuilds it from the store.

A restore is made in a folder beside the target and moved into place only when whole, so a
failed restore leaves the target as it was. Neither ever replaces a folder that is not empty
unless asked (`overwrite`), and then only an evimap backup (for a backup) or an evimap
library (for a restore), never another folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evimap.errors import LibraryError, NotFoundError
from evimap.library import STORE_FILE, Library
from evimap.store import SCHEMA_VERSION
from evimap.vectors import VECTORS_FILE
from evimap.vocabulary.loading import FILE_NAME as VOCABULARY_FILE

MANIFEST = "evimap-backup.json"
FORMAT = 1
DATABASES = (STORE_FILE, VECTORS_FILE)  # copied with the online backup API
PLAIN_FILES = (VOCABULARY_FILE,)  # written atomically by evimap: a plain copy is whole


@dataclass(slots=True, frozen=True)
class BackupReport:
    path: Path
    documents: int
    files: tuple[str, ...]  # the library's files copied, STORE_FILE first
    bytes: int
    seconds: float


@dataclass(slots=True, frozen=True)
class RestoreReport:
    path: Path
    documents: int
    indexed: int  # documents in the rebuilt search index
    files: tuple[str, ...]
    seconds: float


def backup_library(
    library: Path | str, target: Path | str, *, overwrite: bool = False
) -> BackupReport:
    """Copy the library at `library` into the folder `target` (made when missing).

    `target` must be empty or missing; `overwrite` replaces an earlier backup there.
    """
    started = time.perf_counter()
    source = _library_folder(Path(library))
    target = Path(target)
    _check_apart(source, target)
    _check_target(target, overwrite, kind="backup", marker=MANIFEST)
    with _staging(target, "backup") as staging:
        files: dict[str, dict] = {}
        documents = 0
        for name in DATABASES:
            if (source / name).exists():
                _copy_database(source / name, staging / name, journal_mode="DELETE")
                if name == STORE_FILE:
                    documents = _documents(staging / name)
        for name in PLAIN_FILES:
            if (source / name).exists():
                _copy_file(source / name, staging / name)
        for name in (*DATABASES, *PLAIN_FILES):
            if (staging / name).exists():
                files[name] = {
                    "bytes": (staging / name).stat().st_size,
                    "sha256": _hash(staging / name),
                }
        manifest = {
            "format": FORMAT,
            "store_schema": SCHEMA_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": str(source.resolve()),
            "documents": documents,
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        _sync(staging)
        _move_into_place(staging, target, "backup")
    return BackupReport(
        path=target,
        documents=documents,
        files=tuple(files),
        bytes=sum(f["bytes"] for f in files.values()),
        seconds=time.perf_counter() - started,
    )


def restore_library(
    backup: Path | str,
    library: Path | str,
    *,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RestoreReport:
    """Make the library at `library` from the backup folder `backup`; the search index is
    rebuilt from the restored store (`progress` is called with documents indexed).

    `library` must be empty or missing; `overwrite` replaces the library there (stop the
    site and any ingest first: a process writing it is refused, one reading it keeps the
    old files until it reopens the library).
    """
    started = time.perf_counter()
    backup = Path(backup)
    library = Path(library)
    manifest = _read_manifest(backup)
    _check_apart(backup, library)
    _check_target(library, overwrite, kind="library", marker=STORE_FILE)
    if overwrite and (library / STORE_FILE).exists():
        _check_not_written(library)
    with _staging(library, "restore") as staging:
        for name in manifest["files"]:
            if name in DATABASES:
                _copy_database(backup / name, staging / name, journal_mode="WAL")
            else:
                _copy_file(backup / name, staging / name)
        with Library(staging, new_index=True) as restored:
            documents = restored.store.count()
            indexed = restored.rebuild_index(progress=progress)
            if restored.index.searcher().num_docs != documents:
                raise LibraryError(
                    f"the rebuilt search index holds {restored.index.searcher().num_docs} "
                    f"documents, the restored store {documents}"
                )
        _sync(staging)
        _move_into_place(staging, library, "library")
    return RestoreReport(
        path=library,
        documents=documents,
        indexed=indexed,
        files=tuple(manifest["files"]),
        seconds=time.perf_counter() - started,
    )


# -- checks ----------------------------------------------------------------------------------


def _library_folder(path: Path) -> Path:
    """`path` if it is a readable evimap library, else a LibraryError that says why."""
    if not path.exists():
        raise NotFoundError(f"no evidence library at {path}")
    if not path.is_dir():
        raise LibraryError(f"{path} is a file, not an evidence library folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise LibraryError(f"cannot read the library folder {path}: permission denied")
    if not (path / STORE_FILE).is_file():
        raise LibraryError(f"{path} is not an evimap library (it has no {STORE_FILE})")
    try:
        conn = sqlite3.connect(f"file:{path / STORE_FILE}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise LibraryError(f"cannot read the document store {path / STORE_FILE}: {exc}") from exc
    if row is None or row[0] != str(SCHEMA_VERSION):
        found = "none" if row is None else row[0]
        raise LibraryError(
            f"{path / STORE_FILE} has store schema {found}; this evimap reads {SCHEMA_VERSION}"
        )
    return path


def _read_manifest(path: Path) -> dict:
    """The manifest of the backup at `path`, its files checked against their hashes."""
    if not path.exists():
        raise NotFoundError(f"no backup at {path}")
    if not path.is_dir():
        raise LibraryError(f"{path} is a file, not a backup folder")
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        hint = (
            "; it is a library: back it up with `evimap library backup`"
            if (path / STORE_FILE).exists()
            else ""
        )
        raise LibraryError(f"{path} is not an evimap backup: it has no {MANIFEST}{hint}")
    try:
        manifest = json.loads(manifest_path.read_text())
    except OSError as exc:
        raise LibraryError(f"cannot read {manifest_path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise LibraryError(f"{manifest_path} is not a backup manifest: {exc}") from exc
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(files, dict) or STORE_FILE not in files:
        raise LibraryError(f"{manifest_path} is not a backup manifest this evimap reads")
    if manifest.get("store_schema") != SCHEMA_VERSION:
        raise LibraryError(
            f"the backup at {path} has store schema {manifest.get('store_schema')}; "
            f"this evimap reads {SCHEMA_VERSION}"
        )
    for name, facts in files.items():
        if name not in (*DATABASES, *PLAIN_FILES):
            raise LibraryError(f"{manifest_path} lists an unknown file {name!r}")
        file = path / name
        try:
            digest = _hash(file)
        except FileNotFoundError:
            raise LibraryError(f"the backup at {path} is missing {name}") from None
        except OSError as exc:
            raise LibraryError(f"cannot read {file}: {exc.strerror or exc}") from exc
        if digest != facts.get("sha256"):
            raise LibraryError(f"the backup at {path} is damaged: {name} has changed since")
    return manifest


def _check_apart(source: Path, target: Path) -> None:
    a, b = source.resolve(), target.resolve()
    if a == b or a in b.parents or b in a.parents:
        raise LibraryError(
            f"{target} and {source} must be separate folders, neither inside the other"
        )


def _check_target(path: Path, overwrite: bool, *, kind: str, marker: str) -> None:
    """A target is missing or an empty folder; with `overwrite`, also a `kind` (it holds
    `marker`), never any other folder."""
    if not path.exists():
        return
    if not path.is_dir():
        raise LibraryError(f"{path} is a file: give a folder for the {kind}")
    try:
        empty = next(path.iterdir(), None) is None
    except OSError as exc:
        raise LibraryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if empty:
        return
    if not overwrite:
        raise LibraryError(
            f"{path} is not empty: give a new or empty folder, or --force to replace the "
            f"{kind} there"
        )
    if not (path / marker).exists():
        raise LibraryError(
            f"{path} is not empty and holds no evimap {kind}: refusing to replace it"
        )


def _check_not_written(library: Path) -> None:
    """Raise LibraryBusyError when another process holds the library's writer."""
    with Library(library) as lib:
        lib.index.writer  # noqa: B018 - taking the writer is the check; released on close


# -- copying ---------------------------------------------------------------------------------


def _copy_database(source: Path, target: Path, *, journal_mode: str) -> None:
    """Copy a SQLite database with the online backup API, in one step (one snapshot)."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LibraryError(f"cannot read {source}: {exc}") from exc
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout = 20000")
        src.backup(dst)  # pages=-1: every page under one read lock; WAL writers carry on
        dst.execute(f"PRAGMA journal_mode = {journal_mode}")
        (check,) = dst.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as exc:
        raise LibraryError(f"cannot copy {source}: {exc}") from exc
    finally:
        src.close()
        dst.close()
    if check != "ok":
        raise LibraryError(f"the copy of {source} failed SQLite's check: {check}")


def _copy_file(source: Path, target: Path) -> None:
    try:
        shutil.copy2(source, target)
    except OSError as exc:
        raise LibraryError(f"cannot copy {source}: {exc.strerror or exc}") from exc


def _documents(store: Path) -> int:
    conn = sqlite3.connect(store)
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _staging(target: Path, what: str) -> Iterator[Path]:
    """A new folder beside `target`, removed unless it was moved into place."""
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = parent / f".{target.name}.{what}-{os.getpid()}-{time.time_ns()}"
        staging.mkdir()
    except OSError as exc:
        raise LibraryError(f"cannot write in {parent}: {exc.strerror or exc}") from exc
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path, kind: str) -> None:
    """Rename `staging` to `target`; a folder already there is set aside, then removed."""
    old = None
    try:
        if target.exists():
            if next(target.iterdir(), None) is None:
                target.rmdir()
            else:
                old = staging.with_name(staging.name + ".old")
                target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            if old is not None:
                old.rename(target)  # the earlier one back in place
            raise
    except OSError as exc:
        raise LibraryError(f"cannot put the {kind} at {target}: {exc.strerror or exc}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush the folder's files to disk before it is moved into place."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


__all__ = ["BackupReport", "RestoreReport", "backup_library", "restore_library"]
