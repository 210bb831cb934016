"""D5 (issue 10): the site's search box answers any text with a page, never a server error."""

from __future__ import annotations

import pytest
from sitedata import FLARES


@pytest.mark.parametrize(
    "query",
    [
        '"',  # unterminated string in SQLite's full-text syntax
        'a">b',
        "flares\x00",
        " ".join(f"word{i}" for i in range(700)),  # RecursionError in the query builder
    ],
)
def test_the_search_box_answers_any_text(client, approved_page, query):
    response = client.get("/", {"q": query})
    assert response.status_code == 200
    assert "Questions matching" in response.content.decode()


def test_the_search_box_still_finds_pages_through_punctuation(client, approved_page):
    html = client.get("/", {"q": '"Glimmerfield" flares?'}).content.decode()
    assert FLARES in html
