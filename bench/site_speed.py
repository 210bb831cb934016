"""Speed of the web site: a published question page, and follow-up answers, over loopback.

Bars (issue 4): the published "What causes MS flares?" page served at p95 <= 50 ms and
>= 200 requests/s with 2 gunicorn workers on this machine; a follow-up answer p95 <= 400 ms.

Sets up the demo site once in the bench cache (`evimap demo --no-serve`, about 40 s; --reuse
keeps an earlier setup), starts `evimap serve` on a free 127.0.0.1 port, finds the page from
the home page's links, warms up, then sends a bounded number of GETs from a few client threads
(httpx, keep-alive where the server allows it) and a bounded number of follow-up POSTs, one at
a time, as the page's form does (CSRF token and cookie, `HX-Request`). The client runs on the
same cores as the server, so the figures are a lower bound on what the server alone manages.
The server is always stopped at the end. Before those, a bounded number of GETs one at a time
with a query parameter of their own, which the page cache never keeps: the page rendered from
its stored answer each time, evidence map included (the uncached render).

    python bench/site_speed.py                  # fresh setup, 2,000 GETs, 50 follow-ups
    python bench/site_speed.py --reuse          # reuse the setup in the bench cache
    python bench/site_speed.py --requests 5000 --concurrency 2
    python bench/site_speed.py --reuse --uncached 500   # renders that bypass the page cache
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPO, cache_dir, median, shared_data

QUESTION = "What causes MS flares?"
FOLLOW_UPS = (
    "Can stress trigger a relapse?",
    "Does heat make MS symptoms worse?",
    "Can an infection cause an MS flare?",
    "How long does a relapse last?",
    "Do steroids help during a flare?",
    "Can vitamin D lower the risk of relapses?",
    "Is a pseudo-relapse the same as a flare?",
    "Does pregnancy change the relapse rate?",
    "Can vaccines trigger MS relapses?",
    "What should I do when a flare starts?",
)
BARS = {"page_p95_ms": 50.0, "page_rps": 200.0, "followup_p95_ms": 400.0}
MAX_CRAWL = 40  # pages fetched while looking for the question page
START_TIMEOUT_S = 60.0
EVIMAP = Path(sys.executable).parent / "evimap"


def site_env(site: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["EVIMAP_LIBRARY"] = str(site / "library")
    env["DATABASE_URL"] = f"sqlite:///{site / 'site.sqlite3'}"
    env["EVIMAP_SHARED_DATA"] = str(shared_data())  # exits with a reason when absent
    return env


def set_up(site: Path, env: dict[str, str], reuse: bool) -> float | None:
    """Run `evimap demo --no-serve` into `site` (seconds taken), or None when reused."""
    if reuse and (site / "site.sqlite3").exists() and (site / "library").is_dir():
        return None
    shutil.rmtree(site / "library", ignore_errors=True)
    (site / "site.sqlite3").unlink(missing_ok=True)
    print("setting up the demo site (evimap demo --no-serve, about 40 s)...", flush=True)
    started = time.perf_counter()
    log = site / "demo.log"
    with log.open("w") as out:
        done = subprocess.run(
            [str(EVIMAP), "demo", "--no-serve"], env=env, cwd=REPO, stdout=out, stderr=out
        )
    if done.returncode != 0:
        sys.exit(f"evimap demo failed ({done.returncode}); see {log}:\n{_tail(log)}")
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    """`evimap serve` (gunicorn) in its own process group; the access log is discarded."""
    args = [str(EVIMAP), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with log.open("w") as err:
        return subprocess.Popen(
            args,
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (master and workers), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < START_TIMEOUT_S:
        if proc.poll() is not None:
            sys.exit(f"evimap serve exited ({proc.returncode}):\n{_tail(log)}")
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"evimap serve did not answer within {START_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def find_page(client: httpx.Client, base: str, question: str) -> str:
    """The question page's URL, following links from the home page (bounded)."""
    queue, seen = ["/"], {"/"}
    while queue and len(seen) <= MAX_CRAWL:
        url = queue.pop(0)
        response = client.get(base + url)
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', response.text):
            path = urlsplit(urljoin(base + url, html.unescape(href)))
            if path.netloc != urlsplit(base).netloc or path.path in seen:
                continue
            if html.unescape(text).strip() == question:
                return path.path
            seen.add(path.path)
            queue.append(path.path)
    sys.exit(f"no link to {question!r} found within {MAX_CRAWL} pages from the home page")


def load(url: str, requests: int, concurrency: int) -> dict:
    """`requests` GETs of `url` from `concurrency` threads: latencies (ms), wall time, errors."""
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def one(_: int) -> tuple[float, bool]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30)
            with lock:
                clients.append(client)
        started = time.perf_counter()
        try:
            response = client.get(url)
            ok = response.status_code == 200 and len(response.content) > 0
        except httpx.HTTPError:
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - started
    finally:
        for client in clients:
            client.close()
    return {
        "ms": sorted(ms for ms, _ in results),
        "errors": sum(not ok for _, ok in results),
        "wall_s": wall,
    }


def uncached(url: str, count: int) -> list[float]:
    """`count` GETs one at a time, each with a query parameter of its own, which the page cache
    never keeps (`evimap.site.pages.cache`): the page rendered from the stored answer each
    time, evidence map included. Latencies in ms, sorted."""
    results = []
    with httpx.Client(timeout=30) as client:
        for i in range(count):
            started = time.perf_counter()
            response = client.get(url, params={"audience": "patient", "uncached": str(i)})
            results.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"uncached GET {i}: HTTP {response.status_code}")
    return sorted(results)


