"""Understanding a question: what it is about, what it asks for, and whether it is urgent.

    analyze(text, vocabulary) -> QuestionAnalysis

1. Clean: HTML tags and entities out, control characters out, whitespace collapsed. At most
   `MAX_INPUT_CHARS` of the input are read and `MAX_CHARS` of the cleaned text analysed (cut
   at a sentence end); `truncated` says so. Empty or letter-less input is a `QuestionError`.
2. Split: sentences; greetings and sign-offs dropped (data/message.yaml); a sentence that
   asks (a "?", a question word first, "I want to know...") is a question part, and a
   question joining two asks ("what causes X and how is it treated") is split in two; other
   sentences are context. A message without any asking sentence is one part.
3. Focus: the vocabulary's concepts named in the text, those of the question parts first.
4. Type: per part, a naive Bayes model learned from MedQuAD's 47k typed questions
   (data/qtype_model.json, built by scripts/build_qtype_model.py) over word uni- and
   bi-grams with the named concepts masked, and weighted cue rules for consumer phrasing
   (data/qtype_cues.tsv), in the part and in the whole message; a softmax regression
   learned from consumers' own messages weighs the two, unless one strong cue decides.
   The question's type is its first part's.
5. Expansions: clinical terms for lay words and abbreviations, and the focus's names.
6. Safety: red flags and requests for personal advice (`evimap.safety`), over up to
   `SAFETY_CHARS` of the cleaned text, beyond what is analysed.

Pure functions: nothing is printed, nothing is written.
"""

from __future__ import annotations

import csv
import html
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

import yaml

from evimap import safety
from evimap.errors import QuestionError
from evimap.safety import SafetyCheck
from evimap.vocabulary import Concept, LayTerm, Vocabulary, VocabularyMatch, phrase_key

MAX_INPUT_CHARS = 200_000  # characters of input read at all
MAX_CHARS = 2_000  # characters of cleaned text analysed
SAFETY_CHARS = 8_000  # characters of cleaned text searched for red flags
MAX_SENTENCES = 40
MAX_PARTS = 8
MAX_EXPANSIONS = 20
CONCEPT = "<c>"  # what a named concept becomes for the type model
DRUG = "<drug>"  # what a named medicine becomes for the cue rules (CONCEPT for the model)
_DRUG_KINDS = frozenset({"drug", "supplement", "vaccine"})
NB_FLOOR = -6.0  # the model's log-probability floor, so a strong cue can overrule it
STRONG_CUE = 6.0  # a cue this strong decides the type (data/qtype_cues.tsv)


@dataclass(frozen=True, slots=True)
class QuestionPart:
    """One thing the message asks."""

    text: str  # the sub-question, greetings removed
    span: tuple[int, int]  # where it is in the analysed text
    qtype: str  # what it asks for (see `question_types()`)


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    """What a question is about, what it asks for, and whether it is urgent."""

    text: str  # the cleaned text that was analysed (spans refer to it)
    parts: tuple[QuestionPart, ...]  # the sub-questions, in order; never empty
    context: tuple[str, ...]  # sentences that tell rather than ask ("My mom has MS.")
    focus: tuple[Concept, ...]  # concepts asked about, those of the question parts first
    qtype: str  # what the (first) question asks for: cause, symptoms, treatment...
    qtype_scores: dict[str, float]  # the leading types of the first part and their shares
    expansions: tuple[str, ...]  # terms to add to retrieval: clinical words, focus names
    safety: SafetyCheck  # emergency red flags and personal-advice requests
    corrections: tuple[tuple[str, str], ...] = ()  # spelling fixes used (written, read as)
    truncated: bool = False  # True when only the start of a long message was analysed
    lay_terms: tuple[LayTerm, ...] = ()  # consumer words and their clinical equivalents
    out_of_scope: str = ""  # why evimap does not answer it (an animal's health), if it does not

    @property
    def emergency(self) -> bool:
        return self.safety.emergency

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "parts": [{"text": p.text, "span": list(p.span), "qtype": p.qtype} for p in self.parts],
            "context": list(self.context),
            "focus": [c.to_dict() for c in self.focus],
            "qtype": self.qtype,
            "qtype_scores": self.qtype_scores,
            "expansions": list(self.expansions),
            "safety": self.safety.to_dict(),
            "corrections": [list(c) for c in self.corrections],
            "truncated": self.truncated,
        }


