"""The OpenAPI document says what the API answers (issue 10: what schemathesis found, each as
a test that failed before). Before: every operation documented a bare 200 with no body, so
each 400/401/404/422 answer was off the schema and no success body was checked at all; and
`{"question": ""}` was a valid body that the server refused.

tests/site/test_api_schemathesis.py runs schemathesis itself against a real server."""

from __future__ import annotations

import dataclasses
import re
import sys

import pytest

from evimap import answer as answer_types
from evimap.answer import Audience
from evimap.errors import AudienceError
from evimap.site import answers
from evimap.site.api_schemas import AUDIENCE_PATTERN, QUESTION_PATTERN, SPACES

jsonschema_rs = pytest.importorskip(
    "jsonschema_rs", reason="schemathesis (a dev dependency) brings jsonschema_rs"
)

STATUSES = {
    ("get", "/api/pages/{page_id}/answer"): {200, 404, 422, 503},
    ("post", "/api/ask"): {200, 400, 404, 413, 422, 503},
    ("get", "/api/pages/{page_id}/experiences"): {200, 404, 422, 503},
    ("get", "/api/review/pages"): {200, 401, 403, 422, 503},
    ("get", "/api/review/pages/{page_id}"): {200, 401, 403, 404, 422, 503},
    ("get", "/api/review/due"): {200, 401, 403, 422, 503},
    **{
        ("post", path): {200, 400, 401, 403, 404, 409, 413, 422, 503}
        for path in (
            "/api/review/pages/{page_id}/submit",
            "/api/review/pages/{page_id}/approve",
            "/api/review/pages/{page_id}/request-changes",
            "/api/review/due/{flag_id}/dismiss",
        )
    },
}


@pytest.fixture
def openapi(client, site) -> dict:
    return client.get("/api/openapi.json").json()


def validator(openapi: dict, path: str, method: str, status: int):
    """A JSON Schema validator for the body the document promises for `status`."""
    ref = openapi["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    return jsonschema_rs.validator_for({**ref["schema"], "components": openapi["components"]})


def test_every_operation_documents_each_status_it_answers_and_its_body(openapi):
    found = {
        (method, path): {int(status) for status in operation["responses"]}
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
    }
    assert found == STATUSES
    for (method, path), statuses in STATUSES.items():
        for status in statuses:
            content = openapi["paths"][path][method]["responses"][str(status)]["content"]
            ref = content["application/json"]["schema"]
            if status != 200:
                assert ref == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
            else:
                assert ref != {}, path


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/pages/999999/answer", None, 404),
        ("get", "/api/pages/abc/answer", None, 422),
        ("post", "/api/ask", {"question": "Why?", "audience": "astronaut"}, 400),
        ("post", "/api/ask", {"audience": "patient"}, 422),
        ("get", "/api/review/pages", None, 401),
        ("get", "/api/pages/999999/experiences", None, 404),
    ],
)
def test_error_answers_match_the_documented_error_body(client, openapi, method, url, body, status):
    if method == "post":
        response = client.post(url, body, content_type="application/json")
    else:
        response = client.get(url)
    assert response.status_code == status
    path = {
        "/api/pages/999999/answer": "/api/pages/{page_id}/answer",
        "/api/pages/abc/answer": "/api/pages/{page_id}/answer",
        "/api/pages/999999/experiences": "/api/pages/{page_id}/experiences",
    }.get(url, url)
    validator(openapi, path, method, status).validate(response.json())


def test_answers_for_every_audience_match_the_documented_body(client, openapi, approved_page):
    check = validator(openapi, "/api/pages/{page_id}/answer", "get", 200)
    for audience in (*answers.AUDIENCES, "Clinician", "nobody"):
        got = client.get(f"/api/pages/{approved_page.pk}/answer", {"audience": audience})
        assert got.status_code == 200
        check.validate(got.json())
        assert got.json()["answer"]["references"]
    asked = client.post(
        "/api/ask",
        {"question": "Can heat trigger a flare?", "page_id": approved_page.pk},
        content_type="application/json",
    )
    validator(openapi, "/api/ask", "post", 200).validate(asked.json())
    posts = client.get(f"/api/pages/{approved_page.pk}/experiences")
    validator(openapi, "/api/pages/{page_id}/experiences", "get", 200).validate(posts.json())


