"""The site under a mixed load: `evimap serve` (gunicorn) on PostgreSQL and Redis.

Readers not signed in open question pages and search, readers ask follow-up questions,
signed-in members open pages and share experiences, the editor and the medical reviewer
approve pages in review (kinds and mix: bench/_load_client.py). Arrivals are open-loop at a
set rate; every run stops by itself (--seconds, at most 120, and --max-requests), and every
request is given up after --timeout seconds (counted as a hang).

    python bench/load.py setup               # once: private PostgreSQL + library + site + plan
    python bench/load.py find                # the rate the machine sustains (steps up)
    python bench/load.py run --rate 20       # one run: p50/p95 and errors per request kind
    python bench/load.py run --rate 40 --seconds 60
    python bench/load.py overload            # far past capacity: only 2xx, 429 or 503

After each run every post and approval the client was told succeeded is looked for in the
database: `lost` must be 0. Uses a private PostgreSQL (port 55432) and Redis (56379) in
/tmp/evimap-load (EVIMAP_LOAD_DIR), never the machine's shared ones; each run starts on a
fresh copy of the database. The client runs on the same cores as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _load_client as client
from _load_site import BASE_DB, EVIMAP, LOAD_DIR, Postgres, Redis, Server, site_env

MAX_SECONDS = 120  # no run is longer
PLAN = LOAD_DIR / "plan.json"
SLO_P95_MS = 1000  # a rate is sustained when all is answered and the p95 stays under this


def setup(args: argparse.Namespace) -> None:
    """Private PostgreSQL, the library and site (evimap demo --no-serve), the fixtures."""
    pg = Postgres()
    pg.ensure()
    key = LOAD_DIR / "secret_key"
    if not key.exists():
        key.write_text(secrets.token_urlsafe(50) + "\n")
        key.chmod(0o600)
    exists = pg.sql(f"SELECT 1 FROM pg_database WHERE datname = '{BASE_DB}'")
    if exists and not args.again:
        print(f"{BASE_DB} exists (--again rebuilds it)")
    else:
        pg.sql(f"DROP DATABASE IF EXISTS {BASE_DB}")
        pg.sql(f"CREATE DATABASE {BASE_DB}")
        env = site_env(pg.url(BASE_DB), None)
        print("building the library and the site (evimap demo --no-serve, 1-2 minutes)...")
        log = LOAD_DIR / "demo.log"
        with log.open("w") as out:
            done = subprocess.run(
                [str(EVIMAP), "demo", "--no-serve", "--offline"],
                env=env, cwd=LOAD_DIR, stdout=out, stderr=out,
            )  # fmt: skip
        if done.returncode:
            sys.exit(f"evimap demo failed; see {log}")
    env = site_env(pg.url(BASE_DB), None)
    fixtures = Path(__file__).with_name("_load_fixtures.py")
    command = [sys.executable, str(fixtures), str(PLAN), str(args.members), str(args.reviews)]
    subprocess.run(command, env=env, cwd=LOAD_DIR, check=True)


class Site:
    """A fresh database copy, a private Redis and the server, for one run."""

    def __init__(self, workers: int = 2, extra: tuple = (), cache: bool = True,
                 library: Path | None = None, drop_dac: bool = False) -> None:  # fmt: skip
        if not PLAN.exists():
            sys.exit(f"no plan at {PLAN}: run `python bench/load.py setup` first")
        self.pg = Postgres()
        self.pg.ensure()
        self.redis = Redis() if cache else None
        self.library = library
        self.server_args = {"workers": workers, "extra": extra, "drop_dac": drop_dac}
        self.server: Server | None = None

    def __enter__(self) -> Site:
        self.pg.fresh_run_db()
        if self.redis:
            self.redis.start()
        env = site_env(self.pg.url(), self.redis.url if self.redis else None, self.library)
        # The vocabulary is rebuilt when the curated data changed (others edit the working
        # tree): built once here, not by each worker at start (minutes under load).
        analyze = [str(EVIMAP), "analyze", "What causes flares?"]
        subprocess.run(analyze, env=env, capture_output=True, check=True)
        self.server = Server(env, **self.server_args)
        self.up_s = self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.server:
            self.server.stop()
        if self.redis:
            self.redis.kill()


def drive(port: int, rate: float, seconds: float, max_requests: int, timeout: float,
          events=(), mix=None, seed: int = 1) -> tuple[client.Load, client.Plan]:  # fmt: skip
    plan = client.Plan.load(PLAN)
    load = client.Load(port, plan, timeout=timeout, mix=mix, seed=seed)
    seconds = min(seconds, MAX_SECONDS)
    asyncio.run(load.run(rate, seconds, max_requests, events=events))
    return load, plan


def warm_up(port: int, seconds: float = 120) -> None:
    """Until every worker answers questions (its engine loaded), then a few seconds of light
    load so that each has its connections."""
    deadline = time.monotonic() + seconds
    answered = 0
    while answered < 10 and time.monotonic() < deadline:
        load, _ = drive(port, 10, 1, 10, 30, mix={"ask": 1})
        answered = answered + 10 if all(r.outcome == "ok" for r in load.results) else 0
    drive(port, 8, 4, 40, 30, mix={"page": 2, "ask": 3, "search": 1, "member_view": 1})


def count_writes(pg: Postgres, plan: client.Plan) -> dict:
    """Of the posts and approvals the client was told succeeded, how many are in the DB."""
    refs = {p["ref"] for p in plan.posts_ok}
    rows = pg.sql(
        "SELECT text FROM evimap_community_experience "
        f"WHERE text LIKE '%load run {plan.run_id} post %'",
        db="evimap_run",
    )
    found = {ref for (text,) in rows for ref in refs if f"({ref})" in text}
    approved = set(
        pg.sql(
            "SELECT w.object_id::int, t.revision_id, t.finished_by_id "
            "FROM wagtailcore_taskstate t JOIN wagtailcore_workflowstate w "
            "ON t.workflow_state_id = w.id WHERE t.status = 'approved'",
            db="evimap_run",
        )
    )
    wanted = {(a["page_id"], a["revision_id"], a["user_id"]) for a in plan.approvals_ok}
    return {
        "posts_ok": len(refs),
        "posts_in_db": len(rows),
        "posts_lost": len(refs - found),
        "approvals_ok": len(wanted),
        "approvals_lost": len(wanted - approved),
    }


def report(load: client.Load, plan: client.Plan, pg: Postgres, seconds: float, title: str,
           step: float | None = None) -> dict:  # fmt: skip
    rows = client.summary(load.results, seconds)
    writes = count_writes(pg, plan)
    offered = len(load.results) / seconds
    print(f"\n== {title}")
    print(
        f"offered {offered:.1f} req/s, answered ok {rows['all']['ok_per_s']:.1f} req/s, "
        f"{len(load.results)} requests ({load.skipped} not sent: client queue full)"
    )
    print(client.table(rows))
    print(
        f"writes: {writes['posts_ok']} posts and {writes['approvals_ok']} approvals succeeded; "
        f"lost: {writes['posts_lost']} posts, {writes['approvals_lost']} approvals "
        f"({writes['posts_in_db']} posts of this run in the database)"
    )
    if step:
        print(client.timeline(load.results, step, load.marks))
    return {"rows": rows, "writes": writes, "offered": offered, "marks": load.marks}


def sustained(rows: dict, rate: float, offered: float) -> bool:
    """Every request answered (no 503, no error of any kind), the rate kept up, and the p95
    of all requests under the SLO (per kind there are too few approvals and posts in a short
    step for their p95 to be more than their slowest one; they are reported, not gated)."""
    everything = rows["all"]
    return (
        everything["error_rate"] == 0
        and everything["p95"] <= SLO_P95_MS
        and everything["ok_per_s"] >= 0.9 * offered
    )


def run(args: argparse.Namespace) -> dict:
    with Site(args.workers) as site:
        print(f"server: {args.workers} workers on {site.server.base} (up in {site.up_s:.1f} s)")
        if not args.cold:
            warm_up(site.server.port)
        started = time.monotonic()
        load, plan = drive(site.server.port, args.rate, args.seconds, args.max_requests,
                           args.timeout)  # fmt: skip
        elapsed = min(args.seconds, MAX_SECONDS)
        took = time.monotonic() - started
        result = report(load, plan, site.pg, elapsed, f"rate {args.rate}/s for {elapsed:.0f} s "
                        f"(run took {took:.0f} s)", step=args.timeline)  # fmt: skip
        result["server_statuses"] = site.server.statuses()
        print(f"server access log, responses by status: {result['server_statuses']}")
    _save(args, result)
    return result


def find(args: argparse.Namespace) -> None:
    """Step the rate up, each step on a fresh database and server, until one is not kept."""
    found = None
    for rate in args.rates:
        with Site(args.workers) as site:
            warm_up(site.server.port)
            load, plan = drive(site.server.port, rate, args.seconds, args.max_requests,
                               args.timeout, seed=int(rate))  # fmt: skip
            writes = count_writes(site.pg, plan)
        rows = client.summary(load.results, args.seconds)
        offered = len(load.results) / args.seconds
        ok = sustained(rows, rate, offered)
        worst = max((r["p95"] for k, r in rows.items() if k != "all"), default=0)
        print(
            f"rate {rate:>5}/s: ok {rows['all']['ok_per_s']:.1f}/s, worst p95 {worst:.0f} ms, "
            f"errors {100 * rows['all']['error_rate']:.1f}%, lost writes "
            f"{writes['posts_lost'] + writes['approvals_lost']} -> "
            f"{'sustained' if ok else 'NOT sustained'}",
            flush=True,
        )
        if not ok:
            print(client.table(rows))
            break
        found = rate
    print(f"sustained rate: {found}/s (every request answered, p95 of all <= {SLO_P95_MS} ms)")


def overload(args: argparse.Namespace) -> None:
    """Far past capacity: every answer must be a success, a 429 or a 503; no 500, no hang."""
    args.rate = args.rate or 100
    result = run(args)
    rows = result["rows"]["all"]
    bad = rows["5xx"] + rows["timeout"] + rows["conn"] + rows["bad"] + rows["4xx"]
    lost = result["writes"]["posts_lost"] + result["writes"]["approvals_lost"]
    verdict = "pass" if bad == 0 and lost == 0 else "FAIL"
    print(
        f"\npast capacity: {rows['503']} x 503 (p50 {rows['p50_503']:.0f} ms, p95 "
        f"{rows['p95_503']:.0f} ms), {rows['429']} x 429, {rows['5xx']} x 5xx, "
        f"{rows['timeout']} hangs (> {args.timeout:.0f} s), {rows['conn']} connection errors; "
        f"lost writes {lost} -> {verdict}"
    )
    if verdict == "FAIL":
        sys.exit(1)


def _save(args: argparse.Namespace, result: dict) -> None:
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="private PostgreSQL, library, site and load fixtures")
    p.add_argument("--members", type=int, default=400)
    p.add_argument("--reviews", type=int, default=60, help="pages to approve during runs")
    p.add_argument("--again", action="store_true", help="rebuild the site database")
    for name, helptext in (("run", "one run at --rate"), ("find", "step the rate up"),
                           ("overload", "far past capacity")):  # fmt: skip
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--rate", type=float, default=None, help="requests per second")
        p.add_argument("--seconds", type=float, default=60 if name != "find" else 20)
        p.add_argument("--max-requests", type=int, default=20_000, help="hard cap")
        p.add_argument("--timeout", type=float, default=15, help="a hang: no answer by then")
        p.add_argument("--workers", type=int, default=2)
        p.add_argument("--timeline", type=float, default=None, help="outcomes per N seconds")
        p.add_argument("--json", help="write the figures here")
        p.add_argument("--cold", action="store_true", help="no warm-up: cold workers")
        if name == "find":
            p.add_argument("--rates", type=float, nargs="+", default=[5, 10, 15, 20, 25, 30,
                                                                     40, 50, 60])  # fmt: skip
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "find":
        find(args)
    elif args.command == "overload":
        overload(args)
    else:
        if args.rate is None:
            parser.error("run needs --rate")
        run(args)


if __name__ == "__main__":
    main()
