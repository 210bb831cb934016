"""Screening's own rules on made-up flags (evimap.screening): redaction of overlapping and
chosen kinds, the order of flags, a screening's kinds and its JSON form."""

from __future__ import annotations

from evimap.screening import REMOVED, Flag, Screening, redact, screen

TEXT = "Call Ann Lee on 0161 496 0000 or ann@example.org today."


def flag(kind: str, part: str, text: str = TEXT) -> Flag:
    start = text.index(part)
    return Flag(kind, start, start + len(part), part, f"a {kind}")


def test_overlapping_flags_remove_their_union_once():
    flags = [flag("name", "Ann Lee on"), flag("phone", "on 0161 496 0000")]
    assert redact(TEXT, flags) == f"Call {REMOVED} or ann@example.org today."


def test_a_flag_inside_another_removes_nothing_more():
    flags = [flag("phone", "0161 496 0000"), flag("phone", "496")]
    assert redact(TEXT, flags).count(REMOVED) == 1


def test_only_the_kinds_asked_for_are_removed():
    flags = [flag("email", "ann@example.org"), flag("spam", "today")]
    assert redact(TEXT, flags) == f"Call Ann Lee on 0161 496 0000 or {REMOVED} today."
    assert redact(TEXT, flags, kinds={"spam"}).endswith(f"ann@example.org {REMOVED}.")
    assert redact(TEXT, []) == TEXT


def test_a_screening_lists_its_kinds_once_and_knows_a_crisis():
    screening = Screening((flag("spam", "today"), flag("email", "ann@example.org")))
    assert screening.kinds == ["email", "spam"] and not screening.crisis
    assert Screening((Flag("crisis", 0, 4, "Call", "words"),)).crisis
    assert Screening().kinds == [] and Screening().to_list() == []


def test_flags_come_in_order_of_position_and_as_json_rows():
    found = screen(TEXT)
    assert [f.start for f in found.flags] == sorted(f.start for f in found.flags)
    rows = found.to_list()
    assert {"email", "phone"} <= {row["kind"] for row in rows}
    assert all(TEXT[row["start"] : row["end"]] == row["text"] for row in rows)
    assert set(rows[0]) == {"kind", "start", "end", "text", "reason"}
