"""The `evimap` command: a thin layer over the public API. Errors are rendered in `main`.

Data (paths, titles, questions, problems) is never read as rich markup: a title holding
"[/x]" or a problem naming "[line 3]" prints as it is. Styled lines are `Text` built with
`_styled`; plain lines are printed with markup off.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from evimap import (
    AnswerEngine,
    ConfigError,
    EvimapError,
    IngestReport,
    Library,
    LibraryStats,
    Retriever,
    Settings,
    SourceKind,
    analyze,
    backup_library,
    ingestion,
    render,
    restore_library,
    sources,
)
from evimap.demo import demo_inputs, downloads_folder
from evimap.site.review_commands import review_app

if TYPE_CHECKING:
    from evimap.vocabulary import Vocabulary
    from evimap.writer import Writer

F = TypeVar("F", bound=Callable[..., Any])

err = Console(stderr=True)
out = Console()
SOURCE_CHOICE = click.Choice(list(sources.ADAPTERS))
BIND = "127.0.0.1:8000"  # where `evimap demo` and `evimap serve` listen, unless --bind says


def _styled(*parts: str | tuple[str, str]) -> Text:
    """A line from plain strings and (text, style) pairs; no part is parsed as markup."""
    return Text.assemble(*parts)


def _say(console: Console, line: str | Text) -> None:
    """Print one line of data as it is: no markup, no highlighting, no wrapping."""
    console.print(line, markup=False, highlight=False, soft_wrap=True)


@click.group(help="evimap: grounded, cited answers to health questions from trusted sources.")
def app() -> None:
    pass


@app.group("library")
def library_app() -> None:
    """Inspect and maintain the evidence library."""


kind_option = click.option(
    "--kind",
    multiple=True,
    type=click.Choice([k.value for k in SourceKind]),
    help="only this source kind (repeatable)",
)


def library_option(func: F) -> F:
    return click.option(
        "--library",
        "-L",
        type=click.Path(path_type=Path),
        default=None,
        help="Library directory [env EVIMAP_LIBRARY, default var/library]",
    )(func)


def _settings(library: Path | None) -> Settings:
    settings = Settings.from_env()
    return settings if library is None else Settings(**{**_fields(settings), "library": library})


def _fields(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


# -- building the library: `evimap ingest` and `evimap library ...` ----------------------------


@app.command()
@click.argument("source", type=SOURCE_CHOICE)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--query", help="pubmed only: search PubMed online instead of reading files")
@click.option("--max", "max_results", default=100, show_default=True, help="with --query")
@click.option("--workers", type=click.IntRange(min=0), help="parser processes [auto]")
@click.option(
    "--review-check/--no-review-check",
    default=True,
    show_default=True,
    help="when a site is set up here, flag its pages whose evidence changed",
)
@library_option
def ingest(
    source: str,
    paths: tuple[Path, ...],
    query: str | None,
    max_results: int,
    workers: int | None,
    review_check: bool,
    library: Path | None,
) -> int:
    """Add documents from SOURCE files (or PubMed online); re-running changes nothing."""
    settings = _settings(library)
    with Library(settings.library, create=True) as lib:
        if query is not None:
            report = _ingest_online(lib, source, query, max_results, settings)
        else:
            chosen = settings.workers if workers is None else workers
            report = _ingest_files(lib, source, list(paths), chosen)
    _print_report(report)
    changed = report.added + report.updated + report.deleted
    if review_check and changed:
        _review_check(settings)
    return 1 if report.read == 0 and report.failed else 0


def _ingest_files(
    lib: Library, source: str, paths: list[Path], workers: int | None
) -> IngestReport:
    if not paths:
        raise click.UsageError("give files or directories to read (or --query for pubmed)")
    files = sources.expand(source, paths)
    if not files:
        raise EvimapError(f"no {source} files found under {', '.join(map(str, paths))}")
    total = sum(f.stat().st_size for f in files)
    label = f"{source}: {len(files):,} files, {total / 1e6:,.0f} MB"
    with _progress() as bar:
        task = bar.add_task(label, total=total, documents=0)
        progress = ingestion.Progress(
            on_records=lambda n: bar.update(
                task, documents=bar.tasks[task].fields["documents"] + n
            ),
            on_bytes=lambda n: bar.advance(task, n),
        )
        return ingestion.ingest(lib, source, files, workers=workers, progress=progress)


def _ingest_online(
    lib: Library, source: str, query: str, max_results: int, settings: Settings
) -> IngestReport:
    if source != "pubmed":
        raise click.UsageError("--query works with the pubmed source only")
    from evimap.sources import eutils

    records = eutils.search_and_fetch(
        query, max_results, api_key=settings.ncbi_api_key, email=settings.ncbi_email
    )
    with _progress() as bar:
        task = bar.add_task(f"PubMed: {query}", total=max_results, documents=0)
        progress = ingestion.Progress(on_records=_both(bar, task))
        return ingestion.ingest_records(lib, records, progress=progress)


def _print_report(report: IngestReport) -> None:
    rate = report.read / report.seconds if report.seconds else 0.0
    _say(err, f"{report.summary()} in {report.seconds:.1f} s ({rate:,.0f} documents/s)")
    for problem in report.problems[:20]:
        _say(err, _styled("  ", ("skipped", "yellow"), f" {problem}"))
    if report.failed > 20:
        _say(err, f"  ... and {report.failed - 20} more problems")


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),  # may hold a query or a path
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[documents]:,} documents"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _counter(bar: Progress, task: TaskID) -> Callable[[int], None]:
    """A callback that adds to the task's documents count."""
    total = 0

    def add(n: int) -> None:
        nonlocal total
        total += n
        bar.update(task, documents=total)

    return add