# -- data --------------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return resources.files("evimap").joinpath("data", name).read_text("utf-8")


@cache
def _message() -> dict:
    config = yaml.safe_load(_data_text("message.yaml"))
    flags = re.IGNORECASE | re.VERBOSE
    return {
        "greeting": re.compile(config["greeting"], flags),
        "sign_off": re.compile(config["sign_off"], flags),
        "request": re.compile(config["request"], flags),
        "interrogatives": frozenset(config["interrogatives"].split()),
        "out_of_scope": re.compile(config["out_of_scope"]["pattern"], flags),
        "out_of_scope_notice": " ".join(config["out_of_scope"]["notice"].split()),
        "abbreviations": frozenset(config["abbreviations"].split()),
        "asking_words": frozenset(config["asking_words"].split()),
        "story_words": frozenset(config["story_words"].split()),
        "pointing_back": frozenset(config["pointing_back"].split()),
    }


def asking_words() -> frozenset[str]:
    """Words that ask, or ask for something, and name nothing asked about ("info")."""
    return _message()["asking_words"]


def story_words() -> frozenset[str]:
    """Words that tell the asker's story ("my husband", "not ... anymore"), never what is
    asked."""
    return _message()["story_words"]


def pointing_back() -> frozenset[str]:
    """Words that point back at what a message spoke of before ("it", "they")."""
    return _message()["pointing_back"]


def is_request(sentence: str) -> bool:
    """Whether a sentence asks for help or information ("Please help me with ...")."""
    return bool(_message()["request"].search(sentence))


def _tsv_rows(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in _data_text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def question_types() -> dict[str, str]:
    """Every question type and what it means, from data/question_types.tsv."""
    return {row["type"]: row["description"] for row in _tsv_rows("question_types.tsv")}


@cache
def near_types() -> dict[str, frozenset[str]]:
    """Each question type -> the types whose source answers may answer it in part."""
    return {
        row["type"]: frozenset(t.strip() for t in row["near"].split(";") if t.strip())
        for row in _tsv_rows("question_types.tsv")
    }


@cache
def medquad_type_map() -> dict[str, str]:
    """MedQuAD qtype label -> our question type."""
    return {
        label.strip(): row["type"]
        for row in _tsv_rows("question_types.tsv")
        for label in row["medquad"].split(";")
    }


@cache
def _cues() -> tuple[tuple[re.Pattern[str], str, float, bool], ...]:
    """(pattern, type, weight, whether the pattern looks at masked concepts)."""
    return tuple(
        (
            re.compile(row["pattern"].replace(CONCEPT, "<(?:c|drug)>")),
            row["type"],
            float(row["weight"]),
            CONCEPT in row["pattern"] or DRUG in row["pattern"],
        )
        for row in _tsv_rows("qtype_cues.tsv")
    )


@cache
def default_model() -> QtypeModel:
    return QtypeModel.from_dict(json.loads(_data_text("qtype_model.json")))


# -- the question-type model -------------------------------------------------------------

_FEATURE_WORD = re.compile(r"<c>|[a-z0-9]+")
_STEM_SUFFIXES = ("ations", "ation", "ments", "ment", "ances", "ance", "ings", "ing", "ions",
                  "ion", "ies", "ed", "es", "is", "s", "e", "y")  # fmt: skip


def _stem(word: str) -> str:
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def features(masked: str) -> list[str]:
    """Word uni- and bi-grams (light stems) of a question whose concepts are `CONCEPT`."""
    words = ["<s>", *(_stem(w) for w in _FEATURE_WORD.findall(masked.lower()))]
    return words[1:] + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True, slots=True)
