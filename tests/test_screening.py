"""Screening rules on realistic posts we wrote, and posts that must pass unflagged."""

from __future__ import annotations

import pytest

from evimap.screening import REMOVED, redact, screen


def kinds(text: str) -> list[str]:
    return screen(text).kinds


def found(text: str, kind: str) -> list[str]:
    return [f.text for f in screen(text).flags if f.kind == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Happy to talk, write to pat.lindqvist@example.org any time.",
            "pat.lindqvist@example.org",
        ),
        ("My flares eased after cooling vests (ask me: j_k+ms@mail.example.co.uk).", None),
    ],
)
def test_email_addresses_are_marked(text, expected):
    emails = found(text, "email")
    assert len(emails) == 1
    if expected:
        assert emails == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Call me on 0161 496 0000 if you want to compare notes.",
        "My mobile is +44 7700 900123, text me.",
        "Ring (555) 013-4477 after six.",
        "The support group number is 020-7946-0958.",
    ],
)
def test_phone_numbers_are_marked(text):
    assert found(text, "phone")


@pytest.mark.parametrize(
    "text",
    [
        "Come to 14 Elmwood Road, we meet on Tuesdays.",
        "We moved to 221B Baker Street last spring.",
        "Our clinic is in Leeds LS1 4AP and it is great.",
        "I live in Springfield, IL 62704 and the summers are brutal.",
    ],
)
def test_addresses_and_postcodes_are_marked(text):
    assert "address" in kinds(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My neurologist Sarah Connors said heat is a common trigger.", "Sarah Connors"),
        ("Dr Patel at the clinic changed my dose.", "Dr Patel"),
        ("My neighbour Tom Briggs drove me to every appointment.", "Tom Briggs"),
        ("Nurse Kelly Brown was wonderful during the infusion.", "Nurse Kelly Brown"),
    ],
)
def test_other_peoples_names_are_marked(text, name):
    assert found(text, "name") == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Read www.example-cure.com before your next appointment.",
        "This helped me: https://example.net/flare-diary",
        "Everything is on flarefreeliving.shop now.",
    ],
)
def test_links_are_marked(text):
    assert found(text, "link")


@pytest.mark.parametrize(
    "text",
    [
        "BUY NOW the herbal pack that stopped my flares!",
        "Use promo code FLARE20 for a discount on my supplements.",
        "Miracle cure, DM me for details.",
        "Sooooooooo happy with these pills",
        "THIS DOCTOR LIED TO ME AND NOBODY LISTENS TO PATIENTS LIKE ME EVER",
    ],
)
def test_spam_patterns_are_marked(text):
    assert "spam" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Some nights I want to die rather than face another flare.",
        "I have thought about killing myself since the diagnosis.",
        "Honestly everyone would be better off dead than looking after me.",
        "I don't want to be here anymore.",
        "Last week I took all my pills at once.",
        "I have started to hurt myself again when the pain is bad.",
        "I feel suicidal when the fatigue lasts for weeks.",
    ],
)
def test_crisis_language_is_caught(text):
    assert screen(text).crisis


@pytest.mark.parametrize(
    "text",
    [
        # everyday health writing that must pass unflagged
        "The heat is killing me this summer, and I was dying to get back to the garden.",
        "I take 200 mg twice a day and have done for 1-5 years (2019-2021 on another drug).",
        "My first flare was on 12.03.2021, after a bad cold.",
        "My Dr appointments are every 3 months; the Glimmerfield Syndrome Society helps too.",
        "A killer headache came before most flares, e.g. after hot baths.",
        "Since March I walk 2 km every morning before it gets hot.",
        "My husband noticed that stress at work came before every flare.",
    ],
)
def test_ordinary_posts_are_not_flagged(text):
    assert kinds(text) == []


def test_redaction_removes_only_personal_data():
    text = "Email pat@example.org or call 0161 496 0000; my neurologist Sarah Connors agreed."
    redacted = redact(text, screen(text).flags)
    assert "pat@example.org" not in redacted and "0161" not in redacted
    assert "Sarah Connors" not in redacted
    assert redacted.count(REMOVED) == 3
    assert redacted.startswith("Email ") and redacted.endswith(" agreed.")
    assert screen(redacted).kinds == []


@pytest.mark.parametrize(
    ("after", "added"),
    [
        ("My sister [removed] said the heat at her flat made my flares worse.", ""),
        ("My sister said the heat made my flares worse.", ""),
        ("My sister Jo said the heat at her flat in Mill Lane made my flares much better.", "much"),
        ("My sister Jo said the cold at her flat in Mill Lane made my flares worse.", "cold"),
        ("My sister Jo said the heat at her flat in Mill Lane made my flares worse. Buy!", "Buy !"),
    ],
)
def test_a_hand_edit_may_only_take_words_out(after, added):
    from evimap.screening import only_removals

    before = "My sister Jo said the heat at her flat in Mill Lane made my flares worse."
    assert only_removals(before, after).startswith(added) and bool(added) == bool(
        only_removals(before, after)
    )
