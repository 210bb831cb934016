"""The page models import nothing above them: their views are wired in by the app config."""

from __future__ import annotations

from evimap.site.pages import views
from evimap.site.pages.models import VIEWS


def test_the_app_config_wires_each_page_type_to_its_view():
    wired = dict(VIEWS)
    assert wired == {"home": views.serve_home, "question": views.serve_question}


def test_a_page_is_served_by_its_wired_view(client, flares_page):
    response = client.get(flares_page.url, {"audience": "clinician"})
    assert response.status_code == 200
    assert response.context["audience"] == "clinician" and response.context["page"] == flares_page
