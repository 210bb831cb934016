"""A question page's stored answers read back as the engine's Answer (Answer.from_dict)."""

from __future__ import annotations

import json

from evimap import Answer, to_dict


def test_every_stored_answer_reads_back_as_the_same_answer(flares_page):
    flares_page.refresh_from_db()  # the answers as the database holds them (JSON)
    assert set(flares_page.answers) == {"patient", "caregiver", "clinician"}
    for audience, stored in flares_page.answers.items():
        answer = Answer.from_dict(stored)
        assert answer.audience == audience and answer.references
        assert json.loads(json.dumps(to_dict(answer))) == stored
