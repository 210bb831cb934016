"""Running a source adapter over files into the library, with parser processes in parallel.

Parser processes read files and `prepare` documents (sentence split, serialise, hash); the
calling process only writes batches. The input is cut into units (a file, or a segment of a
large file where the adapter can cut one), grouped into tasks of about TASK_BYTES, dealt
round-robin to the workers, each with its own bounded queue, and memory stays bounded
however large the input.

A later unit wins: where two files hold the same document (the 2018 and 2019 PubMed
baselines; an update file's new version) or a later one deletes it, only the later record
is written. The units are read last to first and a record whose id a later unit had is
skipped, so a re-run writes nothing, where replaying every version in order rewrote each
older one and then the newer one again (and re-added what a later file deletes). The ids
read so far are kept in a temporary SQLite table, not in memory.

Parser processes die with the calling process, however it ends (SIGKILL included: a
parent-death signal where Linux offers one, and a watchdog on the parent's pid everywhere),
and ignore Ctrl-C: the calling process alone handles it, stops them and keeps every batch
committed before it.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import queue as queue_module
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evimap import sources
from evimap.errors import EvimapError, SourceFormatError
from evimap.evidence import Deletion, Document, Problem, Record
from evimap.library import Batch, IngestReport, Library
from evimap.sources._files import Segment
from evimap.store import Prepared, prepare

BATCH_SIZE = 500
QUEUE_BATCHES = 8  # per worker: bounds memory to about workers x 8 x batch_size documents
TASK_BYTES = 8_000_000  # large files are cut into segments, small ones grouped, of this size
PARENT_CHECK_SECONDS = 0.5  # how often a parser process checks that its parent still runs
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


Unit = Path | Segment


@dataclass(slots=True)
class Progress:
    """Callbacks for a progress display; all optional."""

    on_records: Callable[[int], None] = lambda n: None
    on_bytes: Callable[[int], None] = lambda n: None  # input bytes read so far, in steps


def ingest(
    library: Library,
    source: str,
    paths: list[Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Read every file of `source` under `paths` into `library`.

    Large inputs are parsed in worker processes started with "spawn": a script that calls
    this at import time must guard its entry point with `if __name__ == "__main__":`.
    """
    files = sources.expand(source, paths)
    progress = progress or Progress()
    workers = default_workers(files) if workers is None else workers
    with library.writing() as report, contextlib.closing(_LaterUnits()) as later:
        if workers <= 0:
            batches = _batches_in_process(source, files[::-1], progress)
        else:
            units = units_of(source, files, workers)[::-1]  # last to first: see the module's notes
            batches = _batches_from_workers(source, units, workers, progress)
        with contextlib.closing(batches):  # stops the parser processes at once on any error
            for batch in batches:
                kept = later.keep(batch)
                library.apply(kept, report)
                progress.on_records(sum(item is not UNIT_END for item in batch))
    return report


def ingest_records(
    library: Library, records: Iterable[Record], *, progress: Progress | None = None
) -> IngestReport:
    """Write records from any iterator (e.g. PubMed E-utilities) into `library`."""
    progress = progress or Progress()
    return library.add(records, batch_size=BATCH_SIZE, progress=progress.on_records)


def default_workers(files: list[Path]) -> int:
    """No worker processes for small inputs (start-up costs more than it saves)."""
    total = sum(f.stat().st_size for f in files)
    if total < 4_000_000:
        return 0
    return os.cpu_count() or 1


