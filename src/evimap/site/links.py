"""Links to sources: only http(s) addresses are ever offered to a reader (issue 10, D6).

The pages use the `http_url` template filter and the API `safe_answer`; both drop any
address that is not http:// or https:// (`evimap.links.http_url`).
"""

from __future__ import annotations

from evimap.links import http_url


def safe_answer(data: dict | None) -> dict | None:
    """Answer JSON (`render.to_dict`) whose references' `url` are http(s) or ""."""
    if not data or not data.get("references"):
        return data
    references = [{**ref, "url": http_url(ref.get("url"))} for ref in data["references"]]
    return {**data, "references": references}
