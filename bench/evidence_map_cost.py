"""What the evidence map adds to an uncached render of a question page (issue 13).

    python bench/evidence_map_cost.py                       # the demo site in var/
    python bench/evidence_map_cost.py --site /tmp/evimap-bench/site --rounds 200

In one process, on a copy of the demo site's database, renders each demo question page for an
anonymous reader through Django's test client with a query parameter of its own (which the
page cache never keeps), alternately with the map and with the map tag drawing nothing, so
both see the same load from whatever else runs on the machine. Reports, per page, the
medians of both, their difference, and the drawing alone (`evidence_map` on the page's
references).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "var", help="site.sqlite3, library")
    parser.add_argument("--rounds", type=int, default=100, help="renders of each kind [100]")
    args = parser.parse_args()
    if not (args.site / "site.sqlite3").exists():
        sys.exit(f"no demo site in {args.site} (make demo)")
    with tempfile.TemporaryDirectory(prefix="evimap-mapcost-") as tmp:
        database = Path(tmp) / "site.sqlite3"
        shutil.copyfile(args.site / "site.sqlite3", database)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ.setdefault("EVIMAP_DEBUG", "0")
        os.environ.setdefault("EVIMAP_SECRET_KEY", "bench-" + "x" * 50)
        run(args.site / "library", args.rounds)


def run(library: Path, rounds: int) -> None:
    from evimap.settings import Settings
    from evimap.site.commands import configure

    configure(Settings(library=library))
    from django.test import Client

    from evimap.site.evidence_map import evidence_map
    from evimap.site.pages.models import QuestionPage
    from evimap.site.pages.templatetags import evimap_links

    drawn = evimap_links.evidence_map_svg
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'page':<44}{'points':>7}{'with map':>10}{'without':>10}{'map adds':>10}{'drawing':>9}")
    for page in QuestionPage.objects.live().order_by("pk"):
        refs = (page.answer_for("patient") or {}).get("references") or []
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(rounds + 5):
            for with_map in (True, False):
                evimap_links.evidence_map_svg = drawn if with_map else (lambda *a, **k: "")
                started = time.perf_counter()
                response = client.get(page.url, {"audience": "patient", "r": f"{i}{with_map}"})
                ms = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.status_code
                assert ('class="evidence-map"' in response.content.decode()) == (
                    with_map and bool(refs)
                )
                if i >= 5:  # the first renders warm the templates and the engine
                    times[with_map].append(ms)
        evimap_links.evidence_map_svg = drawn
        started = time.perf_counter()
        for _ in range(rounds):
            evidence_map(refs)
        draw = (time.perf_counter() - started) * 1000 / rounds
        a, b = statistics.median(times[True]), statistics.median(times[False])
        title = page.title if len(page.title) <= 42 else page.title[:41] + "…"
        print(f"{title:<44}{len(refs):>7}{a:>8.1f}ms{b:>8.1f}ms{a - b:>+8.1f}ms{draw:>7.2f}ms")
    print(f"{rounds} renders of each kind per page, alternating; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
