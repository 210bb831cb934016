"""E-utilities client: paging, fetching, API key, rate limit, retries and errors, all offline."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from evimap.errors import FetchError
from evimap.evidence import Document, Problem
from evimap.sources import eutils

ALL_IDS = ["12091962", "9997", "11748933", "11700088"]

Handler = Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class Server:
    """Serves recorded responses and remembers every request, with the fake time it came."""

    def __init__(self, folder: Path, clock: FakeClock, handler: Handler | None = None) -> None:
        self.folder = folder
        self.clock = clock
        self.handler = handler or self.recorded
        self.requests: list[tuple[float, str, dict[str, str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            fields = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        else:
            fields = dict(request.url.params)
        self.requests.append((self.clock.now, request.url.path.rsplit("/", 1)[-1], fields))
        return self.handler(request)

    @property
    def fields(self) -> list[dict[str, str]]:
        return [fields for _, _, fields in self.requests]

    def recorded(self, request: httpx.Request) -> httpx.Response:
        """esearch pages by retstart; efetch files by the first PMID asked for."""
        if request.url.path.endswith("esearch.fcgi"):
            page = 1 if request.url.params["retstart"] == "0" else 2
            return self.file(f"esearch_page{page}.json", "application/json")
        first = parse_qs(request.content.decode())["id"][0].split(",")[0]
        return self.file("efetch_pubmed1.xml" if first == "12091962" else "efetch_pubmed2.xml")

    def paged(self, request: httpx.Request) -> httpx.Response:
        """esearch pages cut to the retstart/retmax asked for; efetch as recorded."""
        if not request.url.path.endswith("esearch.fcgi"):
            return self.recorded(request)
        start, size = int(request.url.params["retstart"]), int(request.url.params["retmax"])
        result = {"count": "4", "retmax": str(size), "retstart": str(start)}
        result["idlist"] = ALL_IDS[start : start + size]
        return httpx.Response(200, json={"header": {"type": "esearch"}, "esearchresult": result})

    def file(self, name: str, media: str = "text/xml") -> httpx.Response:
        content = (self.folder / name).read_bytes()
        return httpx.Response(200, content=content, headers={"Content-Type": media})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(fixtures: Path, clock: FakeClock) -> Server:
    return Server(fixtures / "eutils", clock)


def _client(server: Server, clock: FakeClock, **options) -> eutils.EUtils:
    transport = httpx.MockTransport(server)
    return eutils.EUtils(transport=transport, clock=clock, sleep=clock.sleep, **options)


def _scripted(server: Server, *steps: httpx.Response | Exception) -> None:
    """Answer the first requests with `steps` in turn, then with the recorded responses."""
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        if not queue:
            return server.recorded(request)
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    server.handler = handler


def test_search_pages_through_esearch(server: Server, clock: FakeClock) -> None:
    with _client(server, clock, page_size=2, email="dev@example.org") as client:
        ids = client.search("12091962[uid] OR 9997[uid] OR 11748933[uid] OR 11700088[uid]", 10)
    assert ids == ALL_IDS
    assert [(name, f["retstart"], f["retmax"]) for _, name, f in server.requests] == [
        ("esearch.fcgi", "0", "2"),
        ("esearch.fcgi", "2", "2"),
    ]
    first = server.fields[0]
    assert first["db"] == "pubmed" and first["retmode"] == "json"
    assert first["tool"] == "evimap" and first["email"] == "dev@example.org"
    assert first["term"].startswith("12091962[uid]")
    assert "api_key" not in first


def test_search_stops_at_max_results(server: Server, clock: FakeClock) -> None:
    with _client(server, clock, page_size=2) as client:
        assert client.search("q", 3) == ALL_IDS[:3]
        assert client.search("q", 0) == []
    assert [f["retmax"] for f in server.fields] == ["2", "1"]


def test_search_stops_when_a_page_comes_back_short(server: Server, clock: FakeClock) -> None:
    server.handler = lambda request: server.file("esearch_page2.json", "application/json")
    with _client(server, clock, page_size=5) as client:
        assert client.search("q", 100) == ALL_IDS[2:]
    assert len(server.requests) == 1


def test_fetch_posts_batches_and_parses_the_xml(server: Server, clock: FakeClock) -> None:
    with _client(server, clock, batch_size=2) as client:
        records = list(client.fetch([*ALL_IDS, "9997"]))  # the duplicate is fetched once
    assert [r.id for r in records] == [f"pubmed:{pmid}" for pmid in ALL_IDS]
    assert all(isinstance(r, Document) for r in records)
    assert records[1].title.startswith("Quorvane fever in a fictional village")
    assert records[1].doi == "10.0000/fict.1976.2"
    assert [(name, f["id"], f["retmode"], f["db"]) for _, name, f in server.requests] == [
        ("efetch.fcgi", "12091962,9997", "xml", "pubmed"),
        ("efetch.fcgi", "11748933,11700088", "xml", "pubmed"),
    ]


def test_fetch_reports_pmids_it_did_not_get(server: Server, clock: FakeClock) -> None:
    with _client(server, clock) as client:
        records = list(client.fetch(["12091962", "9997", "99999999"]))
    assert [type(r) for r in records] == [Document, Document, Problem]
    assert records[-1].record == "99999999"
    assert "not returned by efetch" in records[-1].reason


def test_api_key_is_sent_and_allows_ten_requests_a_second(server: Server, clock: FakeClock) -> None:
    server.handler = server.paged
    with _client(server, clock, api_key="secret-key", page_size=1) as client:
        client.search("q", 4)
        list(client.fetch(["12091962"]))
    assert all(f["api_key"] == "secret-key" for f in server.fields)
    times = [t for t, _, _ in server.requests]
    assert [round(b - a, 6) for a, b in pairwise(times)] == [0.1] * 4


def test_without_a_key_at_most_three_requests_a_second(server: Server, clock: FakeClock) -> None:
    server.handler = server.paged
    with _client(server, clock, page_size=1, rate=50) as client:  # 50/s is capped at 3/s
        client.search("q", 4)
    times = [t for t, _, _ in server.requests]
    assert [round(b - a, 6) for a, b in pairwise(times)] == [0.333333] * 3
    assert sum(clock.sleeps) == pytest.approx(1.0, abs=1e-5)


def test_throttle_does_not_sleep_when_requests_are_already_slow(
    server: Server, clock: FakeClock
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        clock.now += 2.0  # the server takes two seconds to answer
        return server.paged(request)

    server.handler = slow
    with _client(server, clock, page_size=1) as client:
        client.search("q", 3)
    assert len(server.requests) == 3
    assert clock.sleeps == []


def test_retries_with_backoff_then_succeeds(server: Server, clock: FakeClock) -> None:
    _scripted(server, httpx.Response(503), httpx.Response(502))
    with _client(server, clock) as client:
        records = list(client.fetch(["12091962", "9997"]))
    assert [r.id for r in records] == ["pubmed:12091962", "pubmed:9997"]
    assert len(server.requests) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_timeouts_are_retried(server: Server, clock: FakeClock) -> None:
    _scripted(server, httpx.ReadTimeout("slow"), httpx.ConnectError("refused"))
    with _client(server, clock, page_size=2) as client:
        assert client.search("q", 2) == ALL_IDS[:2]
    assert clock.sleeps == [1.0, 2.0]


def test_retry_after_is_honoured(server: Server, clock: FakeClock) -> None:
    _scripted(server, httpx.Response(429, headers={"Retry-After": "7"}))
    with _client(server, clock, page_size=2) as client:
        assert client.search("q", 2) == ALL_IDS[:2]
    assert clock.sleeps == [7.0]


def test_a_long_retry_after_fails_at_once(server: Server, clock: FakeClock) -> None:
    _scripted(server, httpx.Response(429, headers={"Retry-After": "3600"}))
    with _client(server, clock) as client, pytest.raises(FetchError, match="3600 s") as raised:
        client.search("q", 2)
    assert raised.value.retryable and len(server.requests) == 1


def test_retries_exhausted_raise_a_retryable_fetch_error(server: Server, clock: FakeClock) -> None:
    server.handler = lambda request: httpx.Response(503, text="Service Unavailable")
    with _client(server, clock) as client, pytest.raises(FetchError) as raised:
        client.search("asthma", 5)
    message = raised.value.message
    assert "PubMed E-utilities" in message and "esearch term='asthma'" in message
    assert "after 4 attempts" in message and "HTTP 503" in message
    assert raised.value.retryable is True
    assert len(server.requests) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_client_error_is_not_retried(server: Server, clock: FakeClock) -> None:
    server.handler = lambda request: httpx.Response(400, text="Bad Request")
    with _client(server, clock) as client, pytest.raises(FetchError) as raised:
        list(client.fetch(["12091962"]))
    assert raised.value.retryable is False
    assert "efetch of 1 PMIDs" in raised.value.message and "HTTP 400" in raised.value.message
    assert len(server.requests) == 1


def test_esearch_error_json_becomes_a_fetch_error(server: Server, clock: FakeClock) -> None:
    server.handler = lambda request: server.file("esearch_error.json", "application/json")
    with _client(server, clock) as client, pytest.raises(FetchError) as raised:
        client.search("", 5)
    assert "Empty term and query_key - nothing todo" in raised.value.message
    assert raised.value.retryable is False


def test_efetch_error_document_becomes_a_fetch_error(server: Server, clock: FakeClock) -> None:
    body = b"<eFetchResult>\n\t<ERROR>Cannot retrieve history data</ERROR>\n</eFetchResult>"
    server.handler = lambda request: httpx.Response(200, content=body)
    with _client(server, clock) as client, pytest.raises(FetchError, match="history data"):
        list(client.fetch(["12091962"]))


def test_search_and_fetch(server: Server, clock: FakeClock) -> None:
    records = list(
        eutils.search_and_fetch(
            "q",
            10,
            api_key="k",
            transport=httpx.MockTransport(server),
            clock=clock,
            sleep=clock.sleep,
            page_size=2,
            batch_size=2,
        )
    )
    assert [r.id for r in records] == [f"pubmed:{pmid}" for pmid in ALL_IDS]
    assert [name for _, name, _ in server.requests] == [
        "esearch.fcgi",
        "esearch.fcgi",
        "efetch.fcgi",
        "efetch.fcgi",
    ]
    assert all(f["api_key"] == "k" for f in server.fields)


def test_an_online_search_lands_in_the_library_once(server: Server, clock: FakeClock, tmp_path):
    from evimap import Library, ingest_records

    def fetched():
        return eutils.search_and_fetch(
            "glimmerfield",
            4,
            transport=httpx.MockTransport(server),
            clock=clock,
            sleep=clock.sleep,
        )

    with Library(tmp_path / "lib", create=True) as library:
        first = ingest_records(library, fetched())
        again = ingest_records(library, fetched())
        assert first.added == library.stats().documents > 0
        assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
