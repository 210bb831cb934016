"""Answer relevance on real consumer health questions: TREC 2017 LiveQA medical (issue 9).

What: the 430 training questions of the TREC 2017 LiveQA medical track (../shared/data/
liveqa-train), real messages sent to NLM, each annotated with sub-questions (focus, type) and
reference answers from trusted pages. The question asked is SUBJECT + ". " + MESSAGE (the
subject line often names the topic). Per question:

  focus found     some annotated focus matches one of our focus concepts (name, words of the
                  question, synonyms; case, punctuation and plurals normalised; equal, or one
                  contains the other as whole words)
  type right      our first part's type == the mapped type of the first annotated
                  sub-question ("first"), or of any annotated sub-question ("any"); the track's
                  types map to ours in the `liveqa` column of src/evimap/data/question_types.tsv
  abstained       the engine declined to answer
  ROUGE-L         best F1 between any statement of ours and any reference-answer sentence;
                  recall of the reference answer by the whole answer text (all reference
                  answers concatenated, and the best single one); abstentions score 0
  reference page  a document "is a reference page" when >= 60% of the distinct content words
                  of some reference answer (of >= 10 such words) occur in its text: for
                  our first cited source ("lead"), any cited source, the top-1 of the
                  retrieval stage (the first search without a kind filter that `ask` runs,
                  recorded as it runs) and the top-1 of a plain `library.search(question,
                  k=1)`; and, as the ceiling, whether the library holds one at all (its top 5
                  searched with the reference answer's own first 60 words)
  one passage     the best ROUGE-L recall of a reference answer by the first 140 words of the
                  retrieval stage's top-1 document: what a plain "show the top page" would get
  latency         p50/p95 of `AnswerEngine.ask`, warm

How: questions are split into two stable halves by a hash of file name + question id; a
question that both files hold (24 do, word for word) goes where its first copy (Train-1) went,
so that no heldout question is also a dev question. Figures are quoted on `heldout`; `dev`
is for looking at failures and learning. Per-question rows go to --out as JSON (question,
annotations, our analysis, lead source, scores).

    python bench/liveqa.py                          # heldout half, lexical, patient
    python bench/liveqa.py --half dev --out /tmp/dev.json
    python bench/liveqa.py --mode hybrid --audience clinician --library DIR
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPO, cache_dir, shared_data

DATASET = "liveqa-train"
# Read from the checkout beside this script (not the installed package), so that the same
# mapping applies when measuring an older engine through PYTHONPATH.
TYPES_FILE = REPO / "src" / "evimap" / "data" / "question_types.tsv"
HALVES = ("dev", "heldout")
CONTAINMENT = 0.6  # share of a reference answer's content words a "reference page" holds
MIN_CONTENT_WORDS = 10  # shorter reference answers ("You will be given pain medicine.") match
# too many pages to tell which one they came from: they are not used to spot a reference page
PASSAGE_WORDS = 140  # the one-passage baseline's length
REFERENCE_QUERY_WORDS = 60  # words of a reference answer searched to find its page
_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n\s*\n\s*|\s+-\s+(?=[A-Z])")


# -- the data ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubQuestion:
    focus: tuple[str, ...]
    qtype: str  # the track's type, lower-case: "treatment", "side effects", "diagnose_me"
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Item:
    id: str  # "Train-1/Q12", "Train-2/17.0"
    file: str  # the XML file's name
    qid: str  # the question id as the file gives it
    subject: str
    message: str
    subquestions: tuple[SubQuestion, ...]
    half: str = ""  # "dev" or "heldout" (see `load`)

    @property
    def question(self) -> str:
        """What is asked: the subject line, then the message."""
        subject = " ".join(self.subject.split())
        message = " ".join(self.message.split())
        if not subject:
            return message
        if not message:
            return subject
        return f"{subject}{' ' if subject[-1] in '.?!' else '. '}{message}"


def load(directory: Path) -> Iterator[Item]:
    """Every NLM-QUESTION of the XML files in `directory` (both attribute styles: Train-1's
    questionid/subqid, Train-2's qid), in file and document order, each with its half: that
    of `half_of`, or that of an earlier question with the same text (the files share some)."""
    halves: dict[str, str] = {}
    for path in sorted(directory.glob("*.xml")):
        tag = re.search(r"Train-\d+", path.name)
        prefix = tag.group(0) if tag else path.stem
        for node in ET.parse(path).getroot().iter("NLM-QUESTION"):
            qid = node.get("questionid") or node.get("qid") or ""
            item = Item(
                id=f"{prefix}/{qid}",
                file=path.name,
                qid=qid,
                subject=_text(node.find("SUBJECT")),
                message=_text(node.find("MESSAGE")),
                subquestions=tuple(_subquestion(s) for s in node.iter("SUB-QUESTION")),
            )
            half = halves.setdefault(item.question.lower(), half_of(path.name, qid))
            yield replace(item, half=half)


def _subquestion(node: ET.Element) -> SubQuestion:
    notes = node.find("ANNOTATIONS")
    focus = () if notes is None else tuple(_text(f) for f in notes.iter("FOCUS") if _text(f))
    qtype = "" if notes is None else normalize_type(_text(notes.find("TYPE")))
    answers = tuple(_text(a) for a in node.iter("ANSWER") if _text(a))
    return SubQuestion(focus, qtype, answers)


def _text(node: ET.Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def normalize_type(label: str) -> str:
    """The track's type names vary in case and spacing between files: "Side Effects "."""
    return " ".join(label.lower().split())


def half_of(file_name: str, qid: str) -> str:
    """ "dev" or "heldout": stable (a hash of file name and question id), about 50/50."""
    digest = hashlib.sha256(f"{file_name}\t{qid}".encode()).digest()
    return HALVES[digest[0] & 1]


@cache
def type_map(path: Path = TYPES_FILE) -> dict[str, str]:
    """The track's type (lower-case) -> our question type, from the `liveqa` column."""
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return {
        normalize_type(label): row["type"]
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        for label in (row.get("liveqa") or "").split(";")
        if label.strip()
    }


# -- the scores --------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, as ROUGE counts them."""
    return _TOKEN.findall(text.lower())


def lcs_length(a: list[str], b: list[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str | list[str], reference: str | list[str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of the longest common subsequence of word tokens."""
    cand = tokens(candidate) if isinstance(candidate, str) else candidate
    ref = tokens(reference) if isinstance(reference, str) else reference
    if not cand or not ref:
        return 0.0, 0.0, 0.0
    common = lcs_length(cand, ref)
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / len(cand), common / len(ref)
    return precision, recall, 2 * precision * recall / (precision + recall)


def split_sentences(text: str) -> list[str]:
    """Reference answers are pasted page text: split at sentence ends and list dashes."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and len(tokens(s)) >= 3]


def containment(reference: str, document_text: str, stop: Iterable[str] = ()) -> float:
    """Share of the reference's distinct content words (not in `stop`) found in the document."""
    stop = frozenset(stop)
    wanted = {t for t in tokens(reference) if t not in stop and len(t) > 1}
    if not wanted:
        return 0.0
    return len(wanted & set(tokens(document_text))) / len(wanted)


def is_reference_page(answers: Iterable[str], document_text: str, stop: Iterable[str]) -> bool:
    """Some reference answer long enough to tell pages apart is (mostly) in the document."""
    stop = frozenset(stop)
    return any(
        containment(a, document_text, stop) >= CONTAINMENT
        for a in answers
        if len({t for t in tokens(a) if t not in stop and len(t) > 1}) >= MIN_CONTENT_WORDS
    )


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def focus_words(name: str) -> tuple[str, ...]:
    """A focus name as comparable words: "Raynaud's Syndromes" -> ("raynaud", "syndrome")."""
    text = re.sub(r"'s\b", "", name.lower())
    return tuple(_singular(w) for w in _TOKEN.findall(text))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def focus_matches(annotated: str, names: Iterable[str]) -> bool:
    """Equal, or one contains the other as whole words, after normalisation."""
    words = focus_words(annotated)
    if not words:
        return False
    for name in names:
        other = focus_words(name)
        if other and (_contains(other, words) or _contains(words, other)):
            return True
    return False


def concept_names(concept) -> list[str]:
    return [n for n in (concept.name, concept.text, *concept.synonyms) if n]


# -- the run -----------------------------------------------------------------------------


class FirstSearch:
    """Stands in for the engine's retriever and keeps the hits of the first search without a
    kind filter that `ask` runs: the retrieval stage's own ranking, without copying how the
    engine builds its search text."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever
        self.hits: list | None = None

    def __getattr__(self, name: str):
        return getattr(self.retriever, name)

    def search(self, query: str, k: int = 10, **options) -> list:
        hits = self.retriever.search(query, k, **options)
        if self.hits is None and not options.get("kinds"):
            self.hits = hits
        return hits


def evaluate(items: list[Item], library: Path, mode: str, audience: str) -> list[dict]:
    from evimap import Library
    from evimap.engine import AnswerEngine
    from evimap.errors import EvimapError
    from evimap.questions import analyze
    from evimap.text import stopwords

    stop = stopwords()
    with Library(library, readonly=True) as lib:
        engine = AnswerEngine(lib, mode=mode, shared_data=shared_data())
        if mode != "lexical" and engine.fallback:
            sys.exit(f"{mode}: semantic search is off ({engine.fallback})")
        engine.ask("What causes asthma?", audience)  # warm up: vocabulary, index, encoder
        engine.retriever = recorder = FirstSearch(engine.retriever)
        rows = []
        for item in items:
            recorder.hits = None
            row = _one(item, lib, engine, stop, audience)
            try:
                analysis = analyze(item.question, engine.vocabulary)
            except EvimapError:  # the same error `ask` reported
                analysis = None
            _analysis_scores(row, item, analysis)
            _retrieval_scores(row, item, lib, recorder.hits or [], stop)
            rows.append(row)
    return rows


def _one(item: Item, lib, engine, stop, audience: str) -> dict:
    from evimap.errors import EvimapError

    mapped = [type_map().get(s.qtype) for s in item.subquestions]
    row: dict = {
        "id": item.id,
        "half": item.half,
        "question": item.question,
        "annotated": {
            "focus": [f for s in item.subquestions for f in s.focus],
            "types": [s.qtype for s in item.subquestions],
            "mapped": mapped,
        },
    }
    started = time.perf_counter()
    try:
        answer = engine.ask(item.question, audience)
    except EvimapError as error:
        answer, row["ask_error"] = None, str(error)
    row["ms"] = (time.perf_counter() - started) * 1000
    row["abstained"] = answer is None or answer.abstained
    statements = [] if row["abstained"] else [s.text for s in answer.statements]
    references = [a for s in item.subquestions for a in s.answers]
    ref_sentences = [tokens(s) for a in references for s in split_sentences(a)]
    row["statements"] = len(statements)
    row["best_statement_f1"] = max(
        (rouge_l(tokens(s), r)[2] for s in statements for r in ref_sentences), default=0.0
    )
    whole = tokens(" ".join(statements))
    row["ref_recall"] = rouge_l(whole, " ".join(references))[1] if whole else 0.0
    row["ref_recall_best"] = max((rouge_l(whole, a)[1] for a in references), default=0.0)
    cited = [] if row["abstained"] else sorted(answer.references, key=lambda r: r.number)
    docs = [lib.get(r.doc_id) for r in cited]
    pages = [is_reference_page(references, d.text, stop) for d in docs]
    row["lead"] = {"doc_id": docs[0].id, "title": docs[0].title} if docs else None
    row["lead_is_reference"] = bool(pages and pages[0])
    row["any_cited_is_reference"] = any(pages)
    row["cited"] = [d.id for d in docs]
    return row


def _analysis_scores(row: dict, item: Item, analysis) -> None:
    focus = list(analysis.focus) if analysis is not None else []
    names = [n for c in focus for n in concept_names(c)]
    ours = [p.qtype for p in analysis.parts] if analysis is not None else []
    mapped = row["annotated"]["mapped"]
    row["ours"] = {"focus": [c.name for c in focus], "types": ours}
    row["focus_found"] = any(focus_matches(f, names) for f in row["annotated"]["focus"])
    row["type_first"] = bool(ours and mapped and ours[0] == mapped[0])
    row["type_any"] = bool(ours and ours[0] in {m for m in mapped if m})


def _retrieval_scores(row: dict, item: Item, lib, hits, stop) -> None:
    references = [a for s in item.subquestions for a in s.answers]
    top = hits[0].document if hits else None
    row["retrieval_top1"] = {"doc_id": top.id, "title": top.title} if top else None
    row["retrieval_top1_is_reference"] = bool(top and is_reference_page(references, top.text, stop))
    passage = tokens(top.text)[:PASSAGE_WORDS] if top else []
    row["one_passage_recall"] = max((rouge_l(passage, a)[1] for a in references), default=0.0)
    try:
        plain = lib.search(item.question, k=1)
    except Exception as error:  # the index's query parser, on raw consumer text
        plain, row["plain_error"] = [], str(error)
    doc = plain[0].document if plain else None
    row["plain_top1"] = {"doc_id": doc.id, "title": doc.title} if doc else None
    row["plain_top1_is_reference"] = bool(doc and is_reference_page(references, doc.text, stop))
    row["reference_in_library"] = _reference_in_library(lib, references, stop)


def _reference_in_library(lib, references: list[str], stop) -> bool:
    """The ceiling: does the library hold a reference page at all? (Searched with the
    reference answers' own first words, top 5.)"""
    for answer in references:
        try:
            hits = lib.search(" ".join(tokens(answer)[:REFERENCE_QUERY_WORDS]), k=5)
        except Exception:  # the index's query parser
            continue
        if any(is_reference_page([answer], h.document.text, stop) for h in hits):
            return True
    return False


def summary(rows: list[dict]) -> dict:
    def share(key: str) -> float:
        return sum(bool(r[key]) for r in rows) / len(rows)

    def mean(key: str) -> float:
        return statistics.fmean(r[key] for r in rows)

    times = sorted(r["ms"] for r in rows)
    return {
        "questions": len(rows),
        "focus_found": share("focus_found"),
        "type_first": share("type_first"),
        "type_any": share("type_any"),
        "abstained": share("abstained"),
        "best_statement_f1": mean("best_statement_f1"),
        "ref_recall": mean("ref_recall"),
        "ref_recall_best": mean("ref_recall_best"),
        "lead_is_reference": share("lead_is_reference"),
        "any_cited_is_reference": share("any_cited_is_reference"),
        "retrieval_top1_is_reference": share("retrieval_top1_is_reference"),
        "plain_top1_is_reference": share("plain_top1_is_reference"),
        "reference_in_library": share("reference_in_library"),
        "one_passage_recall": mean("one_passage_recall"),
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
    }


def print_summary(s: dict, label: str) -> None:
    print(f"== LiveQA medical train, {label}: {s['questions']} questions")
    rows = [
        ("focus found", f"{s['focus_found']:.1%}"),
        ("type right (first / any sub-question)", f"{s['type_first']:.1%} / {s['type_any']:.1%}"),
        ("abstained", f"{s['abstained']:.1%}"),
        ("ROUGE-L best statement F1 (mean)", f"{s['best_statement_f1']:.3f}"),
        (
            "ROUGE-L reference recall (all / best answer)",
            f"{s['ref_recall']:.3f} / {s['ref_recall_best']:.3f}",
        ),
        ("lead source is a reference page", f"{s['lead_is_reference']:.1%}"),
        ("any cited source is a reference page", f"{s['any_cited_is_reference']:.1%}"),
        ("retrieval top-1 is a reference page", f"{s['retrieval_top1_is_reference']:.1%}"),
        ("plain search top-1 is a reference page", f"{s['plain_top1_is_reference']:.1%}"),
        ("(ceiling) library holds a reference page", f"{s['reference_in_library']:.1%}"),
        (f"one-passage baseline recall ({PASSAGE_WORDS} words)", f"{s['one_passage_recall']:.3f}"),
        ("ask latency p50 / p95", f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=[*HALVES, "all"], default="heldout")
    parser.add_argument("--library", type=Path, default=REPO / "var" / "library")
    parser.add_argument("--mode", choices=["lexical", "hybrid"], default="lexical")
    parser.add_argument("--audience", default="patient")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not (args.library / "store.sqlite").exists():
        sys.exit(f"no library at {args.library} (build one, or pass --library)")
    items = [i for i in load(shared_data() / DATASET) if args.half in ("all", i.half)]
    if args.limit:
        items = items[: args.limit]
    import evimap

    engine_at = str(Path(evimap.__file__).parent)
    rows = evaluate(items, args.library, args.mode, args.audience)
    result = summary(rows)
    print_summary(result, f"{args.half} half, {args.mode}, {args.audience}")
    print(f"  (evimap from {engine_at})")
    out = args.out or cache_dir(".").resolve() / f"liveqa-{args.half}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = {"half": args.half, "mode": args.mode, "audience": args.audience}
    settings["evimap"] = engine_at
    out.write_text(json.dumps({**settings, "summary": result, "rows": rows}, indent=1))
    print(f"per-question rows: {out}")


if __name__ == "__main__":
    main()