def _both(bar: Progress, task: TaskID) -> Callable[[int], None]:
    """Advance the bar and the documents count together."""
    count = _counter(bar, task)

    def advance(n: int) -> None:
        count(n)
        bar.advance(task, n)

    return advance


@library_app.command("stats")
@library_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def library_stats(library: Path | None, as_json: bool) -> None:
    """Counts by kind, collection, design, year, guideline grade and license; size on disk."""
    with Library(_settings(library).library, readonly=True) as lib:
        stats = lib.stats()
    if as_json:
        out.print_json(
            json.dumps({**asdict(stats), "bytes_per_document": stats.bytes_per_document})
        )
    else:
        _print_stats(stats)


def _print_stats(stats: LibraryStats) -> None:
    out.print(
        f"[bold]{stats.documents:,}[/] documents, {stats.passages:,} passages, "
        f"{stats.sentences:,} sentences"
    )
    out.print(
        f"store {stats.store_bytes / 1e6:,.1f} MB, index {stats.index_bytes / 1e6:,.1f} MB, "
        f"{stats.bytes_per_document:,.0f} bytes per document"
    )
    if stats.pending_index:
        out.print(
            f"[yellow]{stats.pending_index} documents await indexing[/] "
            "(the next write replays them)"
        )
    for title, counts in (
        ("kind", stats.by_kind),
        ("collection", stats.by_collection),
        ("design", stats.by_design),
        ("year", _decades(stats.by_year)),
        *((("guideline grade", stats.by_grade),) if stats.by_grade else ()),
        ("license", stats.by_license),
    ):
        table = Table(title=f"by {title}", title_justify="left")
        table.add_column(title)
        table.add_column("documents", justify="right")
        for key, count in counts.items():
            table.add_row(Text(key or "—"), f"{count:,}")
        out.print(table)


def _decades(by_year: dict[str, int]) -> dict[str, int]:
    decades: dict[str, int] = {}
    for year, count in sorted(by_year.items()):
        key = f"{year[:3]}0s" if year else "unknown"
        decades[key] = decades.get(key, 0) + count
    return decades


