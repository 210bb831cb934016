"""An open-loop HTTP load client for the site (asyncio, one connection per request).

Requests arrive at a fixed mean rate (Poisson arrivals from a seeded generator) whatever the
server does, so a slow server meets a growing queue as real readers would; each latency is
counted from when the request was due, not when it was sent, so waiting inside the client
counts too. A run stops by itself: at most `seconds` of arrivals and `max_requests` requests,
each given up after `timeout` seconds (a "hang").

Request kinds (the mix is weights):
    page         a reader not signed in opens a live question page (cached for them)
    search       the home page's search box (/?q=...)
    ask          a follow-up question on a page (POST /api/ask with the page's id)
    member_view  a signed-in member opens a question page (never cached for them)
    post         a member shares an experience (POST /community/share/<id>/, CSRF form)
    approve      the editor, then the medical reviewer, approves a page in review
                 (POST /api/review/pages/<id>/approve with a bearer token)

Every post carries a reference (run, number) in its text and every approval its page and
revision, so what the client was told succeeded can be looked for in the database after.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import statistics
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

MIX = {"page": 55, "search": 10, "ask": 12, "member_view": 8, "post": 10, "approve": 5}
SEARCHES = (
    "multiple sclerosis", "migraine", "diabetes treatment", "flares", "osteoporosis",
    "parkinson symptoms", "heat", "causes", "prevent fractures", "insulin",
)  # fmt: skip
FOLLOW_UPS = (
    "Can stress trigger a relapse?", "Does heat make symptoms worse?",
    "Can an infection cause a flare?", "How long does it last?", "Do steroids help?",
    "Can vitamin D lower the risk?", "Is exercise safe?", "Does diet matter?",
    "What tests are used?", "Is it inherited?",
)  # fmt: skip
POST_TEXTS = (
    "Hot weather seems to make my symptoms worse; a cool room and rest help me most.",
    "After a bad cold I had a flare that lasted about three weeks before it settled.",
    "Keeping a diary of sleep and stress helped me see what sets it off for me.",
    "Regular gentle exercise and stretching made the biggest difference for me.",
)


@dataclass(slots=True)
class Result:
    kind: str
    due: float  # seconds since the run began, when it was due
    ms: float  # from due to the last byte (or the error)
    status: int  # 0: no HTTP answer
    outcome: str  # ok, 429, 503, 5xx, 4xx, timeout, conn, bad (200 but not what was asked)
    retry_after: str = ""
    note: str = ""


@dataclass(slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


async def http(host: str, port: int, method: str, path: str, headers: dict, body: bytes) -> Reply:
    """One HTTP/1.1 request on its own connection (Connection: close), read to the end."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    if not data:
        raise ConnectionResetError("the server closed the connection without an answer")
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return Reply(int(status_line.split()[1]), parsed, rest)


@dataclass
class Plan:
    """What the fixtures made (bench/_load_fixtures.py), and what the run does with it."""

    pages: list[dict]
    members: list[dict]
    tokens: dict
    reviews: list[dict]
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    posts_ok: list[dict] = field(default_factory=list)  # posts the client was told succeeded
    approvals_ok: list[dict] = field(default_factory=list)
    _steps: deque = field(default_factory=deque)
    _post_n: int = 0
    _member_n: int = 0

    @classmethod
    def load(cls, path) -> Plan:
        data = json.loads(Path(path).read_text())
        plan = cls(data["pages"], data["members"], data["tokens"], data["reviews"])
        plan._steps.extend(("editor", r["page_id"], r["revision_id"]) for r in plan.reviews)
        return plan

    def next_member(self) -> dict:
        """Members in turn: each posts at most once per len(members) posts (5/hour limit)."""
        member = self.members[self._member_n % len(self.members)]
        self._member_n += 1
        return member


