"""Speed of a question page that carries many approved experiences (issue 5).

Bar: a question page with 1,000 approved posts renders at p95 <= 80 ms (paginated).

Uses the demo site of bench/site_speed.py (set up once in the bench cache; --reuse keeps it),
gives the "What causes MS flares?" page N approved posts from N synthetic members (generated
here from a few sentence templates and the page's survey, clearly not anyone's real words),
recounts its themes, then serves it with 2 gunicorn workers and measures GETs of the first
page of posts (from the page cache, and rendered: any unknown parameter bypasses the cache)
and of a deep page (?posts=50, rendered). The posts are removed again at the end.

    python bench/experiences_speed.py --reuse
    python bench/experiences_speed.py --posts 1000 --requests 1000 --concurrency 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import cache_dir, median
from site_speed import (
    QUESTION,
    find_page,
    free_port,
    load,
    percentile,
    set_up,
    site_env,
    start_server,
    stop_server,
    wait_until_up,
)

BAR_P95_MS = 80.0
SEED = """
import json, random, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from evimap.site.community import themes
from evimap.site.community.models import Experience, MemberProfile, TERMS_VERSION
from evimap.site.community.survey import survey_for
from evimap.site.pages.models import QuestionPage

n, question = int(sys.argv[1]), sys.argv[2]
page = QuestionPage.objects.get(question=question)
Experience.objects.filter(page=page, author__username__startswith="bench-member-").delete()
User.objects.filter(username__startswith="bench-member-").delete()
if n:
    rng = random.Random(7)
    survey = survey_for(page.question_type)
    openers = ["My flares", "The worst relapses I had", "Every flare so far", "My last relapse"]
    middles = ["came after {a}", "followed {a} and {b}", "started during {a}", "began with {a}"]
    ends = ["Resting helped.", "It took weeks to settle.", "Cooling down helped a lot.", ""]
    causes = ["a heatwave", "a hot bath", "a bad cold", "stress at work", "poor sleep",
              "a urinary infection", "a long run", "a busy month"]
    now = timezone.now()
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"bench-member-{i}", password="!") for i in range(n))
        MemberProfile.objects.bulk_create(
            MemberProfile(user=u, display_name=f"Bench member {i}", consented_terms=TERMS_VERSION,
                          consented_at=now, email_verified_at=now) for i, u in enumerate(users))
        posts = []
        for i, u in enumerate(users):
            a, b = rng.sample(causes, 2)
            middle = rng.choice(middles).format(a=a, b=b)
            text = f"{rng.choice(openers)} {middle}. {rng.choice(ends)}"
            choices = rng.sample([v for v, _, _ in survey.options], rng.randint(1, 3))
            answers = survey.clean(choices, "", rng.choice(["", "1-5", "5-10", "over-10"]))
            posts.append(Experience(page=page, author=u, relation="has", text=text.strip(),
                                    answers=answers, status="approved", published_at=now))
        Experience.objects.bulk_create(posts)
row = themes.refresh(page)
print(json.dumps({"people": row.people, "posts": row.posts}))
"""


def seed(env: dict[str, str], posts: int) -> dict:
    """N synthetic approved posts on the flares page (0: remove them); the new counts."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "evimap.site.settings"}
    done = subprocess.run(
        [sys.executable, "-c", SEED, str(posts), QUESTION],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"seeding experiences failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse an earlier demo setup")
    parser.add_argument("--posts", type=int, default=1000, help="approved posts [1000]")
    parser.add_argument("--requests", type=int, default=1000, help="measured GETs [1000]")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads [2]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers [2]")
    args = parser.parse_args()

    site = cache_dir("site")
    env = site_env(site)
    set_up(site, env, args.reuse)
    counts = seed(env, args.posts)
    posts, people = counts["posts"], counts["people"]
    print(f"the flares page now has {posts:,} approved posts by {people:,} people")
    port, log = free_port(), site / "serve.log"
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, args.workers, log)
    try:
        wait_until_up(base, server, log)
        with httpx.Client(timeout=30) as client:
            path = find_page(client, base, QUESTION)
            page = client.get(base + path)
        if f"{counts['people']} people with" not in page.text:
            sys.exit("the page does not show the number of people who shared")
        results = {}
        urls = (
            ("first page, cached", path),
            ("first page, rendered", f"{path}?uncached=1"),
            ("page 50, rendered", f"{path}?posts=50&uncached=1"),
        )
        for label, url in urls:
            load(base + url, 100, args.concurrency)  # warm up
            results[label] = load(base + url, args.requests, args.concurrency)
        size = len(page.content) / 1024
    finally:
        stop_server(server)
        seed(env, 0)
    _report(results, size, args)


def _report(results: dict, size_kib: float, args) -> None:
    print(f"\npage size {size_kib:.0f} KiB; {args.workers} workers, {args.concurrency} clients")
    print(f"{'page':<22}{'p50':>9}{'p95':>9}{'req/s':>8}  {'bar':<10}{'p95/bar':>8}  verdict")
    failed = False
    for label, r in results.items():
        p95 = percentile(r["ms"], 0.95)
        rps = len(r["ms"]) / r["wall_s"]
        ok = p95 <= BAR_P95_MS and not r["errors"]
        failed |= not ok
        print(
            f"{label:<22}{median(r['ms']):>7.1f}ms{p95:>7.1f}ms{rps:>8.0f}  {'<= 80 ms':<10}"
            f"{p95 / BAR_P95_MS:>8.2f}  {'pass' if ok else 'FAIL'}"
        )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