def test_a_stored_answer_comes_back_as_it_was_stored(client, approved_page):
    """Bodies are checked against the schema on the way out, but a page drafted by an older
    evimap (no `definitions`, no `notices`) is neither refused nor filled in; a newer key
    stays too."""
    stored = approved_page.answers["patient"]
    older = {k: v for k, v in stored.items() if k not in ("definitions", "notices")}
    approved_page.answers = {**approved_page.answers, "patient": {**older, "newer": [1]}}
    approved_page.save(update_fields=["answers"])
    got = client.get(f"/api/pages/{approved_page.pk}/answer", {"audience": "patient"})
    assert got.status_code == 200
    answer = got.json()["answer"]
    assert answer == {**older, "newer": [1], "status_line": answer["status_line"]}


def test_a_page_with_no_stored_answer_gives_an_empty_object(client, openapi, approved_page):
    approved_page.answers = {}
    approved_page.save(update_fields=["answers"])
    got = client.get(f"/api/pages/{approved_page.pk}/answer")
    assert got.status_code == 200 and got.json()["answer"] == {}
    validator(openapi, "/api/pages/{page_id}/answer", "get", 200).validate(got.json())


def test_the_answer_schema_names_every_field_of_the_answer():
    """AnswerOut and its parts list the fields of evimap.answer's dataclasses, no more."""
    from evimap.site import api_schemas

    pairs = {
        "Answer": "AnswerOut",
        "Statement": "StatementOut",
        "SentenceRef": "SentenceRefOut",
        "Theme": "ThemeOut",
        "Section": "SectionOut",
        "Reference": "ReferenceOut",
        "Definition": "DefinitionOut",
        "Notice": "NoticeOut",
    }
    for dataclass_name, schema_name in pairs.items():
        fields = {f.name for f in dataclasses.fields(getattr(answer_types, dataclass_name))}
        if dataclass_name == "Answer":
            fields.add("status_line")  # render.to_dict adds it
        assert set(getattr(api_schemas, schema_name).model_fields) == fields, dataclass_name


def test_spaces_are_what_str_strip_removes():
    spaces = re.compile(f"[{SPACES}]")
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if spaces.fullmatch(c)} == {
        c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()
    }


@pytest.mark.parametrize(
    "audience",
    [
        *("patient", "Clinician", "CAREGIVER", " patient ", "\tclinician\n", "\x1cpatient"),
        *("\u3000caregiver\u2029", "patient\x85"),
        *("", "patients", "pat ient", "\ufeffpatient", "PATİENT", "clinician.", "astronaut"),
    ],
)
def test_the_audience_pattern_admits_exactly_what_the_server_reads(audience):
    try:
        Audience.parse(audience)
        read = True
    except AudienceError:
        read = False
    assert bool(re.search(AUDIENCE_PATTERN, audience)) is read


@pytest.mark.parametrize(
    "question", ["", " ", "\u3000\n", "\x1c\x1d", "Why?", " a ", "\ufeff", "\u200b"]
)
def test_the_question_pattern_admits_exactly_the_questions_not_blank(question):
    assert bool(re.search(QUESTION_PATTERN, question)) is bool(question.strip())


def test_an_empty_question_is_off_the_schema_and_refused(client, openapi, site):
    body_schema = openapi["components"]["schemas"]["AskIn"]
    check = jsonschema_rs.validator_for(body_schema)
    for question in ("", "   ", "\u3000"):
        assert not check.is_valid({"question": question})
        response = client.post("/api/ask", {"question": question}, content_type="application/json")
        assert response.status_code == 400
    assert check.is_valid({"question": "Why?", "audience": " Clinician "})
