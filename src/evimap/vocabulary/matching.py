"""The vocabulary at question time: load and save it, look names up, match texts.

Matching (`Vocabulary.match`) is longest-match over normalised words: case-, punctuation- and
plural-insensitive, British spellings mapped, possessives dropped. A word of six letters or
more that is neither lower-case English seen in the library nor a vocabulary word is read as
the most frequent vocabulary word one edit away ("sclerosys" -> "sclerosis"), and one of four
or five letters as one with one or two letters left out ("asma" -> "asthma"), when that
completes a name. Upper-case abbreviations from the evidence ("MI", "HBP") match as written
only; the curated abbreviations are disambiguated by cue words anywhere in the question, then
by frequency. Stop words and generic words ("disease", "blood") never make a concept alone.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evimap.errors import LibraryError
from evimap.evidence import Document
from evimap.vocabulary.building import FORMAT, build_data
from evimap.vocabulary.words import (
    TYPO_MIN_LETTERS,
    Token,
    number_forms,
    phrase_key,
    stopwords,
    surface_word,
    tokenize,
    word_key,
)

MAX_MATCH_CHARS = 20_000  # match() looks at no more than this (bounded work)
MAX_CORRECTIONS = 12  # spelling corrections tried per text
ONE_WORD_FIX_LETTERS = 6  # a correction to a one-word name this long is kept ("anemia")
TYPO_MAX_LETTERS = 30  # longer "words" are not words (and their edits would be many)
# Shorter words than TYPO_MIN_LETTERS, of these lengths, are read as a vocabulary word with
# one or two letters left out ("asma"), never with other edits: too many short words are one
# edit from a name.
SHORT_TYPO_LETTERS = (4, 5)

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept named in a text: what the vocabulary knows about it and where it was named."""

    name: str  # preferred name, clinical where the data gives one: "myocardial infarction"
    kind: str  # condition, symptom, drug, supplement, test, procedure, vaccine, organism...
    ids: tuple[str, ...] = ()  # "DOID:5844", "UMLS:C0027051", "MESH:D009203", "ICD10CM:I21"
    synonyms: tuple[str, ...] = ()  # other names of the concept in the evidence
    text: str = ""  # the words of the text that named it: "heart attack"
    span: tuple[int, int] = (0, 0)  # character offsets of `text` in the matched text
    via: str = "name"  # name | abbreviation | lay term | spelling correction
    expansions: tuple[str, ...] = ()  # clinical terms this naming adds to retrieval

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "ids": list(self.ids),
            "synonyms": list(self.synonyms),
            "text": self.text,
            "span": list(self.span),
            "via": self.via,
            "expansions": list(self.expansions),
        }


@dataclass(frozen=True, slots=True)
class LayTerm:
    """A consumer word that is not a concept but has clinical equivalents ("flare")."""

    text: str  # as written in the text
    span: tuple[int, int]  # character offsets in the matched text
    clinical: tuple[str, ...]  # "relapse", "exacerbation"


@dataclass(frozen=True, slots=True)
class VocabularyMatch:
    """Everything the vocabulary recognised in one text, in text order."""

    concepts: tuple[Concept, ...]
    terms: tuple[LayTerm, ...]
    corrections: tuple[tuple[str, str], ...]  # (as written, corrected) spelling fixes used
    spelling: tuple[tuple[str, str], ...] = ()  # every likely fix, used in a name or not


@dataclass(frozen=True, slots=True)
class _Sense:
    concept: int  # -1: a term, not a concept ("PE" as physical education)
    name: str
    cues: frozenset[str]
    prior: float
    case: str  # exact | any | cued


