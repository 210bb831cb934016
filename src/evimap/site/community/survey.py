"""The structured questions a member may answer beside their post, chosen by question type.

A page asking what causes or triggers something asks which triggers the member noticed; a
page about symptoms asks which symptoms; about treatment, what helped. Every page asks how
long since diagnosis, by band. Options are fixed lists plus the member's own words ("Other").
The surveys, their options and which question type gets which are data: data/surveys.yaml.

    survey_for(question_type) -> Survey
    Survey.clean(choices, other, band) -> dict   validated answers (InvalidPost when not)
"""

from __future__ import annotations

from dataclasses import dataclass

from evimap.datafiles import read_yaml
from evimap.site.errors import InvalidPost

MAX_OTHER_CHARS = 60
MAX_OTHERS = 3

_DATA = read_yaml("surveys.yaml")
DIAGNOSIS_BANDS = tuple((value, label) for value, label in _DATA["diagnosis_bands"])


@dataclass(frozen=True, slots=True)
class Survey:
    key: str  # "triggers", "symptoms", "helped"
    prompt: str  # "Which triggers did you notice?"
    heading: str  # what readers see above the counts: "Triggers members noticed"
    options: tuple[tuple[str, str, str], ...]  # (value, label, words the evidence uses)

    def label(self, value: str) -> str:
        return next((label for v, label, _ in self.options if v == value), value)

    def keywords(self, value: str) -> tuple[str, ...]:
        """The words that show the evidence speaks of this option ("heat hot temperature")."""
        return tuple(next((k for v, _, k in self.options if v == value), "").split())

    def clean(self, choices: list[str], other: str = "", band: str = "") -> dict:
        """{"choices": [...], "other": [...], "band": "..."}: known values only, own words
        split on commas (at most 3, each at most 60 characters)."""
        known = {value for value, _, _ in self.options}
        unknown = [c for c in choices if c not in known]
        if unknown:
            raise InvalidPost(f"Unknown choice for {self.prompt!r}: {unknown[0]!r}")
        if band and band not in dict(DIAGNOSIS_BANDS):
            raise InvalidPost(f"Unknown time since diagnosis: {band!r}")
        others = [o.strip() for o in other.split(",") if o.strip()]
        if len(others) > MAX_OTHERS or any(len(o) > MAX_OTHER_CHARS for o in others):
            raise InvalidPost(
                f"Please name at most {MAX_OTHERS} other answers, each under "
                f"{MAX_OTHER_CHARS} characters, separated by commas."
            )
        ordered = [value for value, _, _ in self.options if value in set(choices)]
        return {"key": self.key, "choices": ordered, "other": others, "band": band}


def _survey(key: str, spec: dict) -> Survey:
    options = tuple((value, label, words) for value, label, words in spec["options"])
    return Survey(key, spec["prompt"], spec["heading"], options)


SURVEYS = {key: _survey(key, spec) for key, spec in _DATA["surveys"].items()}
TRIGGERS, SYMPTOMS, HELPED = SURVEYS["triggers"], SURVEYS["symptoms"], SURVEYS["helped"]
_BY_TYPE = {qtype: SURVEYS[key] for qtype, key in _DATA["by_question_type"].items()}
_DEFAULT = SURVEYS[_DATA["default"]]


def survey_for(question_type: str) -> Survey:
    """The survey that fits `question_type` (the default, what helped, for any type not
    listed)."""
    return _BY_TYPE.get(question_type, _DEFAULT)


def band_label(band: str) -> str:
    return dict(DIAGNOSIS_BANDS).get(band, "")
