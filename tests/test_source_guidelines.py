"""Guidelines adapter: Markdown and HTML metadata, sections, list items, problems, long text."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.errors import SourceFormatError
from evimap.evidence import GUIDELINE_LEVEL, Document, Problem, SourceKind, StudyDesign
from evimap.sources import adapter, expand, guidelines

FRONT_MATTER = "---\ntitle: Glimmerfield test\norganisation: Fictional Society\nyear: 2023\n---\n"


def _records(path: Path) -> list:
    return [r for f in guidelines.files(path) for r in guidelines.read_file(f)]


def _one(path: Path) -> Document | Problem:
    records = list(guidelines.read_file(path))
    assert len(records) == 1
    return records[0]


def _doc(path: Path) -> Document:
    record = _one(path)
    assert isinstance(record, Document), record
    return record


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sentences(doc: Document) -> dict[str, list[str]]:
    """Sentences by passage heading (continuations of one section joined)."""
    found: dict[str, list[str]] = {}
    for p in doc.passages:
        assert p.sentences is not None
        found.setdefault(p.heading, []).extend(p.text[a:b] for a, b in p.sentences)
    return found


@pytest.fixture(scope="module")
def collection(fixtures: Path) -> Path:
    return fixtures / "guidelines" / "collection"


@pytest.fixture(scope="module")
def docs(collection: Path) -> dict[str, Document]:
    records = _records(collection)
    assert all(isinstance(r, Document) for r in records)
    return {r.extra["file"]: r for r in records}


def test_registered_under_guidelines(collection: Path) -> None:
    assert adapter("guidelines") is guidelines
    assert isinstance(guidelines.DESCRIPTION, str) and guidelines.DESCRIPTION
    assert expand("guidelines", [collection]) == guidelines.files(collection)


def test_files_lists_markdown_and_html_sorted(fixtures: Path, collection: Path) -> None:
    assert [p.name for p in guidelines.files(collection)] == [
        "glimmerfield-imaging.html",
        "glimmerfield-relapses.md",
        "shimmer-fever-children.markdown",
    ]
    one = collection / "glimmerfield-relapses.md"
    assert guidelines.files(one) == [one]
    broken = [p.name for p in guidelines.files(fixtures / "guidelines" / "broken")]
    assert "guideline.xml" not in broken and len(broken) == 7


def test_markdown_document_record(docs: dict[str, Document]) -> None:
    doc = docs["glimmerfield-relapses.md"]
    assert doc.id == "guideline:glimmerfield-relapses"
    assert doc.kind is SourceKind.GUIDELINE and doc.collection == "guideline"
    assert doc.design is StudyDesign.PRACTICE_GUIDELINE and doc.level == GUIDELINE_LEVEL
    assert doc.title == "Management of Glimmerfield syndrome relapses"
    assert (doc.publisher, doc.year) == ("Fictional Society of Neurology", 2023)
    assert doc.url == "https://example.org/fsn/guidelines/glimmerfield-relapses"
    assert (doc.doi, doc.pmid, doc.language) == ("", "", "eng")
    assert doc.extra == {"file": "glimmerfield-relapses.md"}


def test_markdown_sections_become_heading_paths(docs: dict[str, Document]) -> None:
    headings = [p.heading for p in docs["glimmerfield-relapses.md"].passages]
    # the level-1 heading repeats the title and is left out; "Recommendations" has no text
    assert headings == [
        "Scope",
        "Recommendations > Acute relapse",
        "Recommendations > Maintenance",
        "Monitoring",
    ]


def test_markdown_list_items_are_sentences_of_their_own(docs: dict[str, Document]) -> None:
    found = _sentences(docs["glimmerfield-relapses.md"])
    assert found["Recommendations > Acute relapse"] == [
        "Treat a relapse that impairs daily living.",
        "Recommended options:",
        "Oral prednisolone 500 mg daily for 5 days",
        "Intravenous methylprednisolone 1 g daily for 3 days",
        "Plasma exchange if steroids fail.",
        "Consider it early in severe relapses.",
        "Check blood glucose daily during treatment.",
    ]
    assert found["Recommendations > Maintenance"][:2] == [
        "1. Review the diagnosis at 6 months",
        "2. Offer a disease-modifying drug, e.g. shimmerzumab, to people with two relapses "
        "in a year.",
    ]


def test_markdown_items_stay_on_their_own_lines(docs: dict[str, Document]) -> None:
    passage = docs["glimmerfield-relapses.md"].passages[1]
    assert passage.text.split("\n\n") == [
        "Treat a relapse that impairs daily living. Recommended options:",
        "Oral prednisolone 500 mg daily for 5 days\n"
        "Intravenous methylprednisolone 1 g daily for 3 days\n"
        "Plasma exchange if steroids fail. Consider it early in severe relapses.",
        "Check blood glucose daily during treatment.",
    ]


def test_markdown_markup_is_stripped(docs: dict[str, Document]) -> None:
    doc = docs["glimmerfield-relapses.md"]
    found = _sentences(doc)
    assert found["Scope"] == [
        "This guideline covers adults with confirmed Glimmerfield syndrome.",
        "It does not cover children; see the paediatric guideline for them.",
    ]
    assert found["Monitoring"] == ["Monitor liver function every 3 months in the first year."]
    for markup in ("*", "[", "](", "https://", "```", "<!--", "Draft note", "#", "---", ">"):
        assert markup not in doc.text, markup


def test_markdown_tables_and_code_blocks(docs: dict[str, Document]) -> None:
    maintenance = _sentences(docs["glimmerfield-relapses.md"])["Recommendations > Maintenance"]
    assert maintenance[2:] == [
        "Drug | Dose | Grade",
        "Shimmerzumab | 300 mg monthly | A",
        "Glintamide | 20 mg daily | B",
        "Dosing table v2 (internal)",
    ]


def test_markdown_optional_fields_and_organization_spelling(docs: dict[str, Document]) -> None:
    doc = docs["shimmer-fever-children.markdown"]
    assert doc.id == "guideline:fcp-shimmer-fever-2021"
    assert doc.title == "Shimmer fever in children: assessment and referral"
    assert (doc.publisher, doc.year) == ("Fictional College of Paediatrics", 2021)
    assert (doc.doi, doc.language, doc.url) == ("10.5555/fcp.2021.7", "eng", "")


def test_markdown_preamble_and_item_continuation(docs: dict[str, Document]) -> None:
    found = _sentences(docs["shimmer-fever-children.markdown"])
    assert list(found) == ["", "Assessment", "Referral", "Safety netting"]
    assert found[""] == ["Shimmer fever is a fictional condition used in tests."]
    assert found["Referral"] == [
        "Refer the same day if the child:",
        "is younger than 3 months",
        "has a non-blanching rash that spreads quickly",
        "looks unwell to a health professional",
    ]
    assert "Ask about rash_onset and travel in the past 14 days." in found["Assessment"]


def test_html_document_record(docs: dict[str, Document]) -> None:
    doc = docs["glimmerfield-imaging.html"]
    assert doc.id == "guideline:glimmerfield-imaging"
    assert doc.kind is SourceKind.GUIDELINE and doc.design is StudyDesign.PRACTICE_GUIDELINE
    assert doc.title == "Imaging in Glimmerfield syndrome"  # citation_title, not <title>
    assert (doc.publisher, doc.year) == ("Fictional Society of Neuroradiology", 2022)
    assert doc.url == "https://example.org/fsnr/glimmerfield-imaging"
    assert (doc.doi, doc.language) == ("10.5555/fsnr.2022.3", "eng")  # from <html lang="en-GB">
    assert doc.extra == {"file": "glimmerfield-imaging.html"}


def test_html_sections_lists_and_tables(docs: dict[str, Document]) -> None:
    found = _sentences(docs["glimmerfield-imaging.html"])
    assert found == {
        "": ["This guideline covers brain imaging for adults.", "It was updated in 2022."],
        "Recommendations > First presentation": [
            "Offer MRI within 2 weeks of a first presentation.",
            "1. Use contrast only if a lesion is found",
            "2. Report within 7 days.",
            "Flag urgent findings by phone",
        ],
        "Recommendations > Follow-up": [
            "Interval | Modality",
            "Yearly | MRI",
            "Loose text in a division is kept.",
            "With inline parts.",
        ],
    }


def test_html_page_furniture_is_dropped(docs: dict[str, Document]) -> None:
    text = docs["glimmerfield-imaging.html"].text
    for dropped in ("analytics", "font-family", "home", "About us", "Copyright", "editorial"):
        assert dropped not in text, dropped


def test_spans_are_valid(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        for passage in doc.passages:
            previous = 0
            assert passage.sentences
            for start, end in passage.sentences:
                assert previous <= start < end <= len(passage.text)
                chunk = passage.text[start:end]
                assert chunk == chunk.strip()
                previous = end


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing-year.md", "missing front matter field 'year'"),
        ("malformed-yaml.md", "malformed YAML front matter: mapping values are not allowed here"),
        ("empty.md", "empty file"),
        ("no-front-matter.md", "no YAML front matter"),
        ("unclosed-front-matter.md", "front matter is not closed by a '---' line"),
        ("no-organisation.html", "missing HTML metadata field 'organisation'"),
        ("metadata-only.md", "no guideline text besides the metadata"),
    ],
)
def test_broken_files_are_problems(fixtures: Path, name: str, reason: str) -> None:
    path = fixtures / "guidelines" / "broken" / name
    problem = _one(path)
    assert isinstance(problem, Problem)
    assert (problem.file, problem.record) == (str(path), "")
    assert problem.reason.startswith(reason)


def test_broken_folder_yields_only_problems(fixtures: Path) -> None:
    records = _records(fixtures / "guidelines" / "broken")
    assert len(records) == 7 and all(isinstance(r, Problem) for r in records)


@pytest.mark.parametrize("name", ["guideline.xml"])
def test_other_formats_raise(fixtures: Path, name: str) -> None:
    with pytest.raises(SourceFormatError, match=r"not a guideline file.*\.md.*\.html"):
        list(guidelines.read_file(fixtures / "guidelines" / "broken" / name))


def test_json_raises(tmp_path: Path) -> None:
    path = _write(tmp_path, "guideline.json", '{"title": "x"}')
    assert guidelines.files(path) == [path]
    with pytest.raises(SourceFormatError):
        list(guidelines.read_file(path))


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        (
            "title: T\norganisation: O\nyear: soon\n",
            "front matter field 'year' has no 4-digit year",
        ),
        ("title: T\norganisation: O\nyear: 23\n", "front matter field 'year' has no 4-digit year"),
        ("title: T\nyear: 2020\n", "missing front matter field 'organisation'"),
        ("organisation: O\nyear: 2020\n", "missing front matter field 'title'"),
        ("title: ''\norganisation: O\nyear: 2020\n", "missing front matter field 'title'"),
        ("title: [a, b]\norganisation: O\nyear: 2020\n", "front matter field 'title' must be text"),
        ("title: T\norganisation: O\nyear: 2020\nid: has spaces\n", "front matter field 'id'"),
        ("- just\n- a list\n", "front matter is not a YAML mapping"),
    ],
)
def test_invalid_front_matter(tmp_path: Path, front: str, reason: str) -> None:
    problem = _one(_write(tmp_path, "g.md", f"---\n{front}---\n\nSome text.\n"))
    assert isinstance(problem, Problem) and problem.reason.startswith(reason)


@pytest.mark.parametrize(
    ("year", "expected"),
    [("2023", 2023), ("'2019'", 2019), ("2021-06-15", 2021), ("'May 2020'", 2020)],
)
def test_year_forms(tmp_path: Path, year: str, expected: int) -> None:
    text = f"---\ntitle: T\norganisation: O\nyear: {year}\n---\nText.\n"
    assert _doc(_write(tmp_path, "g.md", text)).year == expected


def test_upper_case_keys_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "My Guideline (2nd ed.).MD"
    text = "---\nTitle: T\nOrganisation: O\nYear: 2020\nLanguage: fr\n---\nTexte.\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    doc = _doc(path)
    assert (doc.id, doc.title, doc.language) == ("guideline:my-guideline-2nd-ed", "T", "fre")


def test_not_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes((FRONT_MATTER + "Caf\xe9 advice.\n").encode("latin-1"))
    problem = _one(path)
    assert isinstance(problem, Problem) and problem.reason.startswith("not UTF-8 text")


def test_markdown_inline_markup(tmp_path: Path) -> None:
    body = (
        "Use **high-dose** _oral_ drugs, see [NICE](https://example.org/a_(b)) and <br> "
        "`code`, ![logo](logo.png)~~old~~ new[^1] &amp; more \\*literal\\* snake_case_name.\n"
    )
    doc = _doc(_write(tmp_path, "g.md", FRONT_MATTER + body))
    assert doc.text == (
        "Use high-dose oral drugs, see NICE and code, old new & more *literal* snake_case_name."
    )


def test_heading_levels_and_attributes(tmp_path: Path) -> None:
    body = (
        "# Part A\n## One {#one}\nText one.\n### Deep ###\nText deep.\n"
        "## Two\nText two.\n# Part B\nText b.\n#not-a-heading\n"
    )
    doc = _doc(_write(tmp_path, "g.md", FRONT_MATTER + body))
    assert [(p.heading, p.text) for p in doc.passages] == [
        ("Part A > One", "Text one."),
        ("Part A > One > Deep", "Text deep."),
        ("Part A > Two", "Text two."),
        ("Part B", "Text b. #not-a-heading"),
    ]


def test_long_section_is_cut_at_paragraphs(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {i} says the dose is {i} mg. " * 10 for i in range(8)]
    body = "## Dosing\n\n" + "\n\n".join(p.strip() for p in paragraphs) + "\n"
    doc = _doc(_write(tmp_path, "g.md", FRONT_MATTER + body))
    assert len(doc.passages) > 1
    assert all(p.heading == "Dosing" for p in doc.passages)
    assert all(len(p.text) <= guidelines.PASSAGE_CHARS for p in doc.passages)
    assert [q for p in doc.passages for q in p.text.split("\n\n")] == [
        p.strip() for p in paragraphs
    ]


def test_very_long_paragraph_is_cut_between_sentences(tmp_path: Path) -> None:
    sentences = [f"Sentence {i} explains one more step of the treatment plan." for i in range(90)]
    doc = _doc(_write(tmp_path, "g.md", FRONT_MATTER + "## Plan\n" + " ".join(sentences)))
    assert len(doc.passages) >= 3
    assert all(len(p.text) <= guidelines.PASSAGE_CHARS for p in doc.passages)
    assert [p.text[a:b] for p in doc.passages for a, b in p.sentences or ()] == sentences


def _html(head: str, body: str = "<p>Text.</p>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "field", "expected"),
    [
        ('<title>From title</title><meta name="dc.title" content="From DC">', "", "title",
         "From DC"),
        ("<title> From  title </title>", "", "title", "From title"),
        ("", "<h1>From h1</h1><p>Text.</p>", "title", "From h1"),
        ('<meta name="evimap:organisation" content="Org E">', "", "publisher", "Org E"),
        ('<meta name="citation_publisher" content="Org C"><meta name="dc.publisher" '
         'content="Org D">', "", "publisher", "Org C"),
        ('<meta name="dc.date" content="01/02/2018">', "", "year", 2018),
        ('<meta name="citation_url" content="https://example.org/u">', "", "url",
         "https://example.org/u"),
        ('<meta name="evimap:id" content="my-id">', "", "id", "guideline:my-id"),
        ('<meta name="dc.identifier" content="10.1/x">', "", "doi", "10.1/x"),
        ('<meta name="citation_language" content="de">', "", "language", "ger"),
    ],
)  # fmt: skip
def test_html_metadata_sources(
    tmp_path: Path, head: str, body: str, field: str, expected: object
) -> None:
    defaults = {
        "title": '<meta name="citation_title" content="T">',
        "publisher": '<meta name="dc.publisher" content="O">',
        "year": '<meta name="citation_date" content="2020">',
    }
    for name, tag in defaults.items():
        if name != field and not (name == "title" and field == "title"):
            head += tag
    text = _html(head, body or "<p>Text.</p>")
    doc = _doc(_write(tmp_path, "page.htm", text))
    assert getattr(doc, field) == expected


def test_html_missing_year_is_a_problem(tmp_path: Path) -> None:
    head = '<meta name="citation_title" content="T"><meta name="dc.publisher" content="O">'
    problem = _one(_write(tmp_path, "page.html", _html(head)))
    assert isinstance(problem, Problem)
    assert problem.reason == "missing HTML metadata field 'year'"


_HEAD = (
    '<meta name="citation_title" content="Caf\u00e9 advice">'
    '<meta name="dc.publisher" content="O"><meta name="dc.date" content="2020">'
)


def test_xhtml_with_an_xml_declaration(tmp_path: Path) -> None:
    declaration = '<?xml version="1.0" encoding="utf-8"?>\n'
    text = declaration + _html(_HEAD, "<p>Drink caf\u00e9 au lait.</p>")
    doc = _doc(_write(tmp_path, "page.xhtml.html", text))
    assert (doc.title, doc.text) == ("Caf\u00e9 advice", "Drink caf\u00e9 au lait.")


def test_html_in_a_declared_legacy_charset(tmp_path: Path) -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' + _HEAD
    path = tmp_path / "legacy.html"
    path.write_bytes(_html(head, "<p>Caf\u00e9 \u2013 tea.</p>").encode("cp1252"))
    assert _doc(path).text == "Caf\u00e9 \u2013 tea."


def test_html_without_text_is_a_problem(tmp_path: Path) -> None:
    problem = _one(_write(tmp_path, "page.html", _html(_HEAD, "<nav>Menu</nav><script>x</script>")))
    assert isinstance(problem, Problem)
    assert problem.reason == "no guideline text besides the metadata"


# --- USPSTF recommendations (JSON) ---------------------------------------------------------


@pytest.fixture(scope="module")
def uspstf(fixtures: Path) -> list:
    return list(guidelines.read_file(fixtures / "guidelines" / "uspstf" / "recommendations.json"))


def _by_id(records: list) -> dict[str, Document]:
    return {r.id: r for r in records if isinstance(r, Document)}


def test_uspstf_folder_lists_json_files(fixtures: Path) -> None:
    folder = fixtures / "guidelines" / "uspstf"
    assert [p.name for p in guidelines.files(folder)] == [
        "prevention-api.json",
        "recommendations.json",
    ]


def test_uspstf_recommendation_is_a_graded_guideline(uspstf: list) -> None:
    doc = _by_id(uspstf)["guideline:uspstf-1"]
    assert doc.kind is SourceKind.GUIDELINE and doc.collection == "guideline"
    assert doc.design is StudyDesign.PRACTICE_GUIDELINE and doc.level == GUIDELINE_LEVEL
    assert doc.title == "Glimmerfield Syndrome: Screening -- Adults aged 40 to 75 years"
    assert doc.publisher == "U.S. Preventive Services Task Force"
    assert doc.grade == "B" and doc.extra["grade_scheme"] == "uspstf"
    assert (doc.year, doc.url, doc.language) == (None, "", "eng")  # not in this file
    assert doc.extra == {
        "uspstf_id": "USPSTF_1",
        "grade_scheme": "uspstf",
        "sex": "men and women",
        "age_min": "40",
        "age_max": "75",
        "population": "Adults aged 40 to 75 years",
        "file": "recommendations.json",
    }
    assert [p.heading for p in doc.passages] == [
        "Recommendation",
        "Population",
        "Risk assessment",
        "Frequency of service",
    ]


def test_uspstf_text_run_together_gets_its_spaces_back(uspstf: list) -> None:
    doc = _by_id(uspstf)["guideline:uspstf-1"]
    recommendation, population, risk, frequency = (p.text for p in doc.passages)
    assert recommendation.endswith("aged 40 to 75 years. See the Practice Considerations section "
                                   "for suitable tests.")  # fmt: skip
    assert population == "Adults aged 40 to 75 years."
    assert doc.passages[1].sentences == ()  # a noun phrase: searchable, never quoted
    assert risk == "Age is the main risk factor. Shimmer fever in childhood doubles the risk."
    assert frequency == (
        "Screen every 3 years; options include: 1. Retinal glimmer test 2. Quorvane blood test"
    )


def test_uspstf_empty_fields_are_left_out(uspstf: list) -> None:
    docs = _by_id(uspstf)
    against = docs["guideline:uspstf-2"]
    assert against.grade == "D"
    assert [p.heading for p in against.passages] == ["Recommendation", "Population"]
    assert against.extra["risk_name"] == "Family history" and against.extra["age_max"] == "100"
    assert docs["guideline:uspstf-3"].grade == "I"
    assert docs["guideline:uspstf-3"].extra["age_min"] == "0"  # a real age, not a missing one
    counseling = docs["guideline:uspstf-9"]
    assert counseling.grade == "C"  # "Grade C"
    assert (counseling.year, counseling.url) == (
        2021,
        "https://example.org/uspstf/glimmerfield-counseling",
    )


def test_uspstf_unreadable_recommendations_are_problems_and_the_file_goes_on(
    fixtures: Path, uspstf: list
) -> None:
    path = str(fixtures / "guidelines" / "uspstf" / "recommendations.json")
    problems = {r.record: r.reason for r in uspstf if isinstance(r, Problem)}
    assert {r.file for r in uspstf if isinstance(r, Problem)} == {path}
    assert problems == {
        "USPSTF_4": "unknown grade 'E': expected one of A, B, C, D, I",
        "USPSTF_5": "no 'title'",
        "USPSTF_6": "no recommendation text ('recommendation' or 'text')",
        "USPSTF_7": "field 'url' must be an http:// or https:// address, got 'javascript:alert(1)'",
        "#8": "a recommendation is not a JSON object",
    }
    assert len(_by_id(uspstf)) == 4


def test_uspstf_prevention_taskforce_api_names(fixtures: Path) -> None:
    records = list(guidelines.read_file(fixtures / "guidelines" / "uspstf" / "prevention-api.json"))
    (doc,) = records
    assert isinstance(doc, Document)
    assert doc.id == "guideline:uspstf-37" and doc.grade == "A" and doc.year == 2022
    assert [p.text for p in doc.passages][2:] == ["Age is the main risk factor.", "Every 3 years."]
    assert (doc.extra["sex"], doc.extra["age_min"], doc.extra["age_max"]) == (
        "men and women",
        "40",
        "75",
    )
    assert doc.extra["risk_name"] == "Age"


def test_uspstf_malformed_json_is_a_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "uspstf.json", '[{"id": "USPSTF_1", "title": ')
    (problem,) = guidelines.read_file(path)
    assert isinstance(problem, Problem) and problem.reason.startswith("malformed JSON")


def test_uspstf_grades_mean_something_to_patients_and_clinicians() -> None:
    from evimap.grades import grade_meaning, guideline_grades

    assert set(guideline_grades()["uspstf"]) == set(guidelines.USPSTF_GRADES)
    b = grade_meaning("B")
    assert b is not None and b.name == "Grade B" and b.stance == "recommended"
    assert b.clinicians == "Offer or provide this service."
    assert b.publisher == guidelines.USPSTF
    d = grade_meaning("d", "USPSTF")
    assert d is not None and d.stance == "against"
    assert d.definition.startswith("The USPSTF recommends against the service.")
    assert grade_meaning("I").name == "I statement"  # type: ignore[union-attr]
    assert grade_meaning("") is None and grade_meaning("B", "grade") is None


def test_uspstf_grade_is_kept_in_the_library(fixtures: Path, tmp_path: Path) -> None:
    from evimap import Library, ingest

    with Library(tmp_path / "lib", create=True) as lib:
        report = ingest(lib, "guidelines", [fixtures / "guidelines" / "uspstf"], workers=0)
        assert (report.added, report.failed) == (5, 5)
        assert lib.get("guideline:uspstf-2").grade == "D"
        assert lib.stats().by_grade == {"A": 1, "B": 1, "C": 1, "D": 1, "I": 1}
        again = ingest(lib, "guidelines", [fixtures / "guidelines" / "uspstf"], workers=0)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 5)


def test_real_uspstf_recommendations(shared_data: Path) -> None:
    path = shared_data / "uspstf" / "uspstf_recommendations.json"
    records = list(guidelines.read_file(path))
    docs = _by_id(records)
    assert len(records) == len(docs) == 142
    grades: dict[str, int] = {}
    for doc in docs.values():
        grades[doc.grade] = grades.get(doc.grade, 0) + 1
    assert grades == {"A": 14, "B": 40, "C": 8, "D": 22, "I": 58}
    cervical = docs["guideline:uspstf-1"]
    assert cervical.title == "Cervical Cancer: Screening -- Women aged 21 to 65 years"
    assert (cervical.grade, cervical.extra["sex"], cervical.extra["age_min"]) == (
        "A",
        "female",
        "21",
    )
    assert "(cotesting). See the Clinical Considerations" in cervical.passages[0].text
    assert all(d.publisher == guidelines.USPSTF and d.passages for d in docs.values())


# --- the demo's osteoporosis question, on the real recommendations --------------------------


@pytest.fixture(scope="module")
def uspstf_and_scifact(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of the 142 USPSTF recommendations and SciFact's 5,183 abstracts."""
    from evimap import Library, ingest

    corpus = shared_data / "scifact" / "corpus.jsonl"
    if not corpus.exists():
        pytest.skip(f"no SciFact corpus at {corpus}")
    path = tmp_path_factory.mktemp("uspstf-scifact") / "lib"
    with Library(path, create=True) as library:
        ingest(library, "guidelines", [shared_data / "uspstf" / "uspstf_recommendations.json"])
        ingest(library, "beir", [corpus], workers=0)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["patient", "caregiver", "clinician"])
def test_osteoporosis_prevention_shows_graded_uspstf_statements(
    uspstf_and_scifact: Path, audience: str
) -> None:
    from evimap import ask

    answer = ask(
        "How can osteoporosis be prevented?", audience=audience, library=uspstf_and_scifact
    )
    kinds = [section.kind for section in answer.sections]
    assert "guideline" in kinds, kinds
    cited = {n for s in answer.sections[kinds.index("guideline")].statements for n in s.citations}
    graded = [r for r in answer.references if r.number in cited]
    assert graded and all(
        r.publisher == guidelines.USPSTF and r.grade.startswith(("Grade", "I statement"))
        for r in graded
    ), graded
    assert all(r.grade_meaning for r in graded)
    if audience == "clinician":  # graded guidelines above research
        assert kinds.index("guideline") < kinds.index("research"), kinds
        lead = {n for s in answer.short_answer for n in s.citations}
        assert {r.kind for r in answer.references if r.number in lead} == {"guideline"}
    for ref in answer.references:  # SciFact has no journal: say where the abstract is from
        if ref.kind == "research" and not ref.publisher:
            assert "SciFact" in render_reference(ref), ref


def render_reference(ref) -> str:
    from evimap.render import reference_line

    return reference_line(ref, clinician=True)
