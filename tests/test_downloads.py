"""Downloads for a newcomer without ../shared/data, against recorded responses only: a zip
we build from our fictional MedQuAD files, and the recorded E-utilities files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from lxml import etree
from tests.test_source_eutils import FakeClock, Server

from evimap import downloads
from evimap.errors import FetchError
from evimap.evidence import Document

COLLECTION = Path(__file__).parent / "fixtures" / "medquad" / "collection"


def medquad_zip(extra: dict[str, bytes] | None = None) -> bytes:
    """Our fictional MedQuAD files laid out like GitHub's archive, plus `extra` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for path in sorted(COLLECTION.rglob("*.xml")):
            zipped.writestr(f"MedQuAD-master/{path.relative_to(COLLECTION)}", path.read_bytes())
        for name, content in (extra or {}).items():
            zipped.writestr(name, content)
    return buffer.getvalue()


def eutils_server(fixtures: Path, clock: FakeClock) -> Server:
    """The recorded E-utilities, answering esearch by page and efetch with any batch."""
    server = Server(fixtures / "eutils", clock)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("esearch.fcgi"):
            return server.paged(request)
        wanted = parse_qs(request.content.decode())["id"][0].split(",")
        articles = []
        for name in ("efetch_pubmed1.xml", "efetch_pubmed2.xml"):
            root = etree.fromstring((fixtures / "eutils" / name).read_bytes())
            articles += [a for a in root if a.findtext(".//PMID") in wanted]
        batch = etree.Element("PubmedArticleSet")
        batch.extend(articles)
        return httpx.Response(
            200, content=etree.tostring(batch), headers={"Content-Type": "text/xml"}
        )

    server.handler = answer
    return server


class Internet:
    """GitHub's archive (after a redirect, as GitHub answers) and the recorded E-utilities."""

    def __init__(self, zip_bytes: bytes, eutils: Server | None = None) -> None:
        self.zip_bytes, self.eutils, self.requests = zip_bytes, eutils, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        if request.url.host == "github.com":
            return httpx.Response(302, headers={"Location": "https://codeload.github.com/x.zip"})
        if request.url.host == "codeload.github.com":
            return httpx.Response(200, content=self.zip_bytes)
        if self.eutils is not None:
            return self.eutils(request)
        return httpx.Response(404)


@pytest.fixture
def internet(monkeypatch):
    def install(zip_bytes: bytes, eutils: Server | None = None) -> Internet:
        served = Internet(zip_bytes, eutils)
        monkeypatch.setattr(downloads, "transport", httpx.MockTransport(served))
        return served

    return install


def test_medquad_is_downloaded_once_and_only_its_xml_is_kept(tmp_path, internet):
    evil = {
        "MedQuAD-master/../../evil.xml": b"<x/>",
        "MedQuAD-master/readme.md": b"# MedQuAD",
    }
    served = internet(medquad_zip(evil))
    folder = downloads.fetch_medquad(tmp_path / "downloads" / "medquad")
    kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.xml"))
    expected = sorted(p.relative_to(COLLECTION).as_posix() for p in COLLECTION.rglob("*.xml"))
    assert kept == expected
    assert not (tmp_path / "evil.xml").exists() and not any(tmp_path.rglob("evil.xml"))
    asked = len(served.requests)
    assert downloads.fetch_medquad(folder) == folder and len(served.requests) == asked


def test_a_failed_download_leaves_nothing_half_written(tmp_path, internet):
    internet(b"this is not a zip file")
    folder = tmp_path / "downloads" / "medquad"
    with pytest.raises(FetchError, match="not a zip"):
        downloads.fetch_medquad(folder)
    assert not folder.exists() and list((tmp_path / "downloads").iterdir()) == []


def test_an_http_error_is_a_fetch_error(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "transport", httpx.MockTransport(lambda r: httpx.Response(503)))
    with pytest.raises(FetchError, match="HTTP 503"):
        downloads.fetch_medquad(tmp_path / "medquad")


def test_pubmed_slice_reads_the_recorded_eutils(fixtures, monkeypatch):
    clock = FakeClock()
    server = eutils_server(fixtures, clock)
    monkeypatch.setattr(downloads, "transport", httpx.MockTransport(server))
    records = list(
        downloads.pubmed_slice(("glimmerfield syndrome",), 4, clock=clock, sleep=clock.sleep)
    )
    ids = sorted(r.id for r in records if isinstance(r, Document))
    assert ids == ["pubmed:11700088", "pubmed:11748933", "pubmed:12091962", "pubmed:9997"]


def test_the_demo_downloads_when_no_shared_data_is_there(tmp_path, fixtures, internet, monkeypatch):
    from evimap.cli import main

    internet(medquad_zip(), eutils_server(fixtures, FakeClock()))
    monkeypatch.setenv("EVIMAP_SHARED_DATA", str(tmp_path / "absent"))
    monkeypatch.setenv("NCBI_API_KEY", "recorded")  # 10 requests/s: a shorter test
    monkeypatch.setattr(downloads, "DEMO_QUERIES", ("glimmerfield syndrome",))
    library = tmp_path / "var" / "library"
    assert main(["demo", "--no-site", "-L", str(library)]) == 0
    assert (tmp_path / "var" / "downloads" / "medquad" / downloads.DONE_MARKER).exists()
    from evimap.library import Library

    with Library(library, readonly=True) as lib:
        stats = lib.stats()
    assert stats.by_collection == {"medquad": 11, "pubmed": 4}, stats


def test_offline_demo_without_shared_data_says_so(tmp_path, monkeypatch, capsys):
    from evimap.cli import main

    monkeypatch.setenv("EVIMAP_SHARED_DATA", str(tmp_path / "absent"))
    assert main(["demo", "--offline", "--no-site", "-L", str(tmp_path / "lib")]) != 0
    assert "no public datasets under" in capsys.readouterr().err
