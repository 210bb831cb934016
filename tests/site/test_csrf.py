"""CSRF on every form: each POST form the site renders (for a reader, a member, an editor,
a reviewer and a moderator) carries a token and is refused without one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from sitedata import DISEASE

from evimap.site.community import experiences

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
ACTION = re.compile(r'action="([^"]*)"')


def post_forms(html: str, page_url: str) -> list[tuple[str, str]]:
    """(action, form html) of every form with method="post" in `html`."""
    found = []
    for form in FORM.findall(html):
        opening = form.split(">", 1)[0]
        if 'method="post"' not in opening.lower():
            continue
        action = ACTION.search(opening)
        found.append(((action.group(1) if action else "") or page_url, form))
    return found


@pytest.fixture
def pages(approved_page, people):
    """The pages each role sees, with a post waiting in the queue and one published."""
    from evimap.site.community import moderation
    from evimap.site.pages import drafting
    from evimap.site.pages.drafting import draft_question

    text = "Hot weather came before each of my flares this summer."
    published = experiences.share(approved_page, people["member"], text, "has", ["heat"])
    moderation.approve(published, people["moderator"])
    experiences.share(approved_page, people["member"], text + " And stress.", "has", ["stress"])
    in_review = draft_question(DISEASE, people["admin"])  # waits for the editorial check
    visitor = drafting.Visitor("a-reader", signed_in=False)
    drafting.record_asked("How are Glimmerfield syndrome flares treated?", True, visitor)
    return {
        None: [approved_page.url, "/", "/login/", "/community/join/"],
        "member": [approved_page.url, "/community/me/", f"/community/share/{approved_page.pk}/"],
        "editor": [approved_page.url, in_review.url, "/review/due/", "/draft/asked/"],
        "moderator": ["/community/queue/"],
    }


def test_every_post_form_has_a_token_and_is_refused_without_one(pages, people):
    checked = set()
    for role, urls in pages.items():
        client = Client(enforce_csrf_checks=True)
        if role:
            client.force_login(people[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            for action, form in post_forms(response.content.decode(), url):
                assert 'name="csrfmiddlewaretoken"' in form, f"{action} on {url} has no token"
                if (role, action) in checked:
                    continue
                checked.add((role, action))
                assert client.post(action, {}).status_code == 403, f"{action} without a token"
    actions = {a for _, a in checked}
    assert len(actions) >= 14, sorted(actions)  # the test really saw the site's forms
