"""What makes a source sentence quotable as a statement, on its own, in an answer.

    well_formed(text)   a whole sentence of a sensible length, not a list's lead-in, not
                        a label, not how a study was done, not a list run together
    DANGLING            starts by leaning on the sentence before ("These...", "However")
    leans_back(text)    DANGLING, or "some of these ..." a few words in
    names_its_page(t)   "This condition ...": its page's subject, when it opens the page
    preclinical(text)   a study's finding in animals or cells, not in people
    research_agenda(t)  what research should do next ("larger trials are needed"), no finding
    navigation(text)    points elsewhere on its web page ("Visit...", "the table below")
    inline_list(text)   a lead-in and its list in one sentence, whole
    listing(lead, text) a list run into one sentence ("fatigue - weight gain - ...") after
                        the sentence that leads into it ("Common symptoms are"): the two
                        are quotable together

Pure functions over text, shared by composition and question matching (`matching`).
"""

from __future__ import annotations

import functools
import re

SENTENCES_KEPT = 100_000  # verdicts remembered: an answer tests the same sentences again
MIN_WORDS, MAX_WORDS = 6, 70

DANGLING = re.compile(
    r"^(?:this|these|those|it|its|they|their|such|both|he|she|however|therefore|thus|also|"
    r"still|yet|but|and|or|so|instead|otherwise|similarly|likewise|additionally|hence|"
    r"consequently|nevertheless|nonetheless|in contrast|on the other hand|as a result|"
    r"for example|for instance|in fact|as such|because of this|even so|in turn|"
    r"others?|another|the latter|the former|the same|then|again|"
    r"in addition|furthermore|moreover|in this|for this|if so|if not|in that case|"
    r"in such cases|at that point|like (?:this|that|these|those|the)\b|"
    r"(?:any|all|some|many|most|each|one|both|none|several|either|neither) of "
    r"(?:these|those|them|this|it))\b",
    re.IGNORECASE,
)
# ... or leans on it a few words in: "Nearly everyone shows some of these behaviors at times".
_LEANS_INSIDE = re.compile(
    r"^(?:[\w'-]+,?\s+){0,5}?"
    r"(?:(?:of|with|to|in|by|from|for|on|like|all|both|if) (?:these|those)\b|"
    r"(?:this|that) (?:protein|gene|enzyme|condition|disease|disorder|drug|medicine|test|"
    r"procedure|type|form|problem|symptom|treatment)\b|"
    r"(?:they|it) (?:also|too)\b|also (?:can|may|might|could|raise|increase|cause))|"
    # "There may also be ...", "Women also get ...", not "X is also called Y"
    r"^(?:[\w'-]+\s+){1,2}also\b(?! (?:called|known|referred))|"
    # "The test can show damage ...", "The rash, which ...": the one just named
    r"^the (?:test|tests|biopsy|rash|procedure|scan|exam|operation|sample|results?|tube|"
    r"device|sores?|lump|stone|growth)\b(?!\s+(?:of|for|is called|called|used|that|which)\b)",
    re.IGNORECASE,
)


def leans_back(text: str) -> bool:
    """Whether `text` needs the sentence before it to be understood."""
    return bool(DANGLING.match(text) or _LEANS_INSIDE.match(text))


# A source answer's opening that names its page's own subject so ("This condition is
# inherited in an autosomal recessive pattern" on the page "Is cystic fibrosis inherited?").
_ITS_PAGE = re.compile(r"^this (?:condition|disorder|disease|syndrome)\b", re.IGNORECASE)


def names_its_page(text: str) -> bool:
    """Whether `text` opens with "This condition ...", its page's subject: under a question
    about that subject it stands alone, where it is the page's first sentence."""
    return bool(_ITS_PAGE.match(text)) and well_formed(text) and not navigation(text)


# A finding in animals or cells, not in people: "Ly6Chi monocytes ... in mice".
_PRECLINICAL = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|hamsters?|zebrafish|drosophila|"
    r"in vitro|cell lines?|cultured cells|knockout|xenografts?|animal models?)\b",
    re.IGNORECASE,
)


def preclinical(text: str) -> bool:
    """Whether a study's sentence reports a finding in animals or cells."""
    return bool(_PRECLINICAL.search(text))