class Load:
    """Drives one run against 127.0.0.1:port; `results` holds every request's outcome."""

    def __init__(self, port: int, plan: Plan, *, mix: dict | None = None, timeout: float = 15,
                 seed: int = 1, host: str = "127.0.0.1") -> None:  # fmt: skip
        self.host, self.port, self.plan = host, port, plan
        self.mix = mix or MIX
        self.timeout = timeout
        self.rng = random.Random(seed)
        self.results: list[Result] = []
        self.skipped = 0  # not sent: the client already had max_inflight requests waiting
        self.inflight = 0
        self.t0 = 0.0
        self.marks: list[tuple[float, str]] = []  # (seconds since start, what happened)

    def mark(self, what: str) -> None:
        self.marks.append((time.monotonic() - self.t0, what))

    async def run(self, rate: float, seconds: float, max_requests: int,
                  max_inflight: int = 2000, events=()) -> None:  # fmt: skip
        """Arrivals at `rate`/s for `seconds` (at most max_requests); `events` are
        (seconds, async callable) run alongside (the fault scenarios)."""
        loop = asyncio.get_running_loop()
        self.t0 = time.monotonic()
        side = [asyncio.create_task(self._at(when, call)) for when, call in events]
        tasks = set()
        due = 0.0
        for _ in range(max_requests):
            due += self.rng.expovariate(rate)
            if due > seconds:
                break
            wait = self.t0 + due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if self.inflight >= max_inflight:
                self.skipped += 1
                continue
            kind = self._kind()
            task = loop.create_task(self._one(kind, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        for task in side:
            await task

    async def _at(self, when: float, call) -> None:
        await asyncio.sleep(max(0.0, self.t0 + when - time.monotonic()))
        await call(self)

    def _kind(self) -> str:
        kinds = list(self.mix)
        kind = self.rng.choices(kinds, weights=[self.mix[k] for k in kinds])[0]
        if kind == "approve" and not self.plan._steps:
            return "page"  # every page in review approved by both: read instead
        return kind

    async def _one(self, kind: str, due: float) -> None:
        self.inflight += 1
        method, path, headers, body, check, done = self._request(kind)
        status, outcome, retry, note = 0, "conn", "", ""
        try:
            reply = await asyncio.wait_for(
                http(self.host, self.port, method, path, headers, body), self.timeout
            )
            status = reply.status
            retry = reply.headers.get("retry-after", "")
            outcome = _outcome(status)
            if outcome == "ok" and not check(reply):
                outcome, note = "bad", reply.body[:200].decode("utf-8", "replace")
            elif outcome != "ok":
                note = reason(reply)
            if kind == "approve" and status == 409 and getattr(done, "retried", False):
                outcome, note = "ok", "done by an earlier try"  # it got through after all
        except TimeoutError:
            outcome = "timeout"
        except OSError as exc:
            outcome, note = "conn", type(exc).__name__
        finally:
            self.inflight -= 1
        ms = (time.monotonic() - self.t0 - due) * 1000
        self.results.append(Result(kind, due, ms, status, outcome, retry, note))
        done(outcome == "ok")

    def _request(self, kind: str):
        plan, rng = self.plan, self.rng
        page = rng.choice(plan.pages)
        ok = lambda reply: True  # noqa: E731
        nothing = lambda succeeded: None  # noqa: E731
        audience = rng.choice(("patient", "patient", "caregiver", "clinician"))
        if kind == "page":
            return "GET", f"{page['path']}?audience={audience}", {}, b"", ok, nothing
        if kind == "search":
            query = urlencode({"q": rng.choice(SEARCHES)})
            return "GET", f"/?{query}", {}, b"", ok, nothing
        if kind == "ask":
            data = {"question": rng.choice(FOLLOW_UPS), "audience": audience,
                    "page_id": page["id"]}  # fmt: skip
            headers = {"Content-Type": "application/json"}
            has_answer = lambda reply: b'"answer"' in reply.body  # noqa: E731
            return "POST", "/api/ask", headers, json.dumps(data).encode(), has_answer, nothing
        if kind == "member_view":
            member = rng.choice(plan.members)
            headers = {"Cookie": f"sessionid={member['session']}"}
            return "GET", page["path"], headers, b"", ok, nothing
        if kind == "post":
            return self._post(page)
        return self._approve()

    def _post(self, page: dict):
        plan = self.plan
        member = plan.next_member()
        plan._post_n += 1
        ref = f"load run {plan.run_id} post {plan._post_n}"
        text = f"{self.rng.choice(POST_TEXTS)} ({ref})"
        csrf = secrets.token_hex(16)  # 32 characters: Django takes it as the cookie's secret
        headers = {
            "Cookie": f"sessionid={member['session']}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        fields = {"csrfmiddlewaretoken": csrf, "relation": "has", "text": text, "band": "1-5"}
        body = urlencode(fields, quote_via=quote).encode()
        shared = lambda reply: b"Thank you for sharing" in reply.body  # noqa: E731

        def done(succeeded: bool) -> None:
            if succeeded:
                plan.posts_ok.append({"ref": ref, "user_id": member["user_id"]})

        return "POST", f"/community/share/{page['id']}/", headers, body, shared, done

    def _approve(self):
        plan = self.plan
        step = plan._steps.popleft()
        who, page_id, revision_id, *tries = step
        token = plan.tokens[who]
        headers = {"Authorization": f"Bearer {token['token']}", "Content-Type": "application/json"}
        body = json.dumps({"revision_id": revision_id, "comment": "load run"}).encode()

        def done(succeeded: bool) -> None:
            if succeeded:
                plan.approvals_ok.append(
                    {"page_id": page_id, "revision_id": revision_id, "user_id": token["user_id"]}
                )
                if who == "editor":
                    plan._steps.append(("reviewer", page_id, revision_id))
            else:  # try again later; a 409 then says an earlier try got through
                plan._steps.append((who, page_id, revision_id, "retry"))

        done.retried = bool(tries)
        return "POST", f"/api/review/pages/{page_id}/approve", headers, body, ok_json, done


def reason(reply: Reply) -> str:
    """Why a request was refused: the error type (JSON) or what the page says (HTML)."""
    body = reply.body[:4000]
    if body.startswith(b"{"):
        try:
            return json.loads(reply.body)["error"]["type"]
        except (ValueError, KeyError, TypeError):
            return "json"
    for phrase, name in (
        (b"Busy: please try again", "Overloaded"),
        (b"database cannot be reached", "DatabaseUnavailable"),
        (b"busy saving other changes", "DatabaseBusy"),
        (b"evidence library cannot be read", "LibraryUnavailable"),
    ):
        if phrase in body:
            return name
    return ""


def ok_json(reply: Reply) -> bool:
    return reply.body.startswith(b"{")


def _outcome(status: int) -> str:
    if 200 <= status < 400:
        return "ok"
    if status in (429, 503):
        return str(status)
    return "5xx" if status >= 500 else "4xx"


# -- reporting ---------------------------------------------------------------------------------

OUTCOMES = ("ok", "429", "503", "5xx", "4xx", "bad", "timeout", "conn")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


def summary(results: list[Result], seconds: float) -> dict:
    """Per kind and overall: requests, outcomes, p50/p95/p99/max of the successful ones."""
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
    rows = {}
    for kind, items in [*sorted(by_kind.items()), ("all", results)]:
        ok_ms = [r.ms for r in items if r.outcome == "ok"]
        counts = Counter(r.outcome for r in items)
        reasons = Counter(r.note for r in items if r.outcome == "503")
        rows[kind] = {
            "reasons_503": dict(reasons),
            "n": len(items),
            **{o: counts.get(o, 0) for o in OUTCOMES},
            "error_rate": 1 - counts.get("ok", 0) / len(items) if items else 0.0,
            "p50": percentile(ok_ms, 0.50),
            "p95": percentile(ok_ms, 0.95),
            "p99": percentile(ok_ms, 0.99),
            "max": max(ok_ms) if ok_ms else float("nan"),
            "max_any": max(r.ms for r in items) if items else float("nan"),
            "p50_503": percentile([r.ms for r in items if r.outcome == "503"], 0.50),
            "p95_503": percentile([r.ms for r in items if r.outcome == "503"], 0.95),
        }
    done = [r for r in results if r.outcome == "ok"]
    rows["all"]["ok_per_s"] = len(done) / seconds if seconds else 0.0
    return rows


def table(rows: dict) -> str:
    head = f"{'kind':<12}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'err %':>7}  outcomes"
    lines = [head]
    for kind, row in rows.items():
        outcomes = ", ".join(f"{o} {row[o]}" for o in OUTCOMES if row[o])
        if row["reasons_503"] and set(row["reasons_503"]) != {"Overloaded"}:
            outcomes += (
                " (503: "
                + ", ".join(f"{k or '?'} {v}" for k, v in sorted(row["reasons_503"].items()))
                + ")"
            )
        lines.append(
            f"{kind:<12}{row['n']:>6}{row['p50']:>9.0f}{row['p95']:>9.0f}{row['p99']:>9.0f}"
            f"{100 * row['error_rate']:>7.1f}  {outcomes}"
        )
    return "\n".join(lines)


def timeline(results: list[Result], step: float, marks=()) -> str:
    """Outcomes per `step` seconds of the run (when requests were due), with the marks."""
    buckets: dict[int, Counter] = defaultdict(Counter)
    slow: dict[int, list[float]] = defaultdict(list)
    for r in results:
        buckets[int(r.due // step)][r.outcome] += 1
        if r.outcome == "ok":
            slow[int(r.due // step)].append(r.ms)
    lines = []
    mark_at = defaultdict(list)
    for when, what in marks:
        mark_at[int(when // step)].append(f"{when:.1f}s {what}")
    for b in range(max(buckets, default=-1) + 1):
        counts = buckets[b]
        text = " ".join(f"{o}={counts[o]}" for o in OUTCOMES if counts[o])
        p95 = percentile(slow[b], 0.95)
        extra = f"  <- {'; '.join(mark_at[b])}" if mark_at[b] else ""
        lines.append(f"  {b * step:>5.0f}-{(b + 1) * step:<4.0f}s  {text}  p95 {p95:.0f} ms{extra}")
    return "\n".join(lines)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
