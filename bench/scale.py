"""Cost against library size: ask latency, page render, ingest rate, memory, bytes/document.

    python bench/scale.py --quick                    # 20k documents (under a minute; CI-time)
    python bench/scale.py --sizes 100000 1000000     # by hand (the 1M build: ~20 min here)
    python bench/scale.py --sizes 100000 1000000 --repeat 3      # ingest: 3 runs alternating
    python bench/scale.py --sizes 1000000 2000000 --probe 0      # ask only, no ingest batch
    python bench/scale.py --sizes 100000 1000000 --profile /tmp/ask.prof   # cProfile, largest

What is built. A library of N documents is the demo library (`evimap demo --no-site`:
MedQuAD, PMC open-access trials, the PubMed samples, PubMedQA, SciFact, USPSTF, the NCI
Dictionary: 66,527 documents) plus N - 66,527 PubMed citations made from the shared PubMed
samples with fresh PMIDs (from 90,000,000). Sizes below the demo library's are synthetic
citations alone (the --quick size). Libraries are kept under $EVIMAP_SCALE_CACHE
(/tmp/evimap-scale) between runs; a larger one starts as a copy of the largest smaller one.

How the citations vary (so that postings are not one record repeated thousands of times):
each one takes a sample record's XML (its journal, dates, authors, MeSH headings,
publication types: 241 records with abstracts) but writes its own title and abstract. Its
title is one of some 6,000 (the samples' and SciFact's), and its abstract 3 to 8 sentences
drawn at random from some 50,000 (every abstract sentence of the PubMed samples and of
SciFact's 5,183 abstracts), so sentences recombine across records; two conditions are drawn
from the Disease Ontology's 12,000 labels with a Zipf-like law (rank^-1: a few conditions are
in many citations, most in a few, as in PubMed), one named in the title ("TITLE in
CONDITION") and both in the opening sentence ("In patients with A and B, ..."). Every
citation's draws are seeded by its number: the same size is the same library on every run.

Measured, per size, in one run (each in a fresh process, so peak memory is its own):
  ask     warm p50/p95 lexical over 125 questions (bench/data/questions.yaml for the patient
          and bench/data/dev_questions.yaml at its audience, follow-ups with their page);
          hybrid only where the library has vectors (these do not: said so); wall clock
          and CPU time of the asking process (the 2 cores here are shared with other work:
          CPU time is what a busy machine inflates least)
  render  the answer to Markdown as `evimap ask --format markdown` prints it (p50/p95)
  ingest  a fixed batch of --probe citations (PMIDs from 80,000,000, drawn as above with
          other seeds) into a copy of the library, against the same batch into an empty one,
          --repeat times each, alternating (median): documents per second of wall clock and
          per CPU-second of the writer and its parser processes
  memory  peak resident memory of the ask process and of the ingest's writer process
  bytes   store + index bytes per document
and the growth ratios from each size to the next. The answer engine uses the demo library's
question vocabulary at every size >= it (rebuilding it reads every document, minutes at 1M,
and the citations add no condition pages to it).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from bisect import bisect
from html import escape
from itertools import accumulate, pairwise
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb, shared_data
from pubmed_input import templates

HERE = Path(__file__).parent
QUICK = 20_000
CHUNK = 50_000  # citations per generated input file
PROBE = 50_000  # citations of the measured ingest batch
LIBRARY_PMID = 90_000_000
PROBE_PMID = 80_000_000
PROBE_SEED = 10**9  # probe citation c is drawn with seed PROBE_SEED + c

_TITLE = re.compile(rb"<ArticleTitle>.*?</ArticleTitle>", re.S)
_ABSTRACT = re.compile(rb"<AbstractText([^>]*)>(.*?)</AbstractText>", re.S)
_PMID = re.compile(rb"<PMID( [^>]*)?>\d+</PMID>")
_TAG = re.compile(rb"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])")


def cache_root() -> Path:
    import os

    root = Path(os.environ.get("EVIMAP_SCALE_CACHE", "/tmp/evimap-scale"))
    root.mkdir(parents=True, exist_ok=True)
    return root


# -- the citations --------------------------------------------------------------------------


class Citations:
    """Draws citations from the shared PubMed samples and Disease Ontology labels."""

    def __init__(self, data: Path) -> None:
        pools = templates(data / "pubmed-xml")
        self.records = [r for r in pools["PubmedArticleSet"] if _ABSTRACT.search(r)]
        titles: list[str] = []
        texts: list[str] = []
        for record in self.records + pools["MedlineCitationSet"]:
            title = _TITLE.search(record)
            if title:
                titles.append(_text(title.group()))
            texts.extend(_text(body) for _, body in _ABSTRACT.findall(record))
        corpus = data / "scifact" / "corpus.jsonl"
        if corpus.exists():
            for line in corpus.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                titles.append(item["title"])
                texts.append(" ".join(item["abstract"]))
        self.titles = [t for t in titles if t]
        self.sentences = [s for t in texts for s in _SENTENCE.split(t) if 40 <= len(s) <= 400]
        self.conditions = _conditions(data / "disease-ontology")
        weights = [1 / rank for rank in range(1, len(self.conditions) + 1)]
        self._cumulative = list(accumulate(weights))

    def _condition(self, rng: random.Random) -> str:
        return self.conditions[bisect(self._cumulative, rng.random() * self._cumulative[-1])]

    def record(self, number: int, pmid: int, seed: int) -> bytes:
        """One <PubmedArticle> with its own PMID, title and abstract."""
        rng = random.Random(seed)
        template = self.records[rng.randrange(len(self.records))]
        first, second = self._condition(rng), self._condition(rng)
        title = f"{rng.choice(self.titles).rstrip('.')} in {first}."
        drawn = [rng.choice(self.sentences) for _ in range(rng.randint(3, 8))]
        drawn[0] = f"In patients with {first} and {second}, {drawn[0][0].lower()}{drawn[0][1:]}"
        parts = _ABSTRACT.findall(template)
        per_part = max(1, len(drawn) // len(parts))
        bodies = [
            " ".join(drawn[i * per_part : (i + 1) * per_part if i < len(parts) - 1 else None])
            for i in range(len(parts))
        ]
        record = _PMID.sub(b'<PMID Version="1">%d</PMID>' % pmid, template, count=1)
        record = _TITLE.sub(_element(b"ArticleTitle", b"", title), record, count=1)
        texts = iter(bodies)
        return _ABSTRACT.sub(
            lambda m: _element(b"AbstractText", m.group(1), next(texts, "")), record
        )

    def write(self, path: Path, first: int, count: int, pmid: int, seed: int) -> Path:
        """Citations first..first+count-1 as one PubMed XML file (kept if already there)."""
        if path.exists():
            return path
        partial = path.with_suffix(".part")
        with partial.open("wb") as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
            for number in range(first, first + count):
                out.write(self.record(number, pmid + number, seed + number))
                out.write(b"\n")
            out.write(b"</PubmedArticleSet>\n")
        partial.rename(path)
        return path


def _text(xml: bytes) -> str:
    from html import unescape

    return unescape(_TAG.sub(b"", xml).decode("utf-8", "replace")).strip()


def _element(name: bytes, attributes: bytes, text: str) -> bytes:
    body = escape(text, quote=False).encode()
    return b"<%s%s>%s</%s>" % (name, attributes, body, name)


def _conditions(folder: Path | None) -> list[str]:
    path = folder / "HumanDO.tsv" if folder else None
    if path is None or not path.exists():
        return ["asthma", "diabetes", "hypertension", "migraine", "arthritis"]
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = [f.strip('"') for f in line.split("\t")]
        if len(fields) > 1 and fields[1] and not fields[1][0].isdigit():
            labels.append(fields[1])
    random.Random(7).shuffle(labels)  # the Zipf ranks: a fixed, arbitrary order
    return labels


# -- the libraries --------------------------------------------------------------------------


def base_library(root: Path) -> Path:
    """The demo library (built once, about 100 s) with its question vocabulary."""
    base = root / "base"
    if not (base / "ready").exists():
        shutil.rmtree(base, ignore_errors=True)
        evimap = Path(sys.executable).parent / "evimap"
        subprocess.run(
            [str(evimap), "demo", "--no-site", "--offline", "-L", str(base)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (base / "ready").write_text("demo")
    if not (base / "vocabulary.json").exists():
        _child("vocabulary", str(base))
    return base


def documents(library: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{library / 'store.sqlite'}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


def library_of(size: int, root: Path, citations: Citations, console) -> tuple[Path, int]:
    """The cached library of `size` documents, built (grown from a smaller one) if missing;
    returns it and how many of its documents are synthetic citations."""
    path = root / f"lib-{size}"
    base = base_library(root) if size > QUICK else None
    base_count = documents(base) if base else 0
    synthetic = size - base_count
    if synthetic < 0:
        raise SystemExit(f"size {size:,} is below the demo library's {base_count:,} documents")
    if (path / "ready").exists():
        return path, synthetic
    shutil.rmtree(path, ignore_errors=True)
    have = 0
    smaller = sorted(
        (int(p.name[4:]), p)
        for p in root.glob("lib-*")
        if (p / "ready").exists() and p.name[4:].isdigit() and int(p.name[4:]) < size
    )
    smaller = [(n, p) for n, p in smaller if (base is None) == (n <= QUICK)]
    if smaller:
        have = smaller[-1][0] - base_count
        shutil.copytree(smaller[-1][1], path)
    elif base is not None:
        shutil.copytree(base, path)
    console.print(f"building {path}: {have:,} -> {synthetic:,} citations")
    inputs = root / "inputs"
    inputs.mkdir(exist_ok=True)
    first = have
    with _bar(console) as bar:
        task = bar.add_task(f"lib-{size}", total=synthetic - have)
        while first < synthetic:
            count = min(CHUNK - first % CHUNK, synthetic - first)
            file = citations.write(inputs / f"c{first}-{count}.xml", first, count, LIBRARY_PMID, 0)
            _child("ingest", str(path), str(file))
            file.unlink()
            first += count
            bar.update(task, completed=first - have)
    if base is None:
        _child("vocabulary", str(path))
    (path / "ready").write_text(str(size))
    return path, synthetic


def _bar(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- the measurements (each in its own process) ---------------------------------------------


def questions() -> list[dict]:
    """125 questions: the answer set for the patient, the development set at its audience."""
    plain = yaml.safe_load((HERE / "data" / "questions.yaml").read_text(encoding="utf-8"))
    dev = yaml.safe_load((HERE / "data" / "dev_questions.yaml").read_text(encoding="utf-8"))
    asked = [{"q": item["q"], "audience": "patient"} for item in plain]
    asked += [
        {"q": item["q"], "audience": item["audience"], "context": item.get("context")}
        for item in dev
    ]
    return asked


def child_ask(library: str, vocabulary: str, mode: str, profile: str) -> dict:
    from evimap import Library
    from evimap.engine import AnswerEngine
    from evimap.render import to_markdown
    from evimap.vocabulary import Vocabulary

    with Library(library, readonly=True) as lib:
        engine = AnswerEngine(
            lib,
            mode=mode,
            shared_data=shared_data(),
            vocabulary=Vocabulary.load(Path(vocabulary)),
        )
        if mode != "lexical" and engine.fallback:
            return {"skipped": engine.fallback}
        engine.ask("What causes asthma?")  # warm: vocabulary, index readers
        asks, cpu, renders, abstained = [], [], [], 0
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for item in questions():
            started, used = time.perf_counter(), time.process_time()
            answer = engine.ask(item["q"], item["audience"], context=item.get("context"))
            asks.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            started = time.perf_counter()
            to_markdown(answer)
            renders.append(time.perf_counter() - started)
            abstained += answer.abstained
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
    return {
        "asks": asks,
        "cpu": cpu,
        "renders": renders,
        "abstained": abstained,
        "ask_mb": peak_rss_mb()[0],
    }


def child_ingest(library: str, file: str) -> dict:
    from evimap import Library, ingest

    started = time.perf_counter()
    with Library(library, create=True) as lib:
        report = ingest(lib, "pubmed", [Path(file)])
    seconds = time.perf_counter() - started
    main_mb, worker_mb = peak_rss_mb()
    import resource

    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    return {
        "added": report.added,
        "seconds": seconds,
        "cpu": cpu,
        "main_mb": main_mb,
        "worker_mb": worker_mb,
    }


def child_vocabulary(library: str) -> dict:
    from evimap import Library
    from evimap.vocabulary import for_library

    with Library(library) as lib:
        vocabulary, _ = for_library(lib, shared_data())
    return {"concepts": len(vocabulary)}


def measure_ingests(library: Path, probe: Path, root: Path, repeat: int) -> tuple[dict, dict]:
    """(into `library`, into an empty library): the run of median rate of `repeat` each,
    alternating, so both meet the same load on shared cores; peak memory the largest."""
    into, empty = [], []
    for _ in range(repeat):
        empty.append(measure_ingest(None, probe, root))
        into.append(measure_ingest(library, probe, root))
    return _median_run(into), _median_run(empty)


def _median_run(runs: list[dict]) -> dict:
    middle = dict(sorted(runs, key=lambda run: run["rate"])[len(runs) // 2])
    middle["main_mb"] = max(run["main_mb"] for run in runs)
    middle["runs"] = [round(run["rate"]) for run in runs]
    return middle


def measure_ingest(library: Path | None, probe: Path, root: Path) -> dict:
    """The probe batch into a copy of `library` (or into an empty library: None)."""
    work = root / "work"
    shutil.rmtree(work, ignore_errors=True)
    if library is not None:
        shutil.copytree(library, work)
    try:
        result = _child("ingest", str(work), str(probe))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["rate"] = result["added"] / result["seconds"]
    result["cpu_rate"] = result["added"] / result["cpu"]
    return result


def bytes_per_document(library: Path) -> float:
    total = sum(p.stat().st_size for p in library.rglob("*") if p.is_file())
    vocabulary = library / "vocabulary.json"
    total -= vocabulary.stat().st_size if vocabulary.exists() else 0
    return total / documents(library)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))] if ordered else 0.0


def summary(size: int, synthetic: int, asked: dict, ingest: dict, empty: dict, bpd: float):
    return {
        "size": size,
        "synthetic": synthetic,
        "ask_p50": percentile(asked["asks"], 0.5) * 1000,
        "ask_p95": percentile(asked["asks"], 0.95) * 1000,
        "cpu_p50": percentile(asked["cpu"], 0.5) * 1000,
        "cpu_p95": percentile(asked["cpu"], 0.95) * 1000,
        "render_p50": percentile(asked["renders"], 0.5) * 1000,
        "render_p95": percentile(asked["renders"], 0.95) * 1000,
        "abstained": asked["abstained"],
        "ask_mb": asked["ask_mb"],
        "ingest_rate": ingest["rate"],
        "ingest_share": ingest["rate"] / empty["rate"],
        "ingest_cpu_rate": ingest["cpu_rate"],
        "ingest_cpu_share": ingest["cpu_rate"] / empty["cpu_rate"],
        "empty_rate": empty["rate"],
        "ingest_mb": ingest["main_mb"],
        "worker_mb": ingest["worker_mb"],
        "bytes_per_doc": bpd,
    }


COLUMNS = (
    ("size", "documents", "{:,}"),
    ("ask_p50", "ask p50 ms", "{:.1f}"),
    ("ask_p95", "ask p95 ms", "{:.1f}"),
    ("cpu_p50", "CPU p50 ms", "{:.1f}"),
    ("cpu_p95", "CPU p95 ms", "{:.1f}"),
    ("render_p95", "render p95 ms", "{:.2f}"),
    ("abstained", "abstained", "{}"),
    ("ask_mb", "ask MB", "{:.0f}"),
    ("ingest_rate", "ingest docs/s", "{:,.0f}"),
    ("ingest_share", "of empty", "{:.0%}"),
    ("ingest_cpu_rate", "docs/CPU-s", "{:,.0f}"),
    ("ingest_cpu_share", "of empty", "{:.0%}"),
    ("ingest_mb", "ingest MB", "{:.0f}"),
    ("bytes_per_doc", "bytes/doc", "{:,.0f}"),
)


def table(rows: list[dict], empty: dict) -> str:
    head = " | ".join(title for _, title, _ in COLUMNS)
    lines = [f"| {head} |", "|" + "---:|" * len(COLUMNS)]
    for row in rows:
        cells = " | ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS)
        lines.append(f"| {cells} |")
    lines.append(
        f"\nempty library: {empty['rate']:,.0f} docs/s ({empty.get('cpu_rate', 0):,.0f} per "
        f"CPU-second) for the same {empty['added']:,} citations, writer {empty['main_mb']:.0f} "
        "MB; each size's share is against the empty runs alternating with its own"
    )
    for before, after in pairwise(rows):
        grown = after["size"] / before["size"]
        ratios = ", ".join(
            f"{title} x{after[key] / before[key]:.2f}"
            for key, title, _ in COLUMNS[1:]
            if key not in ("abstained", "ingest_share", "ingest_cpu_share") and before[key]
        )
        lines.append(f"{before['size']:,} -> {after['size']:,} (x{grown:.1f} documents): {ratios}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help=f"one size: {QUICK:,}")
    parser.add_argument(
        "--probe", type=int, default=PROBE, help="citations of the ingest batch (0: no ingest)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="ingest runs per size, alternating")
    parser.add_argument("--mode", default="lexical", choices=["lexical", "hybrid"])
    parser.add_argument("--profile", default="", help="cProfile of ask at the largest size")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        run = {"ask": child_ask, "ingest": child_ingest, "vocabulary": child_vocabulary}[kind]
        print(json.dumps(run(*rest)))
        return
    from rich.console import Console

    console = Console(stderr=True)
    sizes = [QUICK] if args.quick else sorted(args.sizes)
    probe_size = min(args.probe, 5_000) if args.quick else args.probe
    root = cache_root()
    data = shared_data()
    citations = Citations(data)
    console.print(
        f"{len(citations.records)} sample records, {len(citations.sentences):,} sentences, "
        f"{len(citations.conditions):,} conditions"
    )
    probe = (
        None
        if not args.probe
        else citations.write(
            root / f"probe-{probe_size}.xml", 0, probe_size, PROBE_PMID, PROBE_SEED
        )
    )
    nan = float("nan")
    skipped = {"rate": nan, "cpu_rate": nan, "added": 0, "main_mb": nan, "worker_mb": 0.0}
    empties = []
    rows = []
    for size in sizes:
        library, synthetic = library_of(size, root, citations, console)
        vocabulary = library / "vocabulary.json"
        if not vocabulary.exists():
            vocabulary = base_library(root) / "vocabulary.json"
        profile = args.profile if size == sizes[-1] else ""
        asked = _child("ask", str(library), str(vocabulary), args.mode, profile)
        if "skipped" in asked:
            raise SystemExit(f"{args.mode}: {asked['skipped']}")
        ingest, empty = (
            measure_ingests(library, probe, root, args.repeat) if args.probe else (skipped, skipped)
        )
        empties.append(empty)
        rows.append(summary(size, synthetic, asked, ingest, empty, bytes_per_document(library)))
        console.print(f"{size:,}: {json.dumps(rows[-1])}")
    print(f"mode {args.mode}; {len(questions())} questions; ingest batch {probe_size:,} citations")
    print(table(rows, _median_run(empties) if args.probe else skipped))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "empties": empties}, indent=1))


if __name__ == "__main__":
    main()
