"""A graded guideline's grade, and what it means for the reader, on the question page's
reference list and in the API's references (issue 11: Reference.grade, grade_meaning)."""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

import pytest
from sitedata import FLARES

from evimap.evidence import Document
from evimap.grades import grade_meaning
from evimap.library import Library
from evimap.vocabulary import for_library

GRADED = "site:guideline-flares"  # the fixture guideline, graded B on the USPSTF scheme
MEANING = grade_meaning("B", "uspstf")
LIBRARY_JSONL = Path(__file__).parents[1] / "fixtures" / "site" / "library.jsonl"


def fixture_documents() -> list[Document]:
    lines = LIBRARY_JSONL.read_text().splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if not line.startswith("#")]


@pytest.fixture(scope="module")
def graded_library(tmp_path_factory):
    """The fictional library with its flares guideline graded "B" (USPSTF)."""
    documents = [
        dataclasses.replace(doc, grade="B", extra={**doc.extra, "grade_scheme": "uspstf"})
        if doc.id == GRADED
        else doc
        for doc in fixture_documents()
    ]
    path = tmp_path_factory.mktemp("graded-library")
    with Library(path, create=True) as library:
        library.add(documents)
        for_library(library, None, rebuild=True)
    return path


@pytest.fixture
def graded_page(settings, graded_library, site, people):
    from evimap.site import answers
    from evimap.site.pages.drafting import draft_question

    settings.EVIMAP_LIBRARY = graded_library
    answers.reset_engine()
    return draft_question(FLARES, people["admin"])


def graded_reference(references: list[dict]) -> dict:
    found = [ref for ref in references if ref["doc_id"] == GRADED]
    assert found, [ref["doc_id"] for ref in references]
    return found[0]


@pytest.mark.parametrize(
    ("audience", "meaning"), [("patient", MEANING.patients), ("clinician", MEANING.clinicians)]
)
def test_the_reference_list_shows_the_grade_and_its_meaning(client, graded_page, audience, meaning):
    ref = graded_reference(graded_page.answer_for(audience)["references"])
    assert (ref["grade"], ref["grade_meaning"]) == ("Grade B", meaning)
    page = html.unescape(client.get(graded_page.url, {"audience": audience}).content.decode())
    item = page[page.index(f'id="ref-{ref["number"]}"') :]
    item = item[: item.index("</li>")]
    assert "Grade B" in item and meaning in item


def test_ungraded_references_show_no_grade(client, graded_page):
    references = graded_page.answer_for("patient")["references"]
    assert any(ref["doc_id"] != GRADED for ref in references)
    page = client.get(graded_page.url).content.decode()
    assert page.count('class="grade"') == 1


def test_the_api_references_carry_the_grade_and_its_meaning(client, graded_page, people):
    from evimap.site.review import actions

    revision = graded_page.latest_revision_id
    actions.approve(graded_page, people["editor"], revision)
    actions.approve(graded_page, people["reviewer"], revision)
    url = f"/api/pages/{graded_page.pk}/answer"
    for audience, meaning in (("patient", MEANING.patients), ("clinician", MEANING.clinicians)):
        data = client.get(url, {"audience": audience}).json()
        ref = graded_reference(data["answer"]["references"])
        assert (ref["grade"], ref["grade_meaning"]) == ("Grade B", meaning)
        ungraded = [r for r in data["answer"]["references"] if r["doc_id"] != GRADED]
        assert all(r["grade"] == "" and r["grade_meaning"] == "" for r in ungraded)
    body = {"question": "Should steroids be offered for flares?", "page_id": graded_page.pk}
    asked = client.post("/api/ask", {**body, "audience": "clinician"}, "application/json").json()
    ref = graded_reference(asked["answer"]["references"])
    assert (ref["grade"], ref["grade_meaning"]) == ("Grade B", MEANING.clinicians)
