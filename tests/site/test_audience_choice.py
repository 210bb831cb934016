"""Which reader a page is for (evimap.site.audience), on requests made by hand."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from evimap.site.audience import AUDIENCE_COOKIE, chosen_audience, normal_audience, remember


def request(query: dict | None = None, cookie: str | None = None):
    made = RequestFactory().get("/q/", query or {})
    if cookie is not None:
        made.COOKIES[AUDIENCE_COOKIE] = cookie
    return made


@pytest.mark.parametrize(
    ("query", "cookie", "expected"),
    [
        ({}, None, ("patient", None, False)),  # nobody chose: patients
        ({}, "Caregiver", ("caregiver", None, False)),  # the cookie, in any case
        ({"audience": " CLINICIAN "}, "caregiver", ("clinician", None, True)),  # URL first
        ({}, "astronaut", ("patient", None, False)),  # a bad cookie says nothing
    ],
)
def test_the_url_comes_first_then_the_cookie(query, cookie, expected):
    assert chosen_audience(request(query, cookie)) == expected


def test_an_unknown_audience_in_the_url_shows_patients_with_a_note_and_is_not_remembered():
    audience, note, chosen = chosen_audience(request({"audience": "astronaut"}))
    assert (audience, chosen) == ("patient", False) and note
    assert AUDIENCE_COOKIE not in remember(HttpResponse(), audience, chosen).cookies


def test_a_chosen_audience_is_remembered_for_a_year():
    cookie = remember(HttpResponse(), "clinician", True).cookies[AUDIENCE_COOKIE]
    assert cookie.value == "clinician" and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600


def test_normal_audience_trims_and_lowers_only_text():
    assert normal_audience("  Patient\n") == "patient"
    assert normal_audience(None) is None
