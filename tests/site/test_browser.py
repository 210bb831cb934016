"""In a real headless Chromium (Debian's, driven by Playwright): the page, the audience
switch, the follow-up box, and a reviewer's approval changing the status line.
Screenshots go to artifacts/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not shutil.which("chromium"),
        reason="Debian's chromium is not installed (apt-get install -y chromium)",
    ),
]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_and_a_reviewer_use_the_question_page(live_server, flares_page, browser_page):
    page, base = browser_page, live_server.url
    url = flares_page.url
    page.goto(base + url)
    assert "pending human review" in page.inner_text(".status-line")
    for selector in (
        ".review-status",
        ".short-answer",
        ".references",
        ".evidence-summary",
        ".experiences",
        ".followup textarea",
        ".editorial-policy",
        ".cite",
    ):
        assert page.locator(selector).count() > 0, selector
    assert page.get_attribute(".cite >> nth=0", "title")
    page.screenshot(path=ARTIFACTS / "question-patient.png", full_page=True)
    # the source sentence in a popover on hover (no JavaScript), hidden otherwise
    assert not page.locator(".cite-pop >> nth=0").is_visible()
    page.hover(".short-answer .cite >> nth=0")
    popover = page.locator(".short-answer .cite-pop >> nth=0")
    assert popover.is_visible() and popover.inner_text() == page.get_attribute(
        ".short-answer .cite >> nth=0", "title"
    )
    page.locator(".short-answer").screenshot(path=ARTIFACTS / "citation-popover.png")
    page.mouse.move(0, 0)
    # the evidence map: each point a link to its reference
    page.locator(".evidence-map").screenshot(path=ARTIFACTS / "evidence-map.png")
    page.click(".evidence-map a.point >> nth=0")
    page.wait_for_function("() => location.hash.startsWith('#ref-')")

    patient_text = page.inner_text(".short-answer")
    page.click("nav.audience a[data-audience=clinician]")
    page.wait_for_url("**audience=clinician")
    assert (
        page.inner_text(".short-answer") != patient_text
        or page.inner_text("article") != patient_text
    )
    page.screenshot(path=ARTIFACTS / "question-clinician.png", full_page=True)

    page.fill(".followup textarea", "How are they treated?")
    page.click(".followup button[type=submit]")
    page.wait_for_selector("#followup-result .label.pending")
    assert "steroid" in page.inner_text("#followup-result")
    page.screenshot(path=ARTIFACTS / "question-followup.png", full_page=True)

    page.goto(base + url)
    page.locator(".review-status").screenshot(path=ARTIFACTS / "stepper-submitted.png")
    for who in ("editor", "reviewer"):
        sign_in(page, base, who, url)
        page.click("button[name=approve]")
        page.wait_for_load_state()
        page.click("header nav form button")  # sign out
        if who == "editor":
            page.goto(base + url)
            page.locator(".review-status").screenshot(path=ARTIFACTS / "stepper-under-review.png")
    page.goto(base + url)
    page.locator(".review-status").screenshot(path=ARTIFACTS / "stepper-approved.png")
    line = page.inner_text(".status-line")
    assert line.startswith("Medically reviewed by Dr Ana Ruiz, MD, Neurology · Last updated")
    page.screenshot(path=ARTIFACTS / "question-approved.png", full_page=True)
    page.goto(base + flares_page.get_parent().url)
    page.locator(".condition-map").screenshot(path=ARTIFACTS / "condition-map.png")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_shares_a_moderator_approves_and_the_page_counts_it(
    live_server, approved_page, browser_page
):
    page, base = browser_page, live_server.url
    url = approved_page.url
    page.goto(base + url)
    assert "has shared their experience on this question yet" in page.inner_text(".experiences")
    assert page.locator("#survey-chart").count() == 0

    sign_in(page, base, "member", url)
    page.click(".experiences a.share-link")
    page.check("input[name=relation][value=has]")
    page.fill("textarea[name=text]", "A hot bath and a heatwave came before my last two flares.")
    page.check("input[name=choices][value=heat]")
    page.click(".share-form button[type=submit]")
    assert "waiting for a moderator" in page.inner_text("main")
    page.click("header nav form button")  # sign out

    sign_in(page, base, "moderator", "/community/queue/")
    assert "heatwave" in page.inner_text(".queue-item")
    page.click(".queue-item button[name=approve]")
    page.wait_for_load_state()
    assert "Nothing waiting" in page.inner_text("main")
    page.click("header nav form button")

    page.goto(base + url)
    count = page.inner_text(".experience-count")
    assert count.startswith("1 person with glimmerfield syndrome shared their experience")
    bar = page.locator("#survey-chart g.bar[data-label='Heat or hot weather']")
    assert bar.count() == 1 and bar.locator("text.count").text_content() == "1"
    assert page.locator(".theme-evidence a.evidence-link").count() >= 1
    page.locator(".experiences").screenshot(path=ARTIFACTS / "experiences-approved.png")


# -- accessibility (issue 13): axe-core in the real Chromium, on every page type -------------


def axe_script() -> str:
    """axe.min.js as shipped in the axe-playwright-python wheel (a dev dependency); nothing is
    downloaded at run time."""
    try:
        from importlib.resources import files

        return (files("axe_playwright_python") / "axe.min.js").read_text()
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        pytest.skip("axe-core is not installed (pip install -e '.[dev]': axe-playwright-python)")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


SERIOUS = ("serious", "critical")


def axe_audit(page, script: str) -> list[dict]:
    """The violations axe-core finds on the page as it is now (every impact)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(script)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_axe_finds_no_serious_violation_on_any_page_type(
    live_server, flares_page, people, browser_page
):
    """Every page type, for each role that sees it: 0 serious or critical axe-core violations
    (WCAG 2.2 A/AA and best practices, colour contrast included)."""
    import json

    script = axe_script()
    page, base = browser_page, live_server.url
    url = flares_page.url
    condition = flares_page.get_parent().url
    found: dict[str, list[dict]] = {}

    def audit(name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(base + path)
        found[name] = axe_audit(page, script)

    audit("home", "/")
    audit("search", "/?q=flares")
    audit("condition", condition)
    for audience in ("patient", "caregiver", "clinician"):
        audit(f"question ({audience})", f"{url}?audience={audience}")
    page.fill(".followup textarea", "How are they treated?")
    page.click(".followup button[type=submit]")
    page.wait_for_selector("#followup-result .label.pending")
    audit("follow-up answer")
    page.goto(base + "/")
    policy = page.get_attribute("footer .policy-link", "href")
    if policy:
        audit("editorial policy", policy)
    audit("sign-in", "/login/")
    audit("join", "/community/join/")

    sign_in(page, base, "member", url)
    page.click(".experiences a.share-link")
    page.wait_for_load_state()
    audit("share experience")
    page.check("input[name=relation][value=has]")
    page.fill("textarea[name=text]", "A hot bath and a heatwave came before my last two flares.")
    page.click(".share-form button[type=submit]")
    page.wait_for_load_state()
    page.click("header nav form button")  # sign out

    sign_in(page, base, "moderator", "/community/queue/")
    page.wait_for_load_state()
    audit("moderation queue")
    page.click("header nav form button")

    sign_in(page, base, "editor", url)
    page.wait_for_load_state()
    audit("question (editor, review panel)")
    audit("review due", "/review/due/")
    audit("asked questions", "/draft/asked/")

    (ARTIFACTS / "axe.json").write_text(json.dumps(found, indent=1))
    bad = {name: [v for v in vs if v["impact"] in SERIOUS] for name, vs in found.items()}
    bad = {name: vs for name, vs in bad.items() if vs}
    assert not bad, json.dumps(bad, indent=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_question_page_fits_a_360_px_phone(live_server, approved_page, browser_page):
    """No horizontal scroll at 360 px, for each audience (issue 13); the approved page passes
    axe-core there too."""
    script = axe_script()
    page, base = browser_page, live_server.url
    for audience in ("patient", "caregiver", "clinician"):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base}{approved_page.url}?audience={audience}")
        page.screenshot(path=ARTIFACTS / f"question-{audience}-1280.png", full_page=True)
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"{base}{approved_page.url}?audience={audience}")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        page.screenshot(path=ARTIFACTS / f"question-{audience}-360.png", full_page=True)
        assert widths[0] <= widths[1], (audience, widths)
        serious = [v for v in axe_audit(page, script) if v["impact"] in SERIOUS]
        assert not serious, (audience, serious)


