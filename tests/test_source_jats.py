"""PMC JATS adapter: article fields, abstract and body passages, tables, study design,
licences, plain/gzip/tar bundles, problems, and ingest runs (idempotent, interrupted)."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from evimap import Library, ingest
from evimap.errors import SourceFormatError
from evimap.evidence import Document, Problem, SourceKind, StudyDesign
from evimap.sources import adapter, expand, jats
from evimap.sources._files import Segment


@pytest.fixture(scope="module")
def folder(fixtures: Path) -> Path:
    return fixtures / "jats"


def _records(path: Path) -> list:
    return list(jats.read_file(path))


def _docs(records: list) -> dict[str, Document]:
    return {r.id: r for r in records if isinstance(r, Document)}


@pytest.fixture(scope="module")
def trial(folder: Path) -> Document:
    (doc,) = _records(folder / "articles" / "trial.nxml")
    return doc


def _bundle(tmp_path: Path, members: dict[str, bytes], name: str = "b.tar.gz") -> Path:
    path = tmp_path / name
    with tarfile.open(path, "w:gz" if name.endswith(".gz") else "w") as bundle:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return path


def test_registered_under_jats(folder: Path) -> None:
    assert adapter("jats") is jats and jats.DESCRIPTION
    assert [p.name for p in expand("jats", [folder])] == [
        "malformed.nxml",
        "no-title.nxml",
        "plain-abstract.xml",
        "protocol.nxml",
        "trial.nxml",
        "bundle.tar.gz",
        "plain.tar",
        "protocol.nxml.gz",
        "truncated.tar.gz",
    ]


def test_bibliographic_fields(trial: Document) -> None:
    assert trial.id == "pmc:PMC9000001" and trial.collection == "pmc"
    assert trial.kind is SourceKind.RESEARCH
    assert trial.title == (
        "Quorvane for Glimmerfield syndrome relapses: a randomised controlled trial"
    )
    assert trial.publisher == "Journal of Fictional Neurology"
    assert trial.year == 2021  # the year before the electronic one (2020)
    assert trial.url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC9000001/"
    assert (trial.pmid, trial.doi, trial.language) == ("39000001", "10.1000/jfn.2021.001", "eng")
    assert trial.authors == "Quill AB et al."  # authors only: the editor is not one
    assert trial.keywords == ("Glimmerfield syndrome", "Quorvane", "Randomised controlled trial")
    assert trial.extra == {
        "pmcid": "PMC9000001",
        "article_type": "research-article",
        "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
    }


def test_design_is_a_randomised_trial(trial: Document) -> None:
    assert trial.design is StudyDesign.RCT
    assert trial.publication_types == ("Randomized Controlled Trial",)


def test_structured_abstract_keeps_its_labels(trial: Document) -> None:
    abstract = trial.passages[:4]
    assert [p.heading for p in abstract] == ["Background", "Methods", "Results", "Conclusions"]
    assert abstract[0].text == "Glimmerfield syndrome relapses follow heat exposure."  # no [1]
    assert abstract[2].text == "Relapses fell by 40% with quorvane (p < 0.01)."
    assert "plain summary" not in trial.text  # the author summary is not the abstract
    assert "supplementary material" not in trial.text


def test_body_sections_are_named_by_their_titles(trial: Document) -> None:
    body = trial.passages[4:]
    assert [p.heading for p in body] == [
        "Introduction",
        "Methods > Participants",
        "Methods > Outcomes",
        "Results",
        "Table 1",
        "Conclusions",
    ]
    intro, participants, outcomes = (p.text for p in body[:3])
    assert intro == "Glimmerfield syndrome is a fictional disorder. Heat triggers relapses."
    assert participants.split("\n\n") == [
        "Adults aged 18 to 65 years with relapsing Glimmerfield syndrome took part (see Table 1).",
        "Aged 18 to 65 years.",
        "Two relapses in the past year.",
    ]
    assert outcomes == "The dose was 5×2 mg daily."  # inline MathML; display formula left out


@pytest.mark.parametrize(
    ("paragraph", "text"),
    [
        (  # brackets and parentheses a citation leaves, and the spaces before punctuation
            'Rates fell [<xref ref-type="bibr">1</xref>, <xref ref-type="bibr">2</xref>] , as '
            'seen (<xref ref-type="bibr">3</xref>; <xref ref-type="bibr">4</xref>) .',
            "Rates fell, as seen.",
        ),
        (  # words around a citation stay; so does a space before what is not punctuation
            '<xref ref-type="bibr">5</xref> Heat (see <xref ref-type="bibr">6</xref>) helps '
            '<italic>a lot</italic> [<xref ref-type="fig">Fig 1</xref>] .',
            "Heat (see) helps a lot [Fig 1].",
        ),
        ("No citation  here, <bold>as</bold> is .", "No citation here, as is ."),
    ],
)
def test_citations_leave_no_brackets_or_spaces_behind(paragraph: str, text: str) -> None:
    from lxml import etree

    assert jats._text(etree.fromstring(f"<p>{paragraph}</p>")) == text


def test_left_out_figures_back_matter_and_declarations(trial: Document) -> None:
    text = trial.text
    for absent in ("figure caption", "We thank", "Heat and glimmer", "None declared", "S1 Table"):
        assert absent not in text


def test_table_is_searchable_text_without_sentences(trial: Document) -> None:
    table = trial.passages[8]
    assert (
        table.text == "Baseline characteristics\nGroup | Age\nQuorvane | 41 (12)\nPlacebo | 43 (11)"
    )
    assert table.sentences == ()


def test_large_table_keeps_its_caption_only(tmp_path: Path, folder: Path) -> None:
    rows = "".join(f"<tr><td>row {n}</td><td>{n}</td></tr>" for n in range(jats.TABLE_ROWS + 1))
    data = (folder / "articles" / "trial.nxml").read_bytes()
    data = data.replace(b"<tbody>", b"<tbody>" + rows.encode())
    (doc,) = _records(_write(tmp_path, "big.nxml", data))
    (table,) = [p for p in doc.passages if p.heading == "Table 1"]
    assert table.text == "Baseline characteristics"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_unstructured_abstract_doi_id_collab_author_and_licence_text(folder: Path) -> None:
    (doc,) = _records(folder / "articles" / "plain-abstract.xml")
    assert doc.id == "doi:10.1000/ft.2019.7" and doc.url == "https://doi.org/10.1000/ft.2019.7"
    assert doc.pmid == "" and doc.year == 2019 and doc.publisher == "Fictional Trials"
    assert doc.authors == "The Shimmer Fever Study Group"
    assert [(p.heading, p.text) for p in doc.passages] == [
        ("", "Children with shimmer fever were randomly allocated to cool baths or usual care. "
             "Cool baths shortened the fever.")
    ]  # fmt: skip
    assert doc.design is StudyDesign.RCT  # from the abstract: participants randomly allocated
    assert doc.extra["license"] == "CC BY 3.0" and "license_url" not in doc.extra


def test_a_protocol_reports_no_results(folder: Path) -> None:
    (doc,) = _records(folder / "articles" / "protocol.nxml")
    assert doc.id == "pmc:PMC9000003"  # pub-id-type "pmcid" with its prefix
    assert doc.publication_types == ("Clinical Trial Protocol",)
    assert doc.design is StudyDesign.OTHER
    assert doc.year == 2018  # JATS 1.1+ date-type="pub"
    assert (doc.extra["license"], doc.extra["license_url"]) == (
        "CC0 1.0",
        "http://creativecommons.org/publicdomain/zero/1.0/",
    )
    assert [p.heading for p in doc.passages] == ["Main text"]


@pytest.mark.parametrize(
    ("license_xml", "label"),
    [
        ('<license xlink:href="http://creativecommons.org/licenses/by-nc/3.0/">', "CC BY-NC 3.0"),
        ("<license><license-p>CC0: public domain dedication.</license-p>", "CC0"),
        ("<license><license-p>This work is in the public domain.</license-p>", "Public domain"),
        (
            "<license><license-p>Creative Commons Attribution-NonCommercial License.</license-p>",
            "",
        ),
        ("<license><license-p>All rights reserved.</license-p>", ""),
    ],
)
def test_licences(tmp_path: Path, folder: Path, license_xml: str, label: str) -> None:
    data = (folder / "articles" / "protocol.nxml").read_text()
    start, end = data.index("<license "), data.index("</license>")
    closing = "" if "license-p" in license_xml else "<license-p>x</license-p>"
    data = data[:start] + license_xml + closing + data[end:]
    (doc,) = _records(_write(tmp_path, "a.nxml", data.encode()))
    assert doc.extra.get("license", "") == label


def test_licence_outside_permissions_as_older_dtds_have_it(tmp_path: Path, folder: Path) -> None:
    data = (folder / "articles" / "plain-abstract.xml").read_bytes()
    data = data.replace(b"<permissions>", b"").replace(b"</permissions>", b"")
    (doc,) = _records(_write(tmp_path, "old.nxml", data))
    assert doc.extra["license"] == "CC BY 3.0"


@pytest.mark.parametrize(
    ("title", "article_type", "design"),
    [
        ("Quorvane versus placebo: a systematic review and meta-analysis", "", "meta-analysis"),
        ("Heat and relapses: a non-randomised controlled trial", "", "cohort/observational"),
        ("A randomized crossover study of cool baths", "", "randomized controlled trial"),
        ("Quorvane in Glimmerfield syndrome", "review-article", "review"),
        ("Correction: quorvane in a randomised trial", "correction", "other"),
        ("Quorvane in Glimmerfield syndrome", "research-article", "other"),
    ],
)
def test_design_from_article_type_and_title(
    tmp_path: Path, folder: Path, title: str, article_type: str, design: str
) -> None:
    data = (folder / "articles" / "protocol.nxml").read_text()
    data = data.replace("<subject>Study Protocol</subject>", "<subject>Article</subject>")
    data = data.replace(
        "Quorvane in Glimmerfield syndrome: protocol for a randomised controlled trial", title
    )
    data = data.replace("will be randomized to", "will take")
    data = data.replace('article-type="research-article"', f'article-type="{article_type}"')
    (doc,) = _records(_write(tmp_path, "a.nxml", data.encode()))
    assert doc.design == design


def test_gzip_and_tar_read_like_plain(folder: Path, trial: Document) -> None:
    (protocol,) = _records(folder / "articles" / "protocol.nxml")
    assert _records(folder / "bundles" / "protocol.nxml.gz") == [protocol]
    assert _records(folder / "bundles" / "plain.tar") == [trial]


def test_bundle_reads_articles_and_reports_bad_members(folder: Path, trial: Document) -> None:
    path = folder / "bundles" / "bundle.tar.gz"
    records = _records(path)
    docs = _docs(records)
    assert list(docs) == ["pmc:PMC9000001", "doi:10.1000/ft.2019.7", "pmc:PMC9000003"]
    assert docs["pmc:PMC9000001"] == trial  # the same document, read from a bundle
    problems = [
        (p.file, p.record, p.reason.split(" (")[0]) for p in records if isinstance(p, Problem)
    ]
    assert problems == [
        (str(path), "oa/no-title.nxml", "no article title"),
        (str(path), "oa/malformed.nxml", "malformed XML"),
    ]  # the PDF and the AppleDouble file are passed over


def test_truncated_bundle_keeps_what_came_before(folder: Path) -> None:
    path = folder / "bundles" / "truncated.tar.gz"
    *docs, problem = _records(path)
    assert [d.id for d in docs] == ["pmc:PMC9000001", "pmc:PMC9000003"]
    assert isinstance(problem, Problem) and problem.file == str(path)
    assert problem.reason.startswith("truncated or corrupt bundle")
    assert problem.reason.endswith("bundle abandoned after 2 articles")
    # it broke between two members: the reason names the last one read whole
    assert problem.reason.startswith("truncated or corrupt bundle after oa/")


def test_problem_names_the_member_it_stopped_in(tmp_path: Path, folder: Path) -> None:
    trial = (folder / "articles" / "trial.nxml").read_bytes()
    whole = _bundle(tmp_path, {"a/first.nxml": trial, "a/second.nxml": trial * 40})
    data = whole.read_bytes()
    cut = _write(tmp_path, "cut.tar.gz", data[: len(data) - 200])
    records = _records(cut)
    assert isinstance(records[0], Document)
    assert (records[-1].record, records[-1].reason.split(" (")[0]) == (
        "a/second.nxml",
        "truncated or corrupt bundle in a/second.nxml",
    )


def test_articles_without_title_or_name_and_empty_or_broken_files(tmp_path: Path) -> None:
    no_id = b"<article><front><article-meta><title-group><article-title>T</article-title>"
    no_id += b"</title-group></article-meta></front></article>"
    (problem,) = _records(_write(tmp_path, "a.nxml", no_id))
    assert problem.reason == "no PMCID or DOI to name the article by"
    (problem,) = _records(_write(tmp_path, "b.nxml", b"<article/>"))
    assert problem.reason == "no <front>/<article-meta>"
    (problem,) = _records(_write(tmp_path, "c.nxml", b"  \n"))
    assert problem.reason == "empty file"
    (problem,) = _records(_write(tmp_path, "d.nxml.gz", gzip.compress(b"<article>")[:-6]))
    assert problem.reason.startswith("unreadable file")
    (problem,) = _records(_write(tmp_path, "e.tar.gz", b""))
    assert problem.reason.startswith("truncated or corrupt bundle")


def test_a_bundle_member_of_another_kind_is_a_problem(tmp_path: Path) -> None:
    path = _bundle(tmp_path, {"x.xml": b"<PubmedArticleSet/>"})
    (problem,) = _records(path)
    assert (problem.record, problem.reason) == (
        "x.xml",
        "not a JATS article: root element is <PubmedArticleSet>",
    )


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>",
            "root element is <PubmedArticleSet>",
        ),
        (b"PMID- 123\nTI  - not XML", "not JATS XML"),
    ],
)
def test_other_formats_raise_source_format_error(
    tmp_path: Path, content: bytes, found: str
) -> None:
    with pytest.raises(SourceFormatError, match=found):
        _records(_write(tmp_path, "other.xml", content))


def test_pmc_articleset_of_efetch(tmp_path: Path, folder: Path) -> None:
    articles = []
    for name in ("trial.nxml", "protocol.nxml"):
        data = (folder / "articles" / name).read_bytes()
        articles.append(data[data.index(b"<article ") : data.index(b"</article>") + 10])
    data = b'<?xml version="1.0"?>\n<pmc-articleset>' + b"".join(articles) + b"</pmc-articleset>"
    records = _records(_write(tmp_path, "efetch.xml", data))
    assert [getattr(r, "id", r) for r in records] == ["pmc:PMC9000001", "pmc:PMC9000003"]


def test_links_are_web_addresses_that_cannot_carry_markup(tmp_path: Path) -> None:
    data = b"""<article xmlns:xlink="http://www.w3.org/1999/xlink"><front><article-meta>
