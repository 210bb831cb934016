"""Is the first source an answer cites better than the retrieval stage's top hit? (issue 9)

What: the two MEDIQA 2019 Task 3 files we hold (../shared/data/mediqa2019-qa): ValidationSet
(25 consumer messages, LiveQA style) and TrainingSet2-Alexa (104 short questions). Each
question comes with the answers NLM's CHiQA returned, every one judged by people
(ReferenceScore 4 excellent, 3 correct but incomplete, 2 related, 1 incorrect) with its URL.
Per question we grade, as grade = ReferenceScore - 1 (0-3):

  ask       the first source the composed answer cites (`AnswerEngine.ask`, --audience);
            an abstention (or a question `ask` refuses) has no source
  retrieve  the top-1 of the engine's retrieval stage alone (`AnswerEngine.retrieve`: the
            analysed question and its focus's name)
  search    the top-1 of `evimap search "<question>"` (the retriever on the raw question, no
            kind filter): what the issue's "our own retrieval stage" measured
  oracle    the best-graded judged answer that the library holds with its text (the best
            grade among the documents at a judged answer's URL, the top 5 found by a judged
            answer's own first 60 words, and the three above)

A document is mapped to one of the question's judged answers:

  by URL    normalised (scheme, "www.", query, fragment, trailing "/", case; the old
            MedlinePlus address www.nlm.nih.gov/medlineplus/... is medlineplus.gov/...),
            and then the section: of the judged answers at that URL, the one whose text
            overlaps the document most if that is >= URL_OVERLAP ("url"); else the one whose
            head asks the document's own question ("What is (are) Flu?" = "What is Flu?":
            "title"; MedQuAD's A.D.A.M. pages are questions without text here); else it is
            another section of the judged page, or a rewritten one, and is not graded
            ("page": counted, grade 0)
  by text   where no judged answer has the URL: the judged answer whose text overlaps the
            document most, if that overlap is >= OVERLAP ("text")

Overlap is the share of word 3-grams of the shorter side (the judged answer's body without
its "Title (Section): " head, or the document's text) found in the other, each side holding
at least MIN_SHINGLES of them. Checked by eye on the lexical run's documents: same-text pairs
score 0.93-1.0 (or a section inside a whole judged page); pairs of other pages that share
boilerplate (GARD's inheritance and HPO sentences, PDQ's treatment overview, "familial
prostate" and "familial breast" cancer) reach 0.45-0.79, hence 0.9 without the URL. A revised
text of the same page falls below it and is missed (PDQ ovarian epithelial cancer treatment,
0.79); a "title" match may carry another text of the same page's question (NIHSeniorHealth
gives "What causes COPD?" several answers).

Reported per file and for both: mean grade over all questions (unmatched and abstained
count 0), mean over matched only, how many matched, abstentions, ask against retrieve and
search (questions where each is graded higher), how each was matched, and how many top
documents are questions without text ("mean with text" counts those 0: nothing there can be
shown). Per-question rows go to --out as JSON.

    python bench/lead_grades.py                         # lexical, patient, var/library
    python bench/lead_grades.py --mode hybrid --out /tmp/lead-hybrid.json
    PYTHONPATH=/tmp/head/src python bench/lead_grades.py   # another engine (git archive)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPO, cache_dir, shared_data

DATASET = "mediqa2019-qa"
FILES = {
    "validation": "MEDIQA2019-Task3-QA-ValidationSet.xml",
    "alexa": "MEDIQA2019-Task3-QA-TrainingSet2-Alexa.xml",
}
SYSTEMS = ("ask", "retrieve", "search", "oracle")
MATCHES = ("url", "title", "text", "page")
SHINGLE = 3  # words per shingle
OVERLAP = 0.9  # share of the shorter side's shingles found in the other: the same text
URL_OVERLAP = 0.5  # the same, where the URL already says it is the judged page
MIN_SHINGLES = 8  # fewer: too short to tell copied text from a shared phrase
ORACLE_QUERY_WORDS = 60  # words of a judged answer searched to find it in the library
ORACLE_HITS = 5
RETRIEVE_K = 10  # what `evimap search` asks for by default; the top-1 is kept
URL_ALIASES = (("nlm.nih.gov/medlineplus/", "medlineplus.gov/"),)  # moved in 2015
_TOKEN = re.compile(r"[a-z0-9]+")
_HEAD = re.compile(r"^(?P<head>[^:\n]{1,200}?):\s+(?P<body>.*)$", re.DOTALL)


# -- the data ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Judged:
    aid: str
    url: str
    score: int  # ReferenceScore, 1-4
    head: str  # "Idiopathic achalasia (Treatment)"
    body: str

    @property
    def grade(self) -> int:
        return self.score - 1


@dataclass(frozen=True, slots=True)
class Question:
    file: str  # "validation" or "alexa"
    qid: str
    text: str
    judged: tuple[Judged, ...]


def load(path: Path, name: str) -> list[Question]:
    """Every Question of a MEDIQA 2019 Task 3 file, with its judged answers."""
    return [
        Question(
            file=name,
            qid=node.get("QID", ""),
            text=" ".join((node.findtext("QuestionText") or "").split()),
            judged=tuple(_judged(a) for a in node.iter("Answer")),
        )
        for node in ET.parse(path).getroot().iter("Question")
    ]


def _judged(node: ET.Element) -> Judged:
    head, body = split_head(node.findtext("AnswerText") or "")
    return Judged(
        aid=node.get("AID", ""),
        url=(node.findtext("AnswerURL") or "").strip(),
        score=int(node.get("ReferenceScore", "1")),
        head=head,
        body=body,
    )


def split_head(text: str) -> tuple[str, str]:
    """ "Title (Section): body" -> ("Title (Section)", "body"); no head: ("", text)."""
    text = text.strip()
    found = _HEAD.match(text)
    return (found["head"].strip(), found["body"].strip()) if found else ("", text)


# -- matching ----------------------------------------------------------------------------


def normalize_url(url: str) -> str:
    """Comparable form: no scheme, "www.", query, fragment or trailing slash; lower case;
    known moved addresses under their current name. "" for none ("#")."""
    text = url.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/")
    text = text.removeprefix("www.")
    for old, new in URL_ALIASES:
        if text.startswith(old):
            text = new + text[len(old) :]
    return text


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    words = _TOKEN.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def overlap(document_text: str, judged_text: str) -> float:
    """Share of the shorter side's word 3-grams found in the other (0 when either side is
    too short to tell)."""
    ours, theirs = shingles(document_text), shingles(judged_text)
    if min(len(ours), len(theirs)) < MIN_SHINGLES:
        return 0.0
    return len(ours & theirs) / min(len(ours), len(theirs))


@dataclass(frozen=True, slots=True)
class Match:
    aid: str
    grade: int
    how: str  # "url", "title", "text"; "page": the judged page, another section (no grade)
    overlap: float


def match(url: str, text: str, judged: Iterable[Judged], title: str = "") -> Match | None:
    """The judged answer a document (its URL, text and title) is: see the module's notes."""
    judged = list(judged)
    key = normalize_url(url)
    same = [j for j in judged if key and normalize_url(j.url) == key]
    scored = [(overlap(text, j.body), j) for j in same or judged]
    if not scored:
        return None
    best_overlap, best = max(scored, key=lambda pair: pair[0])  # first of equals
    if same and best_overlap >= URL_OVERLAP:
        return Match(best.aid, best.grade, "url", best_overlap)
    if same:
        named = [j for j in same if title and same_question(title, j.head)]
        if named:
            return Match(named[0].aid, named[0].grade, "title", overlap(text, named[0].body))
        return Match(best.aid, best.grade, "page", best_overlap)
    if best_overlap >= OVERLAP:
        return Match(best.aid, best.grade, "text", best_overlap)
    return None


