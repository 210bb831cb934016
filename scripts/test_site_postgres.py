"""Run the site tests again against PostgreSQL when it is reachable (what `make test` does).

    DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/test; pytest-django creates
    and drops its own test database (test_<name>) beside it.

Prints a skip line with the reason and exits 0 when PostgreSQL cannot be reached.
"""

from __future__ import annotations

import os
import subprocess
import sys

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"


def reachable(url: str) -> str | None:
    """None when PostgreSQL at `url` answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[site]')"
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def main() -> int:
    url = os.environ.get("EVIMAP_TEST_POSTGRES", DEFAULT_URL)
    why = reachable(url)
    if why is not None:
        print(f"SKIPPED site tests on PostgreSQL: {url} is not reachable ({why})")
        return 0
    print(f"site tests on PostgreSQL ({url})")
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "pytest", "tests/site", "-q", "-m", "not browser"]
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
