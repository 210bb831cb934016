"""The evidence map (issue 13): an answer's cited sources as inline SVG, drawn on the server.

    evidence_map(references, prefix="") -> str    references: the answer's `Reference`s

x = year (undated sources in an "n.d." column at the left), y = level of evidence (graded
guideline at the top, health-agency page at the bottom), shape and colour = kind (guideline
square, research circle, reference diamond). Each point is a link to its reference
("#ref-3") named for screen readers; the SVG's <title> and <desc> are its text alternative
and list the same sources. Every text is escaped. No JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from evimap import Answer, Reference

# (level, label), strongest first: the y axis, top to bottom.
LEVELS = (
    (5, "Guideline"),
    (4, "Systematic review"),
    (3, "Randomized trial"),
    (2, "Observational study"),
    (1, "Other study"),
    (0, "Health-agency page"),
)
_DESIGN_LEVEL = {
    "practice guideline": 5,
    "meta-analysis": 4,
    "systematic review": 4,
    "randomized controlled trial": 3,
    "cohort/observational": 2,
}
KINDS = ("guideline", "research", "reference")

LEFT, RIGHT, TOP, ROW, BOTTOM = 150, 24, 20, 34, 46
WIDTH = 640
NO_YEAR_X = LEFT + 22  # the "n.d." column
STEP = 28  # side by side, points of one year and level


def level(ref: Reference) -> int:
    """The y level of a reference: 5 for a guideline ... 0 for a health-agency page."""
    if ref.kind == "guideline":
        return 5
    if ref.kind == "research":
        return _DESIGN_LEVEL.get(ref.design, 1)
    return 0


def evidence_map(references: Sequence[Reference] | None, prefix: str = "") -> str:
    """The SVG markup ('' when no source is cited)."""
    refs = list(references or ())
    if not refs:
        return ""
    css_id = f"{prefix}evidence-map"
    years = [y for y in (_year(r) for r in refs) if y is not None]
    # sources of one year and level stand side by side; the widest such group at each end
    # (and in the n.d. column) widens the margin, so no point leaves the frame or overlaps
    groups: dict[tuple[int | None, int], int] = {}
    for ref in refs:
        key = (_year(ref), level(ref))
        groups[key] = groups.get(key, 0) + 1
    undated = max((n for (y, _), n in groups.items() if y is None), default=0)
    lo, hi = (min(years), max(years)) if years else (0, 0)
    if years and hi - lo < 4:  # at least a few years wide, so one year is not a whole axis
        pad = (4 - (hi - lo)) // 2 + 1
        lo, hi = lo - pad, hi + pad
    no_year_x = NO_YEAR_X + (undated - 1) * STEP / 2 if undated else NO_YEAR_X
    at_lo = max((n for (y, _), n in groups.items() if y == lo), default=1)
    at_hi = max((n for (y, _), n in groups.items() if y == hi), default=1)
    x0 = (no_year_x + (undated - 1) * STEP / 2 + 40 if undated else LEFT + 22) + (
        at_lo - 1
    ) * STEP / 2
    x1 = WIDTH - RIGHT - 14 - (at_hi - 1) * STEP / 2
    height = TOP + ROW * len(LEVELS) + BOTTOM

    def x_of(year: int | None) -> float:
        if year is None:
            return no_year_x
        return x0 + (x1 - x0) * (year - lo) / (hi - lo)

    def y_of(lvl: int) -> float:
        return TOP + ROW * (5 - lvl) + ROW / 2

    parts = [_axes(lo, hi, x_of, y_of, height, bool(undated), bool(years))]
    seen: dict[tuple[int | None, int], int] = {}
    for ref in sorted(refs, key=lambda r: r.number):
        year, lvl = _year(ref), level(ref)
        n = seen.get((year, lvl), 0)
        seen[(year, lvl)] = n + 1
        offset = (n - (groups[(year, lvl)] - 1) / 2) * STEP
        parts.append(_point(ref, x_of(year) + offset, y_of(lvl), prefix))
    title = (
        f"Evidence map: {len(refs)} source{'s' if len(refs) != 1 else ''} cited, "
        "by year and level of evidence"
    )
    desc = "; ".join(_describe(r) for r in sorted(refs, key=lambda r: r.number))
    return (
        f'<svg class="evidence-map-svg" id="{escape(css_id)}" role="group" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{escape(css_id)}-title" aria-describedby="{escape(css_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(css_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(css_id)}-desc">{escape(desc)}.</desc>'
        f"{''.join(parts)}</svg>"
    )


def _year(ref: Reference) -> int | None:
    try:
        year = int(ref.year or 0)
    except (TypeError, ValueError):
        return None
    return year if 1000 < year < 3000 else None


def _describe(ref: Reference) -> str:
    lvl = dict(LEVELS)[level(ref)]
    year = _year(ref) or "no date"
    return f"[{ref.number}] {ref.kind_label}, {lvl}, {year}: {ref.title or ''}"


def _axes(lo, hi, x_of, y_of, height, undated, dated) -> str:
    out = ['<g class="axes" aria-hidden="true">']
    for lvl, label in LEVELS:
        y = y_of(lvl)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"></line>'
            f'<text class="level" x="{LEFT - 10}" y="{y + 4}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
    base = height - BOTTOM + 6
    out.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"></line>'
    )
    span = hi - lo
    every = 1 if span <= 8 else 2 if span <= 16 else 5 if span <= 40 else 10
    for year in range(lo, hi + 1) if dated else ():
        if year % every == 0:
            out.append(
                f'<text class="year" x="{x_of(year)}" y="{base + 18}" text-anchor="middle">'
                f"{year}</text>"
            )
    if undated:
        out.append(
            f'<text class="year" x="{x_of(None)}" y="{base + 18}" text-anchor="middle">n.d.</text>'
        )
    out.append(
        f'<text class="axis-label" x="{(LEFT + WIDTH - RIGHT) / 2}" y="{height - 4}" '
        f'text-anchor="middle">{"Year published" if dated else "Year published: none given"}'
        "</text></g>"
    )
    return "".join(out)


def _point(ref: Reference, x: float, y: float, prefix: str) -> str:
    number = int(ref.number)
    kind = ref.kind if ref.kind in KINDS else "reference"
    if kind == "guideline":
        shape = f'<rect x="{x - 12}" y="{y - 12}" width="24" height="24" rx="3"></rect>'
    elif kind == "research":
        shape = f'<circle cx="{x}" cy="{y}" r="12"></circle>'
    else:
        shape = f'<polygon points="{x},{y - 15} {x + 15},{y} {x},{y + 15} {x - 15},{y}"></polygon>'
    label = escape(f"Reference {number}: {_describe(ref)}")
    return (
        f'<a class="point kind-{kind}" href="#{escape(prefix)}ref-{number}" aria-label="{label}">'
        f"<title>{label}</title>{shape}"
        f'<text x="{x}" y="{y + 4}" text-anchor="middle" aria-hidden="true">{number}</text></a>'
    )


# -- the condition page: its questions against the levels of evidence behind them ----------

COLUMNS = ("Guideline", "Review", "Trial", "Observ.", "Other", "Agency")
C_LABEL, C_COL, C_ROW, C_TOP = 250, 62, 34, 34


def question_levels(answers: dict) -> dict[int, int]:
    """{level: sources} over every audience's answer of a question page (a source once):
    `answers` as the page stores them (audience: render.to_dict JSON)."""
    seen: dict[str, int] = {}
    for data in (answers or {}).values():
        for ref in Answer.from_dict(data).references if data else ():
            seen[ref.doc_id or ref.title] = level(ref)
    counts: dict[int, int] = {}
    for lvl in seen.values():
        counts[lvl] = counts.get(lvl, 0) + 1
    return counts


def condition_map(questions, css_id: str = "condition-map") -> str:
    """The SVG markup for a condition's question pages (`.title`, `.url`, `.answers`): one
    row a question, one column a level of evidence, a dot sized by how many sources of that
    level its answers cite. '' when no question cites a source."""
    rows = [(q, question_levels(getattr(q, "answers", {}))) for q in questions]
    rows = [(q, counts) for q, counts in rows if counts]
    if not rows:
        return ""
    width = C_LABEL + C_COL * len(LEVELS) + 10
    height = C_TOP + C_ROW * len(rows) + 6
    most = max(max(c.values()) for _, c in rows)
    out = ['<g class="axes" aria-hidden="true">']
    for i, name in enumerate(COLUMNS):
        x = C_LABEL + C_COL * i + C_COL / 2
        out.append(
            f'<text class="level" x="{x}" y="{C_TOP - 12}" text-anchor="middle">{name}</text>'
        )
    out.append("</g>")
    described = []
    for r, (q, counts) in enumerate(rows):
        y = C_TOP + C_ROW * r + C_ROW / 2
        title = str(q.title)
        short = title if len(title) <= 36 else title[:35] + "…"
        out.append(
            f'<line class="grid" x1="{C_LABEL}" x2="{width - 10}" y1="{y}" y2="{y}"></line>'
            f'<text class="question" x="{C_LABEL - 10}" y="{y + 4}" text-anchor="end" '
            f'aria-hidden="true"><title>{escape(title)}</title>{escape(short)}</text>'
        )
        parts = []
        for i, (lvl, name) in enumerate(LEVELS):
            n = counts.get(lvl, 0)
            if not n:
                continue
            x = C_LABEL + C_COL * i + C_COL / 2
            radius = 7 + 7 * n / most
            kind = "guideline" if lvl == 5 else "reference" if lvl == 0 else "research"
            out.append(
                f'<g class="cell kind-{kind}" aria-hidden="true"><circle cx="{x}" cy="{y}" '
                f'r="{radius:.1f}"></circle><text x="{x}" y="{y + 4}" text-anchor="middle">'
                f"{n}</text></g>"
            )
            parts.append(f"{n} {name.lower()}")
        described.append(f"{title}: {', '.join(parts)}")
    summary = "; ".join(described)
    return (
        f'<svg class="evidence-map-svg" id="{escape(css_id)}" role="group" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(css_id)}-title" aria-describedby="{escape(css_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(css_id)}-title">Evidence behind each question, by level</title>'
        f'<desc id="{escape(css_id)}-desc">{escape(summary)}.</desc>{"".join(out)}</svg>'
    )
