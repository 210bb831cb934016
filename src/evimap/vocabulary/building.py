"""Building the vocabulary's data from the evidence and from data files, never from code.

    (a) MedQuAD foci, synonyms, UMLS CUIs and semantic types of the library's documents.
        Pages with the same focus are one concept, and so are pages naming each other's
        focus as a synonym when their CUIs agree ("Heart attack" lists "Myocardial
        infarction"), unless one adds a "with" clause to the other's name; a shared CUI
        alone joins nothing (MedQuAD's CUIs are coarse);
    (b) Disease Ontology reports (HumanDO.tsv labels, allXREFinDO.tsv and MESHinDO.tsv links):
        a DO term joins the concept that has its label as a name (or carries its CUI), adding
        DOID, MeSH and ICD-10-CM ids and its clinical label as the preferred name; other DO
        terms are concepts of their own;
    (c) data/lay_terms.tsv (consumer phrases -> clinical terms), data/abbreviations.tsv
        (abbreviations with senses and context cue words; sense frequencies are read from
        ADAM in the shared data when present) and data/vocabulary.yaml (kinds, stop words,
        generic words, spelling variants);
    (d) the CDC Plain Language Thesaurus (shared data, optional): a plain phrase of two to
        four words that CDC gives for a term naming a clinical concept ("bone death" for
        osteonecrosis) names that concept, as a curated lay phrase does (`add_thesaurus`).
        Curated phrases and the evidence's own names come first.

A concept's plain name (`plain`: "high blood pressure" for hypertension) is the first plain
alternative CDC gives for it that names it; `technical` are the terms CDC gives a plainer
word for.

`build_data` returns the JSON-ready dict that `Vocabulary` loads (format `FORMAT`).
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evimap.evidence import Document
from evimap.vocabulary.sources import (
    adam_counts,
    curated_fingerprint,
    curated_rows,
    disease_ontology,
    file_fingerprint,
    plain_language_pairs,
    sense_frequency,
)
from evimap.vocabulary.words import (
    TYPO_MIN_LETTERS,
    config,
    generic_keys,
    is_abbreviation,
    name_variants,
    phrase_key,
    stopwords,
    surface_word,
    word_key,
)

FORMAT = 4  # 2: names made of generic words that a source asks about are names; 3: plain
# names and technical terms (CDC thesaurus); 4: no join of a name adding a "with" clause
MAX_NAME_WORDS = 12  # longer MedQuAD page titles are never typed by anyone
MAX_SYNONYMS = 12  # shown per concept
KNOWN_MIN_COUNT = 2  # a lower-case word seen this often in the library is real English

_PAGE_VARIANT = re.compile(r" - |:|;|^(what|how|being|do|does|is|are|who)\b", re.IGNORECASE)
_ID_ORDER = ("DOID", "UMLS", "MESH", "ICD10CM")


THESAURUS_WORDS = (2, 4)  # words of a CDC plain phrase read as a name (one word: too loose)
THESAURUS_KINDS = frozenset(
    {"condition", "symptom", "drug", "supplement", "test", "procedure", "vaccine", "organism"}
)


def build_data(
    documents: Iterable[Document],
    disease_ontology: Path | None = None,
    abbreviation_counts: Path | None = None,
    plain_language: Path | None = None,
) -> dict:
    """The vocabulary's data from documents, DO reports, ADAM and the CDC Plain Language
    Thesaurus (each of the last three optional)."""
    started = time.perf_counter()
    builder = _Builder()
    builder.add_documents(documents)
    if disease_ontology is not None:
        builder.add_disease_ontology(disease_ontology)
    builder.consolidate()
    builder.add_curated(abbreviation_counts)
    thesaurus = builder.add_thesaurus(plain_language) if plain_language is not None else 0
    data = builder.data()
    data["sources"].update(
        disease_ontology=disease_ontology is not None,
        abbreviation_counts=abbreviation_counts is not None,
        plain_language=file_fingerprint(plain_language),
        plain_language_phrases=thesaurus,
        curated=curated_fingerprint(),
        seconds=round(time.perf_counter() - started, 2),
    )
    return data


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


class _Joins:
    """Which groups are one concept: union-find over group keys."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {key: key for key in keys}

    def add(self, key: str) -> None:
        self.parent[key] = key

    def root(self, key: str) -> str:
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(self, key: str, into: str) -> None:
        self.parent[self.root(key)] = self.root(into)


