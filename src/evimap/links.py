"""Links to sources: only http(s) addresses are ever offered to a reader (issue 10, D6).

A source's `url` comes from its file (a guideline's front matter or canonical link) and could
be `javascript:...`; every place that shows a link (the pages, the API, the CLI's text and
Markdown) passes it through `http_url` first.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def http_url(value: object) -> str:
    """`value` when it is an absolute http(s) URL with a host, else ""."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if any(ord(c) < 33 or c in '<>"\\`' for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else ""
