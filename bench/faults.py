"""Faults under load: the site at its sustained rate while something breaks, measured.

    python bench/faults.py pg-restart       # PostgreSQL restarted (pg_ctl restart -m fast)
    python bench/faults.py pg-restart --mode immediate   # ... without a clean shutdown
    python bench/faults.py redis-stop       # Redis killed, started again 20 s later
    python bench/faults.py worker-kill      # SIGKILL to one gunicorn worker, later the other
    python bench/faults.py library          # library folder unreadable, then its index
                                            # deleted and `evimap library rebuild-index` run
    python bench/faults.py all              # each in turn (about 6 minutes)

Each scenario runs the mixed load of bench/load.py (`python bench/load.py setup` first) at
--rate requests/s (default 10: below what the shared machine sustained, so that what is
measured is the fault, not the load) on a fresh database, a private PostgreSQL, Redis and
`evimap serve`; prints the outcomes before, during and after the fault, per request kind and
per 5 s; and counts the writes: every post and approval the client was told succeeded must
be in the database after (lost writes = 0), and no request may end in a 500 or a hang.
The library scenario serves a copy of the library, as root without the capabilities that let
root read any file (setpriv), so that an unreadable folder is unreadable to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _load_client as client
from _load_site import EVIMAP, LOAD_DIR
from load import Site, count_writes, drive, warm_up

STEP = 5.0


async def _blocking(call, *args):
    return await asyncio.to_thread(call, *args)


def pg_restart(args) -> tuple[Site, list]:
    site = Site()

    async def restart(load: client.Load) -> None:
        load.mark(f"fault: pg_ctl restart -m {args.mode}")
        took = await _blocking(site.pg.ctl, "restart", args.mode)
        load.mark(f"end: PostgreSQL back after {took:.1f} s")

    return site, [(20, restart)]


def redis_stop(args) -> tuple[Site, list]:
    site = Site()

    async def stop(load: client.Load) -> None:
        await _blocking(site.redis.kill)
        load.mark("fault: redis-server killed")

    async def start(load: client.Load) -> None:
        await _blocking(site.redis.start)
        load.mark("end: redis-server started again")

    return site, [(20, stop), (40, start)]


def worker_kill(args) -> tuple[Site, list]:
    site = Site()

    def killer(which: int):
        async def kill(load: client.Load) -> None:
            pids = site.server.workers_pids()
            if len(pids) <= which:
                load.mark(f"no worker {which} to kill (workers: {pids})")
                return
            pid = pids[which]
            os.kill(pid, signal.SIGKILL)
            load.mark(f"fault: SIGKILL worker {pid}")
            began = time.monotonic()
            while True:  # the master starts a new worker
                await asyncio.sleep(0.1)
                now = site.server.workers_pids()
                if pid not in now and len(now) >= len(pids):
                    break
                if time.monotonic() - began > 30:
                    load.mark("end: no new worker within 30 s")
                    return
            load.mark(f"end: new worker {sorted(set(now) - set(pids))} after "
                      f"{time.monotonic() - began:.1f} s")  # fmt: skip

        return kill

    return site, [(20, killer(0)), (40, killer(-1))]


def library_fault(args) -> tuple[Site, list]:
    copy = LOAD_DIR / "library-fault"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(LOAD_DIR / "library", copy)
    site = Site(library=copy, drop_dac=True)

    async def unreadable(load: client.Load) -> None:
        os.chmod(copy, 0)
        load.mark("fault: library folder mode 000")

    async def index_gone(load: client.Load) -> None:
        os.chmod(copy, 0o755)
        shutil.rmtree(copy / "index")
        load.mark("fault: folder readable again, index deleted")

    async def rebuild(load: client.Load) -> None:
        load.mark("evimap library rebuild-index started")
        command = [str(EVIMAP), "library", "rebuild-index", "--library", str(copy)]
        began = time.monotonic()
        done = await _blocking(
            lambda: subprocess.run(command, capture_output=True, text=True, env=site.env)
        )
        load.mark(f"end: rebuild-index exited {done.returncode} after "
                  f"{time.monotonic() - began:.0f} s")  # fmt: skip

    return site, [(15, unreadable), (30, index_gone), (35, rebuild)]


SCENARIOS = {
    "pg-restart": (pg_restart, 60),
    "redis-stop": (redis_stop, 60),
    "worker-kill": (worker_kill, 60),
    "library": (library_fault, 110),
}


def run(name: str, args) -> dict:
    make, seconds = SCENARIOS[name]
    seconds = args.seconds or seconds
    site, events = make(args)
    with site:
        site.env = site.server.env
        warm_up(site.server.port)
        load, plan = drive(site.server.port, args.rate, seconds, args.max_requests,
                           args.timeout, events=events, seed=7)  # fmt: skip
        writes = count_writes(site.pg, plan)
        statuses = site.server.statuses()
        log_500 = sum(n for status, n in statuses.items() if status >= 500 and status != 503)
        tracebacks = site.server.count_in_log("Traceback")
    return report(name, load, writes, seconds, log_500, tracebacks)


def report(name, load: client.Load, writes: dict, seconds: float, log_500: int,
           tracebacks: int) -> dict:  # fmt: skip
    print(f"\n== {name}: {load.results and len(load.results)} requests at "
          f"{len(load.results) / seconds:.1f}/s for {seconds:.0f} s")  # fmt: skip
    for when, what in load.marks:
        print(f"  {when:6.1f} s  {what}")
    starts = [w for w, what in load.marks if what.startswith("fault")]
    ends = [w for w, what in load.marks if what.startswith("end")]
    first, last = (min(starts), max(ends)) if starts and ends else (seconds, seconds)
    phases = {
        "before": [r for r in load.results if r.due < first],
        "during": [r for r in load.results if first <= r.due < last],
        "after": [r for r in load.results if r.due >= last],
    }
    for phase, results in phases.items():
        span = {"before": first, "during": last - first, "after": seconds - last}[phase]
        if results:
            print(f"-- {phase} ({span:.0f} s)")
            print(client.table(client.summary(results, max(span, 1e-9))))
    print(client.timeline(load.results, STEP, load.marks))
    rows = client.summary(load.results, seconds)["all"]
    lost = writes["posts_lost"] + writes["approvals_lost"]
    bad = rows["5xx"] + rows["timeout"] + rows["bad"]
    print(
        f"writes: {writes['posts_ok']} posts, {writes['approvals_ok']} approvals succeeded; "
        f"lost {writes['posts_lost']} posts, {writes['approvals_lost']} approvals"
    )
    print(
        f"verdict: {rows['5xx']} x 5xx, {rows['timeout']} hangs, {rows['bad']} wrong answers, "
        f"{rows['conn']} connection errors, {rows['503']} x 503; server access log: {log_500} "
        f"x 5xx other than 503, {tracebacks} tracebacks in its error log; lost writes {lost} -> "
        f"{'pass' if bad == 0 and lost == 0 and log_500 == 0 else 'FAIL'}"
    )
    return {"name": name, "bad": bad, "lost": lost, "log_500": log_500}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--rate", type=float, default=10, help="requests per second [10]")
    parser.add_argument("--seconds", type=float, default=None, help="length of the run")
    parser.add_argument("--max-requests", type=int, default=5000, help="hard cap")
    parser.add_argument("--timeout", type=float, default=15, help="a hang: no answer by then")
    parser.add_argument("--mode", default="fast", choices=["fast", "immediate"],
                        help="pg-restart: pg_ctl's shutdown mode")  # fmt: skip
    args = parser.parse_args()
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    verdicts = [run(name, args) for name in names]
    if any(v["bad"] or v["lost"] or v["log_500"] for v in verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
