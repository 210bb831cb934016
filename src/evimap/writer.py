"""The optional writer: a language model may reword statements; only grounded wording stays.

    writer_from_settings(settings)      a Writer when EVIMAP_WRITER_URL is set, else None
    Writer(base_url, model).reword()    one OpenAI-compatible chat completion per statement
    rewrite(answer, documents, writer)  (Answer, WriterReport): each reworded statement kept
                                        only if it passes the grounding check and keeps the
                                        sources' numbers, negations and hedges

The writer is given one statement's source sentences and nothing else. Whatever it returns is
cleaned (preambles, quotes, "[1]" markers, <think> blocks) and judged like any rephrasing
(`grounding.check_statement`), plus what that check cannot see: a rewording must keep every
number and negation of its sources, keep their hedging ("may") and add no overclaiming
function word ("only", "should"). A rejected rewording leaves the extractive statement in
place. Network errors, timeouts, HTTP errors and malformed replies never reach the reader:
the writer is not asked again for that answer, and the rest stays extractive. Citations,
support, references, notices and order are never touched. See docs/decisions/0004.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from evimap.answer import Answer, Audience, Statement
from evimap.errors import ConfigError, WriterError
from evimap.evidence import Document
from evimap.grounding import check_statement, meaning_lost
from evimap.settings import Settings
from evimap.text import normalize_space

log = logging.getLogger(__name__)

MAX_STATEMENTS = 12  # distinct statements reworded per answer; the rest stay extractive
BUDGET = 30.0  # seconds the writer may spend on one answer (EVIMAP_WRITER_TIMEOUT)
MAX_TOKENS = 300  # per reply; a statement is one or two sentences
GROWTH = 1.5  # a rewording longer than this many times its sources (+20 chars) is padding

_RULES = (
    "Use only facts stated in the source sentences: add nothing, no advice, no examples. "
    "Use only words that appear in the source sentences (small words such as 'the', 'of' "
    "and 'and' excepted): shorten, reorder and drop clauses rather than paraphrase with new "
    "words. Keep every number, unit and percentage exactly as written. Keep every negation "
    "(not, no, never, without) and every word of uncertainty (may, might, can, could). Do "
    "not add citations, quotation marks, headings or comments. Reply with the reworded "
    "sentence only."
)
SYSTEM_PROMPTS = {
    True: "You reword medical source text for patients and caregivers. Rewrite the given "
    "sentences as one short sentence in plain language. " + _RULES,
    False: "You reword medical source text for clinicians. Rewrite the given sentences as one "
    "concise clinical sentence that keeps the finding and its figures. " + _RULES,
}

_THINK = re.compile(r"^.*?</think>", re.DOTALL)  # reasoning models' scratchpad
_PREAMBLE = re.compile(
    r"^(?:(?:sure|certainly|of course|okay|ok)\b[^:\n]*:|here(?:'s| is| are)\b[^:\n]*:|"
    r"(?:reworded|rewritten|rewording|plain[- ]language|clinical)\b[^:\n]{0,40}:|"
    r"(?:sure|certainly|of course|okay|ok)[!.,]\s)\s*",
    re.IGNORECASE,
)
_CITATION = re.compile(r"\s*\[\s*\d+(?:\s*[-–,]\s*\d+)*\s*\]")
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "`": "`", "*": "*"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    complete: bool = True  # False when the reply was cut off at max_tokens


@dataclass(slots=True)
class WriterReport:
    """What the writer did to one answer (run metadata: never part of the Answer)."""

    model: str = ""
    accepted: int = 0
    unchanged: int = 0  # the writer returned the source wording
    skipped: int = 0  # not asked: over the cap, out of time, or after a failure
    rejections: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        return (
            f"writer {self.model}: {self.accepted} reworded, {self.rejected} rejected, "
            f"{self.failed} failed, {self.unchanged} unchanged, {self.skipped} skipped "
            f"in {self.seconds:.1f} s"
        )


class Writer:
    """A client for an OpenAI-compatible chat-completions endpoint; close() when done."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = BUDGET,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`timeout`: seconds for one whole answer, every request included."""
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.budget = timeout
        self.clock = clock
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, transport=transport, timeout=timeout
        )

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def reword(
        self, sources: Sequence[str], audience: Audience, *, timeout: float | None = None
    ) -> Reply:
        """The model's rewording of `sources` for `audience`; raises WriterError."""
        try:
            response = self._client.post(
                "/chat/completions",
                json=self.payload(sources, audience),
                timeout=self.budget if timeout is None else timeout,
            )
        except httpx.TimeoutException:
            raise WriterError(f"no reply within {timeout or self.budget:.1f} s") from None
        except httpx.TransportError as error:
            raise WriterError(f"{type(error).__name__}: {error}") from None
        if not response.is_success:
            snippet = " ".join(response.text[:200].split())
            raise WriterError(f"HTTP {response.status_code}: {snippet}".rstrip(": "))
        return _reply_of(response)

    def payload(self, sources: Sequence[str], audience: Audience) -> dict[str, Any]:
        """The chat-completions request body for one statement."""
        text = "\n".join(normalize_space(s) for s in sources)
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPTS[audience.lay]},
                {"role": "user", "content": f"Source sentences:\n{text}"},
            ],
            "temperature": 0,
            "max_tokens": MAX_TOKENS,
            "stream": False,
        }


