"""The evidence map (issue 13): every cited source a point linked to its reference, placed by
year and level of evidence, with a text alternative that lists the same sources."""

from __future__ import annotations

import re

from evimap import Reference
from evimap.site.evidence_map import evidence_map, level, question_levels


def ref(number: int, kind: str, title: str, year: int | None = None, **more) -> Reference:
    """A cited source of a fictional answer (what the map reads of it)."""
    return Reference(
        number, f"doc{number}", kind, title, "", year, more.pop("design", ""), "", **more
    )


REFS = [
    ref(1, "reference", "What causes it?", 2022),
    ref(2, "guideline", "Management", 2023, grade="B"),
    ref(3, "research", "A <trial> & more", 2019, design="randomized controlled trial"),
    ref(4, "research", "Cohort", None, design="cohort/observational"),
]


def test_levels_put_guidelines_on_top_and_agency_pages_at_the_bottom():
    assert [level(r) for r in REFS] == [0, 5, 3, 2]
    assert level(ref(5, "research", "M", design="meta-analysis")) == 4
    assert level(ref(6, "research", "O", design="other")) == 1


def test_a_question_counts_each_source_once_over_its_audiences_answers():
    stored = {
        "number": 1,
        "doc_id": "g1",
        "kind": "guideline",
        "title": "G",
        "publisher": "",
        "year": None,
    }
    research = {**stored, "doc_id": "r1", "kind": "research", "design": "meta-analysis"}
    answer = {"question": "Why?", "audience": "patient", "references": [stored, research]}
    other = {**answer, "audience": "clinician", "references": [{**stored, "number": 2}]}
    assert question_levels({"patient": answer, "clinician": other, "caregiver": {}}) == {5: 1, 4: 1}


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
        [ref(1, "research", "A"), ref(2, "reference", "B"), ref(3, "reference", "C")]
    )
    ticks = re.findall(r'<text class="year"[^>]*>([^<]+)</text>', svg)
    assert ticks == ["n.d."]  # before: -3 ... 3, an axis of years no source has
    assert "none given" in svg


def test_points_of_one_year_and_level_stay_in_the_frame_and_apart():
    refs = [ref(n, "reference", str(n), 2024) for n in (1, 2, 3)]
    refs += [ref(n, "reference", str(n)) for n in (4, 5, 6, 7)]
    refs.append(ref(8, "reference", "8", 2010))
    svg = evidence_map(refs)
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor', svg)]
    assert len(xs) == 8 and all(15 <= x <= width - 15 for x in xs), xs
    assert len({round(x) for x in xs}) == 8  # same level, so no two points share an x
    no_date = float(re.search(r'<text class="year" x="([\d.]+)"[^>]*>n\.d\.<', svg).group(1))
    first_year = min(float(x) for x in re.findall(r'<text class="year" x="([\d.]+)"[^>]*>\d', svg))
    assert max(xs[3:7]) + 15 < first_year - 15 and no_date < first_year


def test_a_year_outside_what_a_source_can_have_is_no_year():
    svg = evidence_map([ref(1, "research", "Odd", 0), ref(2, "research", "Far", 5000)])
    ticks = re.findall(r'<text class="year"[^>]*>([^<]+)</text>', svg)
    desc = re.search(r'<desc id="evidence-map-desc">(.*?)</desc>', svg).group(1)
    assert ticks == ["n.d."] and desc.count("no date") == 2


def test_one_year_is_widened_to_a_few_so_it_is_not_the_whole_axis():
    svg = evidence_map([ref(1, "guideline", "G", 2020), ref(2, "research", "R", 2020)])
    ticks = [int(t) for t in re.findall(r'<text class="year"[^>]*>(\d+)</text>', svg)]
    assert ticks[0] < 2020 < ticks[-1] and ticks[-1] - ticks[0] >= 4


def test_points_are_drawn_by_kind_square_circle_diamond():
    svg = evidence_map(REFS)
    shapes = re.findall(r'<a class="point kind-(\w+)"[^>]*><title>[^<]*</title><(\w+)', svg)
    assert shapes == [
        ("reference", "polygon"),
        ("guideline", "rect"),
        ("research", "circle"),
        ("research", "circle"),
    ]
