"""The concept dictionary: conditions, drugs, tests and procedures, with the names people use.

Built from the evidence itself and from data files, never from code (`building`, reading its
sources with `sources`): MedQuAD foci, synonyms and CUIs of the library's documents, Disease
Ontology reports, curated lay terms and abbreviations (with ADAM's sense frequencies) and the
word lists of data/vocabulary.yaml (`words`).

It is saved as one JSON file in the library directory (``LIBRARY/vocabulary.json``) and
loaded lazily by `for_library` (`loading`), which rebuilds it when the library's document
count changed. `Vocabulary` (`matching`) looks names up and matches texts at question time.
"""

from evimap.vocabulary.building import FORMAT, KNOWN_MIN_COUNT, MAX_NAME_WORDS, MAX_SYNONYMS
from evimap.vocabulary.loading import FILE_NAME, build_from_shared, for_library
from evimap.vocabulary.matching import (
    MAX_CORRECTIONS,
    MAX_MATCH_CHARS,
    TYPO_MAX_LETTERS,
    Concept,
    LayTerm,
    Vocabulary,
    VocabularyMatch,
)
from evimap.vocabulary.words import (
    TYPO_MIN_LETTERS,
    Token,
    phrase_key,
    stopwords,
    surface_word,
    tokenize,
    word_key,
)

__all__ = [
    "FILE_NAME",
    "FORMAT",
    "KNOWN_MIN_COUNT",
    "MAX_CORRECTIONS",
    "MAX_MATCH_CHARS",
    "MAX_NAME_WORDS",
    "MAX_SYNONYMS",
    "TYPO_MAX_LETTERS",
    "TYPO_MIN_LETTERS",
    "Concept",
    "LayTerm",
    "Token",
    "Vocabulary",
    "VocabularyMatch",
    "build_from_shared",
    "for_library",
    "phrase_key",
    "stopwords",
    "surface_word",
    "tokenize",
    "word_key",
]
