"""Ids in URLs and API requests (issue 10, D14): a number no database row can have (over
2**63 - 1, SQLite's and PostgreSQL's largest integer) is "not found", never an
OverflowError. `<id:name>` in the site's URL patterns; `known()` in the API."""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    """`<id:page_id>`: digits, as `<int:...>`, but no match (404) above MAX_ID."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"no row can have id {value}")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def known(value: int | None) -> bool:
    """Whether `value` could be a row's id (for the API's path and body ids)."""
    return value is not None and -MAX_ID <= value <= MAX_ID


register_converter(IdConverter, "id")
