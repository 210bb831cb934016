"""Quotable sentences: the tests that decide what may stand alone as a statement."""

from __future__ import annotations

import pytest

from evimap.query import Tokens
from evimap.quotable import (
    lead_in,
    leans_back,
    listing,
    methods,
    navigation,
    statement,
    well_formed,
)


@pytest.mark.parametrize(
    "text",
    [
        "Visit the Moonseed Society's pages for more on glimmerfield fever.",
        "The table below lists how often each glimmer sign is seen.",
        "Glimmerfield fever is described at https://example.org/glimmer today.",
        "Call your doctor's office if the glimmer rash spreads past the elbow.",
        "Our web site explains glimmerfield fever in several languages.",
        "More details about glimmer rash tests are provided in the Screening Tests section.",
        "Some of the most common signs of glimmerfield fever are listed below in a chart.",
    ],
)
def test_navigation_is_not_a_statement(text):
    assert navigation(text)
    assert not statement(text)


@pytest.mark.parametrize(
    "text",
    [
        "Glimmerfield fever is caused by a moonseed virus carried by moths.",
        "People who recall below-average sleep were more tired, a survey of fifty found.",
    ],
)
def test_a_plain_health_sentence_is_not_navigation(text):
    assert not navigation(text)


def test_a_lead_in_is_found_at_the_end_only_on_a_whole_word():
    assert lead_in("Treatment for glimmerfield fever may include the following.")
    assert lead_in("Here are the signs of glimmerfield fever in small children.")
    assert lead_in("Signs of glimmerfield fever in small children are:")
    assert not lead_in("Moonseed moths carry the virus that causes the fever in this.")
    assert not lead_in("Glimmerfield fever is treated with rest and plenty of moonseed tea.")
    assert not lead_in("The glimmer rash lasts about ten days in most people who are.x")
    # "this" would end a lead-in, "synthesis" must not
    assert not lead_in("Glimmer cells make a protein by slow biosynthesis.")


def test_methods_sentences_are_how_a_study_was_done():
    assert methods("We randomised 120 adults to moonseed extract or placebo.")
    assert methods("Adults with glimmerfield fever were randomly assigned to two groups.")
    assert not methods("Moonseed extract shortened glimmerfield fever by two days.")
    assert not well_formed("We examined forty moths for the moonseed virus in spring.")
    assert well_formed("Moonseed extract shortened glimmerfield fever by two days.")


def test_a_prefix_cue_matches_a_word_start_only():
    tokens = Tokens.of("Stress can trigger a glimmer relapse, and pretriggers cannot.")
    assert tokens.mention(("trigger*",))
    assert not tokens.mention(("rigger*",))
    assert not Tokens.of("Glimmer relapses are pretriggered.").mention(("trigger*",))
    assert Tokens.of("Moths cause it.").mention(("cause",))


def test_a_list_run_into_one_sentence_is_quoted_with_its_lead_in():
    lead = "Some common signs of glimmerfield fever are"
    items = "a silver rash - sore elbows - a humming in the ears - tiredness"
    assert listing(lead, items)
    assert not listing(lead, "a silver rash and sore elbows")  # not a list
    assert not listing("These signs are", items)  # leans on what came before
    assert not listing("Glimmerfield fever is caught from moths.", items)  # leads nowhere
    assert not listing(lead, " - ".join(["a long list item of many words"] * 20))  # too long


def test_a_phrase_cue_needs_the_whole_phrase():
    from evimap.query import Tokens

    assert Tokens.of("Glimmer rash gets worse over time.").mention(("over time",))
    assert not Tokens.of("Take it over the counter in time.").mention(("over time",))
    assert not Tokens.of("It is a rash of the elbows.").mention(("is an",))
    assert Tokens.of("It is an itchy rash.").mention(("is an",))


def test_an_articles_own_numbered_citations_keep_a_sentence_out():
    assert not well_formed("Cooling shortened glimmerfield flares in three trials [12, 14].")
    assert not well_formed("Cooling shortened glimmerfield flares in one trial [7].")
    assert well_formed("Cooling shortened glimmerfield flares in three small trials.")