@library_app.command("rebuild-index")
@library_option
def rebuild_index(library: Path | None) -> None:
    """Drop the search index and rebuild it from the document store."""
    with Library(_settings(library).library, new_index=True) as lib:
        total = lib.count()
        with _progress() as bar:
            task = bar.add_task("indexing", total=total, documents=0)
            count = lib.rebuild_index(progress=_both(bar, task))
    err.print(f"indexed {count:,} documents")


@library_app.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace an earlier backup at PATH")
@library_option
def library_backup(path: Path, force: bool, library: Path | None) -> None:
    """Copy the library into the folder PATH (a consistent copy, while others write).

    The store (SQLite online backup), vectors and vocabulary are copied; the search index
    is not: `evimap library restore` rebuilds it.
    """
    report = backup_library(_settings(library).library, path, overwrite=force)
    _say(
        err,
        f"backed up {report.documents:,} documents ({', '.join(report.files)}; "
        f"{report.bytes / 1e6:,.1f} MB) to {report.path} in {report.seconds:.1f} s",
    )


@library_app.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace the library that is there")
@library_option
def library_restore(path: Path, force: bool, library: Path | None) -> None:
    """Make the library from the backup folder PATH and rebuild its search index.

    The library's folder must be new or empty unless --force (stop the site and any ingest
    first; restart the site afterwards).
    """
    bar = _progress()
    advance: Callable[[int], None] | None = None

    def progress(n: int) -> None:  # the bar appears once the backup is checked and copied
        nonlocal advance
        if advance is None:
            bar.start()
            advance = _both(bar, bar.add_task("indexing", total=None, documents=0))
        advance(n)

    try:
        report = restore_library(
            path, _settings(library).library, overwrite=force, progress=progress
        )
    finally:
        bar.stop()
    _say(
        err,
        f"restored {report.documents:,} documents to {report.path}; search index rebuilt "
        f"({report.indexed:,} documents) in {report.seconds:.1f} s",
    )


@library_app.command("search")
@click.argument("text")
@click.option("--k", default=10, show_default=True, help="how many documents")
@kind_option
@library_option
def library_search(text: str, k: int, kind: tuple[str, ...], library: Path | None) -> None:
    """Full-text search of the library (lexical only; for checking an ingest)."""
    with Library(_settings(library).library, readonly=True) as lib:
        hits = lib.search(text, k, kind=list(kind))
    for hit in hits:
        doc = hit.document
        label = f"{doc.kind} {doc.year or ''}"
        _say(out, _styled(f"{hit.score:7.2f}  {doc.id}  ", (label, "dim"), f"  {doc.title}"))


@library_app.command("embed")
@click.option(
    "--shard",
    metavar="I/N",
    help="embed only shard I of N (0-based): run N processes at once, then one plain run "
    "(it builds the HNSW index)",
)
@library_option
def library_embed(library: Path | None, shard: str | None) -> None:
    """Compute document vectors for semantic search (resumable: only what changed)."""
    from evimap import embeddings, vectors

    part = None
    if shard:
        index, _, count = shard.partition("/")
        if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
            raise click.BadParameter("I/N with 0 <= I < N, e.g. 0/2", param_hint="--shard")
        part = (int(index), int(count))
    encoder = embeddings.load_encoder()
    with Library(_settings(library).library, readonly=True) as lib, _progress() as bar:
        task = bar.add_task("embedding", total=None, documents=0)

        def progress(done: int, total: int) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f" ({done / elapsed:,.1f}/s)" if elapsed else ""
            bar.update(
                task, completed=done, total=total, documents=done, description=f"embedding{rate}"
            )

        report = vectors.embed_library(lib, encoder, progress=progress, shard=part)
    _say(
        err,
        f"{report.summary()} in {report.seconds:.1f} s "
        f"({report.texts_per_second:,.1f} documents/s while encoding; {encoder.name})",
    )


