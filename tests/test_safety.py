"""Red flags put an emergency notice first; requests for personal advice get a framing line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evimap import safety

# (message, category expected or None, why)
EMERGENCIES = [
    (
        "My toddler just swallowed some of my blood pressure pills, what do I do?",
        "poisoning",
        "a child who swallowed someone's pills",
    ),
    ("My dad's face is drooping and he can't talk", "stroke", "FAST signs happening now"),
    ("my wife's speech is slurred and her arm is weak", "stroke", "slurred speech, a person"),
    ("I think my mom is having a stroke", "stroke", "says it is happening"),
    ("I have chest pain and shortness of breath", "cardiac", "pain with breathlessness"),
    ("crushing chest pain sweating", "cardiac", "keywords only, not a question"),
    (
        "I've had chest pain on and off. Now I'm sweating and my left arm hurts.",
        "cardiac",
        "the signs are in neighbouring sentences",
    ),
    ("I want to kill myself", "suicide", "suicidal thoughts"),
    ("my son has been cutting himself", "suicide", "self-harm"),
    ("I don't want to live anymore", "suicide", "suicidal thoughts in other words"),
    ("my throat is swelling after eating peanuts", "anaphylaxis", "swelling and a trigger"),
    ("he can't breathe and his lips are turning blue", "breathing", "cannot breathe"),
    ("the cut won't stop bleeding", "bleeding", "uncontrolled bleeding"),
    ("my toddler swallowed a button battery", "poisoning", "battery ingestion"),
    ("I took 30 tylenol pills an hour ago", "poisoning", "an overdose an hour ago is now"),
    ("my son has a stiff neck and a high fever", "meningitis", "meningitis signs"),
    ("My 5 week old baby has a fever of 38.4", "infant_fever", "fever under 3 months"),
    ("my husband is having a seizure and it won't stop", "seizure", "ongoing seizure"),
    ("my grandpa is unresponsive", "unconscious", "unresponsive"),
    ("my daughter hit her head and keeps vomiting", "head_injury", "head injury with vomiting"),
    ("I'm 30 weeks pregnant and have heavy bleeding", "pregnancy", "bleeding in pregnancy"),
    ("worst headache of my life", "headache", "thunderclap headache"),
]

NOT_EMERGENCIES = [
    ("I took my blood pressure pills this morning, can I drink coffee?", "own daily pills"),
    ("What are the signs of a stroke?", "asks to learn the signs"),
    ("Can MS cause slurred speech?", "a general question about a sign"),
    ("What causes chest pain and shortness of breath?", "a general question"),
    ("What are the warning signs of suicide?", "education"),
    ("Can antidepressants cause suicidal thoughts?", "a question about a drug"),
    ("I'm not suicidal but I feel low", "negated"),
    ("I don't have chest pain but I get short of breath on stairs", "negated"),
    ("My father had a stroke 3 years ago and still has slurred speech. What helps?", "past"),
    ("What should I do if someone has a seizure?", "hypothetical"),
    ("What happens if you take too much Tylenol?", "general"),
    ("What is a normal temperature for a baby?", "general"),
    ("How is multiple sclerosis treated?", "nothing urgent"),
    ("", "empty text"),
]


@pytest.mark.parametrize(("text", "category", "why"), EMERGENCIES)
def test_red_flags_that_are_happening_need_the_emergency_notice(text, category, why):
    check = safety.check(text)
    assert check.emergency, why
    assert category in [f.category for f in check.red_flags], why
    assert check.notice, why


@pytest.mark.parametrize(("text", "why"), NOT_EMERGENCIES)
def test_educational_negated_past_or_hypothetical_mentions_are_not_emergencies(text, why):
    check = safety.check(text)
    assert not check.emergency, (why, check.red_flags)
    assert check.notice == ""


def test_the_suicide_notice_gives_crisis_lines():
    notice = safety.check("I want to end my life").notice
    assert "988" in notice and "116 123" in notice and "findahelpline.com" in notice


def test_other_notices_give_the_emergency_number():
    notice = safety.check("my dad's face is drooping").notice
    assert "911" in notice and "112" in notice and "999" in notice


def test_every_category_has_a_label_and_a_notice():
    for name, label in safety.categories().items():
        assert label
        assert safety._notice(name).strip()
        assert "{" not in safety._notice(name)  # placeholders filled


def test_a_red_flag_reports_where_it_was_found():
    text = "Hello. My dad's face is drooping."
    (flag,) = safety.check(text).red_flags
    assert text[flag.span[0] : flag.span[1]] == flag.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Should I take 2 tablets?", "dose"),
        ("What dose of ibuprofen for my son? He is 4.", "dose"),
        ("how many mg of melatonin should I take", "dose"),
        ("Do I have diabetes?", "diagnosis"),
        ("Could this be cancer?", "diagnosis"),
        ("does my daughter have autism", "diagnosis"),
        ("Can I take ibuprofen with lisinopril?", "decision"),
        ("Should I stop my statin?", "decision"),
        ("Is it safe for me to drink alcohol on metronidazole?", "decision"),
    ],
)
def test_requests_for_personal_advice_get_a_see_a_clinician_framing(text, kind):
    check = safety.check(text)
    assert check.personal_advice and kind in check.advice
    assert "clinician" in check.framing or "pharmacist" in check.framing


@pytest.mark.parametrize(
    "text",
    [
        "What is the usual dose of ibuprofen for adults?",
        "What are the side effects of metformin?",
        "Do I need to see a doctor for a sprained ankle?",
        "How is diabetes diagnosed?",
        "What causes MS flares?",
    ],
)
def test_general_questions_are_not_personal_advice(text):
    check = safety.check(text)
    assert not check.personal_advice and check.framing == ""


def test_checking_a_long_text_is_bounded():
    text = "I feel fine today and my family is well. " * 2_000 + "I want to kill myself."
    check = safety.check(text)  # every pattern runs once over the text, at most 50 matches
    assert check.emergency


def test_the_result_serialises():
    data = safety.check("I have chest pain and can't breathe. Should I take aspirin?").to_dict()
    assert data["emergency"] and data["personal_advice"]
    assert {f["category"] for f in data["red_flags"]} >= {"cardiac", "breathing"}


SOURCE = Path(safety.__file__).parent  # src/evimap


def test_crisis_lines_and_emergency_numbers_are_written_only_in_the_data_file():
    """A fix to a crisis line or an emergency number has one place to go: no code or
    template under src/evimap holds a copy (the site is given them by safety.crisis())."""
    data = SOURCE / "data" / "red_flags.yaml"
    copies = re.compile(r"\b988\b|116 123|findahelpline|Samaritans|\b(?:911|999|112) in the\b")
    assert copies.search(data.read_text())
    files = [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html"), *SOURCE.rglob("*.yaml")]
    holding = [
        str(f.relative_to(SOURCE)) for f in files if f != data and copies.search(f.read_text())
    ]
    assert holding == []


def test_the_crisis_category_fires_on_the_crisis_words_and_its_notice_gives_the_lines():
    crisis = safety.crisis()
    assert crisis.category in safety.categories()
    assert crisis.words.search("I want to kill myself")
    notice = safety.check("I want to kill myself").notice
    assert notice.endswith(" ".join(crisis.lines))
    assert "988" in crisis.lines[0] and crisis.lines[-1].startswith("If you or someone else")
