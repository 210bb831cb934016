"""Screenshots of the demo site for the README and decision 0012 (issue 13), into docs/img/.

    .venv/bin/python scripts/screenshots.py            # after `make demo` (var/site.sqlite3)
    .venv/bin/python scripts/screenshots.py --out /tmp/shots --full

Serves the demo site (`evimap serve`, one worker) on a private port against a copy of its
database, so the demo's own pages and reviews are left as they are, and drives Debian's
Chromium through Playwright (`executable_path`; nothing is downloaded). Writes:

- question-{patient,caregiver,clinician}-{1280,360}.png: "What causes MS flares?" (approved),
  the first screen of the page (the whole page with --full);
- evidence-map.png: the evidence map (clinician) of the demo page whose map shows most;
- condition-map.png: the Multiple sclerosis page's map of its questions;
- citation-popover-360.png: a citation tapped on a phone, its source sentence shown;
- stepper-{submitted,under-review,changes-requested,approved}.png: the status line and review
  stepper in each state (a second page drafted by the demo is taken through the editorial
  check, then sent back by the medical reviewer, on the copy).

PNGs are reduced to a 64-colour palette (Pillow), a few tens of kB each.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLARES = "What causes MS flares?"
SUBMITTED = "What causes multiple sclerosis?"
AUDIENCES = ("patient", "caregiver", "clinician")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(database: Path, library: Path, port: int, log: Path) -> subprocess.Popen:
    """`evimap serve` on a copy of the demo database; returns once it answers."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "EVIMAP_DEBUG": "0",
        "EVIMAP_SECRET_KEY": secrets.token_urlsafe(40),
        "EVIMAP_CACHE_URL": "",
    }
    evimap = Path(sys.executable).with_name("evimap")
    command = [str(evimap), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--library", str(library)]
    server = subprocess.Popen(
        command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"evimap serve stopped (see {log})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"evimap serve did not answer in 60 s (see {log})")


def shrink(path: Path, colours: int = 64) -> None:
    """A palette PNG: screenshots of text and flat colours lose nothing visible."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colours, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def page_url(page, base: str, title: str) -> str:
    """The address of the live question page titled `title` (found with the site search)."""
    page.goto(f"{base}/?q={urllib.request.quote(title)}")
    link = page.locator(".results a", has_text=title).first
    return link.get_attribute("href")


def richest_map(page, base: str) -> str:
    """The demo question page whose evidence map (clinician) shows the most: kinds of source,
    then dated sources, then sources."""
    page.goto(base + "/")
    conditions = [a.get_attribute("href") for a in page.locator(".conditions a").all()]
    questions: list[str] = []
    for condition in conditions:
        page.goto(base + condition)
        questions += [a.get_attribute("href") for a in page.locator("ul.questions a").all()]
    scored = []
    for question in questions:
        page.goto(f"{base}{question}?audience=clinician")
        score = page.evaluate(
            """() => { const pts = [...document.querySelectorAll('.evidence-map a.point')];
                 const kinds = new Set(pts.map(a => a.getAttribute('class')));
                 const dated = pts.filter(a => !/no date/.test(a.getAttribute('aria-label')));
                 return [kinds.size, dated.length, pts.length]; }"""
        )
        scored.append((score, question))
    best = max(scored)[1]
    print(f"evidence map: {best}", file=sys.stderr)
    return best


def sign_in(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-dev-pass")  # evimap demo's development passwords
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.click("header nav form button")
    page.wait_for_load_state()


def stepper(page, path: Path) -> None:
    """The status line and the review stepper, as one picture."""
    page.evaluate("() => window.scrollTo(0, 0)")  # the clip is in the viewport's coordinates
    box = page.locator(".status-line").bounding_box()
    steps = page.locator(".review-status").bounding_box()
    note = page.locator(".review-note")  # "Changes requested"
    end = note.bounding_box() if note.count() else steps
    top, bottom = box["y"] - 8, end["y"] + end["height"] + 8
    left, right = steps["x"] - 8, steps["x"] + steps["width"] + 8
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    page.screenshot(path=path, clip=clip)


def shoot(base: str, out: Path, full: bool, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []

    def saved(path: Path) -> None:
        shrink(path)
        written.append(path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        flares = page_url(page, base, FLARES)
        submitted = page_url(page, base, SUBMITTED)
        if not flares or not submitted:
            raise SystemExit(f"the demo pages {FLARES!r} and {SUBMITTED!r} were not found")

        for audience in AUDIENCES:
            for width, height in ((1280, 900), (360, 780)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{base}{flares}?audience={audience}")
                path = out / f"question-{audience}-{width}.png"
                page.screenshot(path=path, full_page=full)
                saved(path)
        page.set_viewport_size({"width": 1100, "height": 900})
        best = richest_map(page, base)
        page.goto(f"{base}{best}?audience=clinician")
        page.locator(".evidence-map").first.screenshot(path=out / "evidence-map.png")
        saved(out / "evidence-map.png")
        page.goto(f"{base}{flares}?audience=clinician")
        stepper(page, out / "stepper-approved.png")
        saved(out / "stepper-approved.png")
        page.goto(base + page.get_attribute(".breadcrumb a", "href"))
        page.locator(".condition-map").screenshot(path=out / "condition-map.png")
        saved(out / "condition-map.png")

        page.goto(base + submitted)
        stepper(page, out / "stepper-submitted.png")
        saved(out / "stepper-submitted.png")
        sign_in(page, base, "editor", submitted)
        page.click(".review-panel button[name=approve]")
        page.wait_for_load_state()
        sign_out(page)
        page.goto(base + submitted)
        stepper(page, out / "stepper-under-review.png")
        saved(out / "stepper-under-review.png")
        sign_in(page, base, "reviewer", submitted)
        page.fill(".review-panel #rc-comment", "Please add the guideline on vitamin D.")
        page.click(".review-panel form:has(#rc-comment) button[type=submit]")
        page.wait_for_load_state()
        sign_out(page)
        page.goto(base + submitted)
        stepper(page, out / "stepper-changes-requested.png")
        saved(out / "stepper-changes-requested.png")

        phone = browser.new_context(
            viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True
        ).new_page()
        phone.goto(f"{base}{flares}?audience=patient")
        cite = phone.locator(".short-answer .cite").first
        cite.scroll_into_view_if_needed()
        phone.evaluate("() => window.scrollBy(0, -120)")
        cite.tap()
        phone.locator(".short-answer .cite-pop").first.wait_for(state="visible")
        phone.screenshot(path=out / "citation-popover-360.png")
        saved(out / "citation-popover-360.png")
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "site.sqlite3")
    parser.add_argument("--library", type=Path, default=ROOT / "var" / "library")
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("Debian's chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 1
    if not args.database.exists():
        print(f"no demo site at {args.database}: run `make demo` first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evimap-shots-") as tmp:
        database = Path(tmp) / "site.sqlite3"
        for suffix in ("", "-wal", "-shm"):  # a WAL journal holds recent writes
            source = Path(f"{args.database}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{database}{suffix}")
        port = free_port()
        server = serve(database, args.library, port, Path(tmp) / "serve.log")
        try:
            written = shoot(f"http://127.0.0.1:{port}", args.out, args.full, chromium)
        finally:
            server.terminate()
            server.wait(timeout=30)
    total = sum(path.stat().st_size for path in written)
    for path in written:
        print(f"{path.stat().st_size / 1024:6.1f} kB  {path}")
    print(f"{len(written)} screenshots, {total / 1024:.0f} kB in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
