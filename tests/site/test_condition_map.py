"""The condition page's map (evimap.site.evidence_map.condition_map) on fictional pages:
one row a question, one column a level of evidence, each dot the number of its sources."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from tests.fictional_answer import ANSWER, ref

from evimap.site.evidence_map import condition_map


@dataclass
class Page:
    """What the map reads of a question page: its title, address and stored answers."""

    title: str
    url: str = "/q/"
    answers: dict = field(default_factory=dict)


def stored(*refs) -> dict:
    """An answer as a page stores it, citing `refs`."""
    return {"question": "Q?", "audience": "patient", "references": [asdict(r) for r in refs]}


TRIAL = ref(1, "t1", "A trial", design="randomized controlled trial")
GUIDE = ref(2, "g1", "A guideline", kind="guideline")
AGENCY = ref(3, "a1", "An agency page", kind="reference", design="")


def cells(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<g class="cell kind-(\w+)"[^>]*>.*?<text[^>]*>(\d+)</text>', svg)


def test_one_row_a_question_one_dot_a_level_with_its_count():
    flares = Page("What causes flares?", answers={"patient": stored(TRIAL, GUIDE)})
    sleep = Page("Does sleep help?", answers={"clinician": stored(AGENCY, AGENCY)})
    svg = condition_map([flares, sleep])
    assert cells(svg) == [("guideline", "1"), ("research", "1"), ("reference", "1")]
    desc = re.search(r'<desc id="condition-map-desc">(.*?)</desc>', svg).group(1)
    assert desc == (
        "What causes flares?: 1 guideline, 1 randomized trial; "
        "Does sleep help?: 1 health-agency page."
    )


def test_a_source_cited_for_two_audiences_counts_once():
    page = Page("Q", answers={"patient": stored(TRIAL), "clinician": stored(TRIAL, GUIDE)})
    assert cells(condition_map([page])) == [("guideline", "1"), ("research", "1")]


def test_questions_without_sources_have_no_row_and_none_at_all_no_map():
    empty = Page("Nothing cited yet", answers={"patient": {}})
    assert condition_map([empty]) == ""
    page = Page("Q", answers={"patient": stored(GUIDE)})
    assert "Nothing cited yet" not in condition_map([empty, page])


def test_titles_are_escaped_and_long_ones_shortened_with_the_whole_in_a_tooltip():
    title = "Is <b>heat</b> & humidity a trigger of Glimmerfield syndrome flares?"
    svg = condition_map([Page(title, answers={"patient": stored(GUIDE)})], css_id="m")
    assert "<b>" not in svg and "&lt;b&gt;heat&lt;/b&gt; &amp;" in svg
    shown = re.search(r'<text class="question"[^>]*><title>.*?</title>(.*?)</text>', svg).group(1)
    assert shown.endswith("…") and len(shown) < len(title)
    assert 'id="m"' in svg and 'aria-describedby="m-desc"' in svg


def test_the_fictional_answer_s_sources_make_one_row():
    page = Page("What brings on flares?", answers={"patient": stored(*ANSWER.references)})
    assert cells(condition_map([page])) == [("research", "2")]  # two trials (design "rct")
