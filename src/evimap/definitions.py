"""Plain-language definitions from the NCI Dictionary of Cancer Terms, for "plain-language help".

The dictionary is ingested like any source (`evimap ingest nci-dictionary`, one reference
document per term: `evimap.sources.nci_dictionary`), so a definition taken from it is cited,
grounded and listed in the references as any other statement is. A term is found by the id
its entry would have, under its own name or its concept's preferred name ("heart attack"
finds "myocardial infarction" if only that is in the dictionary), else by a dictionary entry
that lists it after "Also called". The
definition is the entry's first sentence ("A condition in which there is a decrease in the
amount and thickness of bone tissue."), with the next one where the first is short. A
library without the dictionary finds nothing here.

Which terms are looked up (`jargon_terms`): the medical names the statements use, as they
write them, that a lay reader may not know: a word of four syllables or more, an
abbreviation or a proper name ("Legius syndrome": not lower-case English the library uses),
a term the CDC Plain Language Thesaurus gives a plainer word for ("menopause"), or a
clinical name that has an everyday one ("hypertension"); never a name in everyday words
("heart attack", "gout", "coma"). `with_plain_names` adds the everyday
name to a defined term for lay readers: "hypertension (high blood pressure)", unless the two
share a word ("diabetes (sugar diabetes)" would say nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from evimap.answer import Answer, SentenceRef
from evimap.evidence import Document
from evimap.readability import syllables
from evimap.sources.nci_dictionary import COLLECTION, term_id
from evimap.vocabulary import phrase_key
from evimap.vocabulary.words import is_abbreviation

if TYPE_CHECKING:
    from evimap.library import Library
    from evimap.vocabulary import Vocabulary

HARD_SYLLABLES = 4  # a word this long may need explaining (evimap.readability.hard_words)
ALSO_CALLED_HITS = 3  # dictionary entries searched for one listing the term as another name
SHORT_DEFINITION_WORDS = 15  # a first sentence shorter than this is followed by the next
_NAME_SEPARATORS = re.compile(r";|,|\bor\b|\band\b")
_ALSO_CALLED = re.compile(r"\W*Also (?:called|known as)\b")
_WORD = re.compile(r"[A-Za-z]+")


def jargon_terms(texts: Sequence[str], vocabulary: Vocabulary) -> list[str]:
    """The medical names `texts` use that a lay reader may not know, as written, in order."""
    found: dict[str, str] = {}
    for text in texts:
        lower = text.lower()
        for concept in vocabulary.match(text).concepts:
            key = phrase_key(concept.name)
            if concept.via == "lay term" or key in found:
                continue
            plain = vocabulary.plain_name(concept.name)
            if plain is not None and phrase_key(plain) == phrase_key(concept.text):
                continue  # said in everyday words
            term = concept.name if concept.name.lower() in lower else concept.text
            long_word = any(syllables(w) >= HARD_SYLLABLES for w in _WORD.findall(concept.text))
            technical = vocabulary.is_technical(concept.text) or vocabulary.is_technical(term)
            named = not vocabulary.everyday(concept.text) or is_abbreviation(concept.text)
            if long_word or technical or named or plain is not None:
                found[key] = term
    return list(found.values())


def with_plain_names(answer: Answer, vocabulary: Vocabulary) -> Answer:
    """For a lay reader, each defined term with its everyday name: "osteonecrosis (bone
    death)", where the vocabulary knows one and the term does not say it already."""
    if not answer.audience.lay or not answer.definitions:
        return answer
    named = []
    for definition in answer.definitions:
        plain = vocabulary.plain_name(definition.term)
        if plain and not _share_a_word(plain, definition.term):
            definition = replace(definition, term=f"{definition.term} ({plain})")
        named.append(definition)
    return replace(answer, definitions=tuple(named))


def names_of(term: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """`term` and the preferred name of the concept it names ("MS": "multiple sclerosis"),
    that name first where it only adds words to the term ("diabetes" names diabetes
    mellitus, which the dictionary defines apart from diabetes in general). Not the
    concept's other synonyms: sources list loose ones ("tachycardia" for arrhythmias)."""
    concept = vocabulary.lookup(term) if vocabulary is not None else None
    if concept is None:
        return [term]
    narrower = f" {phrase_key(term)} " in f" {phrase_key(concept.name)} "
    names = [concept.name, term] if narrower else [term, concept.name]
    return list(dict.fromkeys(n for n in names if n.strip()))


def _share_a_word(one: str, other: str) -> bool:
    """Whether two names share a word, or its start ("goitre" and "goiter", "shortness of
    breath" and "short of breath"): then one says nothing plainer than the other."""
    starts = {w[:4].lower() for w in _WORD.findall(one) if len(w) > 2}
    return any(w[:4].lower() in starts for w in _WORD.findall(other) if len(w) > 2)


def dictionary_definition(
    library: Library, term: str, vocabulary: Vocabulary | None = None
) -> tuple[Document, tuple[SentenceRef, ...]] | None:
    """The NCI Dictionary's definition of `term`: its entry and the sentences that say
    what it is (`defining_sentences`), if the dictionary has the term."""
    ids = [term_id(name) for name in names_of(term, vocabulary)]
    found = library.store.get_many(ids)
    entries = [found[i] for i in ids if i in found and found[i].collection == COLLECTION]
    if not entries:
        hits = library.search(term, k=ALSO_CALLED_HITS, collection=[COLLECTION])
        entries = [h.document for h in hits if phrase_key(term) in also_called(h.document)]
    for doc in entries:
        sentences = defining_sentences(doc)
        if sentences:
            return doc, sentences
    return None


def also_called(doc: Document) -> set[str]:
    """The keys of the other names a dictionary entry gives ("Also called ...")."""
    names: Iterable[str] = _NAME_SEPARATORS.split(doc.extra.get("also_called", ""))
    return {phrase_key(name) for name in names if name.strip()}


def defining_sentences(doc: Document) -> tuple[SentenceRef, ...]:
    """The first sentence of an entry, and the second too where the first is short ("A
    nutrient that the body needs in small amounts to function and stay healthy." says
    little of vitamin D) and the second is not a list of other names ("Also called ...")."""
    passage = doc.passages[0] if doc.passages else None
    if passage is None or not passage.sentences:
        return ()
    refs = [
        SentenceRef(doc.id, 0, i, start, end, passage.text[start:end])
        for i, (start, end) in enumerate(passage.sentences[:2])
    ]
    short = len(refs[0].text.split()) < SHORT_DEFINITION_WORDS
    if len(refs) == 2 and short and not _ALSO_CALLED.match(refs[1].text):
        return tuple(refs)
    return tuple(refs[:1])