<article-id pub-id-type="pmc">not-a-number</article-id>
<article-id pub-id-type="doi">10.1000/a"b&lt;c</article-id>
<title-group><article-title>T</article-title></title-group><permissions>
<license xlink:href="javascript:alert('creativecommons.org/licenses/by/4.0/')"/></permissions>
</article-meta></front></article>"""
    (doc,) = _records(_write(tmp_path, "x.nxml", data))
    assert doc.id == 'doi:10.1000/a"b<c' and "pmcid" not in doc.extra
    assert doc.url == "https://doi.org/10.1000/a%22b%3Cc"
    assert doc.extra["license"] == "CC BY 4.0" and "license_url" not in doc.extra


def test_the_dtd_is_not_fetched_and_entities_are_not_expanded(tmp_path: Path) -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<article><front><article-meta><article-id pub-id-type="pmc">1</article-id>
<title-group><article-title>A &secret; title</article-title></title-group></article-meta></front>
</article>"""
    records = _records(_write(tmp_path, "x.nxml", data))
    assert all("root:" not in str(getattr(r, "title", r)) for r in records)


# --- segments: several parser processes share one bundle ------------------------------------


def _numbered_bundle(tmp_path: Path, folder: Path, count: int, name: str = "many.tar.gz") -> Path:
    trial = (folder / "articles" / "trial.nxml").read_bytes()
    members = {
        f"oa/{n}.nxml": trial.replace(b">9000001<", f">{9100000 + n}<".encode())
        + b"<!-- %d -->" % n * (n % 7)  # members of different sizes
        for n in range(count)
    }
    return _bundle(tmp_path, members, name)