@library_app.command("vocabulary")
@library_option
def library_vocabulary(library: Path | None) -> None:
    """(Re)build the concept vocabulary used to understand questions."""
    from evimap.vocabulary import for_library

    settings = _settings(library)
    status = err.status("building the question vocabulary...")
    with Library(settings.library, readonly=True) as lib, status:
        vocabulary, _ = for_library(lib, settings.shared_data, rebuild=True)
    sources = vocabulary.sources
    err.print(
        f"{len(vocabulary):,} concepts from {sources.get('documents', 0):,} documents "
        f"(Disease Ontology: {'yes' if sources.get('disease_ontology') else 'no'}) "
        f"in {sources.get('seconds', 0):.1f} s"
    )
    for key, value in vocabulary.stats().items():
        _say(out, f"{key:>20}  {value:,}")


@library_app.command("publish")
@click.argument("root", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", default=3, show_default=True, help="versions kept (the current one too)")
@library_option
def library_publish(root: Path, keep: int, library: Path | None) -> None:
    """Publish the library whole as the new current version of the snapshot ROOT.

    Readers (`evimap serve`, `ask`) pointed at ROOT switch to it without a restart and never
    see it half-written; copy ROOT/versions/NAME to other machines and switch there with
    `evimap library switch` (docs/DEPLOY.md)."""
    from evimap import snapshots

    report = snapshots.publish(_settings(library).library, root, keep=keep)
    _say(
        err,
        f"published {report.name}: {report.files} files, {report.linked} index files linked "
        f"from the previous version, {report.bytes_copied / 1e6:,.1f} MB copied in "
        f"{report.seconds:.1f} s",
    )
    _say(out, str(report.path))


@library_app.command("switch")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("version")
def library_switch(root: Path, version: str) -> None:
    """Make ROOT/versions/VERSION (copied whole beforehand) the current version of ROOT."""
    from evimap import snapshots

    snapshots.switch(root, root / snapshots.VERSIONS / version)
    _say(err, f"{root} now serves {version}")


# -- asking: `evimap analyze`, `evimap search`, `evimap ask` -----------------------------------


def _vocabulary(settings: Settings) -> Vocabulary:
    """The library's concept vocabulary; built on first use (about 10 s), and said so."""
    from evimap.library import STORE_FILE
    from evimap.vocabulary import build_from_shared, for_library

    if not (settings.library / STORE_FILE).exists():
        missing = (f"no library at {settings.library}", "yellow")
        _say(
            err,
            _styled(
                missing,
                ": using the Disease Ontology and curated terms only "
                "(run `evimap demo` for MedQuAD's concepts)",
            ),
        )
        return build_from_shared([], settings.shared_data)
    status = err.status("loading the question vocabulary (built on first use, ~10 s)...")
    with Library(settings.library, readonly=True) as lib, status:
        vocabulary, built = for_library(lib, settings.shared_data)
    if built:
        err.print(f"built the question vocabulary: {len(vocabulary):,} concepts")
    return vocabulary


@app.command("analyze")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@library_option
def analyze_command(question: str, as_json: bool, library: Path | None) -> None:
    """What QUESTION asks, about what, and whether it needs an emergency notice first."""
    result = analyze(question, _vocabulary(_settings(library)))
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
        return
    if result.safety.emergency:
        _say(out, _styled((result.safety.notice, "bold red")))
    if result.safety.personal_advice:
        _say(out, _styled((result.safety.framing, "yellow")))
    for part in result.parts:
        _say(out, _styled((part.qtype, "bold"), f"  {part.text}"))
    for concept in result.focus:
        ids = ", ".join(concept.ids[:3])
        how = f'({concept.kind}; {concept.via} "{concept.text}"{"; " + ids if ids else ""})'
        _say(out, _styled(f"  focus: {concept.name} ", (how, "dim")))
    if result.expansions:
        _say(out, f"  expand: {'; '.join(result.expansions)}")
    if result.truncated:
        _say(
            out, _styled("  ", (f"analysed the first {len(result.text):,} characters only", "dim"))
        )


@app.command("search")
@click.argument("question")
@click.option("--k", default=10, show_default=True, help="how many documents")
@kind_option
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "semantic"]),
    default="hybrid",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@library_option
