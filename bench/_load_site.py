"""The site under load: private PostgreSQL and Redis, the database of one run, the server.

Everything lives in one folder (EVIMAP_LOAD_DIR, default /tmp/evimap-load), apart from the
machine's own PostgreSQL and Redis, which other people's tests use: this PostgreSQL (port
55432) and this Redis (port 56379) can be restarted and killed by the fault scenarios.

    LOAD_DIR/
      pg/data/            PostgreSQL cluster (initdb; run as the postgres user when root)
      library/            the evidence library `evimap demo --no-serve` built
      secret_key          the site's secret key (sessions made by the fixtures need it)
      plan.json           members, tokens, pages (bench/_load_fixtures.py)
      runs/               server logs

Each run gets a fresh database, `evimap_run`, copied from the template `evimap_load_base`
(CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY: a few seconds), and an empty Redis.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOAD_DIR = Path(os.environ.get("EVIMAP_LOAD_DIR", "/tmp/evimap-load"))
EVIMAP = Path(sys.executable).parent / "evimap"
SHARED_DATA = Path(os.environ.get("EVIMAP_SHARED_DATA", REPO.parent / "shared" / "data"))
PG_PORT, REDIS_PORT = 55432, 56379
BASE_DB, RUN_DB = "evimap_load_base", "evimap_run"


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if path is None:
        sys.exit(f"skipped: PostgreSQL's {name} is not installed")
    return path


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class Postgres:
    """The private PostgreSQL cluster in LOAD_DIR/pg (port 55432)."""

    root: Path = field(default_factory=lambda: LOAD_DIR / "pg")
    port: int = PG_PORT

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, db: str = RUN_DB) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def ensure(self) -> None:
        """initdb on first use, then start it unless it runs."""
        if not (self.data / "PG_VERSION").exists():
            self.root.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.root, "postgres", "postgres")
            args = [_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
            subprocess.run(_as_postgres(args), check=True, capture_output=True, cwd="/")
        if not self.running():
            self.ctl("start")

    def running(self) -> bool:
        args = [_pg_bin("pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(_as_postgres(args), capture_output=True, cwd="/").returncode == 0

    def ctl(self, action: str, mode: str = "fast") -> float:
        """pg_ctl start|stop|restart (waits until done); returns the seconds it took."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        args = [_pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-m", mode]
        if action in ("start", "restart"):
            args += ["-o", options, "-l", str(self.root / "server.log")]
        started = time.perf_counter()
        subprocess.run(_as_postgres([*args, action]), check=True, capture_output=True, cwd="/")
        return time.perf_counter() - started

    def sql(self, statement: str, db: str = "postgres") -> list[tuple]:
        import psycopg

        url = self.url(db).replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def fresh_run_db(self) -> None:
        """evimap_run, a copy of the template evimap_load_base."""
        for db in (RUN_DB, BASE_DB):
            self.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{db}' AND pid <> pg_backend_pid()"
            )
        self.sql(f"DROP DATABASE IF EXISTS {RUN_DB}")
        # FILE_COPY, not PostgreSQL 15's default WAL_LOG: a sequence copied by WAL_LOG hands
        # out values without logging them until the next checkpoint, so a crash (pg_ctl -m
        # immediate) took the copy's sequences back to the template's values, and the next
        # inserts failed on duplicate keys (measured: 12 x 500 on approvals after the crash).
        self.sql(f"CREATE DATABASE {RUN_DB} TEMPLATE {BASE_DB} STRATEGY FILE_COPY")


@dataclass
class Redis:
    """A private redis-server on port 56379 (no persistence), started and killed by us."""

    port: int = REDIS_PORT
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            sys.exit("skipped: redis-server is not installed")
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, 10, "redis-server")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _wait_port(port: int, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit(f"{what} did not listen on port {port} within {seconds:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(database_url: str, cache_url: str | None, library: Path | None = None) -> dict:
    env = dict(os.environ)
    env["EVIMAP_LIBRARY"] = str(library or LOAD_DIR / "library")
    env["DATABASE_URL"] = database_url
    env["EVIMAP_SECRET_KEY_FILE"] = str(LOAD_DIR / "secret_key")
    env["EVIMAP_DEBUG"] = "0"
    # what `setup` built the vocabulary with: another value makes it stale (rebuilt, ~25 s)
    env["EVIMAP_SHARED_DATA"] = str(SHARED_DATA)
    env.pop("EVIMAP_CACHE_URL", None)
    if cache_url:
        env["EVIMAP_CACHE_URL"] = cache_url
    return env


@dataclass
class Server:
    """`evimap serve` (gunicorn) in its own process group, its log in LOAD_DIR/runs."""

    env: dict
    workers: int = 2
    extra: tuple[str, ...] = ()
    drop_dac: bool = False  # root without CAP_DAC_OVERRIDE: file modes apply to it too
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log: Path = field(default_factory=lambda: LOAD_DIR / "runs" / "serve.log")
    access_log: Path = field(default_factory=lambda: LOAD_DIR / "runs" / "access.log")

    def start(self, timeout: float = 60) -> float:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        args = [str(EVIMAP), "serve", "--bind", f"127.0.0.1:{self.port}"]
        args += ["--workers", str(self.workers), *self.extra]
        if self.drop_dac and os.geteuid() == 0 and shutil.which("setpriv"):
            caps = "-dac_override,-dac_read_search"
            args = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *args]
        started = time.perf_counter()
        with self.log.open("w") as out, self.access_log.open("w") as access:
            self.proc = subprocess.Popen(
                args, env=self.env, cwd=LOAD_DIR, stdout=access, stderr=out,
                start_new_session=True,
            )  # fmt: skip
        import urllib.request

        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                sys.exit(f"evimap serve exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/", timeout=5) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"evimap serve did not answer within {timeout:.0f} s:\n{self.tail()}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers_pids(self) -> list[int]:
        """The gunicorn workers: children of the master (the exec'd `evimap serve`)."""
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def count_in_log(self, needle: str) -> int:
        try:
            return self.log.read_text(errors="replace").count(needle)
        except OSError:
            return 0

    def statuses(self) -> dict[int, int]:
        """How many responses of each status the access log holds ("GET / HTTP/1.1" 200)."""
        import re
        from collections import Counter

        try:
            text = self.access_log.read_text(errors="replace")
        except OSError:
            return {}
        return dict(Counter(int(m) for m in re.findall(r'HTTP/[0-9.]+" (\d{3}) ', text)))
