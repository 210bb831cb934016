"""The evidence map (issue 13): every cited source a point linked to its reference, placed by
year and level of evidence, with a text alternative that lists the same sources."""

from __future__ import annotations

import re

from evimap.site.evidence_map import evidence_map, level

REFS = [
    {"number": 1, "kind": "reference", "title": "What causes it?", "year": 2022},
    {"number": 2, "kind": "guideline", "title": "Management", "year": 2023, "grade": "B"},
    {
        "number": 3,
        "kind": "research",
        "title": "A <trial> & more",
        "year": 2019,
        "design": "randomized controlled trial",
    },
    {
        "number": 4,
        "kind": "research",
        "title": "Cohort",
        "year": None,
        "design": "cohort/observational",
    },
]


def test_levels_put_guidelines_on_top_and_agency_pages_at_the_bottom():
    assert [level(r) for r in REFS] == [0, 5, 3, 2]
    assert level({"kind": "research", "design": "meta-analysis"}) == 4
    assert level({"kind": "research", "design": "other"}) == 1


def test_every_source_is_a_point_linked_to_its_reference_and_listed_in_the_text():
    svg = evidence_map(REFS, prefix="fu-")
    links = re.findall(r'<a class="point kind-(\w+)" href="#fu-ref-(\d+)"', svg)
    assert links == [("reference", "1"), ("guideline", "2"), ("research", "3"), ("research", "4")]
    desc = re.search(r'<desc id="fu-evidence-map-desc">(.*?)</desc>', svg).group(1)
    for n in ("[1]", "[2]", "[3]", "[4]"):
        assert n in desc
    assert "no date" in desc and "n.d." in svg  # an undated source still has its point
    assert "&lt;trial&gt; &amp; more" in svg and "<trial>" not in svg
    assert 'aria-labelledby="fu-evidence-map-title"' in svg and "<title" in svg


def test_no_cited_source_no_map():
    assert evidence_map([]) == "" and evidence_map(None) == ""


def test_the_question_page_carries_the_map(client, flares_page):
    html = client.get(flares_page.url).content.decode()
    figure = html.split('<figure class="evidence-map">')[1].split("</figure>")[0]
    refs = set(re.findall(r'<li id="ref-(\d+)"', html))
    assert refs and set(re.findall(r'href="#ref-(\d+)" aria-label', figure)) == refs


def test_the_condition_page_maps_its_questions_against_the_levels_of_evidence(
    client, approved_page
):
    html = client.get(approved_page.get_parent().url).content.decode()
    figure = html.split('<figure class="evidence-map condition-map">')[1].split("</figure>")[0]
    desc = re.search(r'<desc id="condition-map-desc">(.*?)</desc>', figure).group(1)
    assert desc.startswith(approved_page.title) and "1 guideline" in desc
    assert figure.count('<g class="cell kind-') >= 2


def test_undated_sources_alone_draw_no_year_ticks():
    svg = evidence_map(
        [
            {"number": 1, "kind": "research", "title": "A", "year": None},
            {"number": 2, "kind": "reference", "title": "B", "year": ""},
            {"number": 3, "kind": "reference", "title": "C"},
        ]
    )
    ticks = re.findall(r'<text class="year"[^>]*>([^<]+)</text>', svg)
    assert ticks == ["n.d."]  # before: -3 ... 3, an axis of years no source has
    assert "none given" in svg


def test_points_of_one_year_and_level_stay_in_the_frame_and_apart():
    refs = [{"number": n, "kind": "reference", "title": str(n), "year": 2024} for n in (1, 2, 3)]
    refs += [{"number": n, "kind": "reference", "title": str(n)} for n in (4, 5, 6, 7)]
    refs.append({"number": 8, "kind": "reference", "title": "8", "year": 2010})
    svg = evidence_map(refs)
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor', svg)]
    assert len(xs) == 8 and all(15 <= x <= width - 15 for x in xs), xs
    assert len({round(x) for x in xs}) == 8  # same level, so no two points share an x
    no_date = float(re.search(r'<text class="year" x="([\d.]+)"[^>]*>n\.d\.<', svg).group(1))
    first_year = min(float(x) for x in re.findall(r'<text class="year" x="([\d.]+)"[^>]*>\d', svg))
    assert max(xs[3:7]) + 15 < first_year - 15 and no_date < first_year
