"""After dismissing a review-due flag the editor goes back only to a page of this site
(issue 10, D23): `next` pointing elsewhere falls back to the review-due list."""

from __future__ import annotations

import pytest
from django.utils import timezone

from evimap.site.review.models import ReviewDue


@pytest.fixture
def flag(approved_page):
    return ReviewDue.objects.create(
        page=approved_page, reason=ReviewDue.NEW_EVIDENCE, since=timezone.now()
    )


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        " https://evil.example/",
    ],
)
def test_dismiss_never_redirects_off_the_site(client, people, flag, target):
    client.force_login(people["editor"])
    response = client.post(f"/review/due/{flag.pk}/dismiss/", {"note": "x", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/review/due/"
    flag.refresh_from_db()
    assert flag.resolution == ReviewDue.DISMISSED


def test_dismiss_goes_back_to_a_page_of_the_site(client, people, flag, approved_page):
    client.force_login(people["editor"])
    response = client.post(f"/review/due/{flag.pk}/dismiss/", {"next": approved_page.url})
    assert (response.status_code, response["Location"]) == (302, approved_page.url)