def test_the_boilerplate_under_a_table_of_signs_is_navigation():
    assert navigation(
        "Because these frequencies are based on a specific study, the fractions may be "
        "different if another group of patients are examined."
    )
    assert not navigation("The frequency of glimmer rash rises in summer in most people.")
    for text in (
        "The Human Phenotype Ontology provides the following list of signs and symptoms.",
        "Much of this information comes from Orphanet, a European rare disease database.",
        "Sometimes, no information on frequency is available.",
    ):
        assert navigation(text), text


def test_a_sentence_that_leans_on_the_one_before_is_dangling():
    from evimap.quotable import DANGLING

    for text in (
        "As a result, some blood pools in the glimmer chamber.",
        "Other skin problems can look like glimmer rash.",
        "For example, moonseed tea can ease it.",
        "Another test is a glimmer scan.",
    ):
        assert DANGLING.match(text), text
    assert not DANGLING.match("Otherworldly moths carry glimmerfield fever.")
    assert not DANGLING.match("Theophylline is a drug for glimmer asthma.")


def test_a_sentence_leaning_on_the_one_before_a_few_words_in_is_not_quotable_alone():
    assert leans_back("Nearly everyone shows some of these glimmer signs at times.")
    assert leans_back("People with these moonseed genes get glimmerfield fever more often.")
    assert not statement("Nearly everyone shows some of these glimmer signs at times.")
    assert not leans_back("The risk of glimmerfield fever is highest in those over 65.")
    assert not leans_back("Moonseed moths carry the virus that causes glimmerfield fever.")
    assert leans_back("There may also be moonseed factors in glimmerfield fever.")
    assert not leans_back("Glimmerfield fever is also called moonseed pyrexia in old books.")


def test_a_finding_in_animals_or_cells_is_preclinical():
    from evimap.quotable import preclinical

    assert preclinical("Moonseed extract shortened glimmer fever in mice by two days.")
    assert preclinical("Glimmer cells in vitro stopped dividing after moonseed.")
    assert not preclinical("Adults with glimmerfield fever who took moonseed recovered sooner.")


@pytest.mark.parametrize(
    "text",
    [
        "If so, a doctor will test the glimmer rash again in a week.",
        "Like moonseed tea, this protein calms the glimmer rash in most people.",
        "Certain moonseed factors also can raise your risk for glimmerfield fever.",
        "Treatment of this condition includes rest and moonseed tea for a week.",
        "If these other glimmer causes are ruled out, a doctor may send you to a specialist.",
    ],
)
def test_openers_that_point_back_need_the_sentence_before(text):
    assert leans_back(text)


def test_what_research_should_do_next_is_no_finding() -> None:
    from evimap.quotable import research_agenda

    assert research_agenda("Larger clinical trials are needed to establish whether it helps.")
    assert research_agenda("Further studies are warranted.")
    assert research_agenda("Whether zorblatine helps remains to be determined.")
    assert not research_agenda("Zorblatine reduced flares in the randomized trial.")
    assert not research_agenda("More studies showed a benefit of zorblatine.")


def test_the_one_just_named_leans_back() -> None:
    from evimap.quotable import leans_back

    assert leans_back("The test can show damage to the lining of the gut.")
    assert leans_back("The rash, which does not itch, fades in a week.")
    assert not leans_back("The test for quillstone disease is a blood test.")
    assert not leans_back("The doctor may ask about your family history.")


def test_a_lead_in_and_its_list_in_one_sentence_is_quotable_whole() -> None:
    from evimap.quotable import inline_list

    assert inline_list("To protect yourself, you should - Use a repellent - Wear long sleeves")
    assert inline_list("Symptoms include - fever - cough - chills.")
    # the last item runs on into the page's next sentence: not a whole list
    assert not inline_list(
        "Its features are - Inattention - Restlessness No one knows why it starts."
    )
    assert not inline_list("Fever - cough - chills.")  # no lead-in
