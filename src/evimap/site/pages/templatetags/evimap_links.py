"""`{{ url|http_url }}`: the address when it is http(s), else "" (evimap.site.links)."""

from __future__ import annotations

from django import template

from evimap.site.links import http_url as _http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return _http_url(value)