# What research should do next, not what it found: "Larger clinical trials are needed to
# establish whether ...", "Further studies should examine ...".
_AGENDA = re.compile(
    r"\b(?:further|more|larger|additional|future|longer|well-designed|prospective|"
    r"randomi[sz]ed)\s+(?:\w+\s+){0,2}(?:research|studies|study|trials?|investigations?|"
    r"work|data|evidence)\s+(?:is|are|will be|would be|should|must|may be)?\s*"
    r"(?:needed|required|warranted|necessary|called for|examine|investigate|explore|"
    r"confirm|determine|establish)|\bremains? to be (?:determined|established|seen|clarified)|"
    r"\bunless improvements are made\b|\bneeds? to be (?:examined|investigated|explored|"
    r"confirmed|determined|established) in\b",
    re.IGNORECASE,
)


def research_agenda(text: str) -> bool:
    """Whether a study's sentence says what research should do next, not what it found."""
    return bool(_AGENDA.search(text))


NAVIGATION_AT_START = re.compile(
    r"(?:learn more|read more|click|see (?:also|the|our)|visit|please (?:visit|click|see|"
    r"refer|go|contact|call)|go to|"
    r"for more (?:information|details)|more information|"
    r"you can (?:find|read|learn|order|search|call|use)|call |contact |below is|"
    r"the following is|watch |to enlarge|\(watch|add any questions|"
    r"this (?:page|section|fact sheet|web ?site)|these resources|the following (?:list|"
    r"resources|organizations)|the human phenotype ontology|much of this information comes|"
    r"sometimes, no information|in these cases, the sign)",
    re.IGNORECASE,
)
NAVIGATION_ANYWHERE = re.compile(
    r"https?://|www\.|\bclick here\b|\bweb ?site\b|"
    r"\b(?:table|list|chart|links?) below\b|\b(?:listed|shown|described) below\b|"
    r"\bif the information is available\b|"
    r"\bfrequency of a sign or symptom\b|\bnumber of the fraction\b|"
    r"\bmeans that in a study of\b|\bmay be rare or common\b|"
    # the boilerplate under a page's table of how often each sign is seen
    r"\bfrequenc(?:y|ies)\b.{0,60}\b(?:fraction|specific study|no information|rough estimate)|"
    # a document's pointer to its own parts ("... are provided in the Screening Tests section")
    r"\b(?:are|is) (?:provided|described|discussed|given|listed) (?:in|under) the\b.{0,80}"
    r"\bsection\b",
    re.IGNORECASE,
)
# Substrings one of which a sentence holds if NAVIGATION_ANYWHERE can match: most
# sentences hold none, and `in` is far cheaper than the pattern's scan.
_ANYWHERE_HINTS = (
    "http",
    "www.",
    "click",
    "web",
    "below",
    "if the",
    "frequenc",
    "fraction",
    "a study of",
    "rare or",
    "section",
)


def navigation(text: str) -> bool:
    """Whether `text` points elsewhere on its web page, or is its boilerplate, not a
    statement about health ("Visit ...", "the table below includes how often the symptom is
    seen")."""
    if NAVIGATION_AT_START.match(text):
        return True
    lower = text.lower()
    return any(h in lower for h in _ANYWHERE_HINTS) and bool(NAVIGATION_ANYWHERE.search(text))


# A list's lead-in without its list ("Treatment may include the following.").
LEAD_IN_END = re.compile(
    r"(?:\b(?:include|includes|including|following|these|are|is|as follows|such as)\s*[:.]|"
    r":\s*)$",
    re.IGNORECASE,
)
LEAD_IN_START = re.compile(r"here (?:are|is)\b", re.IGNORECASE)
_TAIL = 30  # characters at a sentence's end that LEAD_IN_END can match
# How a study was done, not what it found ("We examined ...", "This study aimed ...",
# "... were randomly assigned to ...").
METHODS_AT_START = re.compile(
    r"(?:we|this (?:study|trial|review|analysis)|the (?:aim|objective|purpose|goal)s? of)\b"
    r"(?:\s+\w+){0,3}?\s+(?:examin|investigat|aim|conduct|perform|stud|assess|evaluat|"
    r"analy[sz]|sought|determin|compar|enroll|recruit|randomi[sz]|measur|review|search|"
    r"collect|identif|describ|report|present|propos|design|develop|use)",
    re.IGNORECASE,
)
METHODS_WERE = re.compile(
    r"\bwere (?:randomly )?(?:assigned|randomi[sz]ed|enrolled|recruited|included|excluded|"
    r"allocated|followed up|interviewed|surveyed)\b",
    re.IGNORECASE,
)
OWN_CITATIONS = re.compile(r"\[\s*(?:\d+(?:\s*[,;\u2013-]\s*\d+)*|,[^\]]*)\s*\]")
LABEL = re.compile(r"^(?:[A-Z]{4,}\b|[A-Z][a-z]+:)")  # "BACKGROUND ...", "Methods: ..."


