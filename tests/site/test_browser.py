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

    for who in ("editor", "reviewer"):
        sign_in(page, base, who, url)
        page.click("button[name=approve]")
        page.wait_for_load_state()
        page.click("header nav form button")  # sign out
    page.goto(base + url)
    line = page.inner_text(".status-line")
    assert line.startswith("Medically reviewed by Dr Ana Ruiz, MD, Neurology · Last updated")
    page.screenshot(path=ARTIFACTS / "question-approved.png", full_page=True)


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