def _edits1(word: str) -> Iterator[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            for c in _LETTERS:
                yield left + c + right[1:]
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        for c in _LETTERS:
            yield left + c + right


def _leaves_out(word: str, short: str) -> bool:
    """Whether `short` is `word` with some of its letters left out (in order)."""
    letters = iter(word)
    return all(c in letters for c in short)


def _is_shouting(text: str) -> bool:
    letters = [c for c in text[:2000] if c.isalpha()]
    return len(letters) >= 20 and sum(c.isupper() for c in letters) > 0.7 * len(letters)


# -- the vocabulary ----------------------------------------------------------------------


class Vocabulary:
    """A concept dictionary: build it (`build`, `for_library`), save/load it, match texts."""

    def __init__(self, data: dict) -> None:
        if data.get("format") != FORMAT:
            raise LibraryError(f"vocabulary format {data.get('format')!r} is not {FORMAT}")
        self.data = data
        self._concepts: list[list] = data["concepts"]
        self._surfaces: dict[str, list[int]] = data["surfaces"]
        self._exact: dict[str, list[int]] = data["exact"]
        self._lay: dict[str, list] = data["lay"]  # key -> [clinical terms, concept or -1]
        self._plain: dict[str, str] = data.get("plain", {})  # concept name key -> lay name
        self._technical = frozenset(data.get("technical", ()))  # CDC: has a plainer word
        self._abbreviations: dict[str, list[_Sense]] = {
            abbr: [
                _Sense(c, name, frozenset(cues), prior, case)
                for c, name, cues, prior, case in senses
            ]
            for abbr, senses in data["abbreviations"].items()
        }
        self._typo_targets: dict[str, int] = data["typo_targets"]  # word -> times in library
        self._known = frozenset(data["known"])
        self._forms = {key: frozenset(v) for key, v in data.get("forms", {}).items()}
        lengths: dict[str, set[int]] = defaultdict(set)
        for key in (*self._surfaces, *self._lay):
            words = key.split(" ")
            lengths[words[0]].add(len(words))
        self._lengths = {first: sorted(n, reverse=True) for first, n in lengths.items()}
        self._ends: dict[tuple[str, str], list[str]] | None = None  # see _dropped_letters

    # -- building, saving, loading ----------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: Iterable[Document] = (),
        *,
        disease_ontology: Path | None = None,
        abbreviation_counts: Path | None = None,
        plain_language: Path | None = None,
    ) -> Vocabulary:
        """Build from documents (MedQuAD questions are read), DO reports and the data files.

        `disease_ontology` is the folder of HumanDO.tsv, allXREFinDO.tsv and MESHinDO.tsv;
        `abbreviation_counts` is ADAM's adam_database.txt; `plain_language` is the CDC Plain
        Language Thesaurus (cdc_plain_language_thesaurus.json). All are optional.
        """
        return cls(build_data(documents, disease_ontology, abbreviation_counts, plain_language))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            data = json.loads(Path(path).read_bytes())
        except (OSError, ValueError) as error:
            raise LibraryError(f"cannot read the vocabulary {path}: {error}") from None
        return cls(data)

    def save(self, path: Path) -> None:
        """Write atomically (temporary file, then rename), so readers never see half a file.
        The temporary file is the writing thread's own: two threads of a server that build
        the vocabulary at once must not write into one file."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(
            json.dumps(self.data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        )
        tmp.replace(path)

    @property
    def sources(self) -> dict:
        """What it was built from: documents read, Disease Ontology, ADAM, build seconds."""
        return dict(self.data.get("sources", {}))

    def __len__(self) -> int:
        return len(self._concepts)

    def stats(self) -> dict[str, int]:
        kinds = Counter(c[1] for c in self._concepts)
        return {
            "concepts": len(self._concepts),
            "surfaces": len(self._surfaces),
            "abbreviations": len(self._exact) + len(self._abbreviations),
            "lay_terms": len(self._lay),
            "plain_names": len(self._plain),
            **{f"kind:{kind}": n for kind, n in kinds.most_common()},
        }

    # -- looking up -------------------------------------------------------------------

    def lookup(self, name: str) -> Concept | None:
        """The concept with this name or synonym (key-insensitive), if any."""
        key = phrase_key(name)
        ids = self._surfaces.get(key) or self._exact.get(name.strip())
        if not ids and key in self._lay:
            ids = [self._lay[key][1]] if self._lay[key][1] >= 0 else []
        return self._concept(ids[0]) if ids else None

    def plain_name(self, name: str) -> str | None:
        """The everyday name of the concept called `name` ("heart attack" for "myocardial
        infarction"), from the curated lay terms or the CDC thesaurus; None if it has none."""
        plain = self._plain.get(phrase_key(name))
        if plain is None:
            concept = self.lookup(name)
            plain = self._plain.get(phrase_key(concept.name)) if concept else None
        return plain if plain and phrase_key(plain) != phrase_key(name) else None

    def everyday(self, text: str) -> bool:
        """Whether every word of `text` is lower-case English the library's texts use (not
        a proper name such as "Legius" or "Alzheimer", seen only with a capital)."""
        found = [t.raw.lower() for t in tokenize(text)]
        return bool(found) and all(w in self._known for w in found)

    def is_technical(self, name: str) -> bool:
        """Whether the CDC Plain Language Thesaurus gives a plainer word for `name`."""
        return phrase_key(name) in self._technical

    def _concept(self, index: int, **where) -> Concept:
        name, kind, ids, synonyms, _weight = self._concepts[index]
        return Concept(name, kind, tuple(ids), tuple(synonyms), **where)

    # -- matching ---------------------------------------------------------------------

    def match(self, text: str) -> VocabularyMatch:
        """The concepts and lay terms named in `text`, left to right, longest names first.

        A spelling correction is kept only where it completes a name of two or more words,
        or a one-word condition, symptom or drug name of six letters or more ("anemea").
        """
        text = text[:MAX_MATCH_CHARS]
        tokens = tokenize(text)
        shouting = _is_shouting(text)
        words = [surface_word(t.raw) for t in tokens]
        fixes = self._corrections(tokens)
        scan = _Scan(self, text, tokens, words, fixes, shouting)
        kept = {i: w for i, w in fixes.items() if scan.correction_holds(i)}
        if len(kept) < len(fixes):
            scan = _Scan(self, text, tokens, words, kept, shouting)
        fixed = {tokens[i].raw.lower(): w for i, w in kept.items()}
        spelling = {  # a short word's reading only where it names something ("wiht")
            tokens[i].raw.lower(): w
            for i, w in fixes.items()
            if i in kept or len(tokens[i].raw) >= TYPO_MIN_LETTERS
        }
        return VocabularyMatch(
            tuple(scan.concepts), tuple(scan.terms), tuple(fixed.items()), tuple(spelling.items())
        )

    def _corrections(self, tokens: list[Token]) -> dict[int, str]:
        """Position -> the vocabulary word a misspelt word most likely meant."""
        fixes: dict[int, str] = {}
        tries = 0
        for i, token in enumerate(tokens):
            lower = token.raw.lower()
            if (
                not SHORT_TYPO_LETTERS[0] <= len(lower) <= TYPO_MAX_LETTERS
                or not lower.isalpha()
                or token.key in self._lengths
                or lower in self._known
                or lower in self._typo_targets
            ):
                continue
            tries += 1
            if tries > MAX_CORRECTIONS:
                break
            candidates = (
                {c for c in _edits1(lower) if c in self._typo_targets}
                if len(lower) >= TYPO_MIN_LETTERS
                else self._dropped_letters(lower)
            )
            if candidates:
                fixes[i] = max(candidates, key=lambda c: (self._typo_targets[c], c))
        return fixes

    def _dropped_letters(self, word: str) -> set[str]:
        """Vocabulary words that a short word (SHORT_TYPO_LETTERS) spells with one or two
        letters left out, first and last letters kept: "asma" for "asthma"."""
        if self._ends is None:
            ends: dict[tuple[str, str], list[str]] = defaultdict(list)
            low, high = SHORT_TYPO_LETTERS
            for target in self._typo_targets:
                if low + 1 <= len(target) <= high + 2 and target.isalpha():
                    ends[target[0], target[-1]].append(target)
            self._ends = dict(ends)
        return {
            target
            for target in self._ends.get((word[0], word[-1]), ())
            if 0 < len(target) - len(word) <= 2 and _leaves_out(target, word)
        }

    def _longest(self, keys: list[str], i: int) -> tuple[int, str] | None:
        for width in self._lengths.get(keys[i], ()):
            if i + width <= len(keys):
                key = " ".join(keys[i : i + width])
                if key in self._surfaces or key in self._lay:
                    return width, key
        return None

    def _abbreviation(
        self, token: Token, context: frozenset[str], shouting: bool
    ) -> Concept | LayTerm | None:
        raw = token.raw
        upper = raw.isupper() and not shouting
        senses = self._abbreviations.get(raw.upper())
        if senses:
            best = _best_sense(senses, upper, context)
            if best is None:
                return None
            sense, cued = best
            lower = raw.lower()
            if not cued and (lower in stopwords() or (shouting and lower in self._known)):
                return None
            if sense.concept < 0:
                return LayTerm(raw, (token.start, token.end), (sense.name,))
            return self._concept(
                sense.concept,
                text=raw,
                span=(token.start, token.end),
                via="abbreviation",
                expansions=(sense.name,),
            )
        ids = self._exact.get(raw)
        if ids and (not shouting or raw.lower() not in self._known):
            concept = self._concept(ids[0])
            return self._concept(
                ids[0],
                text=raw,
                span=(token.start, token.end),
                via="abbreviation",
                expansions=(concept.name,),
            )
        return None


_CORRECTABLE_KINDS = frozenset({"condition", "symptom", "drug", "supplement", "organism"})


class _Scan:
    """One left-to-right longest-match pass over a text's words."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        text: str,
        tokens: list[Token],
        words: list[str],
        fixes: dict[int, str],
        shouting: bool,
    ) -> None:
        self.v = vocabulary
        self.text = text
        self.tokens = tokens
        self.words = [fixes.get(i, w) for i, w in enumerate(words)]
        self.keys = [word_key(fixes[i]) if i in fixes else t.key for i, t in enumerate(tokens)]
        self.fixes = fixes
        self.shouting = shouting
        self.context = frozenset(self.keys)
        self.concepts: list[Concept] = []
        self.terms: list[LayTerm] = []
        self.cover: dict[int, tuple[int, str]] = {}  # position -> (words in name, kind)
        i = 0
        while i < len(tokens):
            i += max(self._at(i), 1)

    def correction_holds(self, i: int) -> bool:
        width, kind = self.cover.get(i, (0, ""))
        one_word = width == 1 and kind in _CORRECTABLE_KINDS
        return width >= 2 or (one_word and len(self.words[i]) >= ONE_WORD_FIX_LETTERS)

    def _at(self, i: int) -> int:
        """Record the longest name starting at word i; returns how many words it covers."""
        v = self.v
        found = v._longest(self.keys, i)
        if found is not None and found[0] == 1 and not self._spelt_like_a_name(i, found[1]):
            found = None
        if found is None or found[0] == 1:
            abbreviation = v._abbreviation(self.tokens[i], self.context, self.shouting)
            if abbreviation is not None:
                self._add(abbreviation, i, 1)
                return 1
        if found is None:
            return 0
        width, key = found
        start, end = self.tokens[i].start, self.tokens[i + width - 1].end
        text = self.text[start:end]
        lay_terms, lay_concept = v._lay.get(key, ((), -1))
        named = v._surfaces.get(key, ())
        ids = [lay_concept] if lay_concept >= 0 else named  # the curated table decides
        if ids:
            fixed = any(j in self.fixes for j in range(i, i + width))
            via = "spelling correction" if fixed else "name" if ids[0] in named else "lay term"
            concept = v._concept(
                ids[0], text=text, span=(start, end), via=via, expansions=tuple(lay_terms)
            )
            self._add(concept, i, width)
        elif lay_terms:
            self._add(LayTerm(text, (start, end), tuple(lay_terms)), i, width)
        return width

    def _spelt_like_a_name(self, i: int, key: str) -> bool:
        """A one-word match must be a spelling of the name, not a stem collision
        ("hope" and "hops" share the key "hop")."""
        forms = self.v._forms.get(key)
        return forms is None or not forms.isdisjoint(number_forms(self.words[i]))

    def _add(self, found: Concept | LayTerm, i: int, width: int) -> None:
        if isinstance(found, Concept):
            self.concepts.append(found)
            kind = found.kind
        else:
            self.terms.append(found)
            kind = "term"
        for j in range(i, i + width):
            self.cover[j] = (width, kind)


def _best_sense(
    senses: list[_Sense], upper: bool, context: frozenset[str]
) -> tuple[_Sense, bool] | None:
    """The sense of an abbreviation in this context, and whether a cue word chose it: most
    cue words, then most frequent in MEDLINE (ADAM), then first in the table. Upper case
    allows every sense; lower case those marked `any`, and `cued` ones with a cue."""
    scored = []
    for order, sense in enumerate(senses):
        cues = len(sense.cues & context)
        allowed = upper or sense.case == "any" or (sense.case == "cued" and cues > 0)
        if allowed:
            scored.append((cues, sense.prior, -order, sense))
    if not scored:
        return None
    cues, _prior, _order, sense = max(scored, key=lambda s: s[:3])
    return sense, cues > 0
