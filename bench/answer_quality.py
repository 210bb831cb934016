"""Answers on a set of varied questions: grounding, citations, abstention, reading grade, speed.

Bars (issue 3): 100% of statements grounded on >= 50 varied questions, every citation number
resolves, abstentions counted; patient answers' median Flesch-Kincaid grade at least 2 below
clinician answers for the same questions; `ask` p95 <= 250 ms warm with semantic search on,
<= 50 ms lexical-only; cold start of `evimap ask` reported.

    python bench/answer_quality.py                 # lexical, and hybrid if vectors exist
    python bench/answer_quality.py --library DIR   # an existing library (else one is built)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import cache_dir, shared_data

QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"
AUDIENCES = ("patient", "clinician")


def build_library(path: Path) -> Path:
    from evimap import Library, ingest
    from evimap.demo import demo_inputs

    if not (path / "store.sqlite").exists():
        with Library(path, create=True) as lib:
            for source, source_path in demo_inputs(shared_data()):
                ingest(lib, source, [source_path])
    return path


def evaluate(library: Path, mode: str, questions: list[dict]) -> dict:
    from evimap import Library
    from evimap.engine import AnswerEngine
    from evimap.grounding import check_answer
    from evimap.readability import flesch_kincaid_grade

    with Library(library, readonly=True) as lib:
        engine = AnswerEngine(lib, mode=mode, shared_data=shared_data())
        if mode != "lexical" and engine.fallback:
            return {"skipped": engine.fallback}
        engine.ask("What causes asthma?")  # warm up: vocabulary, encoder, vectors
        rows = [
            _ask_one(engine, lib, item, check_answer, flesch_kincaid_grade) for item in questions
        ]
    return _summary(rows)


def _ask_one(engine, lib, item, check_answer, grade) -> dict:
    row = {"q": item["q"], "expect": item.get("expect", "answer")}
    for audience in AUDIENCES:
        started = time.perf_counter()
        answer = engine.ask(item["q"], audience)
        row[f"ms_{audience}"] = (time.perf_counter() - started) * 1000
        docs = {r.doc_id: lib.get(r.doc_id) for r in answer.references}
        verdict = check_answer(answer, docs)
        row[audience] = {
            "abstained": answer.abstained,
            "statements": verdict.statements,
            "grounded": verdict.grounded,
            "ok": verdict.ok,
            "failures": verdict.failures,
            "grade": grade([s.text for s in answer.statements]) if answer.statements else None,
        }
    return row


def _summary(rows: list[dict]) -> dict:
    statements = sum(r[a]["statements"] for r in rows for a in AUDIENCES)
    grounded = sum(r[a]["grounded"] for r in rows for a in AUDIENCES)
    both = [
        r for r in rows if r["patient"]["grade"] is not None and r["clinician"]["grade"] is not None
    ]
    times = sorted(r[f"ms_{a}"] for r in rows for a in AUDIENCES)
    return {
        "questions": len(rows),
        "statements": statements,
        "grounded": grounded,
        "citations_ok": all(r[a]["ok"] for r in rows for a in AUDIENCES),
        "failures": [f for r in rows for a in AUDIENCES for f in r[a]["failures"]],
        "abstained": sum(r["patient"]["abstained"] for r in rows),
        "abstain_expected": sum(r["expect"] == "abstain" for r in rows),
        "abstain_correct": sum(r["patient"]["abstained"] for r in rows if r["expect"] == "abstain"),
        "grade_patient": statistics.median([r["patient"]["grade"] for r in both] or [0.0]),
        "grade_clinician": statistics.median([r["clinician"]["grade"] for r in both] or [0.0]),
        "graded_pairs": len(both),
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "unanswered": [
            r["q"] for r in rows if r["patient"]["abstained"] and r["expect"] != "abstain"
        ],
    }


def cold_start(library: Path) -> float:
    started = time.perf_counter()
    evimap = Path(sys.executable).parent / "evimap"
    subprocess.run(
        [str(evimap), "ask", "What causes gout?", "--mode", "lexical", "--library", str(library)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument("--modes", nargs="+", default=["lexical", "hybrid"])
    args = parser.parse_args()
    library = args.library or build_library(cache_dir("answers") / "library")
    questions = yaml.safe_load(QUESTIONS.read_text())
    for mode in args.modes:
        result = evaluate(library, mode, questions)
        if "skipped" in result:
            print(f"{mode}: skipped ({result['skipped']})")
            continue
        _print(mode, result)
    print(f"cold start of `evimap ask` (lexical, new process): {cold_start(library):.2f} s")


def _print(mode: str, r: dict) -> None:
    share = r["grounded"] / r["statements"] if r["statements"] else 1.0
    print(f"== {mode}: {r['questions']} questions x {len(AUDIENCES)} audiences")
    print(
        f"grounded statements  {r['grounded']}/{r['statements']} = {share:.1%}; "
        f"citations resolve: {r['citations_ok']}"
    )
    print(
        f"abstained            {r['abstained']} (expected {r['abstain_expected']}, "
        f"of which correct {r['abstain_correct']})"
    )
    print(
        f"reading grade median patient {r['grade_patient']:.1f} vs clinician "
        f"{r['grade_clinician']:.1f} (difference {r['grade_clinician'] - r['grade_patient']:.1f}"
        f", {r['graded_pairs']} pairs)"
    )
    print(f"ask latency warm     p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms")
    for failure in r["failures"][:5]:
        print(f"  grounding failure: {failure}")
    for question in r["unanswered"]:
        print(f"  abstained on: {question}")


if __name__ == "__main__":
    main()
