"""The answer model: one status line, and references that say their own label and link."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from evimap.answer import Reference, pending_line

TRIAL = Reference(
    number=1,
    doc_id="pubmed:123",
    kind="research",
    title="Heat and flares: a randomized trial",
    publisher="Journal of Fictional Neurology",
    year=2022,
    design="rct",
    url="https://example.org/trial",
    pmid="123",
    sections=("Results",),
)


def test_the_status_line_is_spelled_once():
    assert pending_line(1) == "AI-drafted from 1 source · pending human review"
    assert pending_line(3) == "AI-drafted from 3 sources · pending human review"
    assert pending_line(None) == "AI-drafted · pending human review"
    assert pending_line(0) == pending_line(None)  # never "from 0 sources"


def test_a_design_label_reads_as_words_and_says_nothing_of_other_designs():
    assert TRIAL.design_label == "rct"
    assert Reference(**{**asdict(TRIAL), "design": "case_report"}).design_label == "case report"
    assert Reference(**{**asdict(TRIAL), "design": "other"}).design_label == ""


def test_a_reference_links_to_pubmed_then_doi_then_its_address():
    assert TRIAL.link == ("https://pubmed.ncbi.nlm.nih.gov/123/", "PMID 123")
    by_doi = Reference(**{**asdict(TRIAL), "pmid": "", "doi": "10.1/x"})
    assert by_doi.link == ("https://doi.org/10.1/x", "doi:10.1/x")
    plain = Reference(**{**asdict(TRIAL), "pmid": ""})
    assert plain.link == ("https://example.org/trial", "https://example.org/trial")


def test_a_reference_reads_back_from_the_json_a_page_stores():
    stored = {**asdict(TRIAL), "sections": ["Results"], "kind_label": "Research", "newer": 1}
    assert Reference.from_dict(stored) == TRIAL
    old = {k: v for k, v in asdict(TRIAL).items() if k not in ("url", "design", "grade")}
    assert Reference.from_dict(old).url == "" and Reference.from_dict(old).grade == ""


def test_an_answer_stored_by_an_older_evimap_reads_back_with_defaults():
    from evimap import Answer, Audience

    stored = {
        "question": "Why?",
        "audience": "clinician",
        "short_answer": [{"text": "Because.", "citations": [1]}],  # no support, no extractive
        "sections": [{"kind": "research", "title": "From the Research", "themes": []}],
        "references": [{k: v for k, v in asdict(TRIAL).items() if k not in ("url", "design")}],
        "status_line": "forged",  # what to_dict adds is never read back
    }
    answer = Answer.from_dict(stored)
    assert answer.audience is Audience.CLINICIAN and answer.qtype == "" and answer.focus == ()
    (said,) = answer.short_answer
    assert (said.citations, said.support, said.extractive) == ((1,), (), True)
    assert answer.sections[0].statements == () and answer.definitions == ()
    assert answer.references[0].design == "" and answer.references[0].url == ""
    assert answer.status_line == pending_line(1) and not answer.abstained


def test_an_abstained_answer_says_so_in_its_status_line():
    from evimap import Answer

    answer = Answer.from_dict({"question": "Why?", "audience": "patient", "abstained": True})
    assert answer.status_line.startswith("No answer drafted")


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("guideline", "Guideline"),
        ("research", "Research"),
        ("reference", "Reference"),
        ("", "Reference"),
    ],
)
def test_a_reference_names_its_kind_for_readers(kind, label):
    assert Reference(**{**asdict(TRIAL), "kind": kind}).kind_label == label


def test_an_audience_is_read_in_any_case_and_an_unknown_one_is_refused_by_name():
    from evimap import AudienceError
    from evimap.answer import Audience

    assert Audience.parse(" Caregiver ") is Audience.CAREGIVER
    assert Audience.PATIENT.lay and not Audience.CLINICIAN.lay
    with pytest.raises(AudienceError, match="unknown audience 'astronaut'; choose one of: patient"):
        Audience.parse("astronaut")