@pytest.mark.parametrize("name", ["many.tar.gz", "many.tar"])
def test_segments_together_read_exactly_what_the_whole_bundle_reads(
    tmp_path: Path, folder: Path, name: str
) -> None:
    path = _numbered_bundle(tmp_path, folder, 60, name)
    whole = [r.id for r in _records(path)]
    assert len(whole) == 60
    cut = jats.segments(path, path.stat().st_size // 5)
    assert len(cut) == 5 and all(isinstance(s, Segment) for s in cut)
    assert cut[0].start == 0 and cut[-1].end == path.stat().st_size
    parts = [[r.id for r in jats.read_segment(s)] for s in cut]
    assert [i for part in parts for i in part] == whole
    assert all(len(part) >= 6 for part in parts)  # shared out, not all in one


def test_small_bundles_and_single_articles_are_not_cut(folder: Path) -> None:
    bundle = folder / "bundles" / "bundle.tar.gz"
    assert jats.segments(bundle, 1_000_000) == [bundle]
    single = folder / "bundles" / "protocol.nxml.gz"
    assert jats.segments(single, 100) == [single]


def test_a_truncated_bundle_cut_into_segments_reports_once(tmp_path: Path, folder: Path) -> None:
    whole = _numbered_bundle(tmp_path, folder, 60)
    data = whole.read_bytes()
    cut = _write(tmp_path, "cut.tar.gz", data[: len(data) * 3 // 5])
    expected = _records(cut)
    assert isinstance(expected[-1], Problem)
    segments = jats.segments(cut, cut.stat().st_size // 4)
    assert len(segments) == 4
    records = [r for s in segments for r in jats.read_segment(s)]
    assert [getattr(r, "id", None) for r in records] == [getattr(r, "id", None) for r in expected]
    assert sum(isinstance(r, Problem) for r in records) == 1


def test_ingest_shares_a_bundle_among_parser_processes(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evimap import ingestion

    path = _numbered_bundle(tmp_path, folder, 60)
    monkeypatch.setattr(ingestion, "TASK_BYTES", path.stat().st_size)  # 4 segments a bundle
    assert ingestion.task_bytes("jats") == path.stat().st_size // jats.PARSE_COST
    assert len(ingestion.units_of("jats", [path])) == jats.PARSE_COST
    with Library(tmp_path / "lib", create=True) as lib:
        report = ingest(lib, "jats", [path], workers=2)
        assert (report.added, report.failed) == (60, 0)
        again = ingest(lib, "jats", [path], workers=2)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 60)


def test_a_bundle_is_cut_into_no_more_segments_than_parser_processes(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evimap import ingestion

    path = _numbered_bundle(tmp_path, folder, 60)
    monkeypatch.setattr(ingestion, "TASK_BYTES", path.stat().st_size)  # 4 segments a bundle
    # each segment decompresses the bundle up to its start: 2 processes need only 2
    assert len(ingestion.units_of("jats", [path], workers=2)) == 2
    assert len(ingestion.units_of("jats", [path], workers=8)) == jats.PARSE_COST


def test_full_text_is_written_in_smaller_batches(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evimap.library import Library as LibraryClass

    path = _numbered_bundle(tmp_path, folder, 60)
    monkeypatch.setattr(jats, "BATCH_DOCUMENTS", 25)
    sizes: list[int] = []
    original = LibraryClass.apply

    def counting(self, batch, report):
        sizes.append(len(batch))
        original(self, batch, report)

    monkeypatch.setattr(LibraryClass, "apply", counting)
    with Library(tmp_path / "lib", create=True) as lib:
        assert ingest(lib, "jats", [path], workers=0).added == 60
    assert sizes == [25, 25, 10]  # not the 500 a batch of PubMed citations holds


# --- ingest runs -----------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [0, 2])
def test_ingest_of_the_fixtures_then_again_changes_nothing(
    folder: Path, tmp_path: Path, workers: int
) -> None:
    with Library(tmp_path / "lib", create=True) as lib:
        report = ingest(lib, "jats", [folder / "bundles"], workers=workers)
        assert (report.added, report.failed) == (3, 3)  # two bad members, one truncated bundle
        stats = lib.stats()
        assert stats.by_collection == {"pmc": 3}
        assert stats.by_license == {"CC BY 4.0": 1, "CC BY 3.0": 1, "CC0 1.0": 1}
        assert lib.get("pmc:PMC9000001").authors == "Quill AB et al."
        assert lib.search("quorvane relapses", k=5)[0].document.id == "pmc:PMC9000001"
        assert [h.document.id for h in lib.search("baseline characteristics")] == ["pmc:PMC9000001"]
        again = ingest(lib, "jats", [folder / "bundles"], workers=workers)
        assert (again.added, again.updated, again.deleted) == (0, 0, 0)


def test_the_command_reports_each_bad_input_with_file_member_and_reason(
    folder: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'no-site.sqlite3'}"}
    env["COLUMNS"] = "400"  # one line a problem
    argv = [str(Path(sys.executable).parent / "evimap"), "ingest", "jats", str(folder / "bundles")]
    run = subprocess.run(
        [*argv, "-L", str(tmp_path / "lib")], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr  # bad input is skipped, the rest is read
    assert "added 3, updated 0, unchanged 0, deleted 0, failed 3" in run.stderr
    bundle, truncated = (
        folder / "bundles" / "bundle.tar.gz",
        folder / "bundles" / "truncated.tar.gz",
    )
    for line in (
        f"skipped {bundle} [oa/no-title.nxml]: no article title",
        f"skipped {bundle} [oa/malformed.nxml]: malformed XML (",
        f"skipped {truncated}: truncated or corrupt bundle after oa/",
    ):
        assert line in " ".join(run.stderr.split()), line


def test_an_interrupted_ingest_keeps_committed_batches_and_a_rerun_completes(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evimap import ingestion
    from evimap.library import Library as LibraryClass

    monkeypatch.setattr(ingestion, "BATCH_SIZE", 1)
    applied = 0
    original = LibraryClass.apply

    def interrupting(self, batch, report):  # Ctrl-C after the second batch is written
        nonlocal applied
        original(self, batch, report)
        applied += 1
        if applied == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(LibraryClass, "apply", interrupting)
    with Library(tmp_path / "lib", create=True) as lib, pytest.raises(KeyboardInterrupt):
        ingest(lib, "jats", [folder / "bundles" / "bundle.tar.gz"], workers=0)
    monkeypatch.setattr(LibraryClass, "apply", original)
    with Library(tmp_path / "lib") as lib:
        kept = lib.stats().documents
        assert kept == lib.stats().pending_index == 2  # written, their index entries journaled
        report = ingest(lib, "jats", [folder / "bundles" / "bundle.tar.gz"], workers=0)
        assert (report.added, report.unchanged) == (1, 2)
        assert lib.stats().documents == 3 and lib.stats().pending_index == 0
        assert len(lib.search("glimmerfield OR shimmer", k=10)) == 3


# --- the shared PMC open-access bundles --------------------------------------------------------


@pytest.fixture(scope="module")
def shared_bundles(shared_data: Path) -> list[Path]:
    bundles = sorted((shared_data / "pmc-oa-rct").glob("*.tar.gz"))
    if not bundles:
        pytest.skip("no PMC bundles in the shared data")
    return bundles


def test_real_bundle_reads_every_article(shared_bundles: list[Path]) -> None:
    records = _records(shared_bundles[-1])  # the small one: 35 articles
    docs = _docs(records)
    assert len(records) == len(docs) == 35
    for doc in docs.values():
        assert doc.id.startswith("pmc:PMC") and doc.title and doc.publisher and doc.year
        assert doc.passages and doc.extra["license"].startswith(("CC", "Public"))
        assert doc.url == f"https://pmc.ncbi.nlm.nih.gov/articles/{doc.id[4:]}/"


@pytest.mark.slow
def test_real_bundles_all_ingested_then_a_rerun_changes_nothing(
    shared_bundles: list[Path], tmp_path: Path
) -> None:
    with Library(tmp_path / "lib", create=True) as lib:
        report = ingest(lib, "jats", shared_bundles)
        assert (report.added, report.failed) == (2535, 0), report.problems[:3]
        stats = lib.stats()
        assert stats.by_collection == {"pmc": 2535}
        assert stats.by_design["randomized controlled trial"] > 1800
        assert "" not in stats.by_license  # every article names its CC licence or CC0
        again = ingest(lib, "jats", shared_bundles)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2535)