def tab_to(page, test: str, limit: int = 200) -> None:
    """Press Tab until `test` (a JS expression on `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({test}); }}"):
            return
    pytest.fail(f"Tab never reached {test}")


def focus_ring(page) -> str:
    """The focused element's outline, as drawn ('3px solid ...'); 'none' when it has none."""
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' ? 'none' : s.outlineWidth + ' ' + s.outlineStyle; }"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_keyboard_only_reader_uses_the_question_page(live_server, flares_page, browser_page):
    """Keyboard only (issue 13): the skip link comes first and shows, focus is always visible,
    the audience switch, a citation and the follow-up box all work from the keyboard."""
    page, base = browser_page, live_server.url
    page.goto(base + flares_page.url)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # on screen once focused
    assert focus_ring(page) == "3px solid"
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#main'")

    tab_to(page, "el.dataset.audience === 'clinician'")
    assert focus_ring(page) == "3px solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**audience=clinician")

    tab_to(page, "el.classList.contains('cite')")
    assert focus_ring(page) == "3px solid"
    shown = page.evaluate(
        "() => getComputedStyle(document.activeElement.querySelector('.cite-pop')).display"
    )
    assert shown == "block"  # the source sentence shows on keyboard focus
    page.keyboard.press("Escape")  # and Escape hides it without moving focus (WCAG 1.4.13)
    assert page.evaluate(
        "() => getComputedStyle(document.activeElement.querySelector('.cite-pop')).display"
    ) == "none" and page.evaluate("() => document.activeElement.classList.contains('cite')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash.startsWith('#ref-')")

    tab_to(page, "el.id === 'question-box'")
    assert focus_ring(page) == "3px solid"
    page.keyboard.type("How are they treated?")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Ask"
    assert focus_ring(page) == "3px solid"
    page.keyboard.press("Enter")
    page.wait_for_selector("#followup-result .label.pending")
    assert "steroid" in page.inner_text("#followup-result")


