"""Only http(s) addresses reach a reader (evimap.links.http_url; the site's safe_answer)."""

from __future__ import annotations

import pytest

from evimap.links import http_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/page",
        "http://example.org",
        "HTTPS://Example.org/a?b=c#d",
        "  https://example.org/padded  ",  # read trimmed
    ],
)
def test_http_addresses_with_a_host_are_kept(url):
    assert http_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "ftp://example.org/file",
        "//example.org/no-scheme",
        "https://",  # no host
        "https:///path",
        "https://exa mple.org",  # a space inside
        'https://example.org/"onmouseover="x',
        "https://example.org/<script>",
        "https://example.org/\x00",
        "https://[::1",  # urlsplit refuses it
        "",
        None,
        42,
    ],
)
def test_anything_else_is_no_link_at_all(url):
    assert http_url(url) == ""


def test_the_site_s_answer_json_keeps_only_http_reference_addresses():
    pytest.importorskip("django")
    from evimap.site.links import safe_answer

    data = {"question": "Q?", "references": [{"url": "javascript:x"}, {"url": "https://a.org"}]}
    assert [r["url"] for r in safe_answer(data)["references"]] == ["", "https://a.org"]
    assert data["references"][0]["url"] == "javascript:x"  # the stored answer is untouched
    assert safe_answer(None) is None and safe_answer({"question": "Q?"}) == {"question": "Q?"}