def units_of(source: str, files: list[Path], workers: int = 0) -> list[Unit]:
    """The files, with each large one cut into segments where the adapter can cut it.

    Where each segment decompresses the file up to its start (the adapter's
    SEGMENTS_REREAD: a .tar.gz bundle), a file is cut into no more segments than `workers`:
    more would only decompress the same bytes again (4 a bundle cost 2.5 decompressions of
    it, 2 cost 1.5).
    """
    module = sources.adapter(source)
    cut = getattr(module, "segments", None)
    if cut is None:
        return list(files)
    rereads = getattr(module, "SEGMENTS_REREAD", False) and workers > 0
    units: list[Unit] = []
    for path in files:
        try:
            target = task_bytes(source)
            if rereads:
                target = max(target, path.stat().st_size // workers)
            units.extend(cut(path, target))
        except (OSError, EvimapError):
            units.append(path)  # read whole; its error is reported when read
    return units


def batch_size(source: str) -> int:
    """BATCH_SIZE, or fewer for an adapter whose documents are large (its BATCH_DOCUMENTS:
    a full-text article is some 40 kB in flight, a PubMed citation 2 to 3)."""
    return min(BATCH_SIZE, getattr(sources.adapter(source), "BATCH_DOCUMENTS", BATCH_SIZE))


def _size(unit: Unit) -> int:
    return unit.size if isinstance(unit, Segment) else unit.stat().st_size


def task_bytes(source: str) -> int:
    """TASK_BYTES, less for an adapter whose input costs more to parse per byte (PARSE_COST:
    compressed full text)."""
    return TASK_BYTES // getattr(sources.adapter(source), "PARSE_COST", 1)


def _tasks(units: list[Unit], limit: int) -> list[list[Unit]]:
    tasks: list[list[Unit]] = [[]]
    size = 0
    for unit in units:
        if size >= limit:
            tasks.append([])
            size = 0
        tasks[-1].append(unit)
        size += _size(unit)
    return [t for t in tasks if t]


def read_units(source: str, units: Iterable[Unit]) -> Iterator[tuple[Unit, Record | None]]:
    """Every record of every unit; a unit that cannot be read at all becomes a Problem.

    Yields (unit, None) after each unit, so callers can count progress.
    """
    module = sources.adapter(source)
    for unit in units:
        try:
            if isinstance(unit, Segment):
                yield from ((unit, r) for r in module.read_segment(unit))
            else:
                yield from ((unit, r) for r in module.read_file(unit))
        except SourceFormatError as exc:
            yield unit, Problem(str(unit), "", exc.message)
        except (OSError, EvimapError) as exc:
            yield unit, Problem(str(unit), "", f"cannot read: {exc}")
        yield unit, None


class _UnitEnd:
    """Marks, inside a batch, where one unit's records end."""

    def __repr__(self) -> str:
        return "UNIT_END"


UNIT_END = _UnitEnd()


class _LaterUnits:
    """The ids of the units read so far (later ones: units are read last to first), in a
    private temporary database that SQLite keeps on disk past a small page cache."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE later (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self._unit: set[str] = set()  # ids of the unit being read
        self._empty = True

    def keep(self, batch: list) -> Batch:
        """`batch` without its unit ends and without the records a later unit replaced."""
        later = self._known([item.id for item in batch if isinstance(item, Prepared | Deletion)])
        kept: Batch = []
        for item in batch:
            if item is UNIT_END:
                later |= self._unit  # a unit that ends here is later than what follows it
                self._finish_unit()
            elif isinstance(item, Problem):
                kept.append(item)
            elif item.id not in later:
                self._unit.add(item.id)
                kept.append(item)
        return kept

    def _known(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        if self._empty:
            return found
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            # only "?" placeholders are written into the SQL; the ids are bound parameters
            query = f"SELECT id FROM later WHERE id IN ({marks})"  # nosec B608
            rows = self._db.execute(query, chunk)
            found.update(row[0] for row in rows)
        return found

    def _finish_unit(self) -> None:
        if self._unit:
            self._db.executemany("INSERT OR IGNORE INTO later VALUES (?)", map(_row, self._unit))
            self._unit.clear()
            self._empty = False

    def close(self) -> None:
        self._db.close()


def _row(doc_id: str) -> tuple[str]:
    return (doc_id,)


def _prepared(record: Record) -> Prepared | Deletion | Problem:
    if isinstance(record, Document):
        try:
            return prepare(record)
        except (ValueError, TypeError) as exc:
            return Problem("", record.id, f"cannot store document: {exc}")
    return record


def _batches_in_process(source: str, files: list[Path], progress: Progress) -> Iterator[list]:
    batch: list = []
    most = batch_size(source)
    for unit, record in read_units(source, files):
        if record is None:
            batch.append(UNIT_END)
            progress.on_bytes(_size(unit))
            continue
        batch.append(_prepared(record))
        if len(batch) >= most:
            yield batch
            batch = []
    if batch:
        yield batch


def _worker(source: str, tasks: list[list[Unit]], out: mp.Queue, parent: int) -> None:
    _ignore_ctrl_c()
    _die_with(parent)
    most = batch_size(source)
    for task in tasks:
        batch: Batch = []
        for unit, record in read_units(source, task):
            if record is None:
                out.put(("unit", _size(unit), batch))
                batch = []
                continue
            batch.append(_prepared(record))
            if len(batch) >= most:
                out.put(("batch", "", batch))
                batch = []
        out.put(("task", "", batch))


def _batches_from_workers(
    source: str, units: list[Unit], workers: int, progress: Progress
) -> Iterator[list]:
    tasks = _tasks(units, task_bytes(source))
    workers = min(workers, len(tasks))
    context = mp.get_context("spawn")  # no fork after the index writer started its threads
    queues = [context.Queue(QUEUE_BATCHES) for _ in range(workers)]
    parent = os.getpid()
    procs = [
        context.Process(
            target=_worker, args=(source, tasks[w::workers], queues[w], parent), daemon=True
        )
        for w in range(workers)
    ]
    _start_without_ctrl_c(procs)
    try:
        for number in range(len(tasks)):
            yield from _task_batches(queues[number % workers], procs[number % workers], progress)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()


def _start_without_ctrl_c(procs: list[mp.Process]) -> None:
    """Start `procs` with SIGINT blocked, a mask they keep until `_ignore_ctrl_c`: a Ctrl-C
    while one starts up reaches the caller alone (here it waits, pending, until started)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # Windows: no signal masks
        for proc in procs:
            proc.start()
        return
    previous = mask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for proc in procs:
            proc.start()
    finally:
        mask(signal.SIG_SETMASK, previous)


def _ignore_ctrl_c() -> None:
    """In a parser process: Ctrl-C (SIGINT to the terminal's process group) is the caller's
    to handle; a worker interrupted mid-record only printed a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _die_with(parent: int) -> None:
    """End this process as soon as `parent` ends, even killed with SIGKILL (which runs no
    cleanup there): an orphaned parser process otherwise waited on its full queue forever."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit once this process is re-parented: where no parent-death signal exists."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _task_batches(out: mp.Queue, proc: mp.Process, progress: Progress) -> Iterator[list]:
    while True:
        try:
            kind, size, batch = out.get(timeout=1.0)
        except queue_module.Empty:
            if not proc.is_alive():
                raise EvimapError("a parser process died unexpectedly") from None
            continue
        if kind == "unit":
            batch.append(UNIT_END)
        if batch:
            yield batch
        if kind == "unit":
            progress.on_bytes(size)
        elif kind == "task":
            return
