"""A worker that has just started loads its answer engine once, in one thread; readers who
ask meanwhile get a quick 503 "try again" instead of holding the server's turns (issue 10,
load: each asking thread built the whole vocabulary itself, minutes on a busy machine, and
with every turn of a worker held by them, its pages were refused too)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from evimap import engine as engine_module
from evimap.site import answers


@pytest.fixture
def slow_vocabulary(monkeypatch):
    """The vocabulary takes until `release` is set to load; `builds` counts the loads."""
    real = engine_module.for_library
    state = {"builds": 0, "release": threading.Event()}

    def for_library(*args, **kwargs):
        state["builds"] += 1
        assert state["release"].wait(30), "never released"
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_module, "for_library", for_library)
    monkeypatch.setattr(answers, "ENGINE_WAIT", 0.2)
    answers.reset_engine()
    yield state
    state["release"].set()


def ask(_: int = 0):
    return Client().post(
        "/api/ask", {"question": "Can heat trigger a flare?"}, content_type="application/json"
    )


def test_readers_asking_while_the_engine_loads_get_a_quick_503(db, slow_vocabulary):
    assert Client().get("/api/pages/999999/answer").status_code == 404  # the API's imports
    warming = threading.Thread(target=answers.warm_up)
    warming.start()
    deadline = time.monotonic() + 10
    while slow_vocabulary["builds"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(ask, range(4)))
    assert time.monotonic() - started < 5  # not held until the engine is ready
    for reply in replies:
        assert reply.status_code == 503 and int(reply["Retry-After"]) > 0
        error = json.loads(reply.content)["error"]
        assert (error["type"], error["retryable"]) == ("EngineStarting", True)
    slow_vocabulary["release"].set()
    warming.join(timeout=60)
    assert ask().status_code == 200
    assert slow_vocabulary["builds"] == 1  # loaded once, by the thread that made the engine


def test_the_follow_up_box_says_to_try_again(approved_page, slow_vocabulary):
    answers.reset_engine()  # a worker just started: the page is served, asking waits
    warming = threading.Thread(target=answers.warm_up)
    warming.start()
    deadline = time.monotonic() + 10
    while slow_vocabulary["builds"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    page = Client().get(approved_page.url)
    assert page.status_code == 200
    followup = Client().post(
        approved_page.url, {"question": "How are flares treated?"}, HTTP_HX_REQUEST="true"
    )
    assert followup.status_code == 200 and "try again" in followup.content.decode()
    slow_vocabulary["release"].set()
    warming.join(timeout=60)
