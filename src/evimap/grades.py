"""What a guideline's grade means, for patients and clinicians (data/guideline_grades.yaml).

A graded guideline Document has `grade` ("B") and `extra["grade_scheme"]` ("uspstf"):

    meaning = grade_meaning(doc.grade, doc.extra.get("grade_scheme", ""))
    meaning.name        "Grade B"
    meaning.stance      "recommended" | "selective" | "against" | "insufficient"
    meaning.patients    plain language for a patient
    meaning.clinicians  the publisher's suggestion for practice ("Offer or provide this service.")
    meaning.definition  the publisher's definition
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from evimap.datafiles import read_yaml

STANCES = ("recommended", "selective", "against", "insufficient")


@dataclass(frozen=True, slots=True)
class GradeMeaning:
    """One grade of one scheme."""

    scheme: str  # "uspstf"
    grade: str  # "B"
    name: str  # "Grade B"
    stance: str  # one of STANCES
    patients: str
    clinicians: str
    definition: str
    publisher: str  # who grades this way: "U.S. Preventive Services Task Force"
    url: str  # where the publisher defines its grades


@functools.cache
def guideline_grades() -> dict[str, dict[str, GradeMeaning]]:
    """{scheme: {grade: meaning}} from data/guideline_grades.yaml (read once)."""
    schemes: dict[str, dict[str, GradeMeaning]] = {}
    for scheme, body in read_yaml("guideline_grades.yaml").items():
        grades: dict[str, GradeMeaning] = {}
        for grade, meaning in body["grades"].items():
            if meaning["stance"] not in STANCES:
                raise ValueError(f"guideline_grades.yaml: {scheme} {grade}: unknown stance")
            grades[str(grade)] = GradeMeaning(
                scheme=scheme,
                grade=str(grade),
                name=meaning["name"],
                stance=meaning["stance"],
                patients=" ".join(meaning["patients"].split()),
                clinicians=" ".join(meaning["clinicians"].split()),
                definition=" ".join(meaning["definition"].split()),
                publisher=body.get("publisher", ""),
                url=body.get("url", ""),
            )
        schemes[scheme] = grades
    return schemes


def grade_meaning(grade: str, scheme: str = "uspstf") -> GradeMeaning | None:
    """The meaning of `grade` in `scheme`; None when either is unknown (or `grade` empty)."""
    return guideline_grades().get(scheme.lower(), {}).get(grade.strip().upper())
