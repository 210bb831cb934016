"""Links to sources: only http(s) addresses are ever offered to a reader (issue 10, D6).

A guideline's `url` comes from its file (front matter, <link rel="canonical">) and could be
`javascript:...`; the pages (the `http_url` template filter) and the API (`safe_answer`)
drop any address that is not http:// or https://.
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


def safe_answer(data: dict | None) -> dict | None:
    """Answer JSON (`render.to_dict`) whose references' `url` are http(s) or ""."""
    if not data or not data.get("references"):
        return data
    references = [{**ref, "url": http_url(ref.get("url"))} for ref in data["references"]]
    return {**data, "references": references}
