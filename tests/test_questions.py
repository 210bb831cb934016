"""Question analysis: focus, question type, sub-questions, messy input, safety, expansions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evimap import questions
from evimap.errors import EvimapError
from evimap.evidence import Document
from evimap.questions import (
    MAX_CHARS,
    MAX_PARTS,
    QtypeModel,
    QuestionError,
    analyze,
    default_model,
    features,
    question_types,
)
from evimap.sources import medquad
from evimap.vocabulary import Vocabulary, build_from_shared

QUESTIONS = Path(__file__).parent / "fixtures" / "questions"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    lines = (QUESTIONS / "library.jsonl").read_text().splitlines()
    documents = [Document.from_dict(json.loads(ln)) for ln in lines if not ln.startswith("#")]
    return Vocabulary.build(documents, disease_ontology=QUESTIONS / "disease-ontology")


# (question, focus names expected first, question type, why)
CASES = [
    ("What causes Quorvane syndrome?", ["quorvane syndrome"], "cause", "a MedQuAD template"),
    (
        "what are the treatments for quorvane syndrome",
        ["quorvane syndrome"],
        "treatment",
        "template in lower case, no question mark",
    ),
    ("How do I know if I have blemwort fever?", ["Blemwort pyrexia"], "symptoms", "consumer"),
    ("is drelling palsy hereditary", ["drelling palsy"], "genetics", "hereditary"),
    ("How common is drelling palsy?", ["drelling palsy"], "frequency", "how common"),
    ("How many people get drelling palsy?", ["drelling palsy"], "frequency", "how many"),
    ("Will my quorvane syndrome ever go away?", ["quorvane syndrome"], "outlook", "go away"),
    (
        "What is the life expectancy with drelling palsy?",
        ["drelling palsy"],
        "outlook",
        "life expectancy",
    ),
    ("Who gets blemwort fever?", ["Blemwort pyrexia"], "risk_factors", "who gets"),
    ("how to prevent blemwort fever", ["Blemwort pyrexia"], "prevention", "prevent"),
    ("How is quorvane syndrome diagnosed?", ["quorvane syndrome"], "diagnosis", "diagnosed"),
    (
        "what blood test shows quorvane syndrome",
        ["blood test", "quorvane syndrome"],
        "diagnosis",
        "the cue is inside a concept's name",
    ),
    ("Can quorvane syndrome lead to blindness?", ["quorvane syndrome"], "complications", "lead to"),
    ("What are the side effects of Zantrofen?", ["Zantrofen"], "side_effects", "template"),
    (
        "does zantrofen cause a skelding cough",
        ["Zantrofen", "Skelding cough"],
        "side_effects",
        "a medicine causing something is a side effect",
    ),
    ("what causes a skelding cough", ["Skelding cough"], "cause", "a symptom's cause"),
    ("how much zantrofen should an adult take", ["Zantrofen"], "dosage", "how much"),
    ("I forgot a dose of zantrofen", ["Zantrofen"], "missed_dose", "no question mark"),
    ("Can I take zantrofen with alcohol?", ["Zantrofen"], "interactions", "with alcohol"),
    ("Does hops really work for sleep?", ["Hops"], "effectiveness", "does it work"),
    ("What is a pellow scan?", ["Pellow scan"], "definition", "what is"),
    ("quorvane syndrome", ["quorvane syndrome"], "definition", "a bare name"),
    ("Tell me about blemwort fever", ["Blemwort pyrexia"], "definition", "tell me about"),
    ("What does QVS stand for?", ["quorvane syndrome"], "definition", "stand for"),
    (
        "When should I see a doctor about a skelding cough?",
        ["Skelding cough"],
        "see_a_doctor",
        "see a doctor",
    ),
    (
        "are there support groups for quorvane syndrome",
        ["quorvane syndrome"],
        "support",
        "support groups",
    ),
    ("any new research on drelling palsy?", ["drelling palsy"], "research", "new research"),
    ("what are the stages of quorvane syndrome", ["quorvane syndrome"], "stages", "stages"),
    ("What causes MS flares?", ["multiple sclerosis"], "cause", "abbreviation with a cue"),
    ("MS murmur: how is it treated?", ["mitral stenosis"], "treatment", "the other sense"),
    ("heart attack symptoms", ["myocardial infarction"], "symptoms", "lay words, no verb"),
    ("why do I keep getting migraines", [], "cause", "why"),
    ("home remedies for a sore throat", ["pharyngitis"], "self_care", "home remedies"),
    (
        "How can I lower my baby's risk of Quorvane syndrome?",
        ["quorvane syndrome"],
        "prevention",
        "whose risk",
    ),
    (
        "What are the chances our next child will have Quorvane syndrome too?",
        ["quorvane syndrome"],
        "genetics",
        "a sibling's chances",
    ),
    (
        "What health problems can come with Quorvane syndrome?",
        ["quorvane syndrome"],
        "complications",
        "problems that come with it",
    ),
    (
        "I had Quorvane syndrome last year. How do we stop another one?",
        ["quorvane syndrome"],
        "prevention",
        "stopping it coming back",
    ),
    ("how to get rid of hives", ["urticaria"], "treatment", "get rid of"),
    ("how do you catch the flu", ["influenza"], "cause", "catch: how people get it"),
    (
        "what are the complications of high blood pressure",
        ["hypertension"],
        "complications",
        "lay name of a condition",
    ),
    ("Quorvane sindrome treatment", ["quorvane syndrome"], "treatment", "a typo"),
    ("wat causes quorvanne syndrom?", ["quorvane syndrome"], "cause", "three typos"),
    ("WHAT ARE THE SYMPTOMS OF BLEMWORT FEVER", ["Blemwort pyrexia"], "symptoms", "shouting"),
    (
        "<p>What causes <b>Quorvane syndrome</b>?</p><script>alert(1)</script>",
        ["quorvane syndrome"],
        "cause",
        "HTML",
    ),
    ("Can u please send stuff on drelling palsy", ["drelling palsy"], "definition", "send"),
    (
        "I would like to know about drelling palsy please",
        ["drelling palsy"],
        "definition",
        "know about",
    ),
    (
        "Ten of us had quorvane syndrome. We are wondering why?",
        ["quorvane syndrome"],
        "cause",
        "a bare why",
    ),
    (
        "My leg hurts since my quorvane syndrome, what could this be",
        ["quorvane syndrome"],
        "cause",
        "what could this be",
    ),
]


@pytest.mark.parametrize(("text", "focus", "qtype", "why"), CASES)
def test_it_finds_the_focus_and_the_question_type(vocabulary, text, focus, qtype, why):
    result = analyze(text, vocabulary)
    assert [c.name for c in result.focus][: len(focus)] == focus, why
    assert result.qtype == qtype, (why, result.qtype_scores)


def test_greetings_and_sign_offs_are_dropped_and_sub_questions_split(vocabulary):
    text = (
        "Hi doctor, my mom was diagnosed with quorvane syndrome last year. "
        "What causes it and how is it treated? Thanks so much!"
    )
    result = analyze(text, vocabulary)
    assert [(p.text, p.qtype) for p in result.parts] == [
        ("What causes it", "cause"),
        ("how is it treated?", "treatment"),
    ]
    assert result.context == ("my mom was diagnosed with quorvane syndrome last year.",)
    assert [c.name for c in result.focus] == ["quorvane syndrome"]
    assert result.qtype == "cause"


def test_a_letter_with_several_questions(vocabulary):
    text = (
        "Dear Sir,\n\nMy son has drelling palsy. Is it inherited? Also, how common is it?"
        "\n\nRegards, NAME"
    )
    result = analyze(text, vocabulary)
    assert [p.qtype for p in result.parts] == ["genetics", "frequency"]
    assert all(result.text[s:e] == p.text for p in result.parts for s, e in [p.span])


def test_html_is_stripped_and_entities_decoded(vocabulary):
    result = analyze("<div>Is it safe?<br>What&apos;s <i>zantrofen</i> used for?</div>", vocabulary)
    assert "<" not in result.text and "What's zantrofen used for?" in result.text
    assert [p.qtype for p in result.parts][-1] == "indication"


@pytest.mark.parametrize("text", ["", "   \n\t  ", "?!...", "<p> </p>", "\x00\x01"])
def test_an_empty_question_is_a_clear_error(vocabulary, text):
    with pytest.raises(QuestionError, match="empty") as caught:
        analyze(text, vocabulary)
    assert caught.value.status == 400 and isinstance(caught.value, EvimapError)


def test_greetings_alone_are_a_clear_error(vocabulary):
    with pytest.raises(QuestionError, match="greetings only"):
        analyze("Hi there! Thanks so much.", vocabulary)


@pytest.mark.parametrize("value", [None, 42, b"what causes flu?"])
def test_a_question_must_be_text(vocabulary, value):
    with pytest.raises(QuestionError, match="must be text"):
        analyze(value, vocabulary)


def test_a_100_kb_message_is_cut_and_says_so(vocabulary):
    text = "My mother has quorvane syndrome and her flares are worse. What helps? " * 1_500
    assert len(text) > 100_000
    result = analyze(text, vocabulary)
    assert result.truncated
    assert len(result.text) <= MAX_CHARS and len(result.parts) <= MAX_PARTS
    assert result.qtype == "treatment"


def test_a_huge_single_word_is_bounded_too(vocabulary):
    result = analyze("x" * 300_000 + " quorvane syndrome?", vocabulary)
    assert result.truncated and len(result.text) <= MAX_CHARS


def test_control_characters_and_odd_spaces_are_cleaned(vocabulary):
    result = analyze("What\u00a0causes\x00 quorvane\u200b syndrome ?", vocabulary)
    assert result.text == "What causes quorvane syndrome ?"
    assert result.qtype == "cause"


def test_expansions_bring_clinical_words_and_synonyms(vocabulary):
    result = analyze("What causes MS flares?", vocabulary)
    assert {"multiple sclerosis", "relapse", "exacerbation"} <= set(result.expansions)
    result = analyze("heart attack symptoms", vocabulary)
    assert "myocardial infarction" in result.expansions
    result = analyze("Living with QVS", vocabulary)
    assert "quorvane syndrome" in result.expansions and "Quorvane disease" in result.expansions


def test_spelling_corrections_are_reported(vocabulary):
    result = analyze("quorvanne syndrome outlook", vocabulary)
    assert result.corrections == (("quorvanne", "quorvane"),)


def test_an_emergency_comes_with_its_notice(vocabulary):
    result = analyze(
        "Hello, my dad's face is drooping and he can't talk. What do I do?", vocabulary
    )
    assert result.emergency and result.safety.notice.startswith("A drooping face")


def test_a_red_flag_past_the_analysed_part_is_still_seen(vocabulary):
    story = "My mother has quorvane syndrome and we see her doctor every month. " * 60
    result = analyze(story + "Right now I have crushing chest pain.", vocabulary)
    assert result.truncated and result.emergency


def test_personal_advice_is_framed(vocabulary):
    result = analyze("Should I take 2 tablets of zantrofen for my cough?", vocabulary)
    assert result.safety.personal_advice and result.safety.framing


def test_the_analysis_serialises(vocabulary):
    data = analyze("Hi! What causes MS flares? Should I take zantrofen?", vocabulary).to_dict()
    assert json.loads(json.dumps(data))["qtype"] == "cause"
    assert data["focus"][0]["name"] == "multiple sclerosis"


# -- the question-type model -------------------------------------------------------------


def test_the_shipped_model_knows_every_question_type_and_its_measurements():
    model = default_model()
    assert set(model.labels) == set(question_types())
    held_out = model.meta["held_out_by_focus"]
    assert held_out["questions"] > 5_000 and held_out["model_accuracy"] > 0.95


def test_the_data_files_agree_on_question_types():
    known = set(question_types())
    assert {label for _, label, _, _ in questions._cues()} <= known
    assert set(questions.medquad_type_map().values()) <= known


def test_training_learns_from_masked_questions():
    examples = [(f"What causes {questions.CONCEPT}?", "cause", f"f{i}") for i in range(5)] + [
        (f"How is {questions.CONCEPT} treated?", "treatment", f"g{i}") for i in range(5)
    ]
    model = QtypeModel.train(examples, scale=1.0)
    scores = model.log_posterior(f"what causes {questions.CONCEPT}")
    assert max(scores, key=scores.get) == "cause"
    assert QtypeModel.from_dict(json.loads(json.dumps(model.to_dict()))) == model


def test_features_are_stemmed_unigrams_and_bigrams():
    found = features("What causes <c>?")
    assert {"caus", "<s> what", "what caus", "caus <c>"} <= set(found)


# -- with the real datasets ----------------------------------------------------------------


@pytest.fixture(scope="module")
def real_vocabulary(shared_data: Path) -> Vocabulary:
    """MedlinePlus health topics (981 MedQuAD pages) and the Disease Ontology: seconds."""
    pages = shared_data / "medquad" / "4_MPlus_Health_Topics_QA"
    documents = [
        record
        for path in medquad.files(pages)
        for record in medquad.read_file(path)
        if isinstance(record, Document)
    ]
    return build_from_shared(documents, shared_data)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("text", "name", "doid", "qtype"),
    [
        ("What causes MS flares?", "multiple sclerosis", "DOID:2377", "cause"),
        ("heart attack symptoms", "myocardial infarction", "DOID:5844", "symptoms"),
        ("how is high blood pressure treated", "hypertension", "DOID:10763", "treatment"),
        (
            "Is mitral stenosis (MS) serious? What does an MS murmur sound like?",
            "mitral stenosis",
            None,
            "outlook",
        ),
    ],
)
def test_real_questions_with_medquad_and_the_disease_ontology(
    real_vocabulary, text, name, doid, qtype
):
    result = analyze(text, real_vocabulary)
    concept = result.focus[0]
    assert concept.name.lower() == name
    assert doid is None or doid in concept.ids
    assert result.qtype == qtype


@pytest.mark.shared_data
def test_consumer_faq_questions_get_the_right_type(real_vocabulary, shared_data):
    """MEDIQA 2019 RQE validation FAQs, hand-labelled (tests/fixtures/questions)."""
    from lxml import etree

    pairs = etree.parse(
        shared_data / "mediqa2019-qa" / "MEDIQA2019-Task2-RQE-ValidationSet-AMIA2016.xml"
    )
    faq = {p.get("pid"): (p.findtext("faq") or "").strip() for p in pairs.iter("pair")}
    rows = [
        line.split("\t")
        for line in (QUESTIONS / "mediqa_rqe_faq_qtypes.tsv").read_text().splitlines()
        if line and not line.startswith(("#", "pid"))
    ]
    hits = sum(
        analyze(faq[pid], real_vocabulary).qtype in labels.split("|") for pid, labels in rows
    )
    assert hits / len(rows) >= 0.9


# -- the command line --------------------------------------------------------------------


def test_the_cli_analyzes_a_question_with_the_library_vocabulary(tmp_path, monkeypatch, capsys):
    from evimap.cli import main
    from evimap.library import Library

    lines = (QUESTIONS / "library.jsonl").read_text().splitlines()
    with Library(tmp_path / "lib", create=True) as library:
        library.add(Document.from_dict(json.loads(ln)) for ln in lines if not ln.startswith("#"))
    monkeypatch.setenv("EVIMAP_SHARED_DATA", str(tmp_path / "no-shared-data"))
    code = main(
        ["analyze", "What causes quorvane syndrome?", "--json", "-L", str(tmp_path / "lib")]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["qtype"], data["focus"][0]["name"]) == ("cause", "Quorvane syndrome")
    assert (tmp_path / "lib" / "vocabulary.json").exists()  # built on first use, then kept
    assert main(["library", "vocabulary", "-L", str(tmp_path / "lib")]) == 0
    assert main(["analyze", "   ", "-L", str(tmp_path / "lib")]) == 1  # a clear error
    assert "empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("What is gout, how is it treated?", ["What is gout", "how is it treated?"]),
        ("If I have gout, what should I eat?", ["If I have gout, what should I eat?"]),
        ("Is it safe to take aspirin, which I use daily?", None),
    ],
)
def test_a_comma_splits_two_asks_but_not_a_condition_or_a_relative_clause(vocabulary, text, parts):
    found = [p.text for p in analyze(text, vocabulary).parts]
    assert found == (parts or [text])


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("What is the anesthesia protocol for castrating a horse?", True),
        ("My dog has diarrhea, what should I give him?", True),
        ("My dog bit me, do I need a rabies shot?", False),
        ("Is horse chestnut safe to take?", False),
    ],
)
def test_a_question_about_an_animals_health_is_out_of_scope(vocabulary, text, outside):
    assert bool(analyze(text, vocabulary).out_of_scope) is outside


def test_a_broad_topic_named_beside_a_condition_comes_after_it():
    """ "the inheritance pattern of Quorvane syndrome": the topic Genetics is named first, the
    condition is what is asked about."""
    from evimap.questions import _focus
    from evimap.vocabulary.matching import Concept

    topic = Concept("Genetics", "topic", span=(12, 31))
    condition = Concept("Quorvane syndrome", "condition", span=(35, 52))
    context = Concept("Blemwort pyrexia", "condition", span=(60, 76))
    ordered = _focus([topic, context, condition], [(0, 53)])
    assert [c.name for c in ordered] == ["Quorvane syndrome", "Genetics", "Blemwort pyrexia"]


def test_a_conditions_own_name_is_no_cue_for_the_type_asked():
    """ "hereditary" in a condition's name asks nothing about inheritance."""
    record = {
        "id": "medquad:TEST_9001_1",
        "kind": "reference",
        "collection": "medquad",
        "title": "What is (are) hereditary grellfoot palsy?",
        "passages": [{"text": "Hereditary grellfoot palsy is invented.", "heading": ""}],
        "question": {
            "text": "What is (are) hereditary grellfoot palsy?",
            "qtype": "information",
            "focus": "Hereditary grellfoot palsy",
            "semantic_types": ["T047"],
        },
    }
    vocab = Vocabulary.build([Document.from_dict(record)])
    asked = analyze("What is the prevalence of hereditary grellfoot palsy?", vocab)
    assert [c.name.lower() for c in asked.focus] == ["hereditary grellfoot palsy"]
    assert asked.qtype == "frequency"
    assert analyze("Is grellfoot palsy hereditary?", vocab).qtype == "genetics"