class QtypeModel:
    """Multinomial naive Bayes over `features`: log prior and log likelihoods per type."""

    labels: tuple[str, ...]
    prior: tuple[float, ...]
    likelihood: dict[str, tuple[float, ...]]  # feature -> log P(feature | type)
    meta: dict = field(default_factory=dict)  # training data and held-out accuracy
    # log P(type) in consumers' own messages (weighted), for a question no cue rule reads
    consumer_prior: tuple[float, ...] = ()
    # naive Bayes over consumers' own messages: {"labels", "prior", "likelihood", "weight"}
    consumer_words: dict = field(default_factory=dict)
    # a softmax regression over the types consumers ask (`consumer_logits`): {"labels",
    # "shared", "bias", "unseen_bias"}; when present it replaces the two above
    consumer_model: dict = field(default_factory=dict)

    @classmethod
    def train(
        cls,
        examples: Iterable[tuple[str, str, str]],
        *,
        alpha: float = 0.5,
        min_groups: int = 3,
        scale: float = 1.0,
    ) -> QtypeModel:
        """Learn from (masked question, type, group) triples; the group is the focus.

        A feature is kept when questions about at least `min_groups` different foci use it,
        so the model learns how questions ask, not which conditions they name. The types are
        equally likely a priori (MedQuAD's mix of types is not our users'). `scale` shrinks
        the evidence of the words (naive Bayes is over-confident on templated text).
        """
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        groups: dict[str, set[str]] = defaultdict(set)
        n = 0
        for text, label, group in examples:
            n += 1
            found = features(text)
            counts[label].update(found)
            for feature in found:
                if len(groups[feature]) < min_groups:
                    groups[feature].add(group)
        vocab = sorted(f for f, g in groups.items() if len(g) >= min_groups)
        labels = tuple(sorted(counts))
        prior = tuple(round(-math.log(len(labels)), 4) for _ in labels)
        denominators = [
            sum(counts[label][f] for f in vocab) + alpha * len(vocab) for label in labels
        ]
        likelihood = {
            f: tuple(
                round(scale * math.log((counts[label][f] + alpha) / d), 3)
                for label, d in zip(labels, denominators, strict=True)
            )
            for f in vocab
        }
        return cls(labels, prior, likelihood, {"examples": n, "features": len(vocab)})

    def log_posterior(self, masked: str) -> dict[str, float]:
        """log P(type | question), normalised over the types."""
        scores = list(self.prior)
        for feature in features(masked):
            row = self.likelihood.get(feature)
            if row is not None:
                scores = [s + x for s, x in zip(scores, row, strict=True)]
        top = max(scores)
        norm = top + math.log(sum(math.exp(s - top) for s in scores))
        return {label: s - norm for label, s in zip(self.labels, scores, strict=True)}

    def to_dict(self) -> dict:
        return {
            "labels": list(self.labels),
            "prior": [round(p, 4) for p in self.prior],
            "likelihood": {f: list(row) for f, row in sorted(self.likelihood.items())},
            "meta": self.meta,
            "consumer_prior": list(self.consumer_prior),
            "consumer_words": self.consumer_words,
            "consumer_model": self.consumer_model,
        }

    @classmethod
    def from_dict(cls, data: dict) -> QtypeModel:
        likelihood = {f: tuple(row) for f, row in data["likelihood"].items()}
        consumer = tuple(data.get("consumer_prior", ()))
        words = data.get("consumer_words") or {}
        return cls(
            tuple(data["labels"]),
            tuple(data["prior"]),
            likelihood,
            data.get("meta", {}),
            consumer,
            words,
            data.get("consumer_model") or {},
        )

    def consumer_scores(self, masked: str) -> dict[str, float]:
        """The weighted log P(type, words) of consumers' messages, by type; a type their
        annotations never use (self-care, effectiveness ...) scores the mean, neither
        favoured nor ruled out."""
        words = self.consumer_words
        if not words:
            return {}
        found = set(features(masked))
        scores = {}
        for index, label in enumerate(words["labels"]):
            score = words["prior"][index]
            for feature in found:
                row = words["likelihood"].get(feature)
                if row is not None:
                    score += row[index]
            scores[label] = words["weight"] * score
        neutral = sum(scores.values()) / len(scores)
        return {label: scores.get(label, neutral) for label in self.labels}

    def consumer_logits(self, evidence: dict[str, tuple[float, ...]]) -> dict[str, float]:
        """The consumer regression's score of each type: shared weights on each type's
        evidence (`type_evidence`) plus, for the types consumers' annotations use, a bias
        learned from their messages. A type never annotated gets the mean bias: neither
        favoured nor ruled out, so its cue can still choose it."""
        fitted = self.consumer_model
        bias = dict(zip(fitted["labels"], fitted["bias"], strict=True))
        return {
            label: sum(a * x for a, x in zip(fitted["shared"], evidence[label], strict=True))
            + bias.get(label, fitted["unseen_bias"])
            for label in self.labels
        }


