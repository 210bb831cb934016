"""The optional writer: a reworded statement stays only where it is grounded; else the source's.

Offline: an `httpx.MockTransport` serves chat completions from tests/fixtures/writer/.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from evimap import ConfigError, Settings
from evimap.answer import (
    Answer,
    Audience,
    Definition,
    Notice,
    Reference,
    Section,
    SentenceRef,
    Statement,
    Theme,
)
from evimap.cli import main
from evimap.engine import AnswerEngine
from evimap.evidence import Document, Passage, SourceKind
from evimap.grounding import check_answer
from evimap.library import Library
from evimap.vocabulary import build_from_shared
from evimap.writer import Writer, clean, meaning_lost, rewrite, writer_from_settings

FIXTURES = Path(__file__).parent / "fixtures" / "writer"
URL = "http://writer.test/v1"
MODEL = "glimmer-7b-instruct"

HEAT = "Heat exposure triggers 40% of Glimmerfield syndrome relapses."
VACCINE = "Relapses are not caused by vaccination."
TIRED = "Glimmerfield syndrome may cause tiredness and joint pain in adults."
DEFINES = "Glimmerfield syndrome is a rare inherited disorder of the skin."


def document(doc_id: str, *sentences: str) -> tuple[Document, list[SentenceRef]]:
    text = " ".join(sentences)
    spans = []
    for sentence in sentences:
        start = text.index(sentence)
        spans.append((start, start + len(sentence)))
    doc = Document(
        id=doc_id,
        kind=SourceKind.REFERENCE,
        collection="test",
        title="Glimmerfield syndrome",
        passages=(Passage(text, sentences=tuple(spans)),),
    )
    refs = [SentenceRef(doc_id, 0, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]
    return doc, refs


AGENCY, (HEAT_REF, VACCINE_REF, TIRED_REF) = document("t:1", HEAT, VACCINE, TIRED)
GLOSSARY, (DEFINES_REF,) = document("t:2", DEFINES)
DOCS = {AGENCY.id: AGENCY, GLOSSARY.id: GLOSSARY}


def said(ref: SentenceRef, number: int) -> Statement:
    return Statement(ref.text, (number,), (ref,))


def make_answer(audience: Audience = Audience.PATIENT) -> Answer:
    heat, vaccine, tired = said(HEAT_REF, 1), said(VACCINE_REF, 1), said(TIRED_REF, 1)
    themes = (Theme("Triggers", (heat, vaccine)), Theme("Symptoms", (tired,)))
    return Answer(
        question="What triggers Glimmerfield syndrome relapses?",
        audience=audience,
        focus=("glimmerfield syndrome",),
        qtype="cause",
        notices=(Notice("personal-advice", "Ask your clinician about your own care."),),
        short_answer=(heat,),
        sections=(Section("reference", "From health agencies", themes),),
        definitions=(Definition("Glimmerfield syndrome", said(DEFINES_REF, 2)),),
        references=(
            Reference(1, "t:1", "reference", "Glimmerfield syndrome", "NIGS", 2024, "", "u1"),
            Reference(2, "t:2", "reference", "Glossary", "NIGS", 2023, "", "u2"),
        ),
        summary="Based on 2 sources: 2 health agency pages",
    )


ANSWER = make_answer()


# -- a stand-in for an OpenAI-compatible server ----------------------------------------------


def recorded(name: str, status: int = 200) -> httpx.Response:
    content = (FIXTURES / name).read_bytes()
    return httpx.Response(status, content=content, headers={"Content-Type": "application/json"})


def echo(source: str) -> httpx.Response:
    """A completion that returns the source wording unchanged."""
    body = json.loads((FIXTURES / "unchanged.json").read_text())
    body["choices"][0]["message"]["content"] = source
    return httpx.Response(200, json=body)


Reply = str | Callable[[httpx.Request], httpx.Response]


class Server:
    """Answers each request with the reply whose key occurs in the source sentences."""

    def __init__(self, **replies: Reply) -> None:
        self.replies = {key.replace("_", " "): reply for key, reply in replies.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        source = json.loads(request.content)["messages"][-1]["content"]
        for key, reply in self.replies.items():
            if key in source:
                return reply(request) if callable(reply) else recorded(reply)
        return echo(source.split("\n", 1)[1])

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


def writer_for(server: Server, **options) -> Writer:
    return Writer(URL, MODEL, "sk-test", transport=httpx.MockTransport(server), **options)


def run(server: Server, answer: Answer = ANSWER, **options):
    with writer_for(server, **options.pop("writer", {})) as writer:
        return rewrite(answer, DOCS, writer, **options)


FAITHFUL = {
    "Heat": "faithful_heat.json",
    "vaccination": "faithful_vaccine.json",
    "tiredness": "faithful_tiredness.json",
}


# -- accepted rewordings ---------------------------------------------------------------------


def test_the_made_up_answer_is_grounded_to_begin_with():
    assert check_answer(ANSWER, DOCS).ok


def test_faithful_rewordings_replace_the_extractive_statements_and_pass_grounding():
    server = Server(**FAITHFUL)
    answer, report = run(server)
    assert answer.short_answer[0].text == (
        "40% of Glimmerfield syndrome relapses are triggered by heat exposure."
    )
    assert [s.text for s in answer.sections[0].statements] == [
        answer.short_answer[0].text,
        "Vaccination does not cause relapses.",
        "In adults, Glimmerfield syndrome may cause tiredness and joint pain.",
    ]
    assert not any(s.extractive for s in answer.short_answer + answer.sections[0].statements)
    assert answer.definitions[0].statement.extractive  # the server echoed it: unchanged
    assert check_answer(answer, DOCS).ok
    assert (report.accepted, report.unchanged, report.rejected, report.failed) == (3, 1, 0, 0)
    assert len(server.requests) == 4  # the short answer repeats a statement: asked once


def test_the_writer_changes_wording_only():
    answer, _ = run(Server(**FAITHFUL))
    before, after = ANSWER.statements, answer.statements
    assert [(s.citations, s.support) for s in after] == [(s.citations, s.support) for s in before]
    assert answer.references == ANSWER.references and answer.notices == ANSWER.notices
    assert [t.heading for t in answer.sections[0].themes] == ["Triggers", "Symptoms"]
    assert replace(answer, short_answer=(), sections=(), definitions=()) == replace(
        ANSWER, short_answer=(), sections=(), definitions=()
    )


@pytest.mark.parametrize("fixture", ["chatty.json", "thinking.json"])
def test_scaffolding_round_the_sentence_is_stripped(fixture):
    answer, report = run(Server(Heat=fixture))
    assert answer.short_answer[0].text == (
        "40% of Glimmerfield syndrome relapses are triggered by heat exposure."
    )
    assert report.accepted == 1


@pytest.mark.parametrize(
    "raw",
    [
        "Here's the reworded statement: Vaccination does not cause relapses.",
        "Reworded: “Vaccination does not cause relapses.”",
        "**Vaccination does not cause relapses.**",
        "'Vaccination does not cause relapses'.",
        "Vaccination does not cause relapses [1, 2].",
        "Vaccination does not cause\nrelapses. [1]",
        "Certainly! Vaccination does not cause relapses.",
    ],
)
def test_clean_keeps_the_sentence_only(raw):
    assert clean(raw) == ("Vaccination does not cause relapses.", None)


def test_a_reply_in_the_source_wording_counts_as_unchanged():
    answer, report = run(Server(Heat="unchanged.json"))
    assert answer.short_answer[0] == ANSWER.short_answer[0]
    assert report.unchanged == 4 and report.accepted == 0


# -- rejected rewordings: the extractive statement stands ------------------------------------


@pytest.mark.parametrize(
    ("key", "fixture", "reason"),
    [
        ("Heat", "adds_number.json", "numbers not in the sources: 60"),
        ("tiredness", "adds_negation.json", "negation not in the sources: never"),
        ("Heat", "adds_word.json", "words not in the sources: stress"),
        ("vaccination", "drops_negation.json", "negation dropped or repeated"),
        ("tiredness", "drops_hedge.json", "hedging dropped"),
        ("Heat", "drops_number.json", "numbers dropped: 40"),
        ("Heat", "overstates.json", "overstating words not in the sources: only"),
        ("Heat", "two_paragraphs.json", "more than one paragraph"),
        ("Heat", "empty.json", "empty reply"),
        ("Heat", "cut_off.json", "reply was cut off"),
    ],
)
def test_an_unfaithful_rewording_is_rejected_and_the_source_sentence_stands(key, fixture, reason):
    answer, report = run(Server(**{key: fixture}))
    assert answer == ANSWER
    assert report.rejected == 1 and report.accepted == 0 and report.failed == 0
    assert report.rejections[0].endswith(reason)


def test_a_padded_rewording_is_rejected():
    _, report = run(Server(Heat=lambda request: echo(f"{HEAT} {HEAT}")))
    assert report.rejections[0].endswith("longer than its sources")


@pytest.mark.parametrize(
    ("text", "sources", "reason"),
    [
        ("Heat doesn't trigger relapses.", "Heat triggers relapses.", "negation"),
        ("Heat does trigger relapses.", "Heat doesn't trigger relapses.", "negation"),
        ("Heat should be avoided.", "Heat is avoided.", "should"),
        ("Heat triggers relapses.", "Heat might trigger relapses.", "hedging"),
        ("Heat can trigger relapses.", "Heat triggers relapses.", None),  # more cautious
    ],
)
def test_meaning_lost_sees_what_word_matching_cannot(text, sources, reason):
    found = meaning_lost(text, sources)
    assert (found is None) if reason is None else (reason in found)


# -- failures: the extractive answer stands, the report says why -----------------------------


def raises(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return handler


@pytest.mark.parametrize(
    ("reply", "failure"),
    [
        (lambda r: recorded("error_500.json", 500), "HTTP 500: {"),
        (raises(httpx.ReadTimeout), "no reply within"),
        (raises(httpx.ConnectError), "ConnectError: simulated"),
        (lambda r: recorded("malformed.txt"), "reply is not JSON"),
        (lambda r: recorded("no_choices.json"), "reply has no choices[0].message.content"),
    ],
)
def test_a_failing_writer_leaves_the_extractive_answer(reply, failure, caplog):
    server = Server(Heat=reply)
    with caplog.at_level(logging.WARNING, logger="evimap.writer"):
        answer, report = run(server)
    assert answer == ANSWER
    assert report.failed == 1 and failure in report.failures[0]
    assert report.skipped == 3 and len(server.requests) == 1  # not asked again
    assert len(caplog.records) == 1 and "extractive answer stands" in caplog.text
    assert "sk-test" not in caplog.text + " ".join(report.failures)


# -- the request -----------------------------------------------------------------------------


def test_the_request_is_an_openai_chat_completion_with_model_messages_and_key():
    server = Server(**FAITHFUL)
    run(server)
    request, body = server.requests[0], server.bodies()[0]
    assert request.method == "POST" and str(request.url) == f"{URL}/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert body["model"] == MODEL and body["temperature"] == 0 and body["stream"] is False
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert "plain language" in system["content"] and "number" in system["content"]
    assert user["content"] == f"Source sentences:\n{HEAT}"


def test_clinicians_get_a_clinical_prompt_and_no_key_means_no_auth_header():
    server = Server(**FAITHFUL)
    transport = httpx.MockTransport(server)
    with Writer(URL + "/", MODEL, transport=transport) as writer:
        rewrite(make_answer(Audience.CLINICIAN), DOCS, writer)
    assert "clinicians" in server.bodies()[0]["messages"][0]["content"]
    assert "Authorization" not in server.requests[0].headers


def test_at_most_limit_statements_are_sent():
    server = Server(**FAITHFUL)
    _, report = run(server, limit=2)
    assert len(server.requests) == 2 and report.skipped == 2 and report.accepted == 2


def test_the_time_budget_covers_the_whole_answer():
    now = [0.0]

    def slow(request: httpx.Request) -> httpx.Response:
        now[0] += 20.0
        return recorded("faithful_heat.json")

    server = Server(Heat=slow, vaccination=slow, tiredness=slow, rare=slow)
    _, report = run(server, writer={"timeout": 30.0, "clock": lambda: now[0]})
    timeouts = [r.extensions["timeout"]["read"] for r in server.requests]
    assert timeouts == [30.0, 10.0]  # each request gets what is left of the budget
    assert report.skipped == 2 and report.seconds == 40.0


def test_an_abstention_is_left_alone():
    server = Server()
    abstained = replace(ANSWER, short_answer=(), sections=(), definitions=(), abstained=True)
    answer, report = run(server, abstained)
    assert answer is abstained and not server.requests and report.accepted == 0


# -- settings --------------------------------------------------------------------------------


def test_writer_settings_are_read_and_make_a_writer(tmp_path):
    key = tmp_path / "key"
    key.write_text("sk-file\n")
    settings = Settings.from_env(
        {
            "EVIMAP_WRITER_URL": "http://127.0.0.1:8080/v1/",
            "EVIMAP_WRITER_MODEL": " qwen2.5-7b-instruct ",
            "EVIMAP_WRITER_API_KEY_FILE": str(key),
            "EVIMAP_WRITER_TIMEOUT": "12.5",
        }
    )
    assert settings.writer_url == "http://127.0.0.1:8080/v1"
    assert (settings.writer_model, settings.writer_api_key) == ("qwen2.5-7b-instruct", "sk-file")
    with writer_from_settings(settings) as writer:
        assert (writer.base_url, writer.model, writer.budget) == (
            "http://127.0.0.1:8080/v1",
            "qwen2.5-7b-instruct",
            12.5,
        )


def test_no_url_means_no_writer():
    settings = Settings.from_env({})
    assert settings.writer_url is None and settings.writer_timeout == 30.0
    assert writer_from_settings(settings) is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EVIMAP_WRITER_TIMEOUT": "soon"}, "EVIMAP_WRITER_TIMEOUT must be a number of seconds"),
        ({"EVIMAP_WRITER_TIMEOUT": "0"}, "EVIMAP_WRITER_TIMEOUT must be a finite number"),
        ({"EVIMAP_WRITER_TIMEOUT": "nan"}, "EVIMAP_WRITER_TIMEOUT must be a finite number"),
        ({"EVIMAP_WRITER_URL": "127.0.0.1:8080"}, "EVIMAP_WRITER_URL must be an http"),
        ({"EVIMAP_WRITER_URL": URL}, "EVIMAP_WRITER_MODEL must be set when EVIMAP_WRITER_URL"),
        ({"EVIMAP_WRITER_API_KEY_FILE": "/nonexistent/k"}, "EVIMAP_WRITER_API_KEY_FILE cannot"),
    ],
)
def test_bad_writer_settings_fail_with_the_variable_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


# -- the engine and the CLI ------------------------------------------------------------------


@pytest.fixture
def library(tmp_path):
    with Library(tmp_path / "lib", create=True) as made:
        made.add([AGENCY, GLOSSARY])
    with Library(tmp_path / "lib", readonly=True) as opened:
        yield opened


def ask(library: Library, writer: Writer | None) -> tuple[Answer, AnswerEngine]:
    vocabulary = build_from_shared([AGENCY, GLOSSARY], None)
    engine = AnswerEngine(library, mode="lexical", vocabulary=vocabulary, writer=writer)
    return engine.ask("What triggers Glimmerfield syndrome relapses?"), engine


def test_the_engine_publishes_grounded_rewordings_in_the_extractive_answers_place(library):
    plain, engine = ask(library, None)
    assert engine.last_writer is None and all(s.extractive for s in plain.statements)
    with writer_for(Server(**FAITHFUL)) as writer:
        reworded, engine = ask(library, writer)
    assert not reworded.abstained and engine.last_trace.rejected == []
    assert engine.last_writer.accepted >= 1
    changed = [s for s in reworded.statements if not s.extractive]
    assert changed and all(s.text in _faithful_texts() for s in changed)
    assert [(s.citations, s.support) for s in reworded.statements] == [
        (s.citations, s.support) for s in plain.statements
    ]


def test_the_engine_answers_extractively_when_the_writer_is_down(library):
    plain, _ = ask(library, None)
    with writer_for(Server(vaccination=raises(httpx.ConnectError))) as writer:
        answer, engine = ask(library, writer)
    assert answer == plain and engine.last_writer.failed == 1


def _faithful_texts() -> set[str]:
    return {
        json.loads((FIXTURES / name).read_text())["choices"][0]["message"]["content"]
        for name in FAITHFUL.values()
    }


def test_asking_for_the_writer_without_configuring_one_refuses(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("EVIMAP_WRITER_URL", raising=False)
    code = main(["ask", "What triggers relapses?", "--writer", "-L", str(tmp_path / "none")])
    assert code == 2 and "--writer needs EVIMAP_WRITER_URL" in capsys.readouterr().err