def test_how_consumers_word_a_type_weighs_in_unless_a_strong_cue_decides():
    """A story no cue reads leans to the type consumers' own wording says; a type their
    annotations never use is neither favoured nor ruled out; a strong cue decides alone."""
    from dataclasses import replace

    from evimap.questions import classify, default_model, features

    base = replace(default_model(), consumer_model={})  # the form before the regression
    story = "my knee has hurt for months and nothing helps"

    def leaning(to: str):
        rows = {
            f: [-1.0 if label == to else -6.0 for label in ("cause", "outlook")]
            for f in features(story)
        }
        words = {"labels": ["cause", "outlook"], "prior": [-0.7, -0.7], "weight": 1.0}
        return replace(base, consumer_words={**words, "likelihood": rows})

    model = leaning("outlook")
    scores = model.consumer_scores(story)
    assert scores["cause"] < scores["self_care"] < scores["outlook"]
    assert next(iter(classify(story, model))) == "outlook"
    assert next(iter(classify(story, leaning("cause")))) == "cause"
    cued = "what are the side effects of <drug>"
    assert next(iter(classify(cued, model))) == "side_effects"


def test_the_consumer_regression_weighs_evidence_and_consumers_mix_of_types():
    """Shared weights on each type's evidence (model, cues in the part and the message) and
    a bias per type consumers ask; a type they never ask gets the mean bias, so its cue can
    still choose it."""
    from dataclasses import replace

    from evimap.questions import CONCEPT, classify, default_model, type_evidence

    fitted = {
        "labels": ["cause", "treatment"],
        "shared": [0.0, 4.0, 0.0, 0.0],  # the part's cue alone
        "bias": [0.0, 2.0],
        "unseen_bias": 1.0,
    }
    model = replace(default_model(), consumer_model=fitted)
    evidence = type_evidence(f"what causes {CONCEPT}", model)
    assert evidence["cause"][1:3] == (7 / 8, 1.0) and evidence["treatment"][1] == 0.0
    logits = model.consumer_logits(evidence)
    assert logits["cause"] == 3.5 and logits["treatment"] == 2.0
    assert next(iter(classify(f"what causes {CONCEPT}", model))) == "cause"
    assert next(iter(classify("my knee has hurt for months", model))) == "treatment"
    assert next(iter(classify(f"how common is {CONCEPT}", model))) == "frequency"  # unseen
    message = (f"what causes {CONCEPT}? any thoughts?", "")
    whole = type_evidence("any thoughts?", model, message=message)
    assert whole["cause"][3] == 7 / 8 and whole["cause"][1] == 0.0  # the message's cue


def test_a_consumer_regression_is_fitted_and_cross_validated_without_the_held_out_half():
    """The trainer's regression learns which evidence tells the type (fictional data)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
    import build_qtype_model as build

    labels = ("cause", "treatment", "outlook")

    def evidence(cued: str) -> dict:
        return {t: (-0.5, 7 / 8 if t == cued else 0.0, float(t == cued), 0.0) for t in labels}

    examples = [("cause", evidence("cause"))] * 6 + [("treatment", evidence("outlook"))] * 2
    examples += [("treatment", evidence("treatment"))] * 6
    fitted = build._fit(examples)
    assert fitted["labels"] == ["cause", "treatment"]
    assert fitted["shared"][1] > 0  # a cue is evidence for its type
    assert fitted["unseen_bias"] == round(sum(fitted["bias"]) / 2, 4)
    model = QtypeModel(labels, (0.0,) * 3, {}, consumer_model=fitted)
    assert max(model.consumer_logits(evidence("cause")).items(), key=lambda kv: kv[1])[0] == "cause"
