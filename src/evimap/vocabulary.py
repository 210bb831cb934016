"""The concept dictionary: conditions, drugs, tests and procedures, with the names people use.

Built from the evidence itself and from data files, never from code:

    (a) MedQuAD foci, synonyms, UMLS CUIs and semantic types of the library's documents.
        Pages with the same focus are one concept, and so are pages naming each other's
        focus as a synonym when their CUIs agree ("Heart attack" lists "Myocardial
        infarction"); a shared CUI alone joins nothing (MedQuAD's CUIs are coarse);
    (b) Disease Ontology reports (HumanDO.tsv labels, allXREFinDO.tsv and MESHinDO.tsv links):
        a DO term joins the concept that has its label as a name (or carries its CUI), adding
        DOID, MeSH and ICD-10-CM ids and its clinical label as the preferred name; other DO
        terms are concepts of their own;
    (c) data/lay_terms.tsv (consumer phrases -> clinical terms), data/abbreviations.tsv
        (abbreviations with senses and context cue words; sense frequencies are read from
        ADAM in the shared data when present) and data/vocabulary.yaml (kinds, stop words,
        generic words, spelling variants).

It is saved as one JSON file in the library directory (``LIBRARY/vocabulary.json``) and
loaded lazily by `for_library`, which rebuilds it when the library's document count changed.

Matching (`Vocabulary.match`) is longest-match over normalised words: case-, punctuation- and
plural-insensitive, British spellings mapped, possessives dropped. A word of six letters or
more that is neither lower-case English seen in the library nor a vocabulary word is read as
the most frequent vocabulary word one edit away ("sclerosys" -> "sclerosis"), when that
completes a name. Upper-case abbreviations from the evidence ("MI", "HBP") match as written
only; the curated abbreviations are disambiguated by cue words anywhere in the question, then
by frequency. Stop words and generic words ("disease", "blood") never make a concept alone.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import yaml

from evimap.errors import LibraryError
from evimap.evidence import Document

if TYPE_CHECKING:
    from evimap.library import Library

FILE_NAME = "vocabulary.json"
FORMAT = 1
MAX_NAME_WORDS = 12  # longer MedQuAD page titles are never typed by anyone
MAX_SYNONYMS = 12  # shown per concept
MAX_MATCH_CHARS = 20_000  # match() looks at no more than this (bounded work)
MAX_CORRECTIONS = 12  # spelling corrections tried per text
TYPO_MIN_LETTERS = 6  # words this long or longer may be spelling-corrected
TYPO_MAX_LETTERS = 30  # longer "words" are not words (and their edits would be many)
KNOWN_MIN_COUNT = 2  # a lower-case word seen this often in the library is real English

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PAREN = re.compile(r"\s*\(([^()]*)\)\s*")
_PAGE_VARIANT = re.compile(r" - |:|;|^(what|how|being|do|does|is|are|who)\b", re.IGNORECASE)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Token(NamedTuple):
    """One word of a text: as written, its matching key and where it is."""

    raw: str
    key: str
    start: int
    end: int


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


@dataclass(frozen=True, slots=True)
class _Sense:
    concept: int  # -1: a term, not a concept ("PE" as physical education)
    name: str
    cues: frozenset[str]
    prior: float
    case: str  # exact | any | cued


# -- the data files ----------------------------------------------------------------------


@cache
def _config() -> dict:
    text = resources.files("evimap").joinpath("data", "vocabulary.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def stopwords() -> frozenset[str]:
    """Function and filler words (lower case) that never name a concept."""
    return frozenset(_config()["stopwords"].split())


@cache
def _generic() -> frozenset[str]:
    return frozenset(_config()["generic"].split())


@cache
def _generic_keys() -> frozenset[str]:
    return frozenset(word_key(w) for w in _generic())


@cache
def _spelling() -> dict[str, str]:
    return dict(_config()["spelling"])


def _data_rows(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("evimap").joinpath("data", name).read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


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


def _name_variants(name: str) -> list[str]:
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


def _number_forms(word: str) -> set[str]:
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


def _is_abbreviation(name: str) -> bool:
    """One upper-case word of 2-8 characters with a letter ("MI", "HBP", "LMPH2")."""
    return 2 <= len(name) <= 8 and name.isupper() and name.isalnum() and " " not in name


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

    # -- building, saving, loading ----------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: Iterable[Document] = (),
        *,
        disease_ontology: Path | None = None,
        abbreviation_counts: Path | None = None,
    ) -> Vocabulary:
        """Build from documents (MedQuAD questions are read), DO reports and the data files.

        `disease_ontology` is the folder of HumanDO.tsv, allXREFinDO.tsv and MESHinDO.tsv;
        `abbreviation_counts` is ADAM's adam_database.txt. Both are optional.
        """
        started = time.perf_counter()
        builder = _Builder()
        builder.add_documents(documents)
        if disease_ontology is not None:
            builder.add_disease_ontology(disease_ontology)
        builder.consolidate()
        builder.add_curated(abbreviation_counts)
        data = builder.data()
        data["sources"].update(
            disease_ontology=disease_ontology is not None,
            abbreviation_counts=abbreviation_counts is not None,
            seconds=round(time.perf_counter() - started, 2),
        )
        return cls(data)

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            data = json.loads(Path(path).read_bytes())
        except (OSError, ValueError) as error:
            raise LibraryError(f"cannot read the vocabulary {path}: {error}") from None
        return cls(data)

    def save(self, path: Path) -> None:
        """Write atomically (temporary file, then rename), so readers never see half a file."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, separators=(",", ":")))
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

    def _concept(self, index: int, **where) -> Concept:
        name, kind, ids, synonyms, _weight = self._concepts[index]
        return Concept(name, kind, tuple(ids), tuple(synonyms), **where)

    # -- matching ---------------------------------------------------------------------

    def match(self, text: str) -> VocabularyMatch:
        """The concepts and lay terms named in `text`, left to right, longest names first.

        A spelling correction is kept only where it completes a name of two or more words,
        or a one-word condition, symptom or drug name of seven letters or more.
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
        return VocabularyMatch(tuple(scan.concepts), tuple(scan.terms), tuple(fixed.items()))

    def _corrections(self, tokens: list[Token]) -> dict[int, str]:
        """Position -> the vocabulary word a misspelt word most likely meant."""
        fixes: dict[int, str] = {}
        tries = 0
        for i, token in enumerate(tokens):
            lower = token.raw.lower()
            if (
                not TYPO_MIN_LETTERS <= len(lower) <= TYPO_MAX_LETTERS
                or not lower.isalpha()
                or token.key in self._lengths
                or lower in self._known
                or lower in self._typo_targets
            ):
                continue
            tries += 1
            if tries > MAX_CORRECTIONS:
                break
            candidates = {c for c in _edits1(lower) if c in self._typo_targets}
            if candidates:
                fixes[i] = max(candidates, key=lambda c: (self._typo_targets[c], c))
        return fixes

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
        return width >= 2 or (width == 1 and kind in _CORRECTABLE_KINDS and len(self.words[i]) >= 7)

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
        return forms is None or not forms.isdisjoint(_number_forms(self.words[i]))

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


# -- building ----------------------------------------------------------------------------

_DO_PREFIXES = {"UMLS_CUI": "UMLS", "MESH": "MESH", "ICD10CM": "ICD10CM"}
_ID_ORDER = ("DOID", "UMLS", "MESH", "ICD10CM")


@dataclass(slots=True)
class _Group:
    """A concept while it is being built."""

    focus: Counter[str] = field(default_factory=Counter)  # MedQuAD focus -> questions
    synonyms: set[str] = field(default_factory=set)  # MedQuAD synonyms
    labels: list[str] = field(default_factory=list)  # Disease Ontology labels
    curated: str = ""  # name from a curated table (or DO-only label)
    kind: str = ""
    ids: set[str] = field(default_factory=set)
    semantic_types: set[str] = field(default_factory=set)
    subsets: set[str] = field(default_factory=set)

    def names(self) -> list[str]:
        return [
            *self.focus,
            *self.labels,
            *([self.curated] if self.curated else []),
            *self.synonyms,
        ]

    def merge(self, other: _Group) -> None:
        self.focus.update(other.focus)
        self.synonyms |= other.synonyms
        self.ids |= other.ids
        self.semantic_types |= other.semantic_types
        self.subsets |= other.subsets
        self.labels.extend(label for label in other.labels if label not in self.labels)
        self.curated = self.curated or other.curated
        self.kind = self.kind or other.kind


class _Builder:
    def __init__(self) -> None:
        self.groups: dict[str, _Group] = {}
        self.index: dict[str, str] = {}  # name key -> group key
        self.documents = 0
        self.words: Counter[str] = Counter()  # lower-case words of the library's text
        self.lay: dict[str, tuple[list[str], str]] = {}
        self.senses: dict[str, list[tuple[str, str, list[str], float, str]]] = {}
        self.ontology: dict[str, tuple[str, set[str]]] = {}  # DOID -> (label, ids)
        self.lay_phrases: dict[str, list[str]] = defaultdict(list)

    def add_documents(self, documents: Iterable[Document]) -> None:
        lower_words = re.compile(r"(?<![^\W\d_])[a-z]+(?![^\W\d_])")
        for doc in documents:
            self.documents += 1
            self.words.update(lower_words.findall(doc.title))
            for passage in doc.passages:
                self.words.update(lower_words.findall(passage.text))
            q = doc.question
            if q is None or not q.focus:
                continue
            group = self.groups.setdefault(phrase_key(q.focus), _Group())
            group.focus[q.focus] += 1
            group.synonyms.update(q.synonyms)
            group.ids.update(f"UMLS:{c}" for c in q.cuis)
            group.semantic_types.update(q.semantic_types)
            group.subsets.add(doc.extra.get("subset", ""))

    def add_disease_ontology(self, folder: Path) -> None:
        xrefs: dict[str, set[str]] = defaultdict(set)
        for name, column in (("allXREFinDO.tsv", "xref"), ("MESHinDO.tsv", "xrefs")):
            if (folder / name).exists():
                for row in _tsv(folder / name):
                    xrefs[row["id"]].add(row[column])
        for row in _tsv(folder / "HumanDO.tsv"):
            ids = {row["id"]}
            for ref in xrefs.get(row["id"], ()):
                prefix, _, value = ref.partition(":")
                if prefix in _DO_PREFIXES:
                    ids.add(f"{_DO_PREFIXES[prefix]}:{value}")
            self.ontology[row["id"]] = (row["label"], ids)

    def consolidate(self) -> None:
        """Join pages that name one concept; attach Disease Ontology terms to them.

        Pages are grouped by focus name. Two groups join when one lists the other's focus as
        a synonym and their CUIs agree (share one, or one has none): "Heart attack" lists
        "Myocardial infarction". A CUI alone never joins pages: MedQuAD's automatic CUIs are
        coarse (70 syndromes carry C0039082 "Syndrome"), and synonyms alone are loose
        ("Demyelinating disease" is listed for multiple sclerosis). A DO term attaches to the
        groups that have its label as a name (CUIs agreeing), else to the one group whose
        single CUI it carries; otherwise it is a concept of its own.
        """
        parent = {key: key for key in self.groups}

        def root(key: str) -> str:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        cuis = {key: {i for i in g.ids if i[:5] == "UMLS:"} for key, g in self.groups.items()}

        def agree(a: str, b: str) -> bool:
            return not cuis[a] or not cuis[b] or bool(cuis[a] & cuis[b])

        for key, group in self.groups.items():
            for synonym in group.synonyms:
                other = phrase_key(synonym)
                if other != key and other in self.groups and agree(key, other):
                    parent[root(other)] = root(key)
        named: dict[str, set[str]] = defaultdict(set)  # name key -> groups with that name
        single: dict[str, set[str]] = defaultdict(set)  # CUI -> groups with only that CUI
        for key, group in self.groups.items():
            for name in (*group.focus, *group.synonyms):
                named[phrase_key(name)].add(key)
            if len(cuis[key]) == 1:
                single[next(iter(cuis[key]))].add(key)
        kind = _config()["disease_ontology_kind"]
        attached: list[tuple[str, str, set[str]]] = []
        for doid, (label, ids) in self.ontology.items():
            label_key = phrase_key(label)
            do_cuis = {i for i in ids if i[:5] == "UMLS:"}
            linked = {
                k
                for k in named.get(label_key, ())
                if not do_cuis or not cuis.get(k) or do_cuis & cuis[k]
            }
            if not linked:
                by_cui = set().union(*(single.get(c, set()) for c in do_cuis))
                linked = by_cui if len(by_cui) == 1 else set()
            if not linked:
                key = f"doid:{doid}"
                self.groups[key] = _Group(curated=label, kind=kind, ids=set(ids))
                parent[key] = key
                named[label_key].add(key)
                continue
            attached.extend((member, label, ids) for member in linked)
        merged: dict[str, _Group] = {}
        for key in self.groups:
            top = root(key)
            if top not in merged:
                merged[top] = self.groups[top]
            if key != top:
                merged[top].merge(self.groups[key])
        for member, label, ids in attached:
            group = merged[root(member)]
            group.ids |= ids
            if label not in group.labels:
                group.labels.append(label)
        self.groups = merged
        ranked = sorted(merged.items(), key=lambda kv: -kv[1].focus.total())
        for names in ("focus", "labels", "curated", "synonyms"):
            for key, group in ranked:
                values = getattr(group, names)
                for name in [values] if isinstance(values, str) else values:
                    if name:
                        self.index.setdefault(phrase_key(name), key)

    def add_curated(self, adam: Path | None) -> None:
        for row in _data_rows("lay_terms.tsv"):
            terms = [t.strip() for t in row["clinical"].split(";") if t.strip()]
            concept = "" if row["kind"] == "term" else self._resolve(terms[0], row["kind"])
            self.lay[phrase_key(row["lay"])] = (terms, concept)
            self.lay_phrases[phrase_key(row["lay"])].append(row["lay"])
        rows = list(_data_rows("abbreviations.tsv"))
        counts = _adam_counts(adam, {r["abbreviation"].upper() for r in rows}) if adam else {}
        for row in rows:
            abbr, sense, kind = row["abbreviation"].upper(), row["sense"], row["kind"]
            concept = "" if kind == "term" else self._resolve(sense, kind)
            cues = sorted({word_key(w) for w in (row["cues"] or "").split()})
            prior = _sense_frequency(sense, counts.get(abbr, []))
            self.senses.setdefault(abbr, []).append((concept, sense, cues, prior, row["case"]))

    def _resolve(self, name: str, kind: str) -> str:
        key = phrase_key(name)
        if key not in self.index:
            self.index[key] = f"curated:{key}"
            self.groups[f"curated:{key}"] = _Group(curated=name, kind=kind)
        return self.index[key]

    def data(self) -> dict:
        order = {key: i for i, key in enumerate(self.groups)}
        stop = {word_key(w) for w in stopwords()} | _generic_keys()
        blocked = {phrase_key(p) for p in _config()["not_concepts"]}
        concepts, surfaces, exact = [], defaultdict(set), defaultdict(set)
        forms: dict[str, set[str]] = defaultdict(set)  # one-word key -> spellings of names
        targets: set[str] = set()
        for key, group in self.groups.items():
            i = order[key]
            preferred = _preferred(group)
            weight = group.focus.total()
            main = {phrase_key(n) for n in (preferred, *group.focus, *group.labels)}
            concepts.append(
                [
                    preferred,
                    _kind(group, preferred),
                    _sorted_ids(group.ids),
                    _display_synonyms(group, preferred),
                    weight,
                ]
            )
            for name in {preferred, *group.names()}:
                for variant in _name_variants(name):
                    if _is_abbreviation(variant):
                        if variant.lower() not in stopwords():
                            exact[variant].add((phrase_key(variant) not in main, -weight, i))
                        continue
                    words = phrase_key(variant).split()
                    if not words or len(words) > MAX_NAME_WORDS or all(w in stop for w in words):
                        continue
                    if " ".join(words) in blocked:
                        continue
                    if len(words) == 1 and (len(words[0]) < 3 or self._too_common(group, name)):
                        continue
                    surface = " ".join(words)
                    # main names before loose synonyms, then the most asked-about concept
                    surfaces[surface].add((surface not in main, -weight, i))
                    if len(words) == 1:
                        forms[surface].add(surface_word(variant))
                    targets.update(w.lower() for w in variant.split() if w.isalpha())
        lay = {k: [terms, order[c] if c else -1] for k, (terms, c) in self.lay.items()}
        for phrase in self.lay:
            targets.update(w for w in phrase.split() if w.isalpha())
            if " " not in phrase:
                forms[phrase].update(surface_word(w) for w in self.lay_phrases[phrase])
        senses = {
            a: [
                [order[c] if c else -1, name, cues, prior, case]
                for c, name, cues, prior, case in rows
            ]
            for a, rows in self.senses.items()
        }
        return {
            "format": FORMAT,
            "sources": {"documents": self.documents},
            "concepts": concepts,
            "surfaces": {k: [i for *_, i in sorted(v)] for k, v in surfaces.items()},
            "exact": {k: [i for *_, i in sorted(v)] for k, v in exact.items()},
            "forms": {k: sorted(v) for k, v in forms.items()},
            "lay": lay,
            "abbreviations": senses,
            "typo_targets": {
                w: self.words[w] for w in sorted(targets) if len(w) >= TYPO_MIN_LETTERS - 1
            },
            "known": sorted(w for w, n in self.words.items() if n >= KNOWN_MIN_COUNT),
        }

    def _too_common(self, group: _Group, name: str) -> bool:
        """A one-word MedQuAD synonym that is an everyday word ("Chronic", "Blood")."""
        lower = name.lower()
        if lower in stopwords() or word_key(lower) in _generic_keys():
            return True
        only_synonym = name in group.synonyms and name not in group.focus
        return only_synonym and self.words[lower] >= 100


def _tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


def _adam_counts(path: Path, wanted: set[str]) -> dict[str, list[tuple[str, int]]]:
    """Abbreviation -> (long-form key, times defined in MEDLINE), for the wanted ones."""
    counts: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            columns = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(columns) < 3 or columns[0].upper() not in wanted:
                continue
            for form in columns[2].split("|"):
                name, _, rest = form.partition(":")
                number = rest.partition(":")[0]
                if number.isdigit():
                    counts[columns[0].upper()].append((phrase_key(name), int(number)))
    return counts


def _sense_frequency(sense: str, long_forms: list[tuple[str, int]]) -> int:
    """How often ADAM saw `sense` defined: its own long form, inflected forms ("pulmonary
    emboli") and longer ones that contain it ("acute myocardial infarction")."""
    key = phrase_key(sense)
    short = [w[:5] for w in key.split()]
    total = 0
    for form, count in long_forms:
        if f" {key} " in f" {form} " or [w[:5] for w in form.split()] == short:
            total += count
    return total


def _preferred(group: _Group) -> str:
    """The DO label that is also a MedQuAD name, else the only DO label, else the top focus."""
    if group.curated:
        return group.curated
    focus_by_key = {phrase_key(n): c for n, c in group.focus.items()}
    named = {phrase_key(n) for n in group.names()}
    equal = [label for label in group.labels if phrase_key(label) in named]
    if equal:
        return max(equal, key=lambda label: focus_by_key.get(phrase_key(label), 0))
    if len(group.labels) == 1:
        return group.labels[0]
    return min(group.focus, key=lambda n: (bool(_PAGE_VARIANT.search(n)), -group.focus[n], len(n)))


def _kind(group: _Group, preferred: str) -> str:
    config = _config()
    for semantic_type, kind in config["semantic_types"].items():
        if semantic_type in group.semantic_types:
            return kind
    for subset in group.subsets:
        if subset in config["subsets"]:
            return config["subsets"][subset]
    if group.kind:
        return group.kind
    words = {w.lower() for w in re.findall(r"[\w-]+", preferred)}
    for kind, cue_words in config["name_words"].items():
        if words & set(cue_words) or any(w.endswith("ectomy") for w in words):
            return kind
    return "condition" if group.labels else "topic"


def _sorted_ids(ids: set[str]) -> list[str]:
    def rank(i: str) -> tuple[int, str]:
        prefix = i.partition(":")[0]
        return (_ID_ORDER.index(prefix) if prefix in _ID_ORDER else len(_ID_ORDER), i)

    return sorted(ids, key=rank)


def _display_synonyms(group: _Group, preferred: str) -> list[str]:
    """Other names worth showing: no page titles ("Heart attack - discharge"), and no name
    that merely adds words to another name ("Thrombolytic drugs for heart attack")."""
    seen = {phrase_key(preferred)}
    keys = {f" {phrase_key(n)} " for n in (preferred, *group.names())} - {"  "}
    chosen = []
    ranked = sorted(
        group.names(), key=lambda n: (n not in group.labels, -group.focus.get(n, 0), len(n))
    )
    for name in ranked:
        key = phrase_key(name)
        padded = f" {key} "
        longer = any(k != padded and k in padded for k in keys)
        if key in seen or longer or _PAGE_VARIANT.search(name) or len(name) > 60:
            continue
        seen.add(key)
        chosen.append(name)
        if len(chosen) == MAX_SYNONYMS:
            break
    return chosen


# -- loading for a library ---------------------------------------------------------------

_loaded: dict[Path, tuple[float, Vocabulary]] = {}


def for_library(
    library: Library, shared_data: Path | None = None, *, rebuild: bool = False
) -> tuple[Vocabulary, bool]:
    """The library's vocabulary (LIBRARY/vocabulary.json), loaded once per process.

    Built and saved when missing, or stale (built from a different number of documents),
    or when `rebuild`: about 10 s for MedQuAD's 47k questions, once. A read-only library
    directory gets a vocabulary built in memory. Returns (vocabulary, whether it was built).
    """
    path = library.path / FILE_NAME
    documents = library.store.count()
    if not rebuild and path.exists():
        mtime = path.stat().st_mtime
        cached = _loaded.get(path)
        vocabulary = cached[1] if cached and cached[0] == mtime else Vocabulary.load(path)
        if vocabulary.sources.get("documents") == documents:
            _loaded[path] = (mtime, vocabulary)
            return vocabulary, False
    vocabulary = build_from_shared(library.store.iter_documents(), shared_data)
    try:
        vocabulary.save(path)
        _loaded[path] = (path.stat().st_mtime, vocabulary)
    except OSError:
        pass  # a read-only library still answers, with a vocabulary built in memory
    return vocabulary, True


def build_from_shared(documents: Iterable[Document], shared_data: Path | None) -> Vocabulary:
    """Build with the Disease Ontology and ADAM from `shared_data` when they are there."""
    do_dir = shared_data / "disease-ontology" if shared_data else None
    adam = shared_data / "medical-abbreviations" / "adam_database.txt" if shared_data else None
    return Vocabulary.build(
        documents,
        disease_ontology=do_dir if do_dir and (do_dir / "HumanDO.tsv").exists() else None,
        abbreviation_counts=adam if adam and adam.exists() else None,
    )
