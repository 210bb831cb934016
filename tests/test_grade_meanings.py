"""What a guideline's grade means (evimap.grades, data/guideline_grades.yaml)."""

from __future__ import annotations

import pytest

from evimap.grades import STANCES, grade_meaning, guideline_grades
from evimap.links import http_url


@pytest.mark.parametrize(
    ("grade", "scheme", "stance"),
    [
        ("A", "uspstf", "recommended"),
        (" b ", "USPSTF", "recommended"),  # any case, spaces trimmed
        ("C", "uspstf", "selective"),
        ("D", "uspstf", "against"),
        ("I", "uspstf", "insufficient"),
    ],
)
def test_each_uspstf_grade_says_what_to_do(grade, scheme, stance):
    meaning = grade_meaning(grade, scheme)
    assert meaning is not None and meaning.stance == stance
    assert meaning.publisher == "U.S. Preventive Services Task Force"


@pytest.mark.parametrize(("grade", "scheme"), [("", "uspstf"), ("E", "uspstf"), ("A", "nice")])
def test_an_unknown_grade_or_scheme_means_nothing(grade, scheme):
    assert grade_meaning(grade, scheme) is None


def test_every_meaning_is_complete_plain_and_sourced():
    for scheme, grades in guideline_grades().items():
        for grade, meaning in grades.items():
            assert (meaning.scheme, meaning.grade) == (scheme, grade)
            assert meaning.stance in STANCES and meaning.name
            for text in (meaning.patients, meaning.clinicians, meaning.definition):
                assert text and "  " not in text and "\n" not in text  # folded to one line
            assert http_url(meaning.url) == meaning.url


def test_patients_read_plainer_words_than_the_publisher_s_definition():
    meaning = grade_meaning("D")
    assert meaning is not None
    assert meaning.patients != meaning.definition
    assert "USPSTF" not in meaning.patients  # no acronym a patient must know
