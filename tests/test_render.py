"""An answer rendered as JSON, Markdown and text (evimap.render), on a fictional answer."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tests.fictional_answer import ANSWER, ref

from evimap import Answer, Audience
from evimap.render import reference_line, render, to_dict, to_markdown, to_text


def test_json_names_the_audience_and_carries_the_status_line_and_reads_back():
    data = json.loads(render(ANSWER, "json"))
    assert data["audience"] == "patient"
    assert data["status_line"] == "AI-drafted from 2 sources · pending human review"
    assert Answer.from_dict(data) == ANSWER == Answer.from_dict(to_dict(ANSWER))


def test_markdown_shows_every_part_in_reading_order():
    md = to_markdown(ANSWER)
    order = [
        "# What brings on Glimmerfield flares?",
        "_AI-drafted from 2 sources · pending human review_",
        "> **Personal advice:** Ask your doctor.",
        "> **Emergency:** Call 999.",
        "**Short answer.** Heat brings on flares. [1]",
        "## From the Research",
        "### Triggers",
        "- Rest helps. [1][2]",
        "## Plain-language help",
        "- **flare**: A flare is a worsening. [2]",
        "_Based on 2 sources._",
        "## References",
        "1. Research · Heat and flares.",
        "2. Research · Rest and flares.",
        "_Educational only._",
    ]
    at = [md.index(line) for line in order]
    assert at == sorted(at)


def test_text_is_the_markdown_without_its_marks():
    text = to_text(ANSWER)
    assert text.startswith("What brings on Glimmerfield flares?\n")
    assert "Short answer. Heat brings on flares. [1]" in text
    assert not any(mark in text for mark in ("# ", "**", "> ", "_AI"))


def test_a_reference_line_says_kind_source_design_and_link():
    line = reference_line(ANSWER.references[0], clinician=False)
    assert line == "Research · Heat and flares. J Fict Neurol, 2020. Rct. PMID 123"
    assert "n = 412" in reference_line(ANSWER.references[0], clinician=True)  # clinicians only
    other = reference_line(ANSWER.references[1], clinician=False)
    assert other.endswith("CC BY 4.0. https://example.org/rest")


@pytest.mark.parametrize(
    ("more", "shown", "hidden"),
    [
        (
            {"kind": "guideline", "grade": "Grade B", "grade_meaning": "offer it"},
            "Grade B: offer it",
            "Rct",
        ),
        ({"design": "other"}, "2020.", "Other"),
        ({"url": "javascript:alert(1)"}, "2020. Rct.", "javascript"),
        ({"sections": ("Results",), "authors": "Lai YL et al."}, "Lai YL et al. Title.", "None"),
        ({"doi": "10.1/x"}, "doi:10.1/x", "https"),
    ],
)
def test_reference_lines_for_each_kind_of_source(more, shown, hidden):
    line = reference_line(ref(1, "d", "Title", **more), clinician=False)
    assert shown in line and hidden not in line


def test_a_clinician_s_answer_shows_study_sizes_and_an_unknown_format_is_refused():
    clinician = replace(ANSWER, audience=Audience.CLINICIAN)
    assert "n = 412" in to_markdown(clinician) and "n = 412" not in to_markdown(ANSWER)
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render(ANSWER, "html")
