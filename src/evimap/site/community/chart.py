"""A horizontal bar chart as inline SVG, drawn on the server (readable without JavaScript).

    bar_chart(title, items) -> str     items: [{"label", "count"}]; every text escaped

The chart carries a <title> and a text alternative ("Heat or hot weather: 12"), so screen
readers and text browsers get the same numbers the bars show.
"""

from __future__ import annotations

from html import escape

ROW, LABEL_W, BAR_W, PAD = 26, 230, 300, 6


def bar_chart(title: str, items: list[dict], *, css_id: str = "themes-chart") -> str:
    """The SVG markup for `items` (empty string when there is nothing to draw)."""
    if not items:
        return ""
    most = max(item["count"] for item in items) or 1
    height = ROW * len(items) + PAD
    width = LABEL_W + BAR_W + 60
    rows = "".join(_row(i, item, most) for i, item in enumerate(items))
    summary = "; ".join(f"{item['label']}: {item['count']}" for item in items)
    return (
        f'<svg class="chart" id="{escape(css_id)}" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{escape(css_id)}-title" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(css_id)}-title">{escape(title)}: {escape(summary)}</title>'
        f"{rows}</svg>"
    )


def _row(index: int, item: dict, most: int) -> str:
    y = index * ROW + PAD
    length = max(2, round(BAR_W * item["count"] / most))
    label = escape(_short(item["label"]))
    return (
        f'<g class="bar" data-label="{escape(item["label"])}">'
        f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">{label}</text>'
        f'<rect x="{LABEL_W}" y="{y}" width="{length}" height="{ROW - 8}" rx="3"></rect>'
        f'<text x="{LABEL_W + length + 6}" y="{y + 15}" class="count">{item["count"]}</text>'
        "</g>"
    )


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
