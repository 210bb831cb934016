"""The surveys are data (data/surveys.yaml): each question type gets one, each option is whole."""

from __future__ import annotations

import pytest

from evimap.datafiles import read_yaml
from evimap.site.community.survey import DIAGNOSIS_BANDS, SURVEYS, band_label, survey_for
from evimap.site.errors import InvalidPost

DATA = read_yaml("surveys.yaml")


def test_each_question_type_gets_the_survey_the_data_names():
    for qtype, key in DATA["by_question_type"].items():
        assert survey_for(qtype) is SURVEYS[key]
    assert survey_for("a type nobody listed") is SURVEYS[DATA["default"]]


@pytest.mark.parametrize("key", sorted(DATA["surveys"]))
def test_every_option_has_a_value_a_label_and_words(key):
    survey = SURVEYS[key]
    values = [value for value, _, _ in survey.options]
    assert len(values) == len(set(values)) and survey.prompt and survey.heading
    assert all(value and label for value, label, _ in survey.options)
    assert survey.clean(values[:2]) == {"key": key, "choices": values[:2], "other": [], "band": ""}


def test_the_diagnosis_bands_read_as_the_data_says():
    assert [value for value, _ in DIAGNOSIS_BANDS][:2] == ["not-yet", "under-1"]
    assert band_label("1-5") == "1 to 5 years" and band_label("unknown") == ""
    with pytest.raises(InvalidPost):
        survey_for("cause").clean([], band="forever")