@functools.lru_cache(maxsize=SENTENCES_KEPT)
def well_formed(text: str) -> bool:
    """A sentence that can stand alone as a statement (before any question is asked)."""
    n_words = len(text.split())
    return (
        MIN_WORDS <= n_words <= MAX_WORDS
        and text[-1:] in ".!"
        and (text[:1].isupper() or text[:1].isdigit())  # not a list item's tail ("is more...")
        and not lead_in(text)
        and not LABEL.match(text)
        and not methods(text)
        and text.count(" - ") < 2  # a list run together, not a sentence
        and not OWN_CITATIONS.search(text)  # an article's "[12, 14]" would read as ours
    )


@functools.lru_cache(maxsize=SENTENCES_KEPT)
def statement(text: str) -> bool:
    """Well formed, standing on its own and not navigation: a source's own statement."""
    return well_formed(text) and not leans_back(text) and not navigation(text)


def lead_in(text: str) -> bool:
    """A list's lead-in without its list ("Treatment may include the following.")."""
    return bool(LEAD_IN_START.match(text) or LEAD_IN_END.search(text, max(0, len(text) - _TAIL)))


def methods(text: str) -> bool:
    """How a study was done, not what it found."""
    if METHODS_AT_START.match(text):
        return True
    return "were " in text.lower() and bool(METHODS_WERE.search(text))


LIST_ITEM = " - "  # how a web page's list reads once its items are run into one sentence
MAX_LIST_WORDS = 90
_LEADS_IN = re.compile(
    r"\b(?:are|is|include|includes|including|such as|following|as follows|these)\s*[:.]?$",
    re.IGNORECASE,
)


_INLINE_LEAD_END = re.compile(
    r"(?:should|have|has|include|includes|including|are|is|as|may|can|might|following|"
    r"cause|causes|get|try|if you|you)\s*:?\s*$",
    re.IGNORECASE,
)
# An item that runs on into the next sentence ("Impulsivity No one knows exactly what
# causes ADHD"): a capitalised word after its first (not an acronym), three words on.
_RUN_ON = re.compile(r"\s(?:[A-Z][a-z][\w'-]*)(?:\s+\S+){3}")
MAX_ITEM_WORDS = 20


def inline_list(text: str) -> bool:
    """A lead-in and its list in one sentence, whole ("To help protect yourself, you
    should - Use a repellent with DEET - Wear light-colored clothing - Avoid tick-infested
    areas"): at least two items, none running on into the next sentence."""
    if text.count(LIST_ITEM) < 2 or len(text.split()) > MAX_LIST_WORDS:
        return False
    lead, *items = text.split(LIST_ITEM)
    if len(lead.split()) < 2 or not _INLINE_LEAD_END.search(lead) or not lead[:1].isupper():
        return False
    return all(
        0 < len(item.split()) <= MAX_ITEM_WORDS and not _RUN_ON.search(_after_first(item))
        for item in items
    )


def _after_first(item: str) -> str:
    _, _, rest = item.strip().partition(" ")
    return " " + rest if rest else ""


def listing(lead: str, text: str) -> bool:
    """Whether `text` is a list of three or more items run together that `lead`, a whole
    sentence's start ("Some common symptoms of hypothyroidism are"), leads into: quoted
    together they say what the list is of."""
    if text.count(LIST_ITEM) < 2 or text.rstrip().endswith(":"):
        return False
    if len(lead.split()) + len(text.split()) > MAX_LIST_WORDS or len(lead.split()) < 3:
        return False
    return (
        lead[:1].isupper()
        and not leans_back(lead)
        and bool(_LEADS_IN.search(lead))
        and not navigation(lead)
    )
