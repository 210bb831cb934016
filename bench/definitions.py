"""Plain-language help for patients, measured: are the terms an answer uses explained? (issue 11)

Answers: every development question (bench/data/dev_questions.yaml, 72, follow-ups asked on
their page question) and the LiveQA dev half (../shared/data/liveqa-train, see
bench/liveqa.py), all asked for a patient. Per answer that does not abstain:

  terms a patient may not know
            the medical names (conditions, symptoms, drugs, tests, procedures... : the
            vocabulary's concepts) that the answer's statements use, each
            counted once per answer, where the words as written hold a word of four
            syllables or more (the hard-word rule of evimap.readability) or are a term the
            CDC Plain Language Thesaurus gives a plainer alternative for ("hypertension";
            "high blood pressure", the same concept in plain words, is not counted)
  defined   the answer's plain-language help holds a definition of that term: its term is
            the name as written, the concept's name or one of its synonyms

Figures: answers whose every such term is defined (of those that use one), terms defined
of all, definitions shown and how many come from the NCI Dictionary of Cancer Terms.

`--lay`: "brittle bones" style questions (bench/data/lay_questions.yaml), each naming its
subject in the everyday words the CDC thesaurus gives for it: does the question's focus, or
one of the top 5 documents the retrieval stage finds, name the subject?

    python bench/definitions.py --library var/library          # both question sets, patient
    python bench/definitions.py --lay --library var/library
    PYTHONPATH=/tmp/old/src python bench/definitions.py ...     # an older engine, same measure
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPO, shared_data

QUESTIONS = Path(__file__).parent / "data" / "dev_questions.yaml"
LAY_QUESTIONS = Path(__file__).parent / "data" / "lay_questions.yaml"
THESAURUS = Path("plain-language") / "cdc_plain_language_thesaurus.json"
HARD_SYLLABLES = 4
TOP = 5  # retrieved documents looked at for a lay question
NCI = "nci-dictionary:"
_WORD = re.compile(r"[A-Za-z]+")


def technical_terms(shared: Path) -> set[str]:
    """Keys of the terms the CDC thesaurus gives a plainer alternative for."""
    from evimap.vocabulary import phrase_key

    path = shared / THESAURUS
    if not path.exists():
        sys.exit(f"skipped: the CDC thesaurus is not at {path}")
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {
        phrase_key(r["term"])
        for r in rows
        if phrase_key(r["term"]) != phrase_key(r["plain_alternative"])
    }


def unfamiliar(texts: list[str], vocabulary, technical: set[str]) -> dict[str, set[str]]:
    """Concept name key -> the keys it may be defined under, for each term of `texts` a
    patient may not know."""
    from evimap.readability import syllables
    from evimap.vocabulary import phrase_key

    found: dict[str, set[str]] = {}
    for text in texts:
        for concept in vocabulary.match(text).concepts:
            hard = any(syllables(w) >= HARD_SYLLABLES for w in _WORD.findall(concept.text))
            if hard or phrase_key(concept.text) in technical:
                keys = {phrase_key(n) for n in (concept.name, concept.text, *concept.synonyms)}
                found.setdefault(phrase_key(concept.name), set()).update(keys)
    return found


def defined_keys(answer, vocabulary) -> set[str]:
    """The keys under which the answer's plain-language help defines something."""
    from evimap.vocabulary import phrase_key

    keys = set()
    for definition in answer.definitions:
        term = re.sub(r"\s*\([^)]*\)\s*$", "", definition.term)  # "term (plain name)"
        keys.add(phrase_key(term))
        concept = vocabulary.lookup(term)
        if concept is not None:
            keys.add(phrase_key(concept.name))
    return keys


def dev_questions() -> list[tuple[str, str, str | None]]:
    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [(f"dev/{i['id']}", i["q"], i.get("context")) for i in items]


def liveqa_dev(shared: Path) -> list[tuple[str, str, str | None]]:
    from liveqa import DATASET, load

    return [(f"liveqa/{i.id}", i.question, None) for i in load(shared / DATASET) if i.half == "dev"]


def measure(engine, questions, technical: set[str]) -> list[dict]:
    from evimap.errors import EvimapError

    rows = []
    for qid, question, context in questions:
        row: dict = {"id": qid, "question": question}
        try:
            answer = engine.ask(question, "patient", context=context)
        except EvimapError as error:
            row.update(abstained=True, error=str(error))
            rows.append(row)
            continue
        row["abstained"] = answer.abstained
        if answer.abstained:
            rows.append(row)
            continue
        said = [*answer.short_answer, *(s for x in answer.sections for s in x.statements)]
        body = [s.text for s in said]
        terms = unfamiliar(body, engine.vocabulary, technical)
        helped = defined_keys(answer, engine.vocabulary)
        numbers = {r.number: r.doc_id for r in answer.references}
        row["statements"] = len(said)
        row["statements_nci"] = sum(
            any(numbers.get(n, "").startswith(NCI) for n in s.citations) for s in said
        )
        row["terms"] = sorted(terms)
        row["defined"] = sorted(t for t, keys in terms.items() if keys & helped)
        row["definitions"] = [
            {
                "term": d.term,
                "text": d.statement.text,
                "source": [numbers.get(n, "") for n in d.statement.citations],
            }
            for d in answer.definitions
        ]
        rows.append(row)
    return rows