def writer_from_settings(
    settings: Settings, *, transport: httpx.BaseTransport | None = None
) -> Writer | None:
    """The configured Writer, or None when EVIMAP_WRITER_URL is unset."""
    if not settings.writer_url:
        return None
    if not settings.writer_model:
        raise ConfigError("EVIMAP_WRITER_MODEL must be set when EVIMAP_WRITER_URL is")
    return Writer(
        settings.writer_url,
        settings.writer_model,
        settings.writer_api_key,
        timeout=settings.writer_timeout,
        transport=transport,
    )


def _reply_of(response: httpx.Response) -> Reply:
    """choices[0].message.content of a chat completion; WriterError if it has none."""
    try:
        data = response.json()
    except ValueError:
        snippet = " ".join(response.text[:80].split())
        raise WriterError(f"reply is not JSON: {snippet!r}") from None
    try:
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise WriterError("reply has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise WriterError("reply content is not text")
    return Reply(content, complete=choice.get("finish_reason") != "length")


# -- rewriting an answer ----------------------------------------------------------------------


def rewrite(
    answer: Answer,
    documents: Mapping[str, Document],
    writer: Writer,
    *,
    limit: int = MAX_STATEMENTS,
) -> tuple[Answer, WriterReport]:
    """`answer` with each statement the writer reworded faithfully replaced, and a report.

    Never raises for the writer's sake: whatever goes wrong, the extractive statement stands.
    """
    report = WriterReport(model=writer.model)
    if answer.abstained:
        return answer, report
    started = writer.clock()
    deadline = started + writer.budget
    chosen: dict[Statement, Statement] = {}
    for index, statement in enumerate(dict.fromkeys(answer.statements)):
        left = deadline - writer.clock()
        if index >= limit or report.failures or left <= 0:
            report.skipped += 1
            continue
        reply = _asked(writer, statement, answer.audience, left, report)
        if reply is not None:
            chosen[statement] = _judged(statement, reply, documents, report)
    report.seconds = writer.clock() - started
    return _swapped(answer, chosen), report


def _asked(
    writer: Writer, statement: Statement, audience: Audience, left: float, report: WriterReport
) -> Reply | None:
    """The writer's reply for one statement; None (the failure logged and reported) if none."""
    try:
        return writer.reword([r.text for r in statement.support], audience, timeout=left)
    except WriterError as error:
        report.failures.append(error.message)
        log.warning("writer %s failed: %s; the extractive answer stands", writer.base_url, error)
        return None


def _judged(
    statement: Statement, reply: Reply, documents: Mapping[str, Document], report: WriterReport
) -> Statement:
    """The reworded statement if it is faithful, else `statement`; the report says which."""
    sources = " ".join(r.text for r in statement.support)
    text, reason = clean(reply.text)
    if not reason and not reply.complete:
        reason = "reply was cut off"
    if not reason and normalize_space(text) == normalize_space(sources):
        report.unchanged += 1
        return statement
    candidate = Statement(text, statement.citations, statement.support, extractive=False)
    reason = (
        reason
        or _padded(text, sources)
        or check_statement(candidate, documents)
        or meaning_lost(text, sources)
    )
    if reason:
        report.rejections.append(f"{statement.text[:60]!r}: {reason}")
        return statement
    report.accepted += 1
    return candidate


def clean(raw: str) -> tuple[str, str | None]:
    """The model's sentence without scaffolding, and why it is unusable (None if usable)."""
    text = _THINK.sub("", raw, count=1).strip()
    lines = text.splitlines()
    if len(lines) > 1 and lines[0].rstrip().endswith(":"):
        text = "\n".join(lines[1:]).strip()  # "Here is the reworded sentence:\n..."
    text = _PREAMBLE.sub("", text, count=1).strip()
    if re.search(r"\n\s*\n", text):
        return text, "more than one paragraph"
    text = _unquoted(_CITATION.sub("", normalize_space(text)))
    return (text, None) if text else (text, "empty reply")


def _unquoted(text: str) -> str:
    """`text` without quotes or emphasis wrapped round all of it."""
    while len(text) > 1 and _QUOTES.get(text[0]) is not None:
        close = _QUOTES[text[0]]
        body = text[1:]
        end = body.rstrip(".")
        if not end.endswith(close):
            break
        text = (end[: -len(close)] + body[len(end) :]).strip()
    return text


def _padded(text: str, sources: str) -> str | None:
    if len(text) > GROWTH * len(sources) + 20:
        return "longer than its sources"
    return None


def _swapped(answer: Answer, chosen: Mapping[Statement, Statement]) -> Answer:
    """`answer` with statements replaced in place: same structure, order and citations."""

    def swap(statements: tuple[Statement, ...]) -> tuple[Statement, ...]:
        return tuple(chosen.get(s, s) for s in statements)

    sections = tuple(
        replace(s, themes=tuple(replace(t, statements=swap(t.statements)) for t in s.themes))
        for s in answer.sections
    )
    definitions = tuple(
        replace(d, statement=chosen.get(d.statement, d.statement)) for d in answer.definitions
    )
    return replace(
        answer, short_answer=swap(answer.short_answer), sections=sections, definitions=definitions
    )