def search_command(
    question: str, k: int, kind: tuple[str, ...], mode: str, as_json: bool, library: Path | None
) -> None:
    """The retrieval stage alone: ranked documents with fused and per-stage ranks/scores."""

    with Library(_settings(library).library, readonly=True) as lib:
        retriever = Retriever(lib, mode=mode)
        if retriever.fallback:
            warning = f" lexical search only: {retriever.fallback}"
            _say(err, _styled(("warning:", "yellow"), warning))
        hits = retriever.search(question, k, kinds=list(kind))
    if as_json:
        payload = {
            "query": question,
            "mode": retriever.effective_mode,
            "fallback": retriever.fallback,
            "results": [{"rank": i, **hit.to_dict()} for i, hit in enumerate(hits, start=1)],
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    for i, hit in enumerate(hits, start=1):
        stages = " ".join(
            f"{name} #{stage.rank}"
            for name, stage in (("lex", hit.lexical), ("sem", hit.semantic))
            if stage is not None
        )
        line = _styled(
            f"{i:2d}. {hit.score:.4f}  {hit.document.id}  ",
            (stages, "dim"),
            f"  {hit.document.title}",
        )
        _say(out, line)


@app.command("ask")
@click.argument("question")
@click.option(
    "--audience", default="patient", show_default=True, help="patient, caregiver or clinician"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "semantic"]),
    default="hybrid",
    show_default=True,
    help="retrieval mode",
)
@click.option("--context", help="the question of the page a follow-up is asked on")
@click.option(
    "--writer/--no-writer",
    default=None,
    help="reword statements with the writer at EVIMAP_WRITER_URL (default: when it is set)",
)
@library_option
def ask_command(
    question: str,
    audience: str,
    fmt: str,
    mode: str,
    context: str | None,
    writer: bool | None,
    library: Path | None,
) -> None:
    """Answer QUESTION from the library, grounded and cited, for the reader who asked."""
    settings = _settings(library)
    with _writer(settings, writer) as rewriter, Library(settings.library, readonly=True) as lib:
        engine = AnswerEngine(lib, mode=mode, shared_data=settings.shared_data, writer=rewriter)
        if engine.fallback:
            _say(err, _styled(("lexical search only:", "yellow"), f" {engine.fallback}"))
        answer = engine.ask(question, audience, context=context)
    if engine.last_writer is not None:
        _say(err, engine.last_writer.summary())
        for failure in engine.last_writer.failures:
            _say(err, _styled(("writer failed:", "yellow"), f" {failure}"))
    out.print(render(answer, fmt), markup=False, highlight=False, soft_wrap=True)


def _writer(settings: Settings, wanted: bool | None) -> AbstractContextManager[Writer | None]:
    """The configured writer as a context manager (None inside when off or not configured)."""
    from contextlib import nullcontext

    from evimap.writer import writer_from_settings

    made = writer_from_settings(settings) if wanted is not False else None
    if made is None and wanted:
        raise ConfigError("--writer needs EVIMAP_WRITER_URL and EVIMAP_WRITER_MODEL")
    return made if made is not None else nullcontext()


# -- the site: `evimap demo`, `evimap serve`, `evimap review` (in evimap.site.commands) --------