@lru_cache(maxsize=256)
def cue_weights(masked: str, plain: str = "") -> dict[str, float]:
    """The strongest cue (data/qtype_cues.tsv) found for each type; `plain` is the question
    before masking (a cue may be inside a concept's name: "blood test"). Remembered: every
    part of a message reads the whole message's cues too (do not change the result)."""
    lowered = masked.lower()
    plain = plain.lower() or lowered
    best: dict[str, float] = {}
    for pattern, label, weight, on_masked in _cues():
        if weight > best.get(label, 0.0) and pattern.search(lowered if on_masked else plain):
            best[label] = weight
    return best


def type_evidence(
    masked: str, model: QtypeModel, *, plain: str = "", message: tuple[str, str] = ("", "")
) -> dict[str, tuple[float, ...]]:
    """Per type, for `consumer_logits`: the MedQuAD model's log-probability of the part
    (floored, as a share of the floor); the strongest cue's weight in the part / 8; 1.0 when
    that cue is strong; the strongest cue's weight in the whole message / 8."""
    posterior = model.log_posterior(masked.replace(DRUG, CONCEPT))
    best = cue_weights(masked, plain)
    whole = cue_weights(*message) if message[0] else best
    return {
        label: (
            max(lp, NB_FLOOR) / -NB_FLOOR,
            best.get(label, 0.0) / 8,
            float(best.get(label, 0.0) >= STRONG_CUE),
            whole.get(label, 0.0) / 8,
        )
        for label, lp in posterior.items()
    }


def classify(
    masked: str,
    model: QtypeModel | None = None,
    *,
    cues: bool = True,
    plain: str = "",
    message: tuple[str, str] = ("", ""),
) -> dict[str, float]:
    """Share of each question type for one (masked) question, highest first.

    `plain` is the question before masking: cues that do not look at concepts are looked for
    there (a concept's name may hold the cue: "blood test"); `message` is the same pair
    (masked, plain) of the whole message the question is part of. `cues=False` scores with
    the learned MedQuAD model alone (to measure what the cues add).

    With a consumer model (`QtypeModel.consumer_model`) and no strong cue that outranks
    every other (`decided`), the type is its softmax regression over each type's evidence
    (`type_evidence`: the model, the cues in the part and in the whole message). Otherwise:
    the MedQuAD model plus the cues' weights; when no cue reads the question, the mix of
    types in consumers' own messages weighs in (`QtypeModel.consumer_prior`); unless a strong
    cue reads it, how consumers word each type does too (`QtypeModel.consumer_scores`); both
    only in a model built before the regression.
    """
    model = model or default_model()
    if model.consumer_model and cues and not decided(cue_weights(masked, plain)):
        evidence = type_evidence(masked, model, plain=plain, message=message)
        return _shares(model.consumer_logits(evidence))
    posterior = model.log_posterior(masked.replace(DRUG, CONCEPT))
    scores = {label: max(lp, NB_FLOOR) for label, lp in posterior.items()}
    best_cue = cue_weights(masked, plain) if cues else {}
    for label, weight in best_cue.items():
        scores[label] = scores.get(label, NB_FLOOR) + weight
    if not best_cue and model.consumer_prior:  # no cue: what consumers mostly ask weighs in
        for label, log_p in zip(model.labels, model.consumer_prior, strict=True):
            scores[label] += log_p
    if max(best_cue.values(), default=0.0) < STRONG_CUE:  # a strong cue decides alone
        for label, score in model.consumer_scores(masked.replace(DRUG, CONCEPT)).items():
            scores[label] = scores.get(label, NB_FLOOR) + score  # how consumers ask each type
    return _shares(scores)


