"""Downloading the public datasets for a newcomer who has no ../shared/data (online only).

    fetch_medquad(folder) -> Path        MedQuAD's XML files from its GitHub archive, once
    pubmed_slice(queries, per_query)     PubMed records for a few demo topics (E-utilities)

The MedQuAD archive is streamed to a temporary file (at most MAX_ZIP_BYTES), its XML files
are extracted into a temporary folder (no path may leave it) and the folder is renamed into
place, with a marker, so an interrupted download is started again rather than half used.
Fetching is kept apart from parsing: the files go through the usual MedQuAD adapter.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from evimap.errors import FetchError
from evimap.evidence import Record

MEDQUAD_URL = "https://github.com/abachaa/MedQuAD/archive/refs/heads/master.zip"
MAX_ZIP_BYTES = 300_000_000
DONE_MARKER = ".complete"
DEMO_QUERIES = (
    "multiple sclerosis relapse triggers",
    "multiple sclerosis",
    "parkinson disease symptoms",
    "type 2 diabetes treatment",
    "migraine causes",
    "osteoporosis prevention",
)
# Tests replace this with an httpx.MockTransport serving recorded responses.
transport: httpx.BaseTransport | None = None


def fetch_medquad(
    folder: Path, *, url: str = MEDQUAD_URL, progress: Callable[[int, int], None] | None = None
) -> Path:
    """MedQuAD's XML under `folder` (downloaded unless a complete copy is there)."""
    folder = Path(folder)
    if (folder / DONE_MARKER).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".medquad-") as scratch:
        archive = Path(scratch) / "medquad.zip"
        _download(url, archive, progress)
        staged = Path(scratch) / "medquad"
        if not _extract_xml(archive, staged):
            raise FetchError(f"the archive at {url} holds no MedQuAD XML files", retryable=False)
        (staged / DONE_MARKER).write_text(url + "\n")
        shutil.rmtree(folder, ignore_errors=True)
        staged.rename(folder)
    return folder


def pubmed_slice(
    queries: tuple[str, ...] = DEMO_QUERIES, per_query: int = 60, **options: Any
) -> Iterator[Record]:
    """PubMed records for each query (E-utilities; `options` go to eutils.EUtils)."""
    from evimap.sources import eutils

    for query in queries:
        yield from eutils.search_and_fetch(query, per_query, transport=transport, **options)


def _download(url: str, target: Path, progress: Callable[[int, int], None] | None) -> None:
    try:
        client = httpx.Client(transport=transport, follow_redirects=True, timeout=60)
        with client, client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FetchError(f"downloading {url}: HTTP {response.status_code}")
            total = int(response.headers.get("Content-Length") or 0)
            _save(response, target, total, progress)
    except httpx.HTTPError as exc:
        raise FetchError(f"downloading {url}: {exc}") from None


def _save(
    response: httpx.Response,
    target: Path,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    written = 0
    with target.open("wb") as out:
        for chunk in response.iter_bytes(1 << 20):
            written += len(chunk)
            if written > MAX_ZIP_BYTES:
                raise FetchError(f"the download is larger than {MAX_ZIP_BYTES:,} bytes")
            out.write(chunk)
            if progress:
                progress(written, total)


def _extract_xml(archive: Path, folder: Path) -> int:
    """The archive's XML files under `folder`, without its top folder; how many."""
    count = 0
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                parts = PurePosixPath(member.filename).parts[1:]  # drop "MedQuAD-master/"
                safe = parts and not any(p in ("", ".", "..") or ":" in p for p in parts)
                if member.is_dir() or not safe or not parts[-1].endswith(".xml"):
                    continue
                target = folder.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
                count += 1
    except zipfile.BadZipFile as exc:
        raise FetchError(f"the MedQuAD download is not a zip archive: {exc}") from None
    return count
