"""`{{ url|http_url }}`: the address when it is http(s), else "" (evimap.site.links)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import mark_safe

from evimap.site.evidence_map import condition_map as condition_map_svg
from evimap.site.evidence_map import evidence_map as evidence_map_svg
from evimap.site.links import http_url as _http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return _http_url(value)


@register.simple_tag
def evidence_map(references: object, prefix: str = "") -> str:
    """`{% evidence_map answer.references prefix as svg %}`: the answer's evidence map (inline
    SVG, every text escaped by evimap.site.evidence_map), '' without cited sources."""
    refs = references if isinstance(references, tuple | list) else ()
    svg = evidence_map_svg(refs, prefix)
    return mark_safe(svg)  # nosec B308 B703: every text escaped in evidence_map_svg


@register.simple_tag
def condition_map(questions: Iterable[Any] | None) -> str:
    """`{% condition_map page.questions as svg %}`: a condition's questions against the levels
    of evidence behind them (evimap.site.evidence_map.condition_map, every text escaped)."""
    svg = condition_map_svg(list(questions or []))
    return mark_safe(svg)  # nosec B308 B703: every text escaped in condition_map_svg
