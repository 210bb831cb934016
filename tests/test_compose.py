"""Composition: selected source sentences become a cited, grounded answer for one reader."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from evimap.answer import Audience, Notice
from evimap.compose import candidates, compose, evidence_summary, select, theme_of
from evimap.evidence import Document, Passage, SourceKind, SourceQuestion, StudyDesign
from evimap.grounding import check_answer
from evimap.query import query_of
from evimap.store import prepare
from evimap.text import split_sentences


def doc(doc_id, kind, title, text, **extra) -> Document:
    made = Document(
        id=doc_id,
        kind=kind,
        collection="test",
        title=title,
        passages=(Passage(text, sentences=split_sentences(text)),),
        **extra,
    )
    assert prepare(made)  # a storable document
    return made


AGENCY = doc(
    "t:agency",
    SourceKind.REFERENCE,
    "What causes Glimmerfield syndrome?",
    "Glimmerfield syndrome flares are often triggered by heat, such as a hot bath or fever. "
    "This effect passes once the body cools down. "
    "Stress and infections can also trigger Glimmerfield syndrome flares in many people. "
    "The syndrome was first described by a fictional doctor in a fictional town.",
    question=SourceQuestion(
        "What causes Glimmerfield syndrome?", qtype="causes", focus="Glimmerfield syndrome"
    ),
)
GUIDELINE = doc(
    "t:guideline",
    SourceKind.GUIDELINE,
    "Management of Glimmerfield syndrome flares",
    "Clinicians should ask about recent infection when a Glimmerfield syndrome flare starts. "
    "Heat-related worsening of Glimmerfield syndrome should not be treated as a new flare.",
    year=2023,
    publisher="Fictional Society of Neurology",
    design=StudyDesign.PRACTICE_GUIDELINE,
)
TRIAL = doc(
    "t:trial",
    SourceKind.RESEARCH,
    "Infection and flares in Glimmerfield syndrome",
    "In 412 patients, upper respiratory infections raised the flare rate of Glimmerfield "
    "syndrome (hazard ratio 2.1, 95% CI 1.5-2.9, p < 0.001). "
    "Glimmerfield syndrome flares were twice as common in the month after an infection.",
    year=2021,
    publisher="Journal of Fictional Neurology",
    design=StudyDesign.RCT,
)
UNRELATED = doc(
    "t:other",
    SourceKind.REFERENCE,
    "What is Quorvane fever?",
    "Quorvane fever is a fictional infection that causes a rash and a high temperature.",
)
RETRIEVED = [SimpleNamespace(document=d) for d in (AGENCY, GUIDELINE, TRIAL, UNRELATED)]
DOCS = {d.id: d for d in (AGENCY, GUIDELINE, TRIAL, UNRELATED)}


def focus_analysis(name="Glimmerfield syndrome", qtype="cause", expansions=("relapse",)):
    concept = SimpleNamespace(name=name, synonyms=())
    return SimpleNamespace(focus=(concept,), qtype=qtype, expansions=expansions)


QUESTION = "What causes Glimmerfield syndrome flares?"


def answer_for(audience: Audience, question=QUESTION, analysis=None, **kwargs):
    query = query_of(question, analysis or focus_analysis())
    return compose(question, query, RETRIEVED, audience, **kwargs)


@pytest.mark.parametrize("audience", list(Audience))
def test_every_statement_is_grounded_and_every_citation_resolves(audience):
    answer = answer_for(audience)
    verdict = check_answer(answer, DOCS)
    assert verdict.ok, verdict.failures
    assert not answer.abstained and 1 <= len(answer.short_answer) <= 3
    assert verdict.statements == len(answer.statements) >= 3


def test_statements_are_the_source_sentences_themselves():
    answer = answer_for(Audience.PATIENT)
    for statement in answer.statements:
        source = " ".join(ref.text for ref in statement.support)
        assert statement.text == source


def test_a_sentence_starting_with_this_keeps_its_antecedent():
    query = query_of("Does the heat effect on Glimmerfield syndrome pass?", focus_analysis())
    found = {c.ref.text: c for c in candidates(query, RETRIEVED, Audience.PATIENT)}
    kept = found["This effect passes once the body cools down."]
    assert kept.antecedent is not None and kept.antecedent.text.startswith("Glimmerfield")


def test_patients_get_agency_pages_first_and_no_statistics():
    answer = answer_for(Audience.PATIENT)
    kinds = [s.kind for s in answer.sections]
    assert kinds == sorted(kinds, key=["reference", "guideline", "research"].index)
    assert answer.short_answer[0].support[0].doc_id == "t:agency"
    assert not any("hazard ratio" in s.text for s in answer.short_answer)


def test_clinicians_get_guidelines_first_and_study_details():
    answer = answer_for(Audience.CLINICIAN)
    kinds = [s.kind for s in answer.sections]
    assert answer.short_answer[0].support[0].doc_id == "t:guideline"
    assert kinds == sorted(kinds, key=["guideline", "research", "reference"].index)
    trial = next(r for r in answer.references if r.doc_id == "t:trial")
    assert (trial.design, trial.size, trial.year) == ("randomized controlled trial", 412, 2021)


def test_references_are_numbered_in_order_of_first_use():
    answer = answer_for(Audience.CLINICIAN)
    first_use = []
    for statement in answer.statements:
        first_use += [n for n in statement.citations if n not in first_use]
    assert (
        first_use
        == [r.number for r in answer.references]
        == list(range(1, len(answer.references) + 1))
    )


def test_unrelated_documents_are_not_cited():
    answer = answer_for(Audience.PATIENT)
    assert "t:other" not in {r.doc_id for r in answer.references}


def test_a_question_nothing_answers_abstains_and_says_so():
    question = "Can Glimmerfield syndrome be passed on through blood transfusion?"
    answer = answer_for(
        Audience.PATIENT,
        question=question,
        analysis=focus_analysis(qtype="transmission", expansions=()),
    )
    assert answer.abstained and answer.statements == () and answer.references == ()
    assert "could not find trusted sources about glimmerfield syndrome" in (
        answer.notices[-1].text.lower()
    )


def test_notices_come_first():
    emergency = Notice("emergency", "Call emergency services now.")
    answer = answer_for(Audience.PATIENT, notices=[emergency])
    assert answer.notices[0] == emergency


def test_definitions_for_lay_readers_come_from_a_cited_source():
    definition = candidates(
        query_of("What is Quorvane fever?", focus_analysis("quorvane fever", "definition", ())),
        [SimpleNamespace(document=UNRELATED)],
        Audience.PATIENT,
    )[0]
    answer = answer_for(Audience.PATIENT, define=lambda term: definition)
    assert [d.term for d in answer.definitions] == ["glimmerfield syndrome"]
    assert check_answer(answer, DOCS).ok
    assert answer_for(Audience.CLINICIAN, define=lambda term: definition).definitions == ()


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("Heat can trigger a flare.", "Triggers"),
        ("The gene is inherited from a parent.", "Genetic factors"),
        ("Smoking is linked to a higher risk.", "Risk factors"),
        ("The exact cause is not known.", "Causes"),
    ],
)
def test_themes_follow_the_question_type(text, heading):
    assert theme_of(text, "cause") == heading


def test_near_duplicate_sentences_are_dropped():
    twin = doc(
        "t:twin", SourceKind.REFERENCE, "Glimmerfield syndrome triggers", AGENCY.passages[0].text
    )
    query = query_of(QUESTION, focus_analysis())
    found = candidates(
        query, [SimpleNamespace(document=d) for d in (AGENCY, twin)], Audience.PATIENT
    )
    texts = [c.ref.text for c in select(found, Audience.PATIENT)]
    assert len(texts) == len(set(texts))


def test_the_evidence_summary_counts_kinds_and_designs():
    answer = answer_for(Audience.CLINICIAN)
    assert evidence_summary(answer.references) == answer.summary
    assert answer.summary.startswith(f"Based on {len(answer.references)} sources: 1 guideline")
    assert answer.summary.endswith("newest 2023.")


def test_a_sentence_is_never_said_twice_even_as_an_antecedent():
    answer = answer_for(Audience.PATIENT)
    refs = [ref for statement in answer.statements for ref in statement.support]
    assert len(refs) == len(set(refs))


def test_words_no_source_contains_make_the_answer_abstain_and_name_them():
    frequency = {"zorblatine": 0, "cure": 40, "flares": 12}.get
    query = query_of(
        "Can zorblatine cure Glimmerfield syndrome flares?",
        focus_analysis(),
        frequency=lambda w: frequency(w, 5),
        documents=100,
    )
    assert query.unknown == ("zorblatine",)
    answer = compose(
        "Can zorblatine cure Glimmerfield syndrome flares?", query, RETRIEVED, Audience.PATIENT
    )
    assert answer.abstained and "“zorblatine”" in answer.notices[-1].text


def test_rare_words_weigh_more_than_common_ones():
    query = query_of(
        "best pizza for Glimmerfield syndrome",
        focus_analysis(),
        frequency={"best": 900, "pizza": 1}.get,
        documents=1000,
    )
    weights = {next(iter(a.stems)): a.weight for a in query.parts[0].aspects}
    assert weights["pizza"] > 5 * weights["best"]


def test_a_question_inside_a_story_is_what_counts():
    analysis = SimpleNamespace(
        focus=(SimpleNamespace(name="Glimmerfield syndrome", synonyms=()),),
        qtype="cause",
        parts=(
            SimpleNamespace(
                text="I keep getting dizzy every morning and I wonder what causes Glimmerfield "
                "syndrome flares",
                qtype="cause",
            ),
        ),
    )
    query = query_of("...", analysis)
    assert {s for a in query.parts[0].aspects for s in a.stems} == {"flar"}


def test_a_lay_word_is_covered_by_its_clinical_equivalent():
    flare = SimpleNamespace(text="flares", clinical=("relapse", "exacerbation"))
    analysis = SimpleNamespace(focus=focus_analysis().focus, qtype="cause", lay_terms=(flare,))
    query = query_of(QUESTION, analysis)
    assert query.parts[0].aspects[0].stems == {"flar", "relaps", "exacerb"}


def test_a_word_naming_the_question_type_is_covered_by_any_sentence_of_that_type():
    query = query_of(
        "What is the outlook for Glimmerfield syndrome?",
        focus_analysis(qtype="outlook", expansions=()),
    )
    [aspect] = query.parts[0].aspects
    assert aspect.names_type


def test_the_summary_names_designs_with_proper_plurals():
    refs = [
        SimpleNamespace(kind="research", design="other", year=None),
        SimpleNamespace(kind="research", design="other", year=2020),
        SimpleNamespace(kind="research", design="meta-analysis", year=None),
        SimpleNamespace(kind="research", design="meta-analysis", year=None),
        SimpleNamespace(kind="research", design="randomized controlled trial", year=None),
    ]
    assert evidence_summary(refs) == (
        "Based on 5 sources: 2 other studies, 2 meta-analyses, 1 RCT; newest 2020."
    )


def test_newer_research_scores_a_little_higher_than_older():
    old = doc(
        "t:old",
        SourceKind.RESEARCH,
        "Glimmerfield syndrome flares after heat",
        "Glimmerfield syndrome flares were triggered by heat in this cohort.",
        year=1995,
    )
    new = doc(
        "t:new",
        SourceKind.RESEARCH,
        "Glimmerfield syndrome flares after heat",
        "Glimmerfield syndrome flares were triggered by heat in this cohort.",
        year=2024,
    )
    query = query_of(QUESTION, focus_analysis())
    found = candidates(
        query, [SimpleNamespace(document=old), SimpleNamespace(document=new)], Audience.CLINICIAN
    )
    scores = {c.doc.id: c.score for c in found}
    assert scores["t:new"] > scores["t:old"]


@pytest.mark.parametrize(
    "text",
    [
        "Learn more about gene changes and Glimmerfield syndrome.",
        "For more information about Glimmerfield syndrome flares, visit our page.",
        "You can find support groups for Glimmerfield syndrome flares at the centre.",
        "Glimmerfield syndrome flares are described at https://example.org/flares today.",
    ],
)
def test_pointers_to_elsewhere_are_not_statements(text):
    page = doc(
        "t:nav",
        SourceKind.REFERENCE,
        "What causes Glimmerfield syndrome?",
        text,
        question=SourceQuestion(
            "What causes Glimmerfield syndrome?", qtype="causes", focus="Glimmerfield syndrome"
        ),
    )
    query = query_of(QUESTION, focus_analysis())
    assert candidates(query, [SimpleNamespace(document=page)], Audience.PATIENT) == []


def test_a_list_after_its_lead_in_is_one_statement_and_stays_grounded():
    from evimap.answer import Audience
    from evimap.compose import compose
    from evimap.evidence import Document, Passage, SourceKind, SourceQuestion
    from evimap.grounding import check_answer
    from evimap.query import query_of

    said = [  # as the MedQuAD adapter splits a web page's list
        "Glimmerfield fever has many signs that vary from person to person.",
        "Some common symptoms of glimmerfield fever are",
        "a silver rash - sore elbows - a humming in the ears - tiredness",
    ]
    text = " ".join(said)
    starts = [text.index(s) for s in said]
    spans = tuple((a, a + len(s)) for a, s in zip(starts, said, strict=True))
    doc = Document(
        id="t:list",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title="What are the symptoms of Glimmerfield fever?",
        passages=(Passage(text, sentences=spans),),
        question=SourceQuestion(
            "What are the symptoms of Glimmerfield fever?", "symptoms", "Glimmerfield fever"
        ),
    )
    question = "What are the symptoms of Glimmerfield fever?"
    start = question.index("Glimmerfield")
    focus = SimpleNamespace(name="Glimmerfield fever", synonyms=(), span=(start, start + 18))
    parts = (SimpleNamespace(text=question, qtype="symptoms", span=(0, len(question))),)
    analysis = SimpleNamespace(text=question, focus=(focus,), parts=parts, qtype="symptoms")
    q = query_of(question, analysis)
    answer = compose(question, q, [SimpleNamespace(document=doc)], Audience.PATIENT)
    said = [s.text for s in answer.statements]
    assert any("are a silver rash - sore elbows" in s for s in said), said
    assert check_answer(answer, {doc.id: doc}).ok


def test_an_abstract_without_a_journal_says_which_collection_it_comes_from():
    from evimap.compose import reference
    from evimap.evidence import Document, Passage, SourceKind
    from evimap.render import reference_line

    bare = Document(
        id="scifact:1",
        kind=SourceKind.RESEARCH,
        collection="beir",
        title="Cooling shortens glimmerfield flares",
        passages=(Passage("Cooling shortened flares."),),
        extra={"dataset": "scifact"},
    )
    line = reference_line(reference(bare, 1), clinician=True)
    assert "Abstract from the SciFact collection." in line
    journal = replace(bare, publisher="Journal of Imaginary Neurology", year=2019)
    line = reference_line(reference(journal, 1), clinician=True)
    assert "Journal of Imaginary Neurology, 2019." in line and "SciFact" not in line


def test_two_headings_glued_to_a_sentence_are_both_left_out():
    from evimap.compose import _sentences
    from evimap.evidence import Document, Passage, SourceKind

    text = "Risk Factors You Can't Change Some risk factors for glimmer rash cannot be changed."
    doc = Document(
        id="t:glued",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title="Who is at risk for glimmer rash?",
        passages=(Passage(text, sentences=((0, len(text)),)),),
    )
    [(ref, _)] = list(_sentences(doc))
    assert ref.text == "Some risk factors for glimmer rash cannot be changed."


def test_a_studys_background_and_methods_are_never_quoted():
    from evimap.compose import candidates

    parts = [
        ("Background", "Glimmerfield syndrome flares are thought to follow infections in adults."),
        ("Methods", "Glimmerfield syndrome patients kept an infection diary for one whole year."),
        ("Results", "Glimmerfield syndrome flares doubled in the month after an infection."),
    ]
    study = sectioned_study("t:sections", parts)
    query = query_of(QUESTION, focus_analysis())
    said = {
        c.ref.text for c in candidates(query, [SimpleNamespace(document=study)], Audience.CLINICIAN)
    }
    assert said == {parts[2][1]}


def test_a_side_effects_question_is_answered_only_by_sentences_about_harms():
    from evimap.compose import candidates

    text = (
        "Moonseed tablets lowered Glimmerfield syndrome flare rates in two trials. "
        "Nausea and a metallic taste were the most common side effects of moonseed tablets."
    )
    study = doc(
        "t:moonseed", SourceKind.RESEARCH, "Moonseed tablets in Glimmerfield syndrome", text
    )
    question = "What are the side effects of moonseed tablets for Glimmerfield syndrome?"
    query = query_of(question, focus_analysis(qtype="side_effects", expansions=()))
    found = candidates(query, [SimpleNamespace(document=study)], Audience.CLINICIAN)
    assert [c.ref.text for c in found] == [split_sentences_text(text)[1]]


def split_sentences_text(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_a_study_is_cited_with_its_authors_licence_and_the_sections_quoted():
    from evimap.render import reference_line

    parts = [
        ("Background", "Glimmerfield syndrome flares are thought to follow infections in adults."),
        ("Results", "Glimmerfield syndrome flares doubled in the month after an infection."),
    ]
    study = sectioned_study(
        "t:cited",
        parts,
        publisher="Journal of Fictional Neurology",
        year=2020,
        authors="Moth AB et al.",
        extra={"license": "CC BY 4.0"},
    )
    query = query_of(QUESTION, focus_analysis())
    answer = compose(QUESTION, query, [SimpleNamespace(document=study)], Audience.CLINICIAN)
    [ref] = answer.references
    assert (ref.authors, ref.license, ref.sections) == ("Moth AB et al.", "CC BY 4.0", ("Results",))
    line = reference_line(ref, clinician=True)
    assert line.startswith("Research · Moth AB et al. Infections and Glimmerfield syndrome flares.")
    assert "Quoted from: Results." in line and "CC BY 4.0." in line


def sectioned_study(doc_id: str, parts: list[tuple[str, str]], **fields) -> Document:
    """A study whose passages are (heading, one sentence) pairs."""
    return Document(
        id=doc_id,
        kind=SourceKind.RESEARCH,
        collection="test",
        title="Infections and Glimmerfield syndrome flares",
        passages=tuple(
            Passage(text, heading=heading, sentences=((0, len(text)),)) for heading, text in parts
        ),
        **fields,
    )