def same_question(title: str, head: str) -> bool:
    """MedQuAD's "What is (are) Flu?" and CHiQA's "What is Flu?" ask the same."""

    def words(text: str) -> list[str]:
        return _TOKEN.findall(text.lower().replace("(are)", " "))

    return bool(words(title)) and words(title) == words(head)


# -- the run -----------------------------------------------------------------------------


def url_map(lib) -> dict[str, list[str]]:
    """Normalised URL -> ids of the reference documents with text there (one read of the
    store)."""
    from evimap.store import decode_body

    found: dict[str, list[str]] = {}
    rows = lib.store.conn.execute("SELECT body FROM documents WHERE kind = 'reference'")
    for (body,) in rows:
        doc = decode_body(body)
        key = normalize_url(doc.url)
        if key and doc.text.strip():
            found.setdefault(key, []).append(doc.id)
    return found


def graded(doc, question: Question) -> dict:
    """What a row says of one document: id, title, URL, and its match (grade 0 if none)."""
    found = match(doc.url, doc.text, question.judged, doc.title)
    matched = found is not None and found.how != "page"
    return {
        "doc_id": doc.id,
        "title": doc.title,
        "url": doc.url,
        "matched": matched,
        "grade": found.grade if found and matched else 0,
        "aid": found.aid if found else None,
        "how": found.how if found else None,
        "overlap": round(found.overlap, 3) if found else None,
        "empty": not doc.text.strip(),  # a question without its answer (MedQuAD's A.D.A.M.)
    }


