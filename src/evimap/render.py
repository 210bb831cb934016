"""Answers rendered as JSON, Markdown or plain text (the web pages have their own templates)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from evimap.answer import Answer, Reference, Statement
from evimap.links import http_url

FORMATS = ("text", "markdown", "json")


def to_dict(answer: Answer) -> dict[str, Any]:
    """JSON-ready data; the audience as its name, plus the status line and statement count."""
    data = asdict(answer)
    data["audience"] = answer.audience.value
    data["status_line"] = answer.status_line
    return data


def cite(statement: Statement) -> str:
    return statement.text + " " + "".join(f"[{n}]" for n in statement.citations)


def reference_line(ref: Reference, *, clinician: bool) -> str:
    title = ref.title.strip()
    by = f"{ref.authors.rstrip('.')}. " if ref.authors else ""
    parts = [f"{ref.kind_label} · {by}{title if title[-1:] in '.?!' else title + '.'}"]
    where = ", ".join(str(x) for x in (ref.publisher, ref.year) if x)
    if where:
        parts.append(where + ".")
    if ref.grade:
        parts.append(f"{ref.grade}: {ref.grade_meaning}")
    if ref.design not in ("", "other") and ref.kind == "research":
        detail = ref.design + (f", n = {ref.size:,}" if clinician and ref.size else "")
        parts.append(detail[0].upper() + detail[1:] + ".")
    if ref.sections:
        parts.append(f"Quoted from: {', '.join(ref.sections)}.")
    if ref.license:
        parts.append(f"{ref.license}.")
    link = ref.link[1] if ref.pmid or ref.doi else http_url(ref.url)
    if link:
        parts.append(link)
    return " ".join(parts)


def to_markdown(answer: Answer) -> str:
    return "\n".join(_lines(answer, markdown=True)) + "\n"


def to_text(answer: Answer) -> str:
    """The same as Markdown without its marks, for a terminal."""
    return "\n".join(_lines(answer, markdown=False)) + "\n"


def _lines(answer: Answer, *, markdown: bool) -> list[str]:
    def head(level: int, text: str) -> list[str]:
        return [("#" * level + " " if markdown else "") + text, ""]

    def em(text: str, mark: str = "_") -> str:
        return f"{mark}{text}{mark}" if markdown else text

    lines = [*head(1, answer.question), em(answer.status_line), ""]
    for notice in answer.notices:
        label = em(notice.kind.replace("-", " ").capitalize() + ":", "**")
        lines += [("> " if markdown else "") + f"{label} {notice.text}", ""]
    if answer.short_answer:
        lines += [em("Short answer.", "**") + " " + " ".join(map(cite, answer.short_answer)), ""]
    for section in answer.sections:
        lines += head(2, section.title)
        for theme in section.themes:
            lines += head(3, theme.heading) + [f"- {cite(s)}" for s in theme.statements] + [""]
    if answer.definitions:
        lines += head(2, "Plain-language help")
        lines += [f"- {em(d.term, '**')}: {cite(d.statement)}" for d in answer.definitions]
        lines += [""]
    lines += [em(answer.summary), ""]
    if answer.references:
        clinician = not answer.audience.lay
        lines += head(2, "References")
        lines += [
            f"{r.number}. {reference_line(r, clinician=clinician)}" for r in answer.references
        ] + [""]
    return [*lines, em(answer.disclaimer)]


def render(answer: Answer, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(to_dict(answer), indent=2, ensure_ascii=False)
    if fmt == "markdown":
        return to_markdown(answer)
    if fmt == "text":
        return to_text(answer)
    raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
