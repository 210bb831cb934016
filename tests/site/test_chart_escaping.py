"""The survey and recurring-words charts are marked safe in the page (community.views._chart,
bandit B308/B703 justified there): that holds only while bar_chart escapes every text it
writes. Members' own words reach it as labels."""

from __future__ import annotations

from xml.etree import ElementTree

from evimap.site.community.chart import bar_chart

HOSTILE = "\"><script>alert(1)</script><x a='b"


def test_every_text_in_the_chart_is_escaped():
    items = [{"label": HOSTILE, "count": 3}, {"label": "heat & <b>sun</b>", "count": 1}]
    svg = bar_chart(f"</title>{HOSTILE}", items, css_id=HOSTILE)
    assert "<script" not in svg and "<b>" not in svg and "<x " not in svg
    root = ElementTree.fromstring(svg)  # well-formed: nothing broke out of an attribute
    assert root.get("id") == HOSTILE
    labels = [g.get("data-label") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert labels == [HOSTILE, "heat & <b>sun</b>"]
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text.startswith(f"</title>{HOSTILE}: ")
