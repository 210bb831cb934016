"""bench/lead_grades.py's own parts: the MEDIQA Task 3 loader, URL normalisation, matching a
document to a judged answer, and the summary. Fictional questions and pages throughout."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import lead_grades

GLIMMER_URL = "https://www.example-health.org/glimmer-fever/"
FIXTURE = Path(__file__).parent / "fixtures" / "mediqa_qa" / "Fixture-Task3-QA.xml"
CAUSES = (
    "Glimmer fever is caused by the moth-borne glowvirus, which spreads when lantern moths "
    "bite people who sleep near open windows in summer."
)


@pytest.fixture(scope="module")
def questions() -> list[lead_grades.Question]:
    return lead_grades.load(FIXTURE, "fixture")


def test_loader_reads_questions_and_judged_answers(questions):
    assert [(q.file, q.qid) for q in questions] == [("fixture", "7"), ("fixture", "8")]
    first = questions[0]
    assert first.text == "about glimmer fever. WHAT CAUSES GLIMMER FEVER?"
    assert [j.score for j in first.judged] == [2, 4, 3, 1, 3]
    assert [j.grade for j in first.judged] == [1, 3, 2, 0, 2]
    causes = first.judged[1]
    assert (causes.aid, causes.head, causes.body) == ("7_Answer2", "Glimmer fever (Causes)", CAUSES)
    assert causes.url == "https://www.example-health.org/glimmer-fever/"
    assert first.judged[2].head == "What causes glimmer fever?"
    assert questions[1].judged == ()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.Example-Health.org/Glimmer-Fever/", "example-health.org/glimmer-fever"),
        (
            "http://example-health.org/glimmer-fever?utm=x#causes",
            "example-health.org/glimmer-fever",
        ),
        ("example-health.org/glimmer-fever", "example-health.org/glimmer-fever"),
        ("https://www.nlm.nih.gov/medlineplus/flu.html", "medlineplus.gov/flu.html"),
        (
            "https://medlineplus.gov/ency/article/000080.htm",
            "medlineplus.gov/ency/article/000080.htm",
        ),
        ("https://wwwx.example.org/a", "wwwx.example.org/a"),
        ("#", ""),
        ("  ", ""),
    ],
)
def test_normalize_url(url, expected):
    assert lead_grades.normalize_url(url) == expected


def test_same_url_picks_the_section_whose_text_is_the_document(questions):
    judged = questions[0].judged
    found = lead_grades.match("http://example-health.org/glimmer-fever", CAUSES, judged)
    assert found is not None
    assert (found.aid, found.grade, found.how) == ("7_Answer2", 3, "url")
    assert found.overlap == 1.0


def test_another_section_of_the_judged_page_is_not_graded(questions):
    other = "Rest, fluids and a dark room help most people with glimmer fever within a week."
    found = lead_grades.match(
        "https://www.example-health.org/glimmer-fever/", other, questions[0].judged
    )
    assert found is not None and (found.aid, found.how, found.overlap) == ("7_Answer1", "page", 0.0)
    doc = SimpleNamespace(id="d1", title="Treating glimmer fever", url=GLIMMER_URL, text=other)
    row = lead_grades.graded(doc, questions[0])
    assert (row["matched"], row["grade"], row["how"], row["empty"]) == (False, 0, "page", False)


def test_a_question_without_text_matches_by_its_own_question(questions):
    url = "https://example-health.org/glimmer-fever/faq"
    found = lead_grades.match(url, "", questions[0].judged, "What causes (are) glimmer fever?")
    assert found is not None and (found.aid, found.grade, found.how) == ("7_Answer5", 2, "title")
    doc = SimpleNamespace(id="d2", title="What causes glimmer fever?", url=url, text=" ")
    row = lead_grades.graded(doc, questions[0])
    assert (row["matched"], row["grade"], row["how"], row["empty"]) == (True, 2, "title", True)
    assert (
        lead_grades.match(url, "", questions[0].judged, "How is glimmer fever treated?").how
        == "page"
    )
    assert lead_grades.same_question("What is (are) Flu?", "What is Flu?")
    assert not lead_grades.same_question("What is (are) Flu?", "Flu (Summary)")


def test_moved_address_matches_by_url(questions):
    wobble = questions[0].judged[3]
    found = lead_grades.match(
        "https://medlineplus.gov/ency/article/999999.htm",
        f"Wobble knee. {wobble.body}",
        questions[0].judged,
    )
    assert found is not None and (found.aid, found.grade, found.how) == ("7_Answer4", 0, "url")


def test_text_overlap_matches_when_the_url_does_not(questions):
    judged = questions[0].judged
    copied = (
        "Causes. The glowvirus carried by lantern moths causes glimmer fever; it is not "
        "passed from one person to another by touch or by sharing cups. See your doctor."
    )
    found = lead_grades.match("https://elsewhere.example.org/gf", copied, judged)
    assert found is not None and (found.aid, found.grade, found.how) == ("7_Answer3", 2, "text")
    assert found.overlap >= lead_grades.OVERLAP
    neighbour = (
        "Lantern moths are large grey moths of the lantern towns; their bite itches for a day "
        "and is otherwise harmless to people and pets."
    )
    assert lead_grades.match("https://elsewhere.example.org/moths", neighbour, judged) is None
    assert lead_grades.match("https://elsewhere.example.org/gf", copied, ()) is None


def test_overlap_needs_enough_words_on_both_sides():
    assert lead_grades.overlap("Glimmer fever.", "Glimmer fever.") == 0.0
    assert lead_grades.overlap(CAUSES, CAUSES) == 1.0
    assert (
        lead_grades.overlap(CAUSES, "Nothing of the kind is said in this other page at all.") == 0.0
    )


def _row(ask: int | None, retrieve: int | None, search: int | None, abstained=False) -> dict:
    def system(grade):
        if grade is None:
            return None
        return {"grade": max(grade, 0), "matched": grade >= 0}

    return {
        "file": "fixture",
        "abstained": abstained,
        "ask": system(ask),
        "retrieve": system(retrieve),
        "search": system(search),
        "oracle": system(max(g for g in (ask, retrieve, search, -1) if g is not None)),
    }


def test_summary_counts_unmatched_and_abstained_as_zero():
    rows = [_row(3, 1, 1), _row(-1, 2, 2), _row(None, 3, -1, abstained=True), _row(1, 1, 0)]
    rows[0]["ask"].update(how="url")
    rows[3]["ask"].update(how="title")
    rows[1]["search"].update(empty=True)  # a question without its text, graded 2
    result = lead_grades.summary(rows)
    assert result["questions"] == 4 and result["abstained"] == 1
    assert result["ask"] == {
        "mean": 1.0,
        "mean_matched": 2.0,
        "matched": 2,
        "with_source": 3,
        "by": {"url": 1, "title": 1, "text": 0, "page": 0},
        "empty": 0,
        "mean_with_text": 1.0,
    }
    assert result["search"]["empty"] == 1
    assert result["search"]["mean"] == 0.75 and result["search"]["mean_with_text"] == 0.25
    assert result["retrieve"]["mean"] == pytest.approx(7 / 4)
    assert result["search"]["matched"] == 3 and result["search"]["mean_matched"] == 1.0
    assert result["oracle"]["mean"] == pytest.approx(9 / 4)
    assert result["ask_vs_retrieve"] == {"ask_higher": 1, "other_higher": 2, "equal": 1}
    assert result["ask_vs_search"] == {"ask_higher": 2, "other_higher": 1, "equal": 1}