def decided(cues: dict[str, float]) -> bool:
    """Whether one strong cue outranks every other cue found: "how do we stop another one"
    asks about prevention, whatever "stop" says elsewhere."""
    ranked = sorted(cues.values(), reverse=True)
    return bool(ranked) and ranked[0] >= STRONG_CUE and (len(ranked) == 1 or ranked[1] < ranked[0])


def _shares(scores: dict[str, float]) -> dict[str, float]:
    """Scores as shares that sum to 1 (a softmax), highest first."""
    top = max(scores.values())
    shares = {label: math.exp(s - top) for label, s in scores.items()}
    total = sum(shares.values())
    return dict(sorted(((k, v / total) for k, v in shares.items()), key=lambda kv: -kv[1]))


def mask(text: str, spans: Iterable[tuple[int, int] | tuple[int, int, str]]) -> str:
    """`text` with each span replaced by `CONCEPT`, or by the span's own mask when it has
    one (`DRUG` for medicines, which cue rules tell apart); spans must not overlap."""
    pieces, last = [], 0
    for start, end, *marker in sorted(spans):
        if start >= last:
            pieces += [text[last:start], marker[0] if marker else CONCEPT]
            last = end
    return "".join([*pieces, text[last:]])


# -- cleaning and splitting --------------------------------------------------------------

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|ul|ol|tr|h[1-6])\b[^<>]{0,200}>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>|<!--.*?-->", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
# A run of stops counts from its first character only: linear on "??????..." too.
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+[\"')\]]*(?=\s)|\n|(?<!\?)\?(?=[^\s?])")
_JOINED_ASK = re.compile(
    r"(?:(?:,\s*|;\s*|\s+)(?:and|or|also|plus|&)\s+(?:also\s+)?|[,;]\s*)"
    r"(?=(?:what|how|why|when|where|which|who|is|are|can|could|should|does|do|will)\s)",
    re.IGNORECASE,
)


