"""The site's small pure helpers: question keys, audiences, error shapes, secrets, dates."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.http import HttpResponse

from evimap import QuestionError
from evimap.site import answers
from evimap.site.errors import DatabaseBusy, EngineStarting, Forbidden, RateLimited
from evimap.site.middleware import error_payload, with_retry_after
from evimap.site.review.status import day, reviewer_name
from evimap.site.security import policy_for, redact


def test_a_question_s_key_is_its_content_words():
    key = answers.question_key("What causes Glimmerfield flares, and why?")
    assert key == frozenset({"causes", "glimmerfield", "flares"})
    assert answers.question_key("What is the?") == frozenset()
    assert answers.question_key("Is it?") == frozenset({"it"})  # only the list's words go


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        ("What causes flares?", "Why do flares happen? What causes flares", 2 / 3),
        ("What causes flares?", "what CAUSES flares", 1.0),
        ("What causes flares?", "How is it treated?", 0.0),
        ("What is the?", "What is the?", 0.0),  # no content words: never "the same question"
    ],
)
def test_similarity_is_the_overlap_of_content_words(a, b, score):
    assert answers.similarity(a, b) == pytest.approx(score)


def test_a_question_is_trimmed_and_refused_when_empty_or_too_long():
    assert answers.clean_question("  Why?  ") == "Why?"
    with pytest.raises(QuestionError, match="type a question"):
        answers.clean_question("   ")
    with pytest.raises(QuestionError, match="5,001 characters"):
        answers.clean_question("x" * (answers.MAX_QUESTION_CHARS + 1))


def test_an_unknown_audience_falls_back_to_patients_with_a_note():
    assert answers.parse_audience("clinician") == ("clinician", None)
    assert answers.parse_audience(None) == ("patient", None)
    audience, note = answers.parse_audience("astronaut")
    assert audience == "patient" and note and "patients" in note


def test_every_error_has_the_one_json_shape():
    limited = {"status": 429, "type": "RateLimited", "message": "Slow down.", "retryable": True}
    assert error_payload(RateLimited("Slow down.")) == {"error": limited}
    forbidden = error_payload(Forbidden("No."))["error"]
    assert (forbidden["status"], forbidden["retryable"]) == (403, False)


def test_only_an_error_that_says_when_gets_a_retry_after():
    busy = with_retry_after(HttpResponse(status=503), DatabaseBusy("busy"))
    assert int(busy["Retry-After"]) > 0
    plain = with_retry_after(HttpResponse(status=403), Forbidden("no"))
    assert "Retry-After" not in plain
    assert isinstance(EngineStarting("wait").status, int)


def test_configured_secrets_are_blanked_escaped_too(settings):
    settings.SECRET_KEY = "s3cret<key>-long-enough-to-count"
    shown = f"key={settings.SECRET_KEY} html=s3cret&lt;key&gt;-long-enough-to-count"
    assert settings.SECRET_KEY not in redact(shown)
    assert "&lt;key&gt;" in redact(shown) and "&lt;key&gt;" not in redact(shown, escaped=True)


def test_each_part_of_the_site_has_its_content_security_policy():
    assert "'unsafe-inline'" not in policy_for("/glimmerfield/")
    assert "'unsafe-inline'" in policy_for("/admin/pages/")
    assert policy_for("/api/docs") != policy_for("/api/ask")


def test_review_dates_read_as_words_and_a_deleted_reviewer_is_still_named():
    assert day(datetime(2025, 3, 3)) == "3 March 2025"
    assert "former member" in reviewer_name(None)
