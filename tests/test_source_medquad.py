"""MedQuAD adapter: three schema variants, passages, problems, and the real collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Problem, SourceKind
from evimap.sources import medquad


def _records(path: Path) -> list:
    return [r for f in medquad.files(path) for r in medquad.read_file(f)]


def _docs(path: Path) -> dict[str, Document]:
    return {r.id: r for r in _records(path) if isinstance(r, Document)}


@pytest.fixture(scope="module")
def collection(fixtures: Path) -> Path:
    return fixtures / "medquad" / "collection"


@pytest.fixture(scope="module")
def docs(collection: Path) -> dict[str, Document]:
    return _docs(collection)


def test_files_walks_subsets_in_sorted_order(collection: Path) -> None:
    found = medquad.files(collection)
    assert [f"{p.parent.name}/{p.name}" for p in found] == [
        "10_Fictional_ADAM_QA/0000001.xml",
        "2_Fictional_GARD_QA/0000001.xml",
        "6_Fictional_NINDS_QA/0000007.xml",
        "8_Fictional_NHLBI_QA/0000002.xml",
        "9_Fictional_CDC_QA/0000397.xml",
    ]
    one = collection / "9_Fictional_CDC_QA" / "0000397.xml"
    assert medquad.files(one) == [one]
    assert medquad.files(collection / "9_Fictional_CDC_QA") == [one]


def test_document_variant_fields(docs: dict[str, Document]) -> None:
    doc = docs["medquad:GARD_0000001_1"]
    assert doc.kind is SourceKind.REFERENCE
    assert doc.collection == "medquad"
    assert doc.title == "What are the symptoms of Glimmerfield syndrome?"
    assert doc.publisher == "Genetic and Rare Diseases Information Center (NIH)"
    assert doc.url == "https://example.org/gard/0001/glimmerfield-syndrome"
    assert doc.year is None and doc.language == "eng"
    q = doc.question
    assert q is not None
    assert (q.text, q.qtype, q.focus) == (doc.title, "symptoms", "Glimmerfield syndrome")
    assert q.synonyms == ("Glimmerfield disease", "Shimmering eyelid syndrome")
    assert q.cuis == ("C9990001", "C9990002")
    assert q.semantic_types == ("T047",)
    assert doc.extra == {
        "subset": "2_Fictional_GARD_QA",
        "qid": "0000001-1",
        "semantic_group": "Disorders",
    }


def test_ids_use_position_not_pid(docs: dict[str, Document]) -> None:
    gard = sorted(i for i in docs if i.startswith("medquad:GARD_"))
    # pids 1, 3, 4 (no question -> Problem), 7 are positions 1..4
    assert gard == ["medquad:GARD_0000001_1", "medquad:GARD_0000001_2", "medquad:GARD_0000001_4"]
    assert docs["medquad:GARD_0000001_4"].extra["qid"] == "0000001-7"


def test_question_normalisation() -> None:
    assert medquad.normalize_question("What is (are) X ?") == "What is (are) X?"
    assert medquad.normalize_question("Who is at risk for X? ?") == "Who is at risk for X?"
    assert medquad.normalize_question(" what  is\n x ?") == "what is x?"


def test_pair_without_question_is_a_problem(collection: Path) -> None:
    problems = [r for r in _records(collection) if isinstance(r, Problem)]
    assert len(problems) == 1
    assert problems[0].record == "medquad:GARD_0000001_3"
    assert problems[0].file.endswith("0000001.xml")
    assert "no question" in problems[0].reason


def test_empty_answers_keep_question_but_no_passage(docs: dict[str, Document]) -> None:
    for doc_id in ("medquad:GARD_0000001_2", "medquad:ADAM_0000001_1", "medquad:ADAM_0000001_2"):
        assert docs[doc_id].passages == ()
        assert docs[doc_id].question is not None and docs[doc_id].question.focus
    adam = docs["medquad:ADAM_0000001_2"]
    assert adam.title == "What causes Brindlewort rash?"
    assert adam.extra["category"] == "Disease"
    assert adam.publisher.startswith("A.D.A.M.")


def test_single_paragraph_answer_is_one_normalised_passage(docs: dict[str, Document]) -> None:
    (passage,) = docs["medquad:GARD_0000001_1"].passages
    assert "  " not in passage.text and passage.heading == ""
    assert passage.text.startswith("What are the signs and symptoms of Glimmerfield syndrome? ")
    sentences = [passage.text[a:b] for a, b in passage.sentences or ()]
    assert sentences[-1] == "They usually fade by the age of 40."
    assert len(sentences) == 4


def test_paragraphs_headings_and_lists(docs: dict[str, Document]) -> None:
    passages = docs["medquad:NHLBI_0000002_1"].passages
    assert [p.heading for p in passages] == ["", "Overview", "Outlook"]
    assert passages[0].text == (
        "Quorvane fever is a fictional illness invented for software tests. "
        "It makes the skin feel warm for one afternoon."
    )
    # a run of three short lines is a list kept in the text, not a chain of headings
    assert passages[2].text.endswith(
        "Common signs include Warm skin A humming sound Mild thirst More on: Quorvane fever"
    )
    sentences = [passages[2].text[a:b] for a, b in passages[2].sentences or ()]
    assert sentences[:3] == [
        "Most people recover by the evening.",
        "They need no treatment.",
        "Common signs include",
    ]


def test_disease_file_variant(docs: dict[str, Document]) -> None:
    doc = docs["medquad:CDC_0000397_2"]
    assert doc.title == "How to prevent Parasites - Zentworm?"
    assert doc.publisher == "Centers for Disease Control and Prevention"
    assert doc.question is not None and doc.question.cuis == ()
    assert doc.question.focus == "Parasites - Zentworm"
    assert doc.extra == {"subset": "9_Fictional_CDC_QA", "qid": "0000397-5"}
    first = docs["medquad:CDC_0000397_1"].passages
    assert len(first) == 1 and first[0].text.endswith("should still wash their hands.")


def test_lowercase_doc_variant(docs: dict[str, Document]) -> None:
    doc = docs["medquad:NINDS_0000007_1"]
    assert doc.title == "what is velloway tremor?"
    assert doc.publisher == "National Institute of Neurological Disorders and Stroke"
    assert doc.question is not None
    assert (doc.question.focus, doc.question.qtype) == ("Velloway tremor", "information")
    assert doc.passages[0].text == (
        "Velloway tremor is a fictional shaking of the left little finger. "
        "It appears only on Tuesdays."
    )


def test_file_name_not_id_attribute_identifies_document(tmp_path: Path, collection: Path) -> None:
    source = (collection / "9_Fictional_CDC_QA" / "0000397.xml").read_bytes()
    subset = tmp_path / "1_Copies_QA"
    subset.mkdir()
    (subset / "0000001_1.xml").write_bytes(source)
    (subset / "0000001_2.xml").write_bytes(source.replace(b'source="CDC"', b'source="Quorvane"'))
    docs = _docs(subset)
    assert sorted(docs) == [
        "medquad:CDC_0000001_1_1",
        "medquad:CDC_0000001_1_2",
        "medquad:Quorvane_0000001_2_1",
        "medquad:Quorvane_0000001_2_2",
    ]
    assert docs["medquad:Quorvane_0000001_2_1"].publisher == "Quorvane"  # unknown: as given


def test_gzipped_file(tmp_path: Path, collection: Path) -> None:
    import gzip

    source = collection / "6_Fictional_NINDS_QA" / "0000007.xml"
    target = tmp_path / "0000007.xml.gz"
    target.write_bytes(gzip.compress(source.read_bytes()))
    assert medquad.files(tmp_path) == [target]
    assert [d.id for d in medquad.read_file(target)] == [
        "medquad:NINDS_0000007_1",
        "medquad:NINDS_0000007_2",
    ]


@pytest.mark.parametrize("name", ["malformed.xml", "empty.xml"])
def test_unreadable_file_is_one_problem(fixtures: Path, name: str) -> None:
    path = fixtures / "medquad" / "broken" / name
    (problem,) = list(medquad.read_file(path))
    assert isinstance(problem, Problem)
    assert (problem.file, problem.record) == (str(path), "")
    assert "unreadable" in problem.reason


def test_wrong_format_raises(fixtures: Path) -> None:
    path = fixtures / "medquad" / "broken" / "wrong_format.xml"
    with pytest.raises(SourceFormatError, match=r"wrong_format\.xml.*<PubmedArticleSet>"):
        list(medquad.read_file(path))


def test_publishers_cover_every_real_source_attribute() -> None:
    for source in (
        "ADAM",
        "CDC",
        "CancerGov",
        "GARD",
        "GHR",
        "MPlusDrugs",
        "MPlusHealthTopics",
        "MPlusHerbsSupplements",
        "NHLBI",
        "NIDDK",
        "NIHSeniorHealth",
        "NINDS",
    ):
        assert medquad.publisher(source) != source
    assert medquad.publisher("GHR") == "Genetics Home Reference (NLM)"


# ---------------------------------------------------------------- the real collection

EXPECTED_PAIRS = {  # shared/data/medquad/README.md, plus the 16 lowercase pairs in NINDS
    "1_CancerGov_QA": (729, 729),
    "2_GARD_QA": (5394, 5389),
    "3_GHR_QA": (5430, 5430),
    "4_MPlus_Health_Topics_QA": (981, 981),
    "5_NIDDK_QA": (1192, 1192),
    "6_NINDS_QA": (1104, 1104),
    "7_SeniorHealth_QA": (769, 769),
    "8_NHLBI_QA_XML": (559, 559),
    "9_CDC_QA": (270, 270),
    "10_MPlus_ADAM_QA": (17348, 0),
    "11_MPlusDrugs_QA": (12889, 0),
    "12_MPlusHerbsSupplements_QA": (792, 0),
}


@pytest.mark.shared_data
def test_real_sample_files(shared_data: Path) -> None:
    root = shared_data / "medquad"
    doc = _docs(root / "2_GARD_QA" / "0000004.xml")["medquad:GARD_0000004_1"]
    assert doc.question is not None
    assert (doc.question.focus, doc.question.qtype) == ("ABCD syndrome", "symptoms")
    assert doc.title == "What are the symptoms of ABCD syndrome?"
    assert doc.question.cuis == ("C1838099",)
    lower = _docs(root / "6_NINDS_QA" / "0000007.xml")
    assert len(lower) == 4 and lower["medquad:NINDS_0000007_1"].question.focus == "Holmes-Adie"
    cdc = _docs(root / "9_CDC_QA" / "0000397.xml")
    assert len(cdc) == 5 and all(d.passages for d in cdc.values())


@pytest.mark.shared_data
def test_real_not_medquad_file_raises(shared_data: Path) -> None:
    path = shared_data / "pubmed-xml" / "efetch-single-article" / "biopython_pubmed1.xml"
    with pytest.raises(SourceFormatError, match="PubmedArticleSet"):
        list(medquad.read_file(path))


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_collection_counts(shared_data: Path) -> None:
    root = shared_data / "medquad"
    paths = medquad.files(root)
    records = [r for f in paths for r in medquad.read_file(f)]
    assert len(paths) == 11_274
    assert not [r for r in records if not isinstance(r, Document)]
    pairs, answered = Counter(), Counter()
    for doc in records:
        pairs[doc.extra["subset"]] += 1
        answered[doc.extra["subset"]] += bool(doc.passages)
    assert {s: (pairs[s], answered[s]) for s in pairs} == EXPECTED_PAIRS
    assert len(records) == 47_457 and sum(answered.values()) == 16_407 + 16
    assert len({d.id for d in records}) == len(records)
    assert "medquad:GARD_0000004_1" in {d.id for d in records}
