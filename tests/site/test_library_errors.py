"""How the site turns the library's failures into a 503 "try later" (evimap.site.answers):
`library_errors` and `searchable`, with fictional libraries that fail on purpose."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from evimap import LibraryBusyError, LibraryError, NotFoundError, QuestionError
from evimap.site import answers
from evimap.site.errors import LibraryUnavailable


@pytest.mark.parametrize(
    "failure",
    [
        LibraryError("the store is missing"),
        NotFoundError("no such index"),
        sqlite3.OperationalError("unable to open database file"),
        PermissionError(13, "Permission denied"),
    ],
)
def test_a_library_that_cannot_be_read_is_a_503_try_later(failure, caplog):
    with pytest.raises(LibraryUnavailable) as raised, answers.library_errors():
        raise failure
    assert raised.value.status == 503 and raised.value.retryable
    assert raised.value.__cause__ is failure  # the reason stays for the server's log
    assert str(failure) in caplog.text


@pytest.mark.parametrize(
    "failure", [LibraryBusyError("another writer"), QuestionError("Please type a question.")]
)
def test_a_busy_library_and_a_refused_question_pass_through_as_they_are(failure):
    with pytest.raises(type(failure)) as raised, answers.library_errors():
        raise failure
    assert raised.value is failure


def engine_over(indexed: int, stored: int) -> SimpleNamespace:
    """An engine whose library's index and store hold this many documents."""
    index = SimpleNamespace(count=lambda: indexed, path="/lib/index")
    store = SimpleNamespace(count=lambda: stored)
    return SimpleNamespace(library=SimpleNamespace(index=index, store=store))


@pytest.mark.parametrize(("indexed", "stored"), [(5, 5), (0, 0), (3, 10)])
def test_a_library_with_an_index_or_with_nothing_at_all_can_be_searched(indexed, stored):
    answers.searchable(engine_over(indexed, stored))  # no error


def test_an_empty_index_over_a_full_store_is_a_rebuild_in_progress():
    with pytest.raises(LibraryError, match="rebuild-index"):
        answers.searchable(engine_over(0, 10))
