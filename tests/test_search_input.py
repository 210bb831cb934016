"""D5 (issue 10): any text a user types is a safe query: punctuation, NUL and query syntax
never reach a query parser, and a pasted book is cut to MAX_QUERY_WORDS words."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from evimap import Document, Passage, SourceKind
from evimap.index import MAX_QUERY_WORDS, query_words
from evimap.library import Library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    path = tmp_path_factory.mktemp("search-input") / "lib"
    docs = [
        Document(
            id=f"test:{n}",
            kind=SourceKind.RESEARCH,
            collection="test",
            title=title,
            passages=(Passage(text),),
        )
        for n, (title, text) in enumerate(
            [
                ("Glimmerfield syndrome flares", "Flares of Glimmerfield syndrome follow heat."),
                ("Quorvane fever", "Quorvane fever starts abruptly and resolves in a week."),
            ]
        )
    ]
    with Library(Path(path), create=True) as lib:
        lib.add(docs)
        yield lib


@pytest.mark.parametrize(
    "text",
    ['"', 'a">b', "\x00", "quorvane\x00fever", 'title:"x', "(((", "x^2~ *", "AND OR NOT", "'"],
)
def test_punctuation_nul_and_query_syntax_are_searched_as_words_or_nothing(library, text):
    hits = library.search(text, 5)  # raised before words were kept alone
    assert all(hit.document.id.startswith("test:") for hit in hits)


def test_a_quote_inside_words_still_finds_them(library):
    assert [h.document.id for h in library.search('"quorvane">"fever"', 5)] == ["test:1"]


def test_query_words_keep_only_letters_and_digits_up_to_the_cap():
    assert query_words('a">b \x00 c:d "e" it\'s') == ["a", "b", "c", "d", "e", "it"]
    many = " ".join(f"w{i}" for i in range(5 * MAX_QUERY_WORDS))
    assert len(query_words(many)) == MAX_QUERY_WORDS
    assert query_words(many, 3) == ["w0", "w1", "w2"]


def test_words_past_the_cap_are_not_searched_and_a_pasted_book_is_quick(library):
    filler = " ".join(["filler"] * MAX_QUERY_WORDS)
    assert [h.document.id for h in library.search("quorvane " + filler, 5)] == ["test:1"]
    assert library.search(filler + " quorvane", 5) == []  # found before the cap existed
    book = " ".join(f"w{i}" for i in range(50_000)) + ' "' * 5_000
    started = time.perf_counter()
    assert library.search(book, 5) == []
    assert library.search(book, 5, kind=["research"]) == []
    assert time.perf_counter() - started < 0.5  # about 2.4 s before the cap
