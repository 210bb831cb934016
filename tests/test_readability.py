"""Flesch-Kincaid grade and syllables."""

import pytest

from evimap.readability import flesch_kincaid_grade, hard_words, syllables


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("make", 1),
        ("disease", 2),
        ("flares", 1),
        ("caused", 1),
        ("treated", 2),
        ("relapse", 2),
        ("sclerosis", 3),
        ("exacerbation", 5),
        ("table", 2),
    ],
)
def test_syllables(word, count):
    assert syllables(word) == count


def test_plain_text_reads_at_a_lower_grade_than_clinical_text():
    plain = flesch_kincaid_grade(["Heat can bring on a flare. Rest helps."])
    clinical = flesch_kincaid_grade(
        [
            "Environmental hyperthermia precipitates demyelinating exacerbations in susceptible "
            "individuals with relapsing-remitting multiple sclerosis."
        ]
    )
    assert plain < 4 < 16 < clinical


def test_no_words_is_grade_zero():
    assert flesch_kincaid_grade([]) == 0.0 and flesch_kincaid_grade(["..."]) == 0.0


def test_hard_words_are_the_long_ones():
    assert hard_words("Heat can trigger an exacerbation of demyelination.") == [
        "exacerbation",
        "demyelination",
    ]