def clean(text: object) -> tuple[str, bool]:
    """The text without markup, control characters or extra whitespace; whether cut short."""
    if not isinstance(text, str):
        raise QuestionError("a question must be text")
    truncated = len(text) > MAX_INPUT_CHARS
    text = text[:MAX_INPUT_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", _BREAK_TAG.sub("\n", _SCRIPT.sub(" ", text)))
    if "&" in text:
        text = html.unescape(text)
    text = _CONTROL.sub("", unicodedata.normalize("NFKC", text)).replace("\r", "\n")
    text = _NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()
    if not any(c.isalnum() for c in text):
        raise QuestionError("the question is empty: write what you want to know")
    return text, truncated


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a sentence end (or a space) when one is near."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] > limit // 2:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ")
    return head[: space if space > limit // 2 else limit].rstrip()


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; "Dr." and "e.g." do not end one."""
    abbreviations = _message()["abbreviations"]
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith("."):
            before = text[start : m.start()].rsplit(None, 1)
            word = before[-1].rstrip(".") if before else ""
            if word.lower() in abbreviations and not word.isupper():  # "Ms." but not "MS."
                continue
        if text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
        if len(spans) >= MAX_SENTENCES:
            return spans
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _strip_chatter(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span without a leading greeting; None if the sentence is only a sign-off."""
    start, end = span
    sentence = text[start:end]
    greeting = _message()["greeting"].match(sentence)
    if greeting:
        start += greeting.end()
        sentence = text[start:end]
    if not sentence.strip() or _message()["sign_off"].match(sentence.strip()):
        return None
    lead = len(sentence) - len(sentence.lstrip())
    return start + lead, end - (len(sentence) - len(sentence.rstrip()))


def _asks(sentence: str) -> bool:
    stripped = sentence.strip()
    if stripped.endswith("?"):
        return True
    first = re.match(r"[\w']+", stripped)
    if first and first.group().lower() in _message()["interrogatives"]:
        return True
    return bool(_message()["request"].search(stripped))


def _split_asks(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """One question that asks two things, split where the second ask starts: after "and"
    or "or", or after a comma when what comes before asks too ("What is X, how is it
    treated?"; not "If I have X, what should I eat?" nor "..., which I take daily")."""
    start, end = span
    pieces, last = [], start
    for m in _JOINED_ASK.finditer(text, start, end):
        before, after = text[last : m.start()], text[m.end() : end]
        if len(before.split()) < 3 or len(after.split()) < 2:
            continue
        bare = not re.search(r"[a-z&]", m.group(), re.IGNORECASE)  # a comma alone
        if bare and (not _asks(before) or after.split()[0].lower() in ("which", "who")):
            continue
        pieces.append((last, m.start()))
        last = m.end()
    return [*pieces, (last, end)]


def split(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(question part spans, context sentence spans) of a cleaned text."""
    asks, context = [], []
    for span in sentences(text):
        kept = _strip_chatter(text, span)
        if kept is None:
            continue
        if _asks(text[kept[0] : kept[1]]):
            asks.extend(_split_asks(text, kept))
        else:
            context.append(kept)
    if not asks:
        if not context:
            raise QuestionError("the message has greetings only: write what you want to know")
        asks, context = [(context[0][0], context[-1][1])], []
    return asks[:MAX_PARTS], context


# -- analysis ----------------------------------------------------------------------------


def analyze(
    text: str, vocabulary: Vocabulary, *, model: QtypeModel | None = None, cues: bool = True
) -> QuestionAnalysis:
    """What `text` asks, about what, and whether it needs an emergency notice first."""
    cleaned, truncated = clean(text)
    analysed = _cut(cleaned, MAX_CHARS)
    truncated = truncated or len(analysed) < len(cleaned)
    ask_spans, context_spans = split(analysed)
    matched = vocabulary.match(analysed)
    message = _typing_inputs(analysed, [(0, len(analysed))], matched)[0]
    parts = []
    for (start, end), (masked, plain) in zip(
        ask_spans, _typing_inputs(analysed, ask_spans, matched), strict=True
    ):
        scores = classify(masked, model, cues=cues, plain=plain, message=message)
        parts.append((QuestionPart(analysed[start:end], (start, end), next(iter(scores))), scores))
    focus = _focus(matched.concepts, ask_spans)
    return QuestionAnalysis(
        text=analysed,
        parts=tuple(p for p, _ in parts),
        context=tuple(analysed[s:e] for s, e in context_spans),
        focus=focus,
        qtype=parts[0][0].qtype,
        qtype_scores={k: round(v, 3) for k, v in list(parts[0][1].items())[:5]},
        expansions=_expansions(focus, matched.terms),
        safety=safety.check(cleaned[:SAFETY_CHARS]),
        corrections=matched.corrections,
        truncated=truncated,
        lay_terms=matched.terms,
        out_of_scope=_out_of_scope(analysed),
    )


def typing_inputs(
    text: str, vocabulary: Vocabulary
) -> tuple[list[tuple[str, str]], tuple[str, str]]:
    """What the type of each part of `text` is read from, as `analyze` reads it: per part
    (masked, plain) (see `classify`), and the same of the whole message."""
    analysed = _cut(clean(text)[0], MAX_CHARS)
    ask_spans, _ = split(analysed)
    matched = vocabulary.match(analysed)
    message = _typing_inputs(analysed, [(0, len(analysed))], matched)[0]
    return _typing_inputs(analysed, ask_spans, matched), message


def _typing_inputs(
    analysed: str, ask_spans: list[tuple[int, int]], matched: VocabularyMatch
) -> list[tuple[str, str]]:
    """Per part: the part with its concepts masked (`DRUG` for medicines), and the part as
    written with only its conditions masked and its misspellings corrected, for the cues:
    they read "sympotms" as "symptoms", and never a condition's own name ("hereditary" in
    "the prevalence of hereditary hemorrhagic telangiectasia" asks nothing)."""
    inputs = []
    for start, end in ask_spans:
        part = analysed[start:end]
        named = [
            (c.span[0] - start, c.span[1] - start)
            for c in matched.concepts
            if c.kind == "condition" and start <= c.span[0] and c.span[1] <= end
        ]
        plain = _spelled(mask(part, named), matched.spelling)
        inputs.append((_masked(analysed, matched.concepts, start, end), plain))
    return inputs


def _masked(text: str, concepts: Iterable[Concept], start: int, end: int) -> str:
    """text[start:end] with the concepts inside it masked (`DRUG` for medicines)."""
    inside = [
        (c.span[0] - start, c.span[1] - start, DRUG if c.kind in _DRUG_KINDS else CONCEPT)
        for c in concepts
        if start <= c.span[0] and c.span[1] <= end
    ]
    return mask(text[start:end], inside)


def _out_of_scope(text: str) -> str:
    """The notice for a question outside human health (an animal's), else ""."""
    found = _message()["out_of_scope"].search(text)
    return _message()["out_of_scope_notice"] if found else ""


def _spelled(text: str, corrections: Iterable[tuple[str, str]]) -> str:
    for written, read_as in corrections:
        text = re.sub(rf"\b{re.escape(written)}\b", read_as, text, flags=re.IGNORECASE)
    return text


def _focus(concepts: Iterable[Concept], asks: list[tuple[int, int]]) -> tuple[Concept, ...]:
    """Concepts named in the question parts first, then those of the context; each once.
    A broad topic ("inheritance pattern" is the topic Genetics) comes after a condition,
    drug or test named beside it: "the inheritance pattern of Huntington disease"."""

    def asked(concept: Concept) -> bool:
        return any(s <= concept.span[0] < e for s, e in asks)

    ordered = sorted(concepts, key=lambda c: (not asked(c), c.kind == "topic", c.span[0]))
    unique: dict[str, Concept] = {}
    for concept in ordered:
        unique.setdefault(concept.name.lower(), concept)
    return tuple(unique.values())


def _expansions(focus: tuple[Concept, ...], terms: Iterable[LayTerm]) -> tuple[str, ...]:
    """Clinical words for lay words and abbreviations, then each concept's names (short
    abbreviations left out: "MS" would find mass spectrometry too)."""
    present = {phrase_key(c.text) for c in focus} | {phrase_key(t.text) for t in terms}
    chosen: dict[str, str] = {}

    def add(term: str) -> None:
        key = phrase_key(term)
        if key and key not in present and key not in chosen:
            chosen[key] = term

    for concept in focus:
        for term in concept.expansions:
            add(term)
    for term in terms:
        for clinical in term.clinical:
            add(clinical)
    for concept in focus:
        add(concept.name)
        for synonym in [s for s in concept.synonyms if len(s) > 3][:3]:
            add(synonym)
    return tuple(chosen.values())[:MAX_EXPANSIONS]
