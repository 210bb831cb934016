"""PubMed online: search with E-utilities esearch, fetch citations with efetch.

    ids = EUtils(api_key=...).search("glimmerfield syndrome", 50)     esearch, paged
    for record in EUtils().fetch(ids): ...                            efetch XML, batches of 200

Fetched XML goes through the same parser as the files (`pubmed.parse_stream`), so a fetched
citation is the same Document a baseline file would give. NCBI's rules are kept: at most 3
requests a second without an API key and 10 with one, `tool` and `email` sent with every
request, and failures retried with exponential backoff (429, 5xx, timeouts and dropped
connections; Retry-After honoured) before a `FetchError` says which request failed.

The HTTP transport, clock and sleep are injectable: tests run on `httpx.MockTransport` and a
fake clock, never the network.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Iterable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from evimap.errors import FetchError, SourceFormatError
from evimap.evidence import Document, Problem, Record
from evimap.sources import pubmed

BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
SOURCE = "PubMed E-utilities"
RATE_WITHOUT_KEY = 3.0  # requests per second NCBI allows without an API key
RATE_WITH_KEY = 10.0
FETCH_BATCH = 200  # PMIDs per efetch request
SEARCH_PAGE = 10_000  # esearch's largest retmax for PubMed
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for a longer wait gets a FetchError instead


class _Throttle:
    """Spaces request starts at least 1/rate seconds apart."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], Any]):
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = -math.inf

    def wait(self) -> None:
        """Sleep until the next request may start, and book the slot after it."""
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


class EUtils:
    """A polite client for PubMed's esearch and efetch; use as a context manager or close()."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        email: str | None = None,
        tool: str = "evimap",
        transport: httpx.BaseTransport | None = None,
        rate: float | None = None,
        attempts: int = 4,
        backoff: float = 1.0,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
        batch_size: int = FETCH_BATCH,
        page_size: int = SEARCH_PAGE,
        base_url: str = BASE_URL,
    ) -> None:
        """`rate` (requests/s) is capped at NCBI's limit: 3/s, or 10/s with an `api_key`."""
        limit = RATE_WITH_KEY if api_key else RATE_WITHOUT_KEY
        self._throttle = _Throttle(min(rate or limit, limit), clock, sleep)
        self._sleep = sleep
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._batch_size = max(1, batch_size)
        self._page_size = max(1, min(page_size, SEARCH_PAGE))
        self._common = {"db": "pubmed", "tool": tool}
        if email:
            self._common["email"] = email
        if api_key:
            self._common["api_key"] = api_key
        self._client = httpx.Client(base_url=base_url, transport=transport, timeout=timeout)

    def __enter__(self) -> EUtils:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._client.close()

    def search(self, query: str, max_results: int) -> list[str]:
        """PMIDs matching `query` (PubMed search syntax), best first, at most `max_results`.

        PubMed's esearch returns at most the first 10,000 matches of a query.
        """
        ids: list[str] = []
        while len(ids) < max_results:
            want = min(self._page_size, max_results - len(ids))
            result = self._esearch(query, retstart=len(ids), retmax=want)
            page = [str(pmid) for pmid in result.get("idlist", [])]
            ids.extend(page)
            if len(page) < want or len(ids) >= int(result.get("count", 0)):
                break
        return ids[:max_results]

    def fetch(self, pmids: Iterable[str]) -> Iterator[Record]:
        """Documents (and Problems) for `pmids`, fetched in batches; duplicates fetched once."""
        unique = list(dict.fromkeys(p.strip() for p in pmids if p and p.strip()))
        for start in range(0, len(unique), self._batch_size):
            yield from self._efetch(unique[start : start + self._batch_size])

    def _esearch(self, query: str, retstart: int, retmax: int) -> dict:
        what = f"esearch term={query!r} retstart={retstart} retmax={retmax}"
        params = {"term": query, "retmode": "json", "retstart": retstart, "retmax": retmax}
        response = self._request("GET", "esearch.fcgi", params, what)
        try:
            body = response.json()
        except ValueError:
            raise FetchError(f"{SOURCE}: {what} returned no JSON: {_snippet(response)}") from None
        result = body.get("esearchresult") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise FetchError(f"{SOURCE}: {what} returned no esearchresult: {_snippet(response)}")
        if "ERROR" in result:
            raise FetchError(f"{SOURCE}: {what} failed: {result['ERROR']}", retryable=False)
        return result

    def _efetch(self, batch: list[str]) -> Iterator[Record]:
        """One efetch request: its records, then a Problem for each PMID it did not return."""
        what = f"efetch of {len(batch)} PMIDs ({batch[0]}..{batch[-1]})"
        params = {"id": ",".join(batch), "retmode": "xml"}
        response = self._request("POST", "efetch.fcgi", params, what)
        origin = f"{SOURCE} {what}"
        returned: set[str] = set()
        try:
            for record in pubmed.parse_stream(io.BytesIO(response.content), origin):
                if isinstance(record, Document):
                    returned.add(record.pmid)
                elif isinstance(record, Problem):
                    returned.add(record.record)
                yield record
        except SourceFormatError:
            message = f"{SOURCE}: {what} returned no PubMed XML: {_snippet(response)}"
            raise FetchError(message, retryable=False) from None
        for pmid in batch:
            if pmid not in returned:
                yield Problem(origin, pmid, "not returned by efetch (unknown or withdrawn PMID)")

    def _request(self, method: str, endpoint: str, params: dict, what: str) -> httpx.Response:
        """Send with throttling and retries; the response, or FetchError naming `what`."""
        fields = {**self._common, **params}
        failure = ""
        for attempt in range(1, self._attempts + 1):
            self._throttle.wait()
            delay = self._backoff * 2 ** (attempt - 1)
            try:
                response = self._send(method, endpoint, fields)
            except httpx.TransportError as error:  # timeouts, refused or dropped connections
                failure = f"{type(error).__name__}: {error}"
            else:
                if response.is_success:
                    return response
                failure = _failure(response)
                if not _retryable(response.status_code):
                    raise FetchError(f"{SOURCE}: {what} failed: {failure}", retryable=False)
                delay = max(delay, _retry_after(response, what))
            if attempt < self._attempts:
                self._sleep(delay)
        raise FetchError(f"{SOURCE}: {what} failed after {self._attempts} attempts: {failure}")

    def _send(self, method: str, endpoint: str, fields: dict) -> httpx.Response:
        if method == "POST":  # efetch: a long id list belongs in the body
            return self._client.post(endpoint, data=fields)
        return self._client.get(endpoint, params=fields)


def search_and_fetch(
    query: str,
    max_results: int,
    *,
    api_key: str | None = None,
    transport: httpx.BaseTransport | None = None,
    **options: Any,
) -> Iterator[Record]:
    """Records of the first `max_results` PubMed matches of `query`, fetched online.

    `options` go to EUtils (email, tool, rate, clock, sleep, batch_size, ...).
    """
    with EUtils(api_key, transport=transport, **options) as client:
        yield from client.fetch(client.search(query, max_results))


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _failure(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}: {_snippet(response)}".rstrip(
        ": "
    )


def _snippet(response: httpx.Response, size: int = 200) -> str:
    """The start of a response body, on one line, for error messages."""
    return " ".join(response.text[:size].split())


def _retry_after(response: httpx.Response, what: str) -> float:
    """Seconds the server asks us to wait (Retry-After: seconds or an HTTP date), else 0."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return 0.0
    if seconds > MAX_RETRY_AFTER:
        raise FetchError(f"{SOURCE}: {what}: server asks to retry after {seconds:.0f} s")
    return max(0.0, seconds)
