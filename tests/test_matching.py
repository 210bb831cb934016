"""Question entailment (`evimap.matching`) and the on-subject rules of composition, on
fictional sources: the lead is the source's own answer to the question asked, and nothing
about another condition or a neighbouring question is placed under it."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from evimap.answer import Audience
from evimap.compose import candidates, compose
from evimap.evidence import Document, Passage, SourceKind, SourceQuestion, StudyDesign
from evimap.grounding import check_answer
from evimap.matching import Match, entailed, entails, names_focus, nearest, without_kinds
from evimap.query import query_of
from evimap.text import split_sentences


def passage(text: str, heading: str = "") -> Passage:
    return Passage(text, heading=heading, sentences=split_sentences(text))


def agency(n: int, question: str, qtype: str, text: str, focus="Glimmerfield syndrome"):
    return Document(
        id=f"t:q{n}",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title=question,
        passages=(passage(text),),
        publisher="Fictional Health Agency",
        question=SourceQuestion(question, qtype=qtype, focus=focus),
    )


CAUSES = agency(
    1,
    "What causes Glimmerfield syndrome?",
    "causes",
    "Glimmerfield syndrome is caused by changes in the fictional GLM1 gene. "
    "The gene change is passed down in families in some cases. "
    "Researchers are still studying why the gene change damages nerves.",
)
TREATMENTS = agency(
    2,
    "What are the treatments for Glimmerfield syndrome?",
    "treatment",
    "Treatment of Glimmerfield syndrome may include the following. "
    "Exercise Exercise can help people with Glimmerfield syndrome stay strong and flexible. "
    "Doctors treat Glimmerfield syndrome with rest and cooling during flares. "
    "Severe flares of Glimmerfield syndrome are treated with fictional steroids.",
)
LINKS = agency(
    3,
    "What are the treatments for Glimmerfield syndrome?",
    "treatment",
    "These resources address the management of Glimmerfield syndrome: - Registry one "
    "- Registry two",
)
OTHER = agency(
    4,
    "What are the treatments for Quorvane fever?",
    "treatment",
    "Quorvane fever is treated with fictional antibiotics for ten days. "
    "People with Quorvane fever should drink plenty of fluids while they recover.",
    focus="Quorvane fever",
)
EMERGENCY = agency(
    5,
    "What are the symptoms of Glimmerfield syndrome?",
    "symptoms",
    "Glimmerfield syndrome causes numb hands and tired legs in most people. "
    "Call 911 right away if a person with Glimmerfield syndrome cannot breathe.",
)
TRIAL = Document(
    id="t:trial",
    kind=SourceKind.RESEARCH,
    collection="pubmed",
    title="Cooling for Glimmerfield syndrome flares: a randomized trial",
    passages=(
        passage(
            "We randomized 120 adults with Glimmerfield syndrome flares to be treated "
            "with cooling or rest and measured flare length with a validated scale.",
            heading="METHODS",
        ),
        passage(
            "Flares treated with cooling lasted two days less than flares treated with rest "
            "(p = 0.01).",
            heading="RESULTS",
        ),
        passage(
            "Cooling shortened Glimmerfield syndrome flares compared with rest alone, "
            "so it is a reasonable first treatment.",
            heading="CONCLUSIONS",
        ),
    ),
    year=2022,
    design=StudyDesign.RCT,
    publisher="Journal of Fictional Neurology",
)
ALL = (CAUSES, TREATMENTS, LINKS, OTHER, EMERGENCY, TRIAL)
DOCS = {d.id: d for d in ALL}


def retrieved(*docs):
    return [SimpleNamespace(document=d) for d in docs]


def analysis(text: str, qtype: str, focus="Glimmerfield syndrome"):
    start = text.lower().index(focus.lower())
    concept = SimpleNamespace(name=focus, synonyms=(), span=(start, start + len(focus)))
    part = SimpleNamespace(text=text, qtype=qtype, span=(0, len(text)))
    return SimpleNamespace(text=text, focus=(concept,), qtype=qtype, parts=(part,))


def query(text: str, qtype: str):
    return query_of(text, analysis(text, qtype))


def test_the_source_question_of_the_same_focus_and_type_is_entailed():
    q = query("How is Glimmerfield syndrome treated?", "treatment")
    matches = entailed(q, retrieved(CAUSES, LINKS, OTHER, TREATMENTS))
    assert [m.doc.id for m in matches] == ["t:q2"]  # not the links-only page, not Quorvane


def test_a_question_about_the_whole_condition_does_not_answer_one_about_its_flares():
    q = query("What causes Glimmerfield syndrome flares?", "cause")
    assert [a.word for a in q.narrowing] == ["flares"]
    assert entailed(q, retrieved(CAUSES)) == []
    assert nearest(q, retrieved(CAUSES)) is None  # it does not name flares either


def test_focus_names_are_matched_as_words():
    assert names_focus("What are the symptoms of MS?", ("ms",))
    assert not names_focus("What are the symptoms of lupus?", ("ms",))
    assert names_focus("Parkinson's Disease", ("parkinson disease",))
    assert without_kinds("relapsing-remitting MS relapses", ("ms",)).split() == ["relapses"]
    assert without_kinds("relapses of MS", ("ms",)).split()[0] == "relapses"


def test_the_entailed_answer_leads_in_its_own_order():
    text = "How is Glimmerfield syndrome treated?"
    q = query(text, "treatment")
    found = retrieved(OTHER, TREATMENTS, TRIAL)
    answer = compose(text, q, found, Audience.PATIENT, lead=entailed(q, found))
    assert answer.references[0].doc_id == "t:q2"
    short = [s.text for s in answer.short_answer]
    assert short[0].startswith("Exercise can help")  # the glued heading is left out
    assert not any(s.text.endswith("the following.") for s in answer.statements)
    assert "t:q4" not in {r.doc_id for r in answer.references}
    assert check_answer(answer, DOCS).ok


def test_a_sentence_about_another_condition_never_enters():
    text = "How is Glimmerfield syndrome treated?"
    q = query(text, "treatment")
    found = retrieved(TREATMENTS, OTHER)
    answer = compose(
        text, q, found, Audience.CLINICIAN, off_subject=lambda said: "Quorvane" in said
    )
    assert not any("Quorvane" in s.text for s in answer.statements)


def test_lay_readers_get_a_trials_conclusions_clinicians_its_results_nobody_its_methods():
    q = query("How is Glimmerfield syndrome treated?", "treatment")
    lay = {c.ref.text for c in candidates(q, retrieved(TRIAL), Audience.PATIENT)}
    expert = {c.ref.text for c in candidates(q, retrieved(TRIAL), Audience.CLINICIAN)}
    assert lay and all("Cooling shortened" in t for t in lay)
    assert any("two days less" in t for t in expert)
    assert not any("We randomized" in t for t in lay | expert)


def test_an_emergency_answer_leads_with_what_to_do_now():
    text = "My husband has Glimmerfield syndrome and cannot breathe, what are the symptoms?"
    q = query(text, "symptoms")
    answer = compose(text, q, retrieved(EMERGENCY, CAUSES), Audience.PATIENT, urgent=True)
    assert "Call 911" in answer.short_answer[0].text


def test_a_nearby_question_is_given_and_said_to_be_one():
    text = "Can Glimmerfield syndrome be passed on by a blood transfusion?"
    q = query(text, "transmission")
    found = retrieved(CAUSES)
    plain = compose(text, q, found, Audience.PATIENT)
    assert plain.abstained
    answer = compose(text, q, found, Audience.PATIENT, nearest=nearest(q, found))
    assert not answer.abstained and answer.references[0].doc_id == "t:q1"
    assert answer.notices[-1].kind == "partial"
    assert "What causes Glimmerfield syndrome?" in answer.notices[-1].text
    headings = {t.heading for section in answer.sections for t in section.themes}
    assert headings == {"Causes"}  # what the nearby answer says, not the type asked


def test_only_words_no_source_could_hold_make_a_question_unknown():
    """A misspelt or everyday word is no reason to abstain; a name nobody knows is."""
    text = "Sorry, informatuon please: does zorblatine cure Glimmerfield syndrome in 15yrs?"
    nowhere = {"sorry", "informatuon", "zorblatine", "15yrs", "please"}
    q = query_of(
        text,
        analysis(text, "effectiveness"),
        frequency=lambda w: 0 if w in nowhere else 5,
        documents=10,
    )
    assert q.unknown == ("zorblatine",)


def test_an_english_word_no_source_holds_is_unknown_in_a_short_question():
    text = "Does listening to jazz cure Glimmerfield syndrome?"
    q = query_of(
        text,
        analysis(text, "effectiveness"),
        frequency=lambda w: 0 if w == "jazz" else 5,
        documents=10,
    )
    assert q.unknown == ("jazz",)


def test_a_word_no_source_holds_is_noise_in_a_long_message_about_a_known_condition():
    """A browser's name or a misspelt brand in a long story does not stop the answer; the
    same word among a few asked words still does."""
    story = (
        "Sent from ZorbBrowser on my phone. My aunt has had Glimmerfield syndrome for years, she "
        "tried zorblatine and many creams, saw three doctors, nothing helps her tired legs at "
        "night. How is it treated?"
    )
    nowhere = {"zorbbrowser", "zorblatine"}
    counts = {"frequency": lambda w: 0 if w in nowhere else 5, "documents": 10}
    assert query_of(story, analysis(story, "treatment"), **counts).unknown == ()
    short = "Does zorblatine cure Glimmerfield syndrome?"
    assert query_of(short, analysis(short, "effectiveness"), **counts).unknown == ("zorblatine",)


def test_without_a_source_question_a_study_titled_with_the_focus_is_the_nearest():
    text = "Can Glimmerfield syndrome be passed on by a blood transfusion?"
    q = query(text, "transmission")
    match = nearest(q, retrieved(OTHER, TRIAL))
    assert match is not None and match.doc.id == "t:trial"
    answer = compose(text, q, retrieved(OTHER, TRIAL), Audience.CLINICIAN, nearest=match)
    assert not answer.abstained and answer.references[0].doc_id == "t:trial"
    assert "one source on glimmerfield syndrome" in answer.notices[-1].text
    assert nearest(q, retrieved(CAUSES, TRIAL)).doc.id == "t:q1"  # a source question first


def test_people_words_do_not_narrow_the_subject():
    q = query("How is my brother with Glimmerfield syndrome treated?", "treatment")
    assert q.narrowing == ()
    q = query("How are relapses in Glimmerfield syndrome treated?", "treatment")
    assert [a.word for a in q.narrowing] == ["relapses"]


def test_web_page_headings_run_into_a_sentence_are_left_out():
    from evimap.compose import _glued_heading

    for text, rest in [
        ("Bone Density Tests The test used to diagnose it is a bone scan.", "The test"),
        ("Where Gout Usually Occurs Gout normally attacks the joints of the feet.", "Gout"),
        ("Diet At this time there are no vitamins with a proven value here.", "At this"),
        ("Prevention and Treatment The good news is that glimmer rash can be prevented.", "The"),
    ]:
        assert text[_glued_heading(text) :].startswith(rest)
    plain = "Multiple sclerosis is a disease of the brain and the spinal cord."
    assert _glued_heading(plain) == 0
    assert _glued_heading("Rest and Moonseed Tea are what most people with it need.") == 0


def test_a_list_run_together_is_not_a_statement():
    text = "What is Glimmerfield syndrome?"
    dump = agency(
        6,
        text,
        "information",
        "Glimmerfield syndrome - a nerve disease - Quorvane fever - Borrow fever can cause "
        "rashes in children. Glimmerfield syndrome is a rare fictional nerve disease of adults.",
    )
    q = query(text, "definition")
    said = [c.ref.text for c in candidates(q, retrieved(dump), Audience.PATIENT)]
    assert said == ["Glimmerfield syndrome is a rare fictional nerve disease of adults."]


def test_only_a_part_of_the_condition_narrows_it():
    assert query("Is Glimmerfield syndrome pending a cure?", "treatment").narrowing == ()
    flares = query("What causes Glimmerfield syndrome flares?", "cause").narrowing
    assert [a.word for a in flares] == ["flares"]


def test_a_short_questions_own_words_must_be_answered():
    text = "Does heat cause Glimmerfield syndrome?"
    q = query(text, "cause")
    said = [c.ref.text for c in candidates(q, retrieved(CAUSES), Audience.PATIENT)]
    assert said == []  # the gene causes it; nothing here says whether heat does


def test_an_emergency_short_answer_is_what_to_do_now_from_sources_on_what_it_is():
    text = "My son swallowed my Glimmerfield syndrome pills, what are the symptoms?"
    poisoning = agency(
        7,
        "What is (are) Poisoning?",
        "information",
        "Poisons can be swallowed, breathed in or touched. "
        "If you think someone was poisoned, call your local poison control center right away.",
        focus="Poisoning",
    )
    q = query(text, "symptoms")
    found = retrieved(EMERGENCY, poisoning, CAUSES)
    answer = compose(text, q, found, Audience.CAREGIVER, urgent=("poisoning",))
    said = [s.text for s in answer.short_answer]
    assert said[0].startswith("If you think someone was poisoned") or said[0].startswith("Call 911")
    assert all("right away" in s for s in said)
    assert not any("Poisons can be swallowed" in s.text for s in answer.statements)


def test_a_yes_no_question_is_answered_by_the_sentence_that_says_no():
    text = "Does heat cause Glimmerfield syndrome?"
    myth = agency(
        8,
        "What causes Glimmerfield syndrome?",
        "causes",
        "Heat can make Glimmerfield syndrome symptoms feel worse for a while. "
        "Heat does not cause Glimmerfield syndrome, which comes from a gene change.",
    )
    q = query(text, "cause")
    assert q.parts[0].yes_no
    answer = compose(text, q, retrieved(myth), Audience.PATIENT)
    assert answer.short_answer[0].text.startswith("Heat does not cause")


def test_a_one_word_synonym_shared_by_other_conditions_does_not_name_the_focus():
    concept = SimpleNamespace(
        name="Glimmerfield syndrome", synonyms=("syndrome", "GLS", "Glimmer fever"), span=(9, 30)
    )
    text = "What is Glimmerfield syndrome?"
    part = SimpleNamespace(text=text, qtype="definition", span=(0, len(text)))
    q = query_of(text, SimpleNamespace(text=text, focus=(concept,), parts=(part,)))
    assert "gls" in q.focus and "glimmer fever" in q.focus and "syndrome" not in q.focus


def test_web_page_boilerplate_and_orphaned_pointers_are_not_statements():
    from evimap.quotable import statement

    assert not statement("If the information is available, the table below includes how often.")
    assert not statement("Any of these things can make a flare of the syndrome more likely.")
    assert not statement("Please visit the agency's Web site for a more complete list of signs.")
    assert statement("Heat can make Glimmerfield syndrome symptoms worse for a while.")


def test_a_drug_named_in_a_question_about_a_condition_is_asked_about_not_a_focus():
    text = "Can Glimmerfield syndrome come back after the fictional steroids are finished?"
    condition = SimpleNamespace(
        name="Glimmerfield syndrome", kind="condition", synonyms=(), span=(4, 25)
    )
    drug = SimpleNamespace(name="fictional steroids", kind="drug", synonyms=(), span=(46, 64))
    part = SimpleNamespace(text=text, qtype="outlook", span=(0, len(text)))
    analysis = SimpleNamespace(text=text, focus=(condition, drug), parts=(part,))
    q = query_of(text, analysis)
    assert q.focus == ("glimmerfield syndrome",)
    assert any("steroid" in a.stems for a in q.parts[0].aspects)


def test_entails_needs_the_focus_the_type_and_what_narrows_it():
    from evimap.matching import entails

    q = query("What causes Glimmerfield syndrome flares?", "cause")
    part = q.parts[0]
    assert entails(q, part, "What triggers Glimmerfield syndrome flares?", "cause")
    assert not entails(q, part, "What causes Glimmerfield syndrome?", "cause")
    assert not entails(q, part, "How are Glimmerfield syndrome flares treated?", "treatment")
    assert not entails(q, part, "What causes Quorvane fever flares?", "cause")


def test_a_short_questions_rare_word_must_be_spoken_of():
    from evimap.matching import entails

    text = "What is the best pizza for Glimmerfield syndrome?"
    rare = {"pizza": 1}
    q = query_of(
        text, analysis(text, "diet"), frequency=lambda w: rare.get(w, 500), documents=100_000
    )
    assert [a.word for a in q.parts[0].rare] == ["pizza"]
    assert not entails(q, q.parts[0], "What to eat with Glimmerfield syndrome?", "diet")
    assert entails(q, q.parts[0], "Is pizza safe with Glimmerfield syndrome?", "diet")


def test_a_clinician_is_not_told_to_ask_a_clinician():
    text = "Can Glimmerfield syndrome be passed on by a blood transfusion?"
    q = query(text, "transmission")
    lay = compose(text, q, retrieved(CAUSES), Audience.PATIENT)
    expert = compose(text, q, retrieved(CAUSES), Audience.CLINICIAN)
    assert lay.abstained and "ask a clinician" in lay.notices[-1].text
    assert expert.abstained and "ask a clinician" not in expert.notices[-1].text
    assert "primary literature" in expert.notices[-1].text


def test_a_graded_guideline_says_its_grade_and_what_it_means_for_the_reader():
    from dataclasses import replace

    from evimap.render import to_markdown

    guideline = replace(
        agency(
            9,
            "Glimmerfield syndrome: screening",
            "",
            "The Task Force recommends screening adults for Glimmerfield syndrome to prevent "
            "flares.",
        ),
        kind=SourceKind.GUIDELINE,
        question=None,
        grade="B",
        extra={"grade_scheme": "uspstf"},
    )
    text = "How can Glimmerfield syndrome flares be prevented?"
    q = query(text, "prevention")
    for audience, says in ((Audience.CLINICIAN, "Offer or provide"), (Audience.PATIENT, "")):
        answer = compose(text, q, retrieved(guideline), audience)
        ref = answer.references[0]
        assert ref.grade == "Grade B" and says in ref.grade_meaning
        assert "Grade B:" in to_markdown(answer)


def test_text_and_markdown_never_show_a_link_that_is_not_http():
    from dataclasses import replace

    from evimap.render import to_markdown, to_text

    bad = replace(CAUSES, url="javascript:alert(1)")
    text = "What causes Glimmerfield syndrome?"
    q = query(text, "cause")
    answer = compose(text, q, retrieved(bad), Audience.PATIENT, lead=entailed(q, retrieved(bad)))
    assert answer.references and "javascript" not in to_markdown(answer) + to_text(answer)


@pytest.mark.parametrize(
    ("text", "yes_no"),
    [
        ("Can Glimmerfield syndrome be passed on by a blood transfusion?", True),
        ("would like to know the treatments for Glimmerfield syndrome", False),
        ("Can you tell me about Glimmerfield syndrome treatments?", False),
        ("Could u please send me the treatments for Glimmerfield syndrome", False),
    ],
)
def test_a_request_is_not_a_yes_no_question(text, yes_no):
    assert query(text, "treatment").parts[0].yes_no is yes_no


def test_words_that_ask_for_information_are_not_what_is_asked():
    text = "Would like to obtain more info on possible treatments for Glimmerfield syndrome"
    part = query(text, "treatment").parts[0]
    assert [a.word for a in part.asked] == []
    assert not part.short  # so a treatment sentence without "obtain" or "info" covers it


def test_a_nearby_answer_leads_with_its_sentences_of_the_kind_asked():
    overview = agency(
        8,
        "What is (are) Glimmerfield syndrome?",
        "information",
        "Glimmerfield syndrome is a fictional nerve disorder of the hands. "
        "It affects about one in a million people worldwide. "
        "Doctors treat Glimmerfield syndrome with cooling gloves and rest.",
    )
    text = "Can Glimmerfield syndrome be treated with moonseed tea?"
    q = query(text, "treatment")
    found = retrieved(overview)
    answer = compose(text, q, found, Audience.PATIENT, nearest=nearest(q, found))
    assert answer.notices[-1].kind == "partial"
    assert answer.short_answer[0].text.startswith("Doctors treat Glimmerfield syndrome")


def test_a_neighbours_source_question_is_not_the_answer():
    neighbour = agency(
        9,
        "How common is Quorvane arthritis?",
        "frequency",
        "Quorvane arthritis affects an estimated 2 in 10,000 people. "
        "It is more common in adults over 40 than in children. "
        "Doctors are still studying how often it goes unnoticed.",
        focus="Quorvane arthritis",
    )
    own_question = SourceQuestion(  # a synonym names our focus: the subject is another
        neighbour.title, "frequency", "Quorvane arthritis", ("Glimmerfield syndrome arthropathy",)
    )
    neighbour = replace(neighbour, question=own_question)
    own = agency(
        10,
        "How many people have Glimmerfield syndrome?",
        "frequency",
        "Glimmerfield syndrome affects about 1 in 5,000 people worldwide. "
        "It appears about equally in men and women. "
        "Most people with it are diagnosed as adults.",
    )
    q = query("How common is Glimmerfield syndrome?", "frequency")
    assert entails(
        q, q.parts[0], "Quorvane arthritis Glimmerfield syndrome arthropathy", "frequency"
    )
    assert [m.doc.id for m in entailed(q, retrieved(neighbour, own))] == ["t:q10"]
    assert entailed(q, retrieved(neighbour)) == []


def test_a_plea_for_help_is_not_a_short_question_whose_every_word_counts():
    plea = query(
        "Please help me with my brother with Glimmerfield syndrome in Martinique", "treatment"
    )
    asked = query("What is the best pizza topping for people with Glimmerfield syndrome?", "diet")
    assert plea.parts[0].request and not plea.parts[0].short
    assert not asked.parts[0].request and asked.parts[0].short


def test_without_a_focus_a_source_question_needs_most_of_its_subject_named():
    from evimap.query import query_of

    text = "Teen pregnancy. I am a student writing about what it is."
    no_focus = query_of(text, SimpleNamespace(text=text, focus=(), parts=(), qtype="definition"))
    teen = agency(
        11,
        "What is (are) Teenage Pregnancy?",
        "information",
        "Teenage pregnancy "
        "is a pregnancy in a girl aged 19 or younger. It can affect school and health. "
        "Most teenage pregnancies are not planned.",
        focus="Teenage Pregnancy",
    )
    kidney = agency(
        12,
        "What is (are) Kidney Failure?",
        "information",
        "Kidney failure means "
        "the kidneys no longer work well enough. It needs dialysis or a transplant. "
        "It develops over many years.",
        focus="Kidney Failure",
    )
    found = entailed(no_focus, retrieved(kidney, teen))
    assert [m.doc.id for m in found] == ["t:q11"]


DIAGNOSIS = agency(
    7,
    "How to diagnose Glimmerfield syndrome?",
    "exams and tests",
    "A glimmer scan can show whether Glimmerfield syndrome will cause flares and help "
    "prevent them from being missed. Glimmerfield syndrome is diagnosed with a glimmer scan.",
)
RISKS = agency(
    8,
    "Who is at risk for Glimmerfield syndrome?",
    "susceptibility",
    "People who work with moonseed are more likely to get Glimmerfield syndrome, because "
    "moonseed dust causes the gene change in some of them.",
)


def test_a_source_question_of_another_type_gives_no_sentence_a_near_type_may():
    """A page answering how the condition is diagnosed does not answer how it is prevented,
    though its words overlap; a page on risk factors may answer what causes it."""
    text = "How can Glimmerfield syndrome flares be prevented?"
    q = query(text, "prevention")
    assert not candidates(q, retrieved(DIAGNOSIS), Audience.PATIENT)
    q = query("What causes Glimmerfield syndrome?", "cause")
    found = candidates(q, retrieved(RISKS, DIAGNOSIS), Audience.PATIENT)
    assert {c.doc.id for c in found} == {"t:q8"}


MOONSEED = agency(
    9,
    "What are the treatments for moonseed fever?",
    "treatment",
    "People with moonseed fever who have tired legs are treated with rest and fluids. "
    "Tired legs in moonseed fever are treated with warm baths and gentle stretching.",
    focus="moonseed fever",
)


def test_a_source_question_about_another_subject_gives_no_sentence():
    """ "How is moonseed fever treated?" names tired legs as its own symptom: placed under a
    question about tired legs it would be a false statement."""
    text = "How are tired legs treated?"
    q = query_of(text, analysis(text, "treatment", focus="tired legs"))
    assert not candidates(q, retrieved(MOONSEED), Audience.PATIENT)


def test_in_an_emergency_nothing_about_a_nearby_subject_enters():
    """A child swallowed pills: a page on what to do for the condition the pills treat is
    not what to do now, even when its question reads like ours."""
    text = "My son swallowed my Glimmerfield syndrome pills, what do I do?"
    q = query(text, "self_care")
    found = retrieved(MOONSEED, EMERGENCY)
    leads = [Match(MOONSEED, 0, 1.0)]
    answer = compose(text, q, found, Audience.CAREGIVER, lead=leads, urgent=("poisoning",))
    assert "t:q9" not in {r.doc_id for r in answer.references}
    assert "Call 911" in answer.short_answer[0].text


MOUSE = Document(
    id="t:mouse",
    kind=SourceKind.RESEARCH,
    collection="pubmed",
    title="Cooling in a mouse model of Glimmerfield syndrome",
    passages=(
        passage(
            "Cooling treated Glimmerfield syndrome flares in mice and doubled their survival.",
            heading="CONCLUSIONS",
        ),
    ),
    year=2024,
    publisher="Journal of Fictional Neurology",
)


def test_a_clinician_gets_no_finding_in_animals_and_a_short_answer_from_an_agency_first():
    text = "How is Glimmerfield syndrome treated?"
    q = query(text, "treatment")
    assert not candidates(q, retrieved(MOUSE), Audience.CLINICIAN)
    answer = compose(text, q, retrieved(TRIAL, OTHER, TREATMENTS), Audience.CLINICIAN)
    assert answer.references[0].doc_id == "t:q2"  # not the trial, though it ranks first


def test_who_the_question_is_about_is_not_what_it_asks():
    """ "my older parent" tells whom it is about: a sentence on the early signs need not
    name parents, and the question is still a short one about early signs."""
    q = query("What are the early signs of Glimmerfield syndrome in my husband?", "symptoms")
    assert [a.word for a in q.parts[0].asked] == ["early"]


ADD_ON = Document(
    id="t:addon",
    kind=SourceKind.RESEARCH,
    collection="pubmed",
    title="Quorvane added to cooling for Glimmerfield syndrome: a randomized trial",
    passages=(
        passage(
            "Quorvane added to cooling treated Glimmerfield syndrome flares with no more "
            "side effects than cooling alone.",
            heading="CONCLUSIONS",
        ),
    ),
    year=2023,
    publisher="Journal of Fictional Neurology",
)


def test_a_study_about_another_subject_or_not_on_the_asked_point_gives_no_sentence():
    """A trial of Quorvane added to cooling is about Quorvane; a study of cooling that says
    nothing of night sweats does not answer a question about them."""
    text = "How is Glimmerfield syndrome treated?"
    q = query(text, "treatment")
    about_quorvane = lambda said: said.lstrip().startswith("Quorvane")  # noqa: E731
    found = retrieved(ADD_ON, TREATMENTS)
    plain = compose(text, q, found, Audience.CLINICIAN)
    assert "t:addon" in {r.doc_id for r in plain.references}
    answer = compose(text, q, found, Audience.CLINICIAN, off_subject=about_quorvane)
    assert "t:addon" not in {r.doc_id for r in answer.references}
    night = query("How are night sweats in Glimmerfield syndrome treated?", "treatment")
    assert not candidates(night, retrieved(TRIAL), Audience.CLINICIAN)
    assert candidates(query(text, "treatment"), retrieved(TRIAL), Audience.CLINICIAN)


CONGENITAL = agency(
    10,
    "What are the symptoms of congenital Glimmerfield syndrome?",
    "symptoms",
    "Signs in babies born with the condition are stiff knees and a weak cry from birth. "
    "Signs of congenital Glimmerfield syndrome include tired legs in childhood.",
    focus="congenital Glimmerfield syndrome",
)


def test_a_neighbour_holding_the_focus_name_gives_only_sentences_that_name_the_focus():
    """A page on congenital Glimmerfield syndrome is about a neighbour: its sentence that
    does not name Glimmerfield syndrome is true of the neighbour only."""
    q = query("What are the symptoms of Glimmerfield syndrome?", "symptoms")
    said = {c.ref.text for c in candidates(q, retrieved(CONGENITAL), Audience.PATIENT)}
    assert not any(t.startswith("Signs in babies") for t in said)
    assert any(t.startswith("Signs of congenital") for t in said)


SURVEY = Document(
    id="t:survey",
    kind=SourceKind.RESEARCH,
    collection="pubmed",
    title="Collection of cooling data in a national cohort",
    passages=(
        passage(
            "Cooling was the treatment most often remembered by people with Glimmerfield "
            "syndrome in the cohort.",
            heading="RESULTS",
        ),
    ),
    year=2021,
    publisher="Journal of Fictional Epidemiology",
)


def test_a_study_whose_title_does_not_name_the_focus_gives_no_sentence():
    q = query("How is Glimmerfield syndrome treated?", "treatment")
    assert not candidates(q, retrieved(SURVEY), Audience.CLINICIAN)
    assert candidates(q, retrieved(TRIAL), Audience.CLINICIAN)


STEROIDS = agency(
    11,
    "What are the treatments for Glimmerfield syndrome?",
    "treatment",
    "Glimmerfield syndrome is treated in several ways, depending on how it started. "
    "Doctors give steroids to people with Glimmerfield syndrome whose legs are weak. "
    "Steroid creams help the Glimmerfield syndrome rash in a week or two. "
    "Steroid drops are given for the dry eyes of Glimmerfield syndrome. "
    "High doses of steroids are given for the worst Glimmerfield syndrome flares. "
    "Steroid pills are stopped slowly once Glimmerfield syndrome is calm again. "
    "People taking steroids for Glimmerfield syndrome need their bones checked.",
)


def test_an_entailed_answers_opening_is_its_short_answer():
    text = "How is Glimmerfield syndrome treated with steroids?"
    q = query(text, "treatment")
    found = retrieved(STEROIDS)
    answer = compose(text, q, found, Audience.PATIENT, lead=entailed(q, found))
    assert answer.short_answer[0].text.startswith("Glimmerfield syndrome is treated in several")


def test_in_an_emergency_no_study_enters():
    text = "My husband has Glimmerfield syndrome and cannot breathe, what do I do?"
    q = query(text, "self_care")
    answer = compose(text, q, retrieved(TRIAL, EMERGENCY), Audience.CLINICIAN, urgent=True)
    assert "t:trial" not in {r.doc_id for r in answer.references}


def test_how_the_story_goes_is_not_what_is_asked():
    q = query("Glimmerfield syndrome, moonseed cream not helping anymore", "treatment")
    assert {a.word for a in q.parts[0].asked} == {"moonseed", "cream"}


def test_a_neighbours_page_is_not_the_nearest_answer_a_form_of_the_focus_may_be():
    q = query("Can Glimmerfield syndrome be passed on by a blood transfusion?", "transmission")
    other = agency(
        13,
        "What is (are) Glimmerfield syndrome with moonseed palsy?",
        "information",
        "Glimmerfield syndrome with moonseed palsy is a rare fatal condition of infants. "
        "Glimmerfield syndrome with moonseed palsy affects the brainstem in the first year.",
        focus="Glimmerfield syndrome with moonseed palsy",
    )
    assert nearest(q, retrieved(other)) is None
    assert nearest(q, retrieved(other, CAUSES)).doc.id == "t:q1"
    assert nearest(q, retrieved(other, CONGENITAL)).doc.id == "t:q10"  # a form of it


def test_a_partial_answer_leaves_out_sentences_about_something_else_too():
    text = "Can Glimmerfield syndrome be passed on by a blood transfusion?"
    q = query(text, "transmission")
    beside = Document(
        id="t:beside",
        kind=SourceKind.REFERENCE,
        collection="fictional",
        title="Glimmerfield syndrome and blood transfusions",
        passages=(
            passage(
                "Quorvane given with blood transfusions passed Glimmerfield syndrome to no "
                "one in the registry."
            ),
        ),
        publisher="Fictional Health Agency",
    )
    found = retrieved(CAUSES, beside)
    about_quorvane = lambda said: said.lstrip().startswith("Quorvane")  # noqa: E731
    plain = compose(text, q, found, Audience.PATIENT, nearest=nearest(q, found))
    assert "t:beside" in {r.doc_id for r in plain.references}
    answer = compose(
        text, q, found, Audience.PATIENT, nearest=nearest(q, found), off_subject=about_quorvane
    )
    assert answer.notices[-1].kind == "partial"
    assert "t:beside" not in {r.doc_id for r in answer.references}


def test_a_sentence_saying_what_something_is_goes_under_the_overview():
    outlook = agency(
        14,
        "What is the outlook for Glimmerfield syndrome?",
        "outlook",
        "Most people with Glimmerfield syndrome recover within a year. "
        "Recovery is slower in people over sixty, whose legs stay tired longer. "
        "Glimmerfield syndrome is a nerve disease that moonseed moths spread in summer. "
        "A few people have flares for the rest of their lives.",
    )
    text = "What is the outlook for Glimmerfield syndrome?"
    q = query(text, "outlook")
    answer = compose(
        text, q, retrieved(outlook), Audience.PATIENT, lead=entailed(q, retrieved(outlook))
    )
    placed = {
        s.text: t.heading
        for section in answer.sections
        for t in section.themes
        for s in t.statements
    }
    assert (
        placed.get("Glimmerfield syndrome is a nerve disease that moonseed moths spread in summer.")
        == "Overview"
    )


def test_an_abstention_on_a_question_naming_nothing_known_does_not_send_to_a_clinician_alone():
    """ "Which life insurance policy is best?" may not be about health at all."""
    from evimap.compose import abstention

    text = "Which moonseed policy is best for my father?"
    part = SimpleNamespace(text=text, qtype="definition", span=(0, len(text)))
    q = query_of(text, SimpleNamespace(text=text, focus=(), qtype="definition", parts=(part,)))
    said = abstention(text, q, Audience.CAREGIVER, 12, ()).notices[-1].text
    assert said.endswith(
        "evimap answers questions about health; if yours is one, please ask a clinician."
    )
    named = abstention(
        text,
        query(text.replace("moonseed policy", "Glimmerfield syndrome"), "definition"),
        Audience.CAREGIVER,
        12,
        (),
    )
    assert named.notices[-1].text.endswith("Please ask a clinician.")