def follow_ups(base: str, path: str, count: int, warmup: int) -> dict:
    """`count` follow-up POSTs one at a time, as the page's form sends them (after warm-up)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None or "csrftoken" not in client.cookies:
            sys.exit("the question page has no CSRF token for the follow-up form")
        headers = {"HX-Request": "true", "Referer": base + path}

        def post(question: str) -> tuple[float, bool]:
            data = {"csrfmiddlewaretoken": token.group(1), "question": question}
            started = time.perf_counter()
            response = client.post(path, data=data, headers=headers)
            ms = (time.perf_counter() - started) * 1000
            body = response.text
            ok = response.status_code == 200 and 'id="followup-result"' in body
            return ms, ok and 'class="error"' not in body

        first = [post(FOLLOW_UPS[i % len(FOLLOW_UPS)])[0] for i in range(warmup)]
        results = [post(FOLLOW_UPS[i % len(FOLLOW_UPS)]) for i in range(count)]
    return {
        "first_ms": first,
        "ms": sorted(ms for ms, _ in results),
        "errors": sum(not ok for _, ok in results),
    }


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(share * (len(sorted_ms) - 1) + 0.5))]


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse an earlier demo setup")
    parser.add_argument("--requests", type=int, default=2000, help="measured GETs [2000]")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads [4]")
    parser.add_argument("--warmup", type=int, default=200, help="GETs before measuring [200]")
    parser.add_argument("--followups", type=int, default=50, help="measured follow-ups [50]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers [2]")
    parser.add_argument(
        "--uncached", type=int, default=200, help="GETs that bypass the page cache [200]"
    )
    args = parser.parse_args()
    if min(args.requests, args.concurrency, args.followups, args.workers) < 1:
        parser.error("--requests, --concurrency, --followups and --workers must be >= 1")

    site = cache_dir("site")
    env = site_env(site)
    setup_s = set_up(site, env, args.reuse)
    how = f"set up in {setup_s:.0f} s" if setup_s is not None else "reused"
    mode = "hybrid" if (site / "library" / "vectors.sqlite").exists() else "lexical"
    print(f"site: {site} ({how}); answers: {mode}")
    port, log = free_port(), site / "serve.log"
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, args.workers, log)
    try:
        up_s = wait_until_up(base, server, log)
        with httpx.Client(timeout=30) as client:
            path = find_page(client, base, QUESTION)
            page = client.get(base + path)
        reviewed = "Medically reviewed by" in page.text
        points = page.text.count('<a class="point ')
        print(
            f"server: {args.workers} gunicorn workers on {base}, answering after {up_s:.1f} s; "
            f"page {path} ({len(page.content) / 1024:.0f} KiB, "
            f"{'medically reviewed' if reviewed else 'NOT reviewed'}, "
            f"evidence map of {points} points)"
        )
        uncached(base + path, 10)  # warm-up: each worker's first renders
        print(f"measuring {args.uncached} uncached renders, one at a time...", flush=True)
        raw = uncached(base + path, args.uncached)
        load(base + path, args.warmup, args.concurrency)
        print(
            f"measuring {args.requests:,} GETs from {args.concurrency} client threads "
            f"(the client shares the machine's {os.cpu_count()} cores with the server)...",
            flush=True,
        )
        gets = load(base + path, args.requests, args.concurrency)
        print(f"measuring {args.followups} follow-ups, one at a time...", flush=True)
        posts = follow_ups(base, path, args.followups, warmup=2 * args.workers)
    finally:
        stop_server(server)
    _report(gets, posts, raw, args)


def _report(gets: dict, posts: dict, raw: list[float], args: argparse.Namespace) -> None:
    ms, fu = gets["ms"], posts["ms"]
    rps = len(ms) / gets["wall_s"]
    page_p95, fu_p95 = percentile(ms, 0.95), percentile(fu, 0.95)
    rows = [
        ("uncached p50", f"{median(raw):.1f} ms", "", ""),
        ("uncached p95", f"{percentile(raw, 0.95):.1f} ms", "", ""),
        ("page p50", f"{median(ms):.1f} ms", "", ""),
        ("page p95", f"{page_p95:.1f} ms", "<= 50 ms", page_p95 / BARS["page_p95_ms"]),
        ("page p99", f"{percentile(ms, 0.99):.1f} ms", "", ""),
        ("page throughput", f"{rps:.0f} req/s", ">= 200 req/s", rps / BARS["page_rps"]),
        ("follow-up p50", f"{median(fu):.0f} ms", "", ""),
        ("follow-up p95", f"{fu_p95:.0f} ms", "<= 400 ms", fu_p95 / BARS["followup_p95_ms"]),
        ("follow-up max", f"{fu[-1]:.0f} ms", "", ""),
    ]
    print(f"\n{'measure':<17}{'value':>14}  {'bar':<14}{'value/bar':>10}  verdict")
    for name, value, bar, ratio in rows:
        verdict = ""
        if bar:
            higher = name == "page throughput"
            verdict = "pass" if (ratio >= 1 if higher else ratio <= 1) else "FAIL"
            ratio = f"{ratio:.2f}"
        print(f"{name:<17}{value:>14}  {bar:<14}{ratio:>10}  {verdict}")
    print(
        f"\n{len(ms):,} GETs in {gets['wall_s']:.1f} s, {gets['errors']} errors; "
        f"{len(fu)} follow-ups, {posts['errors']} errors; first follow-ups (warm-up, "
        f"cold workers): {', '.join(f'{x:.0f}' for x in posts['first_ms'])} ms"
    )
    if gets["errors"] or posts["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