@dataclass(slots=True)
class _Names:
    """The names that match concepts, while they are collected, and what keeps names out."""

    stop: set[str]  # keys of stop words and generic words: never a name alone
    blocked: set[str]  # keys of names that are no concepts
    surfaces: defaultdict[str, set] = field(default_factory=lambda: defaultdict(set))
    exact: defaultdict[str, set] = field(default_factory=lambda: defaultdict(set))
    forms: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    targets: set[str] = field(default_factory=set)  # words a spelling correction may give


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
        self.technical: set[str] = set()  # keys of terms CDC gives a plainer word for
        self.alternatives: list[tuple[str, list[str]]] = []  # concept, CDC's plain words

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
        self.ontology.update(disease_ontology(folder))

    # -- joining pages and ontology terms into concepts ------------------------------------

    def consolidate(self) -> None:
        """Join pages that name one concept; attach Disease Ontology terms to them.

        Pages are grouped by focus name. Two groups join when one lists the other's focus as
        a synonym and their CUIs agree (share one, or one has none): "Heart attack" lists
        "Myocardial infarction"; not when one name holds the other's words and adds a "with"
        clause (`_adds_a_with`: SIDS is not SIDDT, whatever a page lists). A CUI alone never
        joins pages: MedQuAD's automatic CUIs are coarse (70 syndromes carry C0039082
        "Syndrome"), and synonyms alone are loose
        ("Demyelinating disease" is listed for multiple sclerosis). A DO term attaches to the
        groups that have its label as a name (CUIs agreeing), else to the one group whose
        single CUI it carries; otherwise it is a concept of its own.
        """
        cuis = {key: {i for i in g.ids if i[:5] == "UMLS:"} for key, g in self.groups.items()}
        joins = _Joins(self.groups)
        for key, group in self.groups.items():
            for synonym in group.synonyms:
                other = phrase_key(synonym)
                if (
                    other != key
                    and other in self.groups
                    and _agree(cuis[key], cuis[other])
                    and not _adds_a_with(key, other)
                ):
                    joins.join(other, into=key)
        attached = self._place_ontology_terms(joins, cuis)
        self.groups = self._merged(joins, attached)
        self._index_names()

    def _place_ontology_terms(
        self, joins: _Joins, cuis: dict[str, set[str]]
    ) -> list[tuple[str, str, set[str]]]:
        """The (group, DO label, DO ids) to attach once groups are merged; a DO term that
        names no group becomes a group of its own."""
        named: dict[str, set[str]] = defaultdict(set)  # name key -> groups with that name
        single: dict[str, set[str]] = defaultdict(set)  # CUI -> groups with only that CUI
        for key, group in self.groups.items():
            for name in (*group.focus, *group.synonyms):
                named[phrase_key(name)].add(key)
            if len(cuis[key]) == 1:
                single[next(iter(cuis[key]))].add(key)
        kind = config()["disease_ontology_kind"]
        attached: list[tuple[str, str, set[str]]] = []
        for doid, (label, ids) in self.ontology.items():
            label_key = phrase_key(label)
            do_cuis = {i for i in ids if i[:5] == "UMLS:"}
            linked = {k for k in named.get(label_key, ()) if _agree(do_cuis, cuis.get(k, set()))}
            if not linked:
                by_cui = set().union(*(single.get(c, set()) for c in do_cuis))
                linked = by_cui if len(by_cui) == 1 else set()
            if linked:
                attached.extend((member, label, ids) for member in linked)
                continue
            key = f"doid:{doid}"
            self.groups[key] = _Group(curated=label, kind=kind, ids=set(ids))
            joins.add(key)
            named[label_key].add(key)
        return attached

    def _merged(
        self, joins: _Joins, attached: list[tuple[str, str, set[str]]]
    ) -> dict[str, _Group]:
        """One group per concept, keyed by its root, with the attached DO labels and ids."""
        merged: dict[str, _Group] = {}
        for key in self.groups:
            top = joins.root(key)
            if top not in merged:
                merged[top] = self.groups[top]
            if key != top:
                merged[top].merge(self.groups[key])
        for member, label, ids in attached:
            group = merged[joins.root(member)]
            group.ids |= ids
            if label not in group.labels:
                group.labels.append(label)
        return merged

    def _index_names(self) -> None:
        """Name key -> group, for curated rows to find their concept: foci first, then DO
        labels, curated names and synonyms; the most asked-about group first in each."""
        ranked = sorted(self.groups.items(), key=lambda kv: -kv[1].focus.total())
        for names in ("focus", "labels", "curated", "synonyms"):
            for key, group in ranked:
                values = getattr(group, names)
                for name in [values] if isinstance(values, str) else values:
                    if name:
                        self.index.setdefault(phrase_key(name), key)

    # -- the curated tables ----------------------------------------------------------------

    def add_curated(self, adam: Path | None) -> None:
        for row in curated_rows("lay_terms.tsv"):
            terms = [t.strip() for t in row["clinical"].split(";") if t.strip()]
            concept = "" if row["kind"] == "term" else self._resolve(terms[0], row["kind"])
            self.lay[phrase_key(row["lay"])] = (terms, concept)
            self.lay_phrases[phrase_key(row["lay"])].append(row["lay"])
        rows = list(curated_rows("abbreviations.tsv"))
        counts = adam_counts(adam, {r["abbreviation"].upper() for r in rows}) if adam else {}
        for row in rows:
            abbr, sense, kind = row["abbreviation"].upper(), row["sense"], row["kind"]
            concept = "" if kind == "term" else self._resolve(sense, kind)
            cues = sorted({word_key(w) for w in (row["cues"] or "").split()})
            prior = sense_frequency(sense, counts.get(abbr, []))
            self.senses.setdefault(abbr, []).append((concept, sense, cues, prior, row["case"]))

    def add_thesaurus(self, path: Path) -> int:
        """CDC's plain phrases as lay names of the concepts their technical terms name;
        returns how many were kept. Every term CDC gives a plainer word for is `technical`
        (a patient may need it explained). A phrase is kept when it has two to four words, not all
        stop or generic words and no word of a class ("disease", "problem": "breathing
        disease" is no name of asthma), names no concept and no curated phrase already, is
        not in data/vocabulary.yaml's `thesaurus_skip`, and CDC gives it for one concept
        only, of a clinical kind (THESAURUS_KINDS): one-word alternatives ("tired",
        "break", "shock") have too many senses to name anything."""
        words = config()["thesaurus"]
        stop = {word_key(w) for w in stopwords()} | generic_keys()
        classes = {word_key(w) for w in words["class_words"].split()}
        skip = {phrase_key(p) for p in words["skip"]}
        low, high = THESAURUS_WORDS
        found: dict[str, set[str]] = defaultdict(set)  # phrase key -> concepts it names
        terms: dict[str, list[str]] = defaultdict(list)  # phrase key -> technical terms
        written: dict[str, str] = {}
        for term, alternatives in plain_language_pairs(path):
            if any(phrase_key(a) != phrase_key(term) for a in alternatives):
                self.technical.add(phrase_key(term))
            concept = self.index.get(phrase_key(term))
            group = self.groups.get(concept) if concept else None
            if not concept or group is None:
                continue
            if _kind(group, _preferred(group)) not in THESAURUS_KINDS:
                continue
            self.alternatives.append((concept, alternatives))
            for phrase in alternatives:
                key = phrase_key(phrase)
                keys = key.split()
                if not low <= len(keys) <= high or key == phrase_key(term) or key in skip:
                    continue
                if all(w in stop for w in keys) or classes.intersection(keys):
                    continue
                if key in self.index or key in self.lay:
                    continue  # already a name: the evidence and the curated table decide
                found[key].add(concept)
                terms[key].append(term)
                written.setdefault(key, phrase)
        kept = 0
        for key, concepts in found.items():
            if len(concepts) == 1:
                self.lay[key] = (list(dict.fromkeys(terms[key])), next(iter(concepts)))
                self.lay_phrases[key].append(written[key])
                kept += 1
        return kept

    def _resolve(self, name: str, kind: str) -> str:
        key = phrase_key(name)
        if key not in self.index:
            self.index[key] = f"curated:{key}"
            self.groups[f"curated:{key}"] = _Group(curated=name, kind=kind)
        return self.index[key]

    # -- the data ---------------------------------------------------------------------------

    def data(self) -> dict:
        order = {key: i for i, key in enumerate(self.groups)}
        names = _Names(
            stop={word_key(w) for w in stopwords()} | generic_keys(),
            blocked={phrase_key(p) for p in config()["not_concepts"]},
        )
        concepts = [self._concept(i, group, names) for i, group in enumerate(self.groups.values())]
        for phrase in self.lay:
            names.targets.update(w for w in phrase.split() if w.isalpha())
            if " " not in phrase:
                names.forms[phrase].update(surface_word(w) for w in self.lay_phrases[phrase])
        return {
            "format": FORMAT,
            "sources": {"documents": self.documents},
            "concepts": concepts,
            "surfaces": _by_rank(names.surfaces),
            "exact": _by_rank(names.exact),
            "forms": {k: sorted(v) for k, v in names.forms.items()},
            "lay": {k: [terms, order[c] if c else -1] for k, (terms, c) in self.lay.items()},
            "plain": self._plain(concepts, order),
            "technical": sorted(self.technical),
            "abbreviations": {
                a: [[order[c] if c else -1, *sense] for c, *sense in rows]
                for a, rows in self.senses.items()
            },
            "typo_targets": {
                w: self.words[w] for w in sorted(names.targets) if len(w) >= TYPO_MIN_LETTERS - 1
            },
            "known": sorted(w for w, n in self.words.items() if n >= KNOWN_MIN_COUNT),
        }

    def _plain(self, concepts: list[list], order: dict[str, int]) -> dict[str, str]:
        """Concept name key -> its plain name: the first plain alternative CDC gives for a
        term of the concept that is itself a name of that concept (a curated lay phrase,
        one of the thesaurus's or a name from the evidence: "high blood pressure" for
        hypertension, "flu" for influenza; never "tired" for anemia), not an abbreviation
        and not in `thesaurus_skip`."""
        skip = {phrase_key(p) for p in config()["thesaurus"]["skip"]}
        plain: dict[str, str] = {}
        for concept, phrases in self.alternatives:
            name_key = phrase_key(concepts[order[concept]][0])
            for phrase in phrases:
                key = phrase_key(phrase)
                names = self.lay[key][1] if key in self.lay else self.index.get(key)
                if names != concept or key in (name_key, *skip) or is_abbreviation(phrase):
                    continue
                plain.setdefault(name_key, phrase)
                break
        return plain

    def _concept(self, i: int, group: _Group, names: _Names) -> list:
        """Concept `i`'s row (name, kind, ids, synonyms, weight); its names go to `names`."""
        preferred = _preferred(group)
        weight = group.focus.total()
        main = {phrase_key(n) for n in (preferred, *group.focus, *group.labels)}
        for name in {preferred, *group.names()}:
            for variant in name_variants(name):
                # main names before loose synonyms, then the most asked-about concept
                if is_abbreviation(variant):
                    if variant.lower() not in stopwords():
                        names.exact[variant].add((phrase_key(variant) not in main, -weight, i))
                    continue
                words = phrase_key(variant).split()
                if not self._matchable(group, name, words, names):
                    continue
                surface = " ".join(words)
                names.surfaces[surface].add((surface not in main, -weight, i))
                if len(words) == 1:
                    names.forms[surface].add(surface_word(variant))
                names.targets.update(w.lower() for w in variant.split() if w.isalpha())
        return [
            preferred,
            _kind(group, preferred),
            _sorted_ids(group.ids),
            _display_synonyms(group, preferred),
            weight,
        ]

    def _matchable(self, group: _Group, name: str, words: list[str], names: _Names) -> bool:
        """Whether the words of a name make a name to match: a few words, not all stop or
        generic words, not blocked; one word of three letters or more, no everyday word."""
        if not words or len(words) > MAX_NAME_WORDS:
            return False
        if all(w in names.stop for w in words) and not _main_name(group, name, words):
            return False  # "chronic", "heart"; but "chronic kidney disease" is a name
        if " ".join(words) in names.blocked:
            return False
        return len(words) > 1 or (len(words[0]) >= 3 and not self._too_common(group, name))

    def _too_common(self, group: _Group, name: str) -> bool:
        """A one-word MedQuAD synonym that is an everyday word ("Chronic", "Blood")."""
        lower = name.lower()
        if lower in stopwords() or word_key(lower) in generic_keys():
            return True
        only_synonym = name in group.synonyms and name not in group.focus
        return only_synonym and self.words[lower] >= 100


