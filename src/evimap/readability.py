"""Reading grade of text (Flesch-Kincaid), to check what each audience gets.

grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59
(Kincaid et al. 1975, Derivation of new readability formulas for Navy enlisted personnel)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from evimap.text import split_sentences

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@functools.lru_cache(maxsize=50_000)
def syllables(word: str) -> int:
    """Syllables in an English word, by vowel groups (a standard approximation)."""
    word = word.lower()
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent final e: "make", "disease"
    if (
        word.endswith(("ed", "es"))
        and count > 1
        and not word.endswith(("ted", "ded", "ses", "zes", "ces", "ges"))
    ):
        count -= 1  # "caused", "flares"
    return max(1, count)


def flesch_kincaid_grade(texts: Iterable[str]) -> float:
    """US school grade needed to read `texts`; 0.0 for no words."""
    sentences = words = syllable_count = 0
    for text in texts:
        sentences += max(1, len(split_sentences(text)))
        found = _WORD.findall(text)
        words += len(found)
        syllable_count += sum(syllables(w) for w in found)
    if not words:
        return 0.0
    return 0.39 * words / sentences + 11.8 * syllable_count / words - 15.59


def hard_words(text: str, *, min_syllables: int = 4) -> list[str]:
    """Long words a lay reader may need explained (candidates for plain-language help)."""
    return [w for w in _WORD.findall(text) if syllables(w) >= min_syllables]
