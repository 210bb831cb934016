"""Members' display names (evimap.site.community.names): one normal form, nothing
invisible, and look-alikes of one name compare equal."""

from __future__ import annotations

import pytest

from evimap.site.community.names import MAX_CHARS, RESERVED, clean, skeleton
from evimap.site.errors import InvalidPost


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ana   Ruiz ", "Ana Ruiz"),  # runs of spaces made one, trimmed
        ("Ｆｕｌｌ ｗｉｄｔｈ", "Full width"),  # NFKC
        ("Zoë O'Neil-Smith", "Zoë O'Neil-Smith"),
        ("李小龙", "李小龙"),
    ],
)
def test_a_name_is_kept_in_its_normal_form(typed, kept):
    assert clean(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "Ana\u200bRuiz",  # zero-width space
        "Ana\u202eziuR",  # right-to-left override
        "Ana\u3164",  # a Hangul filler, a letter that shows as nothing
        "Ana\x07",  # a control character
        "Ana\u2028Ruiz",  # a line separator
    ],
)
def test_invisible_control_and_direction_characters_are_refused(typed):
    with pytest.raises(InvalidPost, match="invisible, control or direction"):
        clean(typed)


@pytest.mark.parametrize("typed", ["A", "", None, "--", "x" * (MAX_CHARS + 1)])
def test_a_name_needs_letters_and_a_sensible_length(typed):
    with pytest.raises(InvalidPost, match=f"2 to {MAX_CHARS} characters"):
        clean(typed)


@pytest.mark.parametrize(
    "look_alike",
    [
        "Ana Ruiz",
        "ana ruiz",
        "Dr. Ana Ruiz",  # a title in front
        "Ana Ruíz",  # an accent
        "Аna Ruiz",  # a Cyrillic A
        "ΑΝΑ RUIZ",  # Greek capitals
        "Ana_Ruiz!",  # punctuation
        "Ana Ru1z",  # a digit for a letter
    ],
)
def test_look_alikes_of_a_name_have_its_skeleton(look_alike):
    assert skeleton(look_alike) == "anarulz"  # "i" folds to "l", as "1" does


def test_distinct_names_stay_distinct_and_a_title_alone_is_a_name():
    assert skeleton("Ana Ruiz") != skeleton("Ana Ruis")
    assert skeleton("modern") == skeleton("rnodern")  # "rn" reads as "m"
    assert skeleton("Dr") == "dr"  # nothing but a title: kept, not emptied
    assert "moderator" in RESERVED and "evimap" in RESERVED