def popover_shown(page, where: str = ".short-answer") -> bool:
    return page.locator(f"{where} .cite-pop >> nth=0").is_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_citation_shows_its_source_sentence_on_tap_and_without_javascript(
    live_server, flares_page, browser_page
):
    """The popover opens on a tap too (a second tap follows the link; a tap elsewhere or Escape
    closes it), and without JavaScript hover and focus still show it, a click still reaches
    the reference and the "Source sentence" fold-out gives the sentence."""
    page, base = browser_page, live_server.url
    url = base + flares_page.url
    browser = page.context.browser
    cite = ".short-answer .cite >> nth=0"

    phone = browser.new_context(
        viewport={"width": 360, "height": 800}, has_touch=True, is_mobile=True
    ).new_page()
    phone.goto(url)
    assert phone.locator(".short-answer .cite").count() >= 2
    sentence = phone.get_attribute(cite, "title")
    phone.tap(cite)
    assert popover_shown(phone) and phone.inner_text(".short-answer .cite-pop >> nth=0") == sentence
    assert phone.evaluate("() => location.hash") == ""  # the first tap only opens it
    assert phone.get_attribute(cite, "aria-expanded") == "true"
    phone.screenshot(path=ARTIFACTS / "citation-popover-tap-360.png")
    phone.tap(".short-answer .cite-pop >> nth=0")  # a tap on the popover closes it
    assert not popover_shown(phone) and phone.evaluate("() => location.hash") == ""
    phone.tap(cite)
    phone.tap(".answer-section .cite >> nth=0")  # another citation: only that one open
    assert popover_shown(phone, ".answer-section") and not popover_shown(phone)
    phone.tap("h1")  # a tap elsewhere closes it
    assert not popover_shown(phone, ".answer-section")
    phone.tap(cite)
    phone.tap(cite)  # the second tap follows the link
    phone.wait_for_function("() => location.hash.startsWith('#ref-')")
    phone.context.close()

    # Escape dismisses a popover shown on hover (WCAG 1.4.13)
    page.goto(url)
    page.hover(cite)
    assert popover_shown(page)
    page.keyboard.press("Escape")
    assert not popover_shown(page)

    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(url)
    plain.hover(cite)
    assert popover_shown(plain)
    plain.mouse.move(0, 0)
    assert not popover_shown(plain)
    plain.focus(cite)
    assert popover_shown(plain)
    support = plain.locator(".short-answer details.support >> nth=0")
    support.locator("summary").click()
    assert support.locator("blockquote").first.is_visible()
    assert sentence.split(" … ")[0] in support.inner_text()
    plain.click(cite)
    plain.wait_for_function("() => location.hash.startsWith('#ref-')")
    plain.context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clinician_prints_the_page_with_its_references(live_server, approved_page, browser_page):
    """Print media (issue 13): the answer, its review status, the evidence map and every
    reference with its address print; search, sign-in, the audience switch, the follow-up
    box, fold-outs and popovers do not."""
    page, base = browser_page, live_server.url
    page.goto(f"{base}{approved_page.url}?audience=clinician")
    page.emulate_media(media="print")
    for shown in (
        "h1",
        ".status-line",
        ".review-status",
        ".short-answer",
        ".evidence-map svg",
        ".references",
        ".disclaimer",
    ):
        assert page.locator(shown).first.is_visible(), shown
    for hidden in (
        "header.site .search",
        "header.site nav",
        "nav.audience",
        ".followup",
        ".skip-link",
        "details.support",
    ):
        assert not page.locator(hidden).first.is_visible(), hidden
    page.focus(".short-answer .cite >> nth=0")
    assert not page.locator(".short-answer .cite-pop >> nth=0").is_visible()
    refs = page.locator(".references li")
    assert refs.count() >= 2 and all(refs.nth(i).is_visible() for i in range(refs.count()))
    addresses = page.evaluate(
        """() => [...document.querySelectorAll('.references a[href^="http"]')].map(a =>
             [a.getAttribute('href'), a.textContent + getComputedStyle(a, '::after').content])"""
    )
    assert addresses and all(href in printed for href, printed in addresses), addresses
    assert any(not printed.startswith(href) for href, printed in addresses)  # "PMID ..." <...>
    page.screenshot(path=ARTIFACTS / "question-print.png", full_page=True)
    page.pdf(path=ARTIFACTS / "question-print.pdf", format="A4")
    assert (ARTIFACTS / "question-print.pdf").stat().st_size > 10_000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_axe_finds_no_serious_violation_for_each_signed_in_role(
    live_server, flares_page, people, browser_page
):
    """The pages each signed-in role sees with its own header and panels (issue 13): a member
    (home, question page, their posts), a moderator (question page), a reviewer (the page under
    review with the review panel, review due), an admin (asked questions), and the pages of
    the join flow and errors a visitor meets (terms, a home-page answer, not found)."""
    import json

    script = axe_script()
    page, base = browser_page, live_server.url
    url = flares_page.url
    found: dict[str, list[dict]] = {}

    def audit(name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(base + path)
        found[name] = axe_audit(page, script)

    audit("community terms", "/community/terms/")
    page.goto(base + "/")
    page.fill("#question-box", "How are Glimmerfield syndrome flares treated?")
    page.click("form.ask button[type=submit]")
    page.wait_for_selector("#followup-result .label.pending")
    audit("home, answered question")
    audit("not found", "/no-such-page/")

    for who, paths in (
        ("member", ("/", url, "/community/me/")),
        ("moderator", (url,)),
        ("admin", ("/", "/draft/asked/")),
    ):
        sign_in(page, base, who, paths[0])
        page.wait_for_load_state()
        for path in paths:
            audit(f"{path} ({who})", path)
        page.click("header nav form button")  # sign out

    sign_in(page, base, "editor", url)
    page.click("button[name=approve]")
    page.wait_for_load_state()
    page.click("header nav form button")
    sign_in(page, base, "reviewer", url)
    page.wait_for_load_state()
    assert page.locator(".review-panel button[name=approve]").count() == 1
    audit("question under review (reviewer, review panel)")
    audit("review due (reviewer)", "/review/due/")

    (ARTIFACTS / "axe-roles.json").write_text(json.dumps(found, indent=1))
    bad = {name: [v for v in vs if v["impact"] in SERIOUS] for name, vs in found.items()}
    bad = {name: vs for name, vs in bad.items() if vs}
    assert not bad, json.dumps(bad, indent=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stepper_marks_a_page_sent_back_for_changes(live_server, flares_page, browser_page):
    """Changes requested by the medical reviewer: the step under review is marked "!" in the
    warning colour rather than ticked, the note says so, and axe still finds nothing serious."""
    script = axe_script()
    page, base = browser_page, live_server.url
    url = flares_page.url
    sign_in(page, base, "editor", url)
    page.click("button[name=approve]")
    page.wait_for_load_state()
    page.click("header nav form button")
    sign_in(page, base, "reviewer", url)
    page.fill("#rc-comment", "Please add the guideline on infections.")
    page.click(".review-panel form:has(#rc-comment) button[type=submit]")
    page.wait_for_load_state()
    page.click("header nav form button")
    page.goto(base + url)
    assert page.inner_text(".review-note") == "Changes requested"
    marker = page.evaluate(
        "() => getComputedStyle(document.querySelector('.review-status li.current'),"
        " '::before').content"
    )
    assert marker == '"!"'
    page.locator(".review-status").screenshot(path=ARTIFACTS / "stepper-changes-requested.png")
    serious = [v for v in axe_audit(page, script) if v["impact"] in SERIOUS]
    assert not serious, serious


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_focus_stop_on_the_question_page_is_visible(live_server, approved_page, browser_page):
    """Tab through the whole question page: every stop draws the 3 px focus ring and lies on
    the page (nothing hidden takes focus), in the order the page reads."""
    page, base = browser_page, live_server.url
    page.goto(f"{base}{approved_page.url}?audience=clinician")
    stops = []
    for _ in range(300):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => { const el = document.activeElement;
                 if (!el || el === document.body) return null;
                 const r = el.getBoundingClientRect(), s = getComputedStyle(el);
                 return {what: el.tagName + '.' + (el.getAttribute('class') || '') + ' '
                           + (el.textContent || '').trim().slice(0, 30),
                         ring: s.outlineStyle === 'none' ? 'none' : s.outlineWidth,
                         top: r.top + scrollY, size: r.width * r.height}; }"""
        )
        if stop is None or (stops and stop["what"] == stops[0]["what"]):
            break  # back at the start
        stops.append(stop)
    assert len(stops) > 15, stops
    assert stops[0]["what"].startswith("A.skip-link")
    hidden = [s["what"] for s in stops if s["ring"] != "3px" or s["size"] == 0]
    assert not hidden, hidden
    kinds = {s["what"].split(" ")[0].upper() for s in stops}  # an SVG <a> is "a"
    assert {"A.CITE", "A.POINT", "SUMMARY.", "TEXTAREA."} <= kinds, kinds


def parser_changes(page, url: str) -> dict[str, tuple[int, int]]:
    """Tags whose count Chromium's HTML parser changes on the page at `url`: {tag: (in the
    source, in the DOM)}. A `<p>` closed early by a block leaves its `</p>` to make a second,
    empty `<p>`; a misnested tag is closed and reopened: the counts differ."""
    import re

    source = page.request.get(url).text()
    tags = sorted(set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)[\s/>]", source)))
    dom = page.evaluate(
        """([html, tags]) => { const doc = new DOMParser().parseFromString(html, 'text/html');
             return tags.map(t => doc.getElementsByTagName(t).length); }""",
        [source, tags],
    )
    counts = {
        t: (len(re.findall(rf"<{t}[\s/>]", source)), n) for t, n in zip(tags, dom, strict=True)
    }
    return {t: c for t, c in counts.items() if c[0] != c[1]}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chromium_parses_the_pages_as_they_are_written(
    live_server, approved_page, people, browser_page
):
    """The real browser's HTML parser builds the tree the templates write (issue 13): the
    question page in each audience, the condition page, the sign-in, join and share forms."""
    page, base = browser_page, live_server.url
    paths = [f"{approved_page.url}?audience={a}" for a in ("patient", "caregiver", "clinician")]
    paths += [approved_page.get_parent().url, "/", "/login/", "/community/join/"]
    changed = {path: parser_changes(page, base + path) for path in paths}
    sign_in(page, base, "member", approved_page.url)
    path = f"/community/share/{approved_page.pk}/"
    changed[path] = parser_changes(page, base + path)
    changed = {path: c for path, c in changed.items() if c}
    assert not changed, changed