def evaluate(questions: list[Question], library: Path, mode: str, audience: str) -> list[dict]:
    from evimap import AnswerEngine, Library

    with Library(library, readonly=True) as lib:
        engine = AnswerEngine(lib, mode=mode, shared_data=shared_data())
        if mode != "lexical" and engine.fallback:
            sys.exit(f"{mode}: semantic search is off ({engine.fallback})")
        engine.ask("What causes asthma?", audience)  # warm up: vocabulary, index, encoder
        urls = url_map(lib)
        return [_one(q, lib, engine, urls, audience) for q in questions]


def _one(question: Question, lib, engine, urls: dict[str, list[str]], audience: str) -> dict:
    from evimap import EvimapError

    row: dict = {"file": question.file, "qid": question.qid, "question": question.text}
    try:
        answer = engine.ask(question.text, audience)
    except EvimapError as error:
        answer, row["ask_error"] = None, str(error)
    row["abstained"] = answer is None or answer.abstained
    cited = [] if row["abstained"] else sorted(answer.references, key=lambda r: r.number)
    docs = {"ask": lib.get(cited[0].doc_id) if cited else None}
    try:
        hits = engine.retrieve(question.text, RETRIEVE_K)
    except EvimapError as error:
        hits, row["retrieve_error"] = [], str(error)
    docs["retrieve"] = hits[0].document if hits else None
    hits = engine.retriever.search(question.text, RETRIEVE_K)
    docs["search"] = hits[0].document if hits else None
    for system, doc in docs.items():
        row[system] = graded(doc, question) if doc is not None else None
    row["oracle"] = _oracle(question, lib, urls, [d for d in docs.values() if d is not None])
    return row


def _oracle(question: Question, lib, urls: dict[str, list[str]], seen: list) -> dict | None:
    """The best-graded document of the library among those at a judged answer's URL, those
    found by a judged answer's own words, and those the systems chose; only documents with
    text count (MedQuAD's A.D.A.M., MedlinePlus drug and herb pages are questions without
    their answers here: nothing in them can be cited)."""
    candidates = {doc.id: doc for doc in seen}
    for judged in question.judged:
        for doc_id in urls.get(normalize_url(judged.url), ()):
            candidates.setdefault(doc_id, lib.get(doc_id))
        words = _TOKEN.findall(judged.body.lower())[:ORACLE_QUERY_WORDS]
        if not words:
            continue
        for hit in lib.search(" ".join(words), k=ORACLE_HITS):
            candidates.setdefault(hit.document.id, hit.document)
    rows = [graded(doc, question) for doc in candidates.values() if doc.text.strip()]
    rows = [r for r in rows if r["matched"]]
    return max(rows, key=lambda r: r["grade"]) if rows else None


# -- the figures -------------------------------------------------------------------------


def grade_of(row: dict, system: str) -> int:
    """A system's grade on a row: 0 when it has no source or its source is unmatched."""
    found = row.get(system)
    return found["grade"] if found else 0