def summary(rows: list[dict]) -> dict:
    answered = [r for r in rows if not r["abstained"]]
    using = [r for r in answered if r["terms"]]
    complete = [r for r in using if len(r["defined"]) == len(r["terms"])]
    terms = sum(len(r["terms"]) for r in answered)
    defined = sum(len(r["defined"]) for r in answered)
    helps = [d for r in answered for d in r["definitions"]]
    nci = [d for d in helps if any(s.startswith(NCI) for s in d["source"])]
    return {
        "questions": len(rows),
        "answered": len(answered),
        "answers_using_terms": len(using),
        "answers_all_defined": len(complete),
        "answers_some_defined": sum(1 for r in using if r["defined"]),
        "terms": terms,
        "terms_defined": defined,
        "definitions": len(helps),
        "definitions_nci": len(nci),
        "answers_with_help": sum(1 for r in answered if r["definitions"]),
        "statements": sum(r["statements"] for r in answered),
        "statements_nci": sum(r["statements_nci"] for r in answered),
    }


def print_summary(label: str, s: dict) -> None:
    def pct(n: int, d: int) -> str:
        return f"{n} / {d} ({100 * n / d:.1f}%)" if d else f"{n} / 0"

    using = s["answers_using_terms"]
    lines = [
        ("answers using a term a patient may not know", str(using)),
        ("... every such term defined", pct(s["answers_all_defined"], using)),
        ("... at least one defined", pct(s["answers_some_defined"], using)),
        ("terms defined (once per answer)", pct(s["terms_defined"], s["terms"])),
        ("answers with plain-language help", pct(s["answers_with_help"], s["answered"])),
        (
            "definitions shown / from the NCI Dictionary",
            f"{s['definitions']} / {s['definitions_nci']}",
        ),
        (
            "other statements / citing the NCI Dictionary",
            f"{s['statements']} / {s['statements_nci']}",
        ),
    ]
    print(f"{label}: {s['questions']} questions, {s['answered']} answered (patient)")
    for name, value in lines:
        print(f"  {name:<45} {value}")


def lay(engine, lib) -> list[dict]:
    """Each lay question: its focus, and whether the focus or a top-5 document names the topic."""
    from evimap.questions import analyze
    from evimap.vocabulary import phrase_key

    items = yaml.safe_load(LAY_QUESTIONS.read_text(encoding="utf-8"))
    rows = []
    for item in items:
        topic = [f" {phrase_key(t)} " for t in item["topic"]]

        def names(text: str, topic=topic) -> bool:
            return any(t in f" {phrase_key(text)} " for t in topic)

        analysis = analyze(item["q"], engine.vocabulary)
        focus = [c.name for c in analysis.focus]
        hits = engine.retriever.search(item["q"], TOP, analysis=analysis)
        titles = [
            " ".join([h.document.title, h.document.question.focus if h.document.question else ""])
            for h in hits
        ]
        rows.append(
            {
                "id": item["id"],
                "question": item["q"],
                "focus": focus,
                "focus_names_topic": any(names(f) for f in focus),
                "retrieved": [h.document.id for h in hits],
                "retrieved_names_topic": any(names(t) for t in titles),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=REPO / "var" / "library")
    parser.add_argument("--mode", default="lexical", choices=("lexical", "hybrid"))
    parser.add_argument("--set", choices=("dev", "liveqa", "both"), default="both")
    parser.add_argument("--lay", action="store_true", help="the lay-words retrieval check only")
    parser.add_argument("--out", type=Path, help="per-question rows as JSON")
    args = parser.parse_args()

    from evimap import Library
    from evimap.engine import AnswerEngine

    shared = shared_data()
    with Library(args.library, readonly=True) as lib:
        engine = AnswerEngine(lib, mode=args.mode, shared_data=shared)
        engine.ask("What causes asthma?", "patient")  # warm: vocabulary, index
        if args.lay:
            rows = lay(engine, lib)
            found = sum(r["focus_names_topic"] for r in rows)
            retrieved = sum(r["retrieved_names_topic"] for r in rows)
            either = sum(r["focus_names_topic"] or r["retrieved_names_topic"] for r in rows)
            print(f"lay questions: {len(rows)}")
            print(f"  focus names the subject                {found}")
            print(f"  a top-{TOP} document names the subject     {retrieved}")
            print(f"  either                                 {either}")
            for r in rows:
                mark = "ok " if r["focus_names_topic"] or r["retrieved_names_topic"] else "-- "
                print(f"  {mark}{r['id']} {r['question']}  focus: {', '.join(r['focus']) or '-'}")
        else:
            technical = technical_terms(shared)
            sets = []
            if args.set in ("dev", "both"):
                sets.append(("development questions", dev_questions()))
            if args.set in ("liveqa", "both"):
                sets.append(("LiveQA dev half", liveqa_dev(shared)))
            rows = []
            for label, questions in sets:
                measured = measure(engine, questions, technical)
                print_summary(label, summary(measured))
                rows += measured
            if len(sets) > 1:
                print_summary("all", summary(rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
