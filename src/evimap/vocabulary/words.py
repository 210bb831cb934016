"""Words and names as the vocabulary compares them, and the word lists that shape that.

A word's key is lower case, without possessive, in US spelling and without plural
("Tumours'" -> "tumor"); a name's key is its words' keys joined by single spaces. The word
lists (stop words, generic words, spelling variants, kinds) are data/vocabulary.yaml.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from evimap.datafiles import read_yaml

TYPO_MIN_LETTERS = 6  # words this long or longer may be spelling-corrected

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PAREN = re.compile(r"\s*\(([^()]*)\)\s*")


class Token(NamedTuple):
    """One word of a text: as written, its matching key and where it is."""

    raw: str
    key: str
    start: int
    end: int


# -- the word lists (data/vocabulary.yaml) -----------------------------------------------


@cache
def config() -> dict:
    """data/vocabulary.yaml: word lists, and the kinds by semantic type, subset and name."""
    return read_yaml("vocabulary.yaml")


@cache
def stopwords() -> frozenset[str]:
    """Function and filler words (lower case) that never name a concept."""
    return frozenset(config()["stopwords"].split())


@cache
def _generic() -> frozenset[str]:
    return frozenset(config()["generic"].split())


@cache
def generic_keys() -> frozenset[str]:
    """The keys of generic words ("disease", "blood"), which never make a concept alone."""
    return frozenset(word_key(w) for w in _generic())


@cache
def _spelling() -> dict[str, str]:
    return dict(config()["spelling"])


# -- words -------------------------------------------------------------------------------


def word_key(raw: str) -> str:
    """The matching key of one word: lower case, no possessive, US spelling, no plural."""
    word = surface_word(raw)
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[Token]:
    """The words of `text` with their keys and character spans."""
    return [Token(m.group(), word_key(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def phrase_key(text: str) -> str:
    """The key of a multi-word name: its word keys joined by single spaces."""
    return " ".join(t.key for t in tokenize(text))


def name_variants(name: str) -> list[str]:
    """A name and what a reader may type of it: "Amyotrophic lateral sclerosis (ALS)" gives
    both; a bracket inside a name is a qualifier ("Bone marrow (stem cell) donation")."""
    name = " ".join(name.split())
    outer = _PAREN.sub(" ", name).strip()
    inner = _PAREN.findall(name) if name.endswith(")") else []
    return [v for v in (outer, *inner[-1:]) if v]


def surface_word(raw: str) -> str:
    """A word as names spell it: lower case, no possessive, US spelling (plural kept)."""
    word = raw.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    return _spelling().get(word, word)


def number_forms(word: str) -> set[str]:
    """The word, its plural and its singular, as far as simple rules go."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms


def is_abbreviation(name: str) -> bool:
    """One upper-case word of 2-8 characters with a letter ("MI", "HBP", "LMPH2")."""
    return 2 <= len(name) <= 8 and name.isupper() and name.isalnum() and " " not in name
