"""The NCI Dictionary of Cancer Terms adapter: fictional entries, then the shared file."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from evimap import Library, ingest
from evimap.errors import SourceFormatError
from evimap.evidence import Document, Problem, SourceKind
from evimap.sources import adapter, nci_dictionary

FOLDER = Path(__file__).parent / "fixtures" / "nci_dictionary"
FILE = FOLDER / "nci_dictionary.json"


@pytest.fixture(scope="module")
def records() -> list:
    return list(nci_dictionary.read_file(FILE))


def documents(records: list) -> dict[str, Document]:
    return {r.id: r for r in records if isinstance(r, Document)}


def test_it_is_a_registered_source() -> None:
    assert adapter("nci-dictionary") is nci_dictionary


def test_files_finds_the_dictionary_only(tmp_path: Path) -> None:
    (tmp_path / "cdc_plain_language_thesaurus.json").write_text("[]")
    shutil.copy(FILE, tmp_path / "nci_dictionary.json")
    assert nci_dictionary.files(tmp_path) == [tmp_path / "nci_dictionary.json"]
    assert nci_dictionary.files(FILE) == [FILE]


def test_an_entry_is_a_cited_reference_document(records: list) -> None:
    doc = documents(records)["nci-dictionary:quorvane-syndrome"]
    assert doc.kind is SourceKind.REFERENCE
    assert doc.collection == "nci-dictionary"
    assert doc.title == "NCI Dictionary of Cancer Terms: quorvane syndrome"
    assert doc.publisher == "National Cancer Institute"
    assert doc.url == (
        "https://www.cancer.gov/publications/dictionaries/cancer-terms/def/quorvane-syndrome"
    )
    assert doc.passages[0].text.startswith("A fictional condition in which the nerves")
    assert doc.passages[0].heading == "quorvane syndrome"
    assert doc.extra["term"] == "quorvane syndrome"
    assert doc.extra["also_called"] == "Quorvane disease or QVS"
    assert "credit NCI" in doc.extra["license"]


def test_terms_are_named_as_cancer_gov_names_their_pages(records: list) -> None:
    doc = documents(records)["nci-dictionary:blemwort-pyrexia"]
    assert doc.extra["term"] == "Blémwort pyrexia"  # spaces collapsed, accents kept
    assert doc.passages[0].text == "A made-up fever that comes with a rash."
    assert nci_dictionary.slug("Sjögren syndrome") == "sjogren-syndrome"
    assert nci_dictionary.term_id("BCR::ABL1 fusion gene") == "nci-dictionary:bcr-abl1-fusion-gene"


def test_two_spellings_of_one_page_both_stay(records: list) -> None:
    genes = [d for d in documents(records).values() if "abl9" in d.id]
    assert [d.extra["term"] for d in genes] == ["BCR-ABL9 fusion gene", "BCR::ABL9 fusion gene"]
    assert genes[0].id == "nci-dictionary:bcr-abl9-fusion-gene"
    assert genes[1].id.startswith("nci-dictionary:bcr-abl9-fusion-gene-")
    assert genes[0].url == genes[1].url


def test_bad_entries_are_problems_and_reading_goes_on(records: list) -> None:
    problems = [r for r in records if isinstance(r, Problem)]
    assert [p.record for p in problems] == ["entry 7", "entry 8", "entry 9", "entry 10"]
    assert "no term" in problems[0].reason
    assert "no definition" in problems[1].reason
    assert len(documents(records)) == 6


def test_another_file_is_refused() -> None:
    with pytest.raises(SourceFormatError):
        list(nci_dictionary.read_file(FOLDER / "not_a_dictionary.json"))


def test_a_gzipped_file_reads_the_same(tmp_path: Path, records: list) -> None:
    packed = tmp_path / "nci_dictionary.json.gz"
    packed.write_bytes(gzip.compress(FILE.read_bytes()))
    assert list(nci_dictionary.read_file(packed)) == [
        r if isinstance(r, Document) else Problem(str(packed), r.record, r.reason) for r in records
    ]


def test_ingest_twice_changes_nothing(tmp_path: Path) -> None:
    with Library(tmp_path / "lib", create=True) as library:
        first = ingest(library, "nci-dictionary", [FOLDER], workers=0)
        again = ingest(library, "nci-dictionary", [FOLDER], workers=0)
        hits = library.search("nerves of the hands swell", k=1, collection=["nci-dictionary"])
    assert (first.added, first.failed) == (6, 4)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert hits[0].document.id == "nci-dictionary:quorvane-syndrome"


def test_the_shared_dictionary(shared_data: Path) -> None:
    path = shared_data / "plain-language" / "nci_dictionary.json"
    if not path.exists():
        pytest.skip(f"the NCI dictionary is not at {path}")
    found = list(nci_dictionary.read_file(path))
    docs = documents(found)
    assert len(found) == len(docs) == 9416  # every entry read, none a problem
    osteoporosis = docs["nci-dictionary:osteoporosis"]
    assert osteoporosis.passages[0].text.startswith("A condition in which there is a decrease")
    assert osteoporosis.url.endswith("/cancer-terms/def/osteoporosis")
