"""The experiences bar chart (evimap.site.community.chart): bars to scale, numbers in text."""

from __future__ import annotations

import re

from evimap.site.community.chart import BAR_W, bar_chart

ITEMS = [
    {"label": "Heat or hot weather", "count": 12},
    {"label": "Stress", "count": 6},
    {"label": "A label far longer than the chart has room for, cut", "count": 0},
]


def widths(svg: str) -> list[int]:
    return [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]


def test_bars_are_to_scale_the_longest_full_width_and_none_invisible():
    assert widths(bar_chart("Triggers", ITEMS)) == [BAR_W, BAR_W // 2, 2]


def test_the_numbers_are_text_too_for_readers_who_cannot_see_the_bars():
    svg = bar_chart("Triggers", ITEMS, css_id="survey-chart")
    title = re.search(r'<title id="survey-chart-title">(.*?)</title>', svg).group(1)
    assert title.startswith("Triggers: Heat or hot weather: 12; Stress: 6; A label far")
    assert re.findall(r'class="count">(\d+)<', svg) == ["12", "6", "0"]


def test_a_long_label_is_shortened_on_screen_but_kept_whole_in_the_data():
    svg = bar_chart("Triggers", ITEMS)
    shown = re.findall(r'text-anchor="end">(.*?)</text>', svg)
    assert shown[2].endswith("…") and len(shown[2]) == 34
    assert f'data-label="{ITEMS[2]["label"]}"' in svg


def test_nothing_to_draw_draws_nothing_and_all_zero_counts_do_not_divide_by_zero():
    assert bar_chart("Triggers", []) == ""
    assert widths(bar_chart("T", [{"label": "a", "count": 0}, {"label": "b", "count": 0}])) == [
        2,
        2,
    ]