@app.command()
@library_option
@click.option("--no-serve", is_flag=True, help="set up the site but do not start it (tests, CI)")
@click.option("--no-site", is_flag=True, help="build the library only")
@click.option(
    "--offline", is_flag=True, help="never download (an error when ../shared/data is absent)"
)
@click.option("--bind", default=BIND, show_default=True, help="address:port to serve on")
def demo(library: Path | None, no_serve: bool, no_site: bool, offline: bool, bind: str) -> None:
    """Build a library from the public datasets (../shared/data), then set up and serve the site."""
    settings = _settings(library)
    inputs = demo_inputs(settings.shared_data, required=offline)
    with Library(settings.library, create=True) as lib:
        for source, path in inputs:
            _print_report(_ingest_files(lib, source, [path], settings.workers))
        if not inputs:
            _demo_downloads(lib, settings)
        _print_stats(lib.stats())
    _say(
        err,
        f"library ready at {settings.library}; try: evimap library search "
        "'multiple sclerosis relapse triggers'",
    )
    if not no_site:
        _site_demo(settings, serve=not no_serve, bind=bind)  # the web site (issue 4), below


def _demo_downloads(lib: Library, settings: Settings) -> None:
    """No shared datasets here: download MedQuAD and a PubMed slice (online)."""
    from evimap import downloads

    _say(err, f"no public datasets under {settings.shared_data}; downloading them instead")
    folder = downloads_folder(settings.library) / "medquad"
    with _progress() as bar:
        task = bar.add_task("MedQuAD from GitHub", total=None, documents=0)
        downloads.fetch_medquad(
            folder,
            progress=lambda done, total: bar.update(task, completed=done, total=total or None),
        )
    _print_report(_ingest_files(lib, "medquad", [folder], settings.workers))
    records = downloads.pubmed_slice(api_key=settings.ncbi_api_key, email=settings.ncbi_email)
    with _progress() as bar:
        task = bar.add_task("PubMed slice (E-utilities)", total=None, documents=0)
        report = ingestion.ingest_records(
            lib, records, progress=ingestion.Progress(on_records=_counter(bar, task))
        )
    _print_report(report)


def _site_demo(settings: Settings, *, serve: bool, bind: str) -> None:
    try:
        from evimap.site import commands
    except ImportError as exc:  # the site extra is not installed
        _say(err, _styled(("no site:", "yellow"), f" {exc}; pip install -e '.[site]'"))
        return
    _vocabulary(settings)
    commands.site_demo(settings, lambda line: _say(err, line))
    if serve:
        err.print(f"site: serving on http://{bind} (Ctrl-C stops)")
        commands.runserver(bind)


@app.command("serve")
@click.option("--bind", default=BIND, show_default=True, help="address:port")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="threads per worker  [default: EVIMAP_MAX_ACTIVE + EVIMAP_MAX_QUEUED + 4]",
)
@click.option("--check", is_flag=True, help="check the settings and database, then exit")
@library_option
def serve_command(
    bind: str, workers: int, threads: int | None, check: bool, library: Path | None
) -> None:
    """Serve the site with gunicorn against an existing setup (after `evimap demo`)."""
    from evimap.site import commands

    commands.gunicorn(_settings(library), bind, workers, check, threads)


def _review_check(settings: Settings) -> None:
    """Flag the site's pages whose evidence changed ("review due"), when a site is set up."""
    from evimap.site import commands

    if commands.site_in_use():
        commands.check_evidence(settings, lambda line: _say(err, line))


app.add_command(review_app)  # `evimap review ...`: editorial actions, review-due checks


# -- running the command: errors rendered in one place -----------------------------------------


INTERRUPTED = "interrupted: every batch committed before the interruption is kept"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; known errors become one line on stderr and a non-zero status."""
    try:
        result = app(args=argv, prog_name="evimap", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort as exc:  # click turns Ctrl-C into Abort
        err.print(INTERRUPTED if isinstance(exc.__cause__, KeyboardInterrupt) else "aborted")
        return 130
    except KeyboardInterrupt:
        err.print(INTERRUPTED)
        return 130
    except EvimapError as exc:
        err.print(f"[red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
        return 2 if isinstance(exc, ConfigError) else 1
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())