def _main_name(group: _Group, name: str, words: list[str]) -> bool:
    """A name of several words that a source asks about or an ontology labels."""
    return len(words) > 1 and (name in group.focus or name in group.labels)


def _adds_a_with(key: str, other: str) -> bool:
    """Whether one name holds every word of the other and adds a "with" clause: "Sudden
    infant death with dysgenesis of the testes syndrome" is another condition than "Sudden
    infant death syndrome", and "Alaninuria with microcephaly, dwarfism, ..." than
    "Dwarfism", whatever synonyms MedQuAD lists (names given as keys)."""
    words, others = key.split(), other.split()
    if ("with" in words) == ("with" in others):
        return False
    shorter, longer = (words, others) if "with" in others else (others, words)
    return set(shorter) <= set(longer)


def _agree(cuis: set[str], other: set[str]) -> bool:
    """Two CUI sets agree when they share one or either is empty."""
    return not cuis or not other or bool(cuis & other)


def _by_rank(table: dict[str, set]) -> dict[str, list[int]]:
    """Name -> its concepts, from (rank..., concept) tuples, best rank first."""
    return {k: [i for *_, i in sorted(v)] for k, v in table.items()}


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
    rules = config()
    for semantic_type, kind in rules["semantic_types"].items():
        if semantic_type in group.semantic_types:
            return kind
    for subset in sorted(group.subsets):
        if subset in rules["subsets"]:
            return rules["subsets"][subset]
    if group.kind:
        return group.kind
    words = {w.lower() for w in re.findall(r"[\w-]+", preferred)}
    for kind, cue_words in rules["name_words"].items():
        if words & set(cue_words) or any(w.endswith("ectomy") for w in words):
            return kind
    return "condition" if group.labels else "topic"