def summary(rows: list[dict]) -> dict:
    """Per system: mean grade (unmatched and no source count 0), mean over matched, how
    many matched; abstentions; ask against retrieve and search."""
    result: dict = {"questions": len(rows), "abstained": sum(r["abstained"] for r in rows)}
    for system in SYSTEMS:
        found = [r[system] for r in rows if r.get(system)]
        matched = [f["grade"] for f in found if f["matched"]]
        with_text = [f["grade"] for f in found if f["matched"] and not f.get("empty")]
        result[system] = {
            "mean": statistics.fmean(grade_of(r, system) for r in rows) if rows else 0.0,
            "mean_matched": statistics.fmean(matched) if matched else 0.0,
            "matched": len(matched),
            "with_source": len(found),
            "by": {how: sum(f.get("how") == how for f in found) for how in MATCHES},
            "empty": sum(bool(f.get("empty")) for f in found),
            "mean_with_text": sum(with_text) / len(rows) if rows else 0.0,
        }
    for other in ("retrieve", "search"):
        result[f"ask_vs_{other}"] = {
            "ask_higher": sum(grade_of(r, "ask") > grade_of(r, other) for r in rows),
            "other_higher": sum(grade_of(r, "ask") < grade_of(r, other) for r in rows),
            "equal": sum(grade_of(r, "ask") == grade_of(r, other) for r in rows),
        }
    return result


def print_table(summaries: dict[str, dict], label: str) -> None:
    print(f"== MEDIQA 2019 Task 3, judged grades 0-3 ({label})")
    print(f"  {'file':<11} {'n':>4} {'abst':>5}  " + "  ".join(f"{s:>20}" for s in SYSTEMS))
    print(f"  {'':<11} {'':>4} {'':>5}  " + "  ".join(f"{'all/matched (n)':>20}" for _ in SYSTEMS))
    for name, s in summaries.items():
        cells = [
            f"{s[x]['mean']:.2f} / {s[x]['mean_matched']:.2f} ({s[x]['matched']:>3})"
            for x in SYSTEMS
        ]
        cells = [f"{c:>20}" for c in cells]
        print(f"  {name:<11} {s['questions']:>4} {s['abstained']:>5}  " + "  ".join(cells))
    for name, s in summaries.items():
        duels = ", ".join(
            f"ask vs {o}: ask higher {s[f'ask_vs_{o}']['ask_higher']}, "
            f"{o} higher {s[f'ask_vs_{o}']['other_higher']}, equal {s[f'ask_vs_{o}']['equal']}"
            for o in ("retrieve", "search")
        )
        print(f"  {name}: {duels}")
    print("  matched by url / title / text; page = the judged page, another section (grade 0);")
    print("  empty = a question without its answer text (grade kept; 'with text' counts it 0):")
    for name, s in summaries.items():
        for x in SYSTEMS:
            by = " / ".join(str(s[x]["by"][how]) for how in MATCHES)
            print(
                f"    {name:<10} {x:<8} {by:<16} empty {s[x]['empty']:>3}, "
                f"mean with text {s[x]['mean_with_text']:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=REPO / "var" / "library")
    parser.add_argument("--mode", choices=["lexical", "hybrid"], default="lexical")
    parser.add_argument("--audience", default="patient")
    parser.add_argument("--files", choices=[*FILES, "both"], default="both")
    parser.add_argument("--limit", type=int, default=0, help="only the first N of each file")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not (args.library / "store.sqlite").exists():
        sys.exit(f"no library at {args.library} (build one, or pass --library)")
    folder = shared_data() / DATASET
    names = list(FILES) if args.files == "both" else [args.files]
    questions = []
    for name in names:
        loaded = load(folder / FILES[name], name)
        questions += loaded[: args.limit] if args.limit else loaded
    rows = evaluate(questions, args.library, args.mode, args.audience)
    summaries = {n: summary([r for r in rows if r["file"] == n]) for n in names}
    if len(names) > 1:
        summaries["both"] = summary(rows)
    import evimap

    engine_at = str(Path(evimap.__file__).parent)
    print_table(summaries, f"{args.mode}, {args.audience}")
    print(f"  (evimap from {engine_at})")
    out = args.out or cache_dir(".").resolve() / f"lead-grades-{args.mode}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = {"mode": args.mode, "audience": args.audience, "library": str(args.library)}
    settings["evimap"] = engine_at
    out.write_text(json.dumps({**settings, "summary": summaries, "rows": rows}, indent=1))
    print(f"per-question rows: {out}")


if __name__ == "__main__":
    main()
