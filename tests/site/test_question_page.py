"""The question page shows every element of the design's table, for each audience."""

from __future__ import annotations

import re

import pytest
from sitedata import FLARES


def get(client, page, **params):
    response = client.get(page.url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_every_element(client, flares_page):
    html = get(client, flares_page)
    assert f"<h1>{FLARES}</h1>" in html
    assert re.search(r"AI-drafted from \d+ sources · pending human review", html)
    assert "Submitted" in html and "Under review" in html and "Approved" in html
    assert "Short answer" in html
    assert "From the Guidelines" in html or "From health agencies" in html
    assert re.search(r'class="cite" href="#ref-1" title="[^"]+"', html)
    assert '<details class="support">' in html
    assert 'id="ref-1"' in html and "References" in html
    assert re.search(r"Based on \d+ sources", html)
    assert "Personal experiences, not medical advice" in html
    assert "shared their experience on this question" in html
    assert 'name="question"' in html and "csrfmiddlewaretoken" in html
    assert "Editorial policy" in html
    assert "Which best describes you?" in html


def test_references_show_kind_title_publisher_year_design_and_link(client, flares_page):
    html = get(client, flares_page, audience="clinician")
    assert "Guideline" in html and "Research" in html
    assert "Fictional Society of Neurology" in html and "2023" in html
    assert "randomized controlled trial" in html or "cohort/observational" in html
    assert "PMID 9900000" in html


def test_a_citation_shows_the_exact_source_sentence(client, flares_page):
    html = get(client, flares_page)
    data = flares_page.answer_for("patient")
    sentence = data["short_answer"][0]["support"][0]["text"]
    from django.utils.html import escape

    assert f"“{escape(sentence)}”" in html
    assert f'title="{escape(sentence)}' in html


def test_plain_language_help_is_for_lay_readers(client, flares_page):
    data = flares_page.answers
    if not data["patient"]["definitions"]:
        pytest.skip("the fixture library gives no definition for this question")
    assert "Plain-language help" in get(client, flares_page, audience="patient")
    assert "Plain-language help" not in get(client, flares_page, audience="clinician")


@pytest.mark.parametrize("audience", ["patient", "caregiver", "clinician"])
def test_the_audience_is_in_the_url_and_remembered(client, flares_page, audience):
    response = client.get(flares_page.url, {"audience": audience})
    assert f'data-audience="{audience}"' in response.content.decode()
    assert response.cookies["evimap_audience"].value == audience
    again = client.get(flares_page.url).content.decode()
    assert f'<article class="question-page" data-audience="{audience}">' in again


def test_switching_audience_changes_the_text(client, flares_page):
    patient = get(client, flares_page, audience="patient")
    clinician = get(client, flares_page, audience="clinician")
    body = lambda html: html.split("Short answer", 1)[1].split("Experiences", 1)[0]  # noqa: E731
    assert body(patient) != body(clinician)


def test_an_unknown_audience_shows_the_default_with_a_note(client, flares_page):
    response = client.get(flares_page.url, {"audience": "astronaut<b>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-audience="patient"' in html
    assert "That reader type is not one we know" in html
    assert "astronaut<b>" not in html


def test_the_status_line_names_the_reviewer_once_approved(client, approved_page):
    html = get(client, approved_page)
    assert "Medically reviewed by Dr Ana Ruiz, MD, Neurology · Last updated" in html
    assert "pending human review" not in html.split("Experiences")[0].split("review-status")[0]


def test_condition_and_home_pages_list_the_question(client, flares_page):
    condition = flares_page.get_parent()
    assert FLARES in get(client, condition)
    home = client.get("/").content.decode()
    assert condition.title in home
    assert FLARES in client.get("/", {"q": "Glimmerfield flares"}).content.decode()
