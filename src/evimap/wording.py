"""The words an answer says in its own voice (disclaimers, abstentions, partial answers):
data/answer_texts.yaml, one place, per reader. Health statements are never written here."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from evimap.answer import Audience


@cache
def _texts() -> dict:
    return yaml.safe_load((files("evimap") / "data" / "answer_texts.yaml").read_text("utf-8"))


def _reader(audience: Audience) -> str:
    return "lay" if audience.lay else "clinician"


def _plain(text: str) -> str:
    return " ".join(text.split())


def disclaimer(audience: Audience) -> str:
    return _plain(_texts()["disclaimer"][_reader(audience)])


def says(name: str, audience: Audience, **fields: object) -> str:
    """Text `name` for this reader, its {fields} filled in (and {next_step})."""
    next_step = _texts()["next_step"][_reader(audience)]
    lower = next_step[:1].lower() + next_step[1:]
    return _plain(_texts()[name].format(next_step=next_step, next_step_lower=lower, **fields))


def provenance(collection: str) -> str:
    """Where a research abstract without a journal comes from ("Abstract from the SciFact
    collection"), for the collections data/answer_texts.yaml names; else ""."""
    name = _texts()["collections"].get(collection.lower())
    return _plain(_texts()["bare_abstract"].format(name=name)) if name else ""
