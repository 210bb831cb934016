"""The structured questions a member may answer beside their post, chosen by question type.

A page asking what causes or triggers something asks which triggers the member noticed; a
page about symptoms asks which symptoms; about treatment, what helped. Every page asks how
long since diagnosis, by band. Options are fixed lists plus the member's own words ("Other").

    survey_for(question_type) -> Survey
    Survey.clean(choices, other, band) -> dict   validated answers (InvalidPost when not)
"""

from __future__ import annotations

from dataclasses import dataclass

from evimap.site.errors import InvalidPost

MAX_OTHER_CHARS = 60
MAX_OTHERS = 3

DIAGNOSIS_BANDS = (
    ("not-yet", "Not diagnosed yet"),
    ("under-1", "Less than a year"),
    ("1-5", "1 to 5 years"),
    ("5-10", "5 to 10 years"),
    ("over-10", "More than 10 years"),
)


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


TRIGGERS = Survey(
    "triggers",
    "Which triggers did you notice?",
    "Triggers members noticed",
    (
        ("heat", "Heat or hot weather", "heat hot temperature warm"),
        ("infection", "An infection (cold, flu, urinary)", "infection infections fever viral"),
        ("stress", "Stress", "stress stressful"),
        ("sleep", "Lack of sleep", "sleep"),
        ("exertion", "Overexertion", "exertion overexertion exercise"),
        ("hormones", "Hormonal changes", "hormone hormonal menstrual pregnancy postpartum"),
        ("medication", "Stopping or changing medication", "medication discontinuation withdrawal"),
        ("diet", "Food or alcohol", "diet food alcohol"),
    ),
)
SYMPTOMS = Survey(
    "symptoms",
    "Which symptoms did you notice?",
    "Symptoms members noticed",
    (
        ("fatigue", "Tiredness (fatigue)", "fatigue tiredness tired"),
        ("pain", "Pain", "pain"),
        ("numbness", "Numbness or tingling", "numbness tingling"),
        ("vision", "Vision problems", "vision visual optic"),
        ("balance", "Balance or walking problems", "balance walking gait"),
        ("mood", "Mood changes", "mood depression anxiety"),
        ("memory", "Memory or thinking problems", "memory cognitive thinking"),
    ),
)
HELPED = Survey(
    "helped",
    "What helped you?",
    "What helped members",
    (
        ("medicine", "Prescribed medicine", "medicine medicines drug drugs medication"),
        ("rest", "Rest", "rest"),
        ("exercise", "Exercise or physiotherapy", "exercise physiotherapy physical"),
        ("diet", "Changes to diet", "diet"),
        ("cooling", "Keeping cool", "cool cooling"),
        (
            "support",
            "Talking therapy or a support group",
            "counselling counseling psychotherapy support",
        ),
        ("nothing", "Nothing has helped yet", ""),
    ),
)
_BY_TYPE = {
    "cause": TRIGGERS,
    "risk_factors": TRIGGERS,
    "prevention": TRIGGERS,
    "symptoms": SYMPTOMS,
    "complications": SYMPTOMS,
    "diagnosis": SYMPTOMS,
    "stages": SYMPTOMS,
}


def survey_for(question_type: str) -> Survey:
    """The survey that fits `question_type` (what helped, for any type not listed)."""
    return _BY_TYPE.get(question_type, HELPED)


def band_label(band: str) -> str:
    return dict(DIAGNOSIS_BANDS).get(band, "")
