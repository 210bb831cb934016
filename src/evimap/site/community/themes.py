"""Themes across a page's approved posts, and where a theme meets the evidence.

    refresh(page) -> PageThemes     recount after any moderation change (one row per page)
    count(posts, survey, focus)     the counts themselves (pure: tested without a database);
                                    posts are (author, text, answers)
    with_evidence(items, answer)    each theme with the first cited statement that speaks of it

Survey themes count the structured answers (one per post per choice); term themes count the
posts that use a content word or a two-word phrase ("hot weather"), stemmed, leaving out
stop words, the condition's own name and words every post uses anyway. A theme drawn from
members' own words (a recurring term, an own survey answer) is shown only when posts of at
least MIN_MEMBERS distinct members use it: one member's posts never make a public theme.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from evimap.site.answer_view import StatementView
from evimap.site.community.models import Experience, PageThemes
from evimap.site.community.survey import DIAGNOSIS_BANDS, Survey, survey_for
from evimap.text import stem, stopwords, words

MIN_MEMBERS = 3  # distinct members whose posts use a term or own answer before it is a theme
TOP_TERMS = 8
_GENERIC = frozenset(
    "feel felt get got time times day days year years like also really thing things just "
    "much lot lots bit still even always never sometimes week weeks month months went go "
    "going know think make made take took back first one two well good bad better worse "
    "would could since ever every now though yes way".split()
)


def refresh(page):
    """Recount `page`'s approved posts into its PageThemes row and return it."""
    approved = Experience.objects.filter(page=page, status=Experience.APPROVED)
    rows = list(approved.values_list("author_id", "text", "answers"))
    data = count(rows, survey_for(page.question_type), page.focus)
    themes, _ = PageThemes.objects.update_or_create(
        page=page,
        defaults={
            "people": len({author for author, _, _ in rows}),
            "posts": len(rows),
            "data": data,
        },
    )
    return themes


Post = tuple[object, str, dict]  # (author, text, answers)


def count(posts: Sequence[Post], survey: Survey, focus: str = "") -> dict:
    """{"prompt", "survey": [{value, label, count}], "bands": [...], "terms": [...]}."""
    return {
        "prompt": survey.prompt,
        "survey": _survey_counts(posts, survey),
        "bands": _band_counts(posts),
        "terms": _term_counts([(author, text) for author, text, _ in posts], focus),
    }


def _survey_counts(posts: Sequence[Post], survey: Survey) -> list[dict]:
    chosen: Counter[str] = Counter()
    own: Counter[str] = Counter()
    own_members: dict[str, set] = defaultdict(set)
    shown: dict[str, str] = {}
    for author, _, answers in posts:
        if answers.get("key") != survey.key:
            continue
        chosen.update(answers.get("choices", []))
        for other in answers.get("other", []):
            key = other.strip().lower()
            own[key] += 1
            own_members[key].add(author)
            shown.setdefault(key, other.strip())
    items = [
        {"value": value, "label": survey.label(value), "count": n, "own": False}
        for value, n in chosen.items()
    ]
    items += [
        {"value": f"own:{key}", "label": shown[key], "count": n, "own": True}
        for key, n in own.items()
        if len(own_members[key]) >= MIN_MEMBERS
    ]
    return sorted(items, key=lambda i: (-i["count"], i["label"].lower()))


def _band_counts(posts: Sequence[Post]) -> list[dict]:
    bands = Counter(answers.get("band") for _, _, answers in posts if answers.get("band"))
    return [
        {"value": value, "label": label, "count": bands[value]}
        for value, label in DIAGNOSIS_BANDS
        if bands[value]
    ]


def _term_counts(texts: list[tuple[object, str]], focus: str) -> list[dict]:
    skip = stopwords() | _GENERIC | {stem(w) for w in words(focus.lower())}
    posts_with: Counter[str] = Counter()
    members_with: dict[str, set] = defaultdict(set)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for author, text in texts:
        seen = set()
        for key, surface in _terms(text, skip):
            seen.add(key)
            surfaces[key][surface] += 1
        posts_with.update(seen)
        for key in seen:
            members_with[key].add(author)
    ranked = [
        (key, n) for key, n in posts_with.most_common() if len(members_with[key]) >= MIN_MEMBERS
    ]
    kept = _drop_covered(ranked)[:TOP_TERMS]
    shown = {key: surfaces[key].most_common(1)[0][0] for key, _ in kept}
    return [{"term": shown[key], "label": shown[key], "count": n} for key, n in kept]


def _terms(text: str, skip: frozenset[str] | set[str]) -> Iterable[tuple[str, str]]:
    """(stemmed key, surface) for each content word and each pair of adjacent ones."""
    previous: tuple[str, str] | None = None
    for word in words(text.lower()):
        key = stem(word)
        if word in skip or key in skip or len(word) < 3 or word.isdigit():
            previous = None
            continue
        yield key, word
        if previous is not None:
            yield f"{previous[0]} {key}", f"{previous[1]} {word}"
        previous = (key, word)


def _drop_covered(ranked: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Leave out a word when a phrase containing it is used by as many posts."""
    phrases = [(key, n) for key, n in ranked if " " in key]
    return [
        (key, n)
        for key, n in ranked
        if " " in key or not any(n <= m and key in p.split() for p, m in phrases)
    ]


def with_evidence(
    items: list[dict], statements: list[StatementView], keywords: Callable[[dict], Iterable[str]]
) -> list[dict]:
    """`items` each with "evidence": the first statement whose words include the theme's
    (`keywords(item)` gives them), as {"anchor", "citations", "text"}, or None."""
    stemmed = [(s, {stem(w) for w in words(s.text.lower())}) for s in statements]
    out = []
    for item in items:
        wanted = {stem(w) for w in keywords(item)}
        match = next((s for s, have in stemmed if wanted and wanted & have), None)
        evidence = None
        if match is not None:
            numbers = [c.number for c in match.citations]
            evidence = {"anchor": match.anchor, "citations": numbers, "text": match.text}
        out.append({**item, "evidence": evidence})
    return out
