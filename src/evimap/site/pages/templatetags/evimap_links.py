"""`{{ url|http_url }}`: the address when it is http(s), else "" (evimap.site.links)."""

from __future__ import annotations

from django import template

from evimap.site.links import http_url as _http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return _http_url(value)


@register.simple_tag
def evidence_map(references: object, prefix: str = "") -> str:
    """`{% evidence_map answer.references prefix as svg %}`: the answer's evidence map (inline
    SVG, every text escaped by evimap.site.evidence_map), '' without cited sources."""
    from django.utils.safestring import mark_safe

    from evimap.site.evidence_map import evidence_map as draw

    return mark_safe(draw(references if isinstance(references, list) else [], prefix))  # nosec B308 B703: escaped in draw


@register.simple_tag
def condition_map(questions: object) -> str:
    """`{% condition_map page.questions as svg %}`: a condition's questions against the levels
    of evidence behind them (evimap.site.evidence_map.condition_map, every text escaped)."""
    from django.utils.safestring import mark_safe

    from evimap.site.evidence_map import condition_map as draw

    return mark_safe(draw(list(questions or [])))  # nosec B308 B703: escaped in draw
