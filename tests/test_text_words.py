"""Words, stems and stop words (evimap.text): what statements, queries and themes share."""

from __future__ import annotations

import pytest

from evimap.text import normalize_space, sentences, stem, stopwords, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Heat-related MS relapses", ["heat-related", "ms", "relapses"]),
        ("Don't stop: take 2 tablets", ["don't", "stop", "take", "2", "tablets"]),
        ("  ", []),
        ("--a-- 'b'", ["a", "b"]),  # a hyphen or quote joins words, never starts one
        ("Ünïcode Café", ["n", "code", "caf"]),  # ASCII letters only: the index's own rule
    ],
)
def test_words_are_lower_case_tokens_with_hyphens_kept(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("relapses", "relaps"),
        ("relapse", "relaps"),  # the two meet: what the stem is for
        ("infections", "infection"),
        ("complications", "complic"),
        ("activities", "activ"),
        ("treating", "treat"),
        ("weakness", "weak"),
        ("rapidly", "rapid"),
        ("gas", "gas"),  # too short to lose its "s"
        ("uses", "uses"),  # a suffix leaves at least four letters
    ],
)
def test_the_light_stem_strips_one_suffix(word, expected):
    assert stem(word) == expected


def test_stop_words_are_the_data_file_s_function_words():
    stop = stopwords()
    assert {"the", "and", "of", "what"} <= stop
    assert not {"heat", "flare", "pain", "why"} & stop  # content words, and "why" asks
    assert all(w == w.lower() and " " not in w for w in stop)


def test_normalize_space_and_sentences_keep_the_text_s_own_characters():
    assert normalize_space(" a\t b\n\nc ") == "a b c"
    assert sentences("Dr. Ruiz saw 3 patients. They improved.") == [
        "Dr. Ruiz saw 3 patients.",
        "They improved.",
    ]