def _sorted_ids(ids: set[str]) -> list[str]:
    def rank(i: str) -> tuple[int, str]:
        prefix = i.partition(":")[0]
        return (_ID_ORDER.index(prefix) if prefix in _ID_ORDER else len(_ID_ORDER), i)

    return sorted(ids, key=rank)


def _display_synonyms(group: _Group, preferred: str) -> list[str]:
    """Other names worth showing: no page titles ("Heart attack - discharge"), no name
    that merely adds words to another name ("Thrombolytic drugs for heart attack"), and no
    name of another condition (`_adds_a_with`)."""
    seen = {phrase_key(preferred)}
    keys = {f" {phrase_key(n)} " for n in (preferred, *group.names())} - {"  "}
    chosen = []
    ranked = sorted(
        group.names(), key=lambda n: (n not in group.labels, -group.focus.get(n, 0), len(n), n)
    )
    for name in ranked:
        key = phrase_key(name)
        padded = f" {key} "
        longer = any(k != padded and k in padded for k in keys)
        other = _adds_a_with(phrase_key(preferred), key)  # SIDDT is no name of SIDS
        if key in seen or longer or other or _PAGE_VARIANT.search(name) or len(name) > 60:
            continue
        seen.add(key)
        chosen.append(name)
        if len(chosen) == MAX_SYNONYMS:
            break
    return chosen
