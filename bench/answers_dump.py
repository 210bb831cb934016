"""Answers to a question set as a reader sees them, in one Markdown file for blind grading.

Per question the file holds only its id, the question, the audience, the page question for a
follow-up, and the answer rendered as `evimap ask --format markdown` shows it (references
included): no scores, no version, no hint of which system wrote it (../shared/docs/
ANSWER_RUBRIC.md, "Grading blind"). `--system baseline` writes the one-passage baseline
(bench/baseline.py) instead of our composed answers.

    python bench/answers_dump.py --library var/library --mode lexical \\
        --out /tmp/evimap-bench/ours.md                       # our answers
    python bench/answers_dump.py --system baseline --out /tmp/evimap-bench/baseline.md

Keep the outputs out of the repo (default under /tmp/evimap-bench).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

QUESTIONS = Path(__file__).parent / "data" / "dev_questions.yaml"
AUDIENCES = ("patient", "caregiver", "clinician")
SYSTEMS = ("ours", "baseline")
HEADER = "======== {id} ========"
_HEADER = re.compile(r"^======== (\S+) ========$")


@dataclass(frozen=True)
class Item:
    """One question of a dump, with its answer as the reader sees it."""

    id: str
    question: str
    audience: str
    answer: str
    context: str | None = None


def load_questions(path: Path) -> list[dict]:
    """The question set; ids unique, audiences known, every question one non-empty line."""
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    seen: set[str] = set()
    for item in items:
        for field in ("id", "q", "audience", "kind"):
            if not str(item.get(field, "")).strip():
                raise ValueError(f"{path}: an entry lacks {field!r}: {item}")
        if item["id"] in seen:
            raise ValueError(f"{path}: id {item['id']} is used twice")
        if item["audience"] not in AUDIENCES:
            raise ValueError(f"{path}: {item['id']}: unknown audience {item['audience']!r}")
        if "\n" in item["q"] or "\n" in str(item.get("context") or ""):
            raise ValueError(f"{path}: {item['id']}: write the question on one line")
        seen.add(item["id"])
    return items


def format_item(item: Item, *, answer_label: str | None = None) -> str:
    """One question's block; `answer_label` names the answer (e.g. "Answer X")."""
    lines = [HEADER.format(id=item.id), f"Question: {item.question}"]
    if item.context:
        lines.append(f"Asked on the page: {item.context}")
    lines += [f"Audience: {item.audience}", ""]
    if answer_label:
        lines += [f"-------- {answer_label} --------", ""]
    return "\n".join(lines) + "\n" + item.answer.rstrip("\n") + "\n"


def write_dump(items: list[Item], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(format_item(item) for item in items), encoding="utf-8")


def read_dump(path: Path) -> list[Item]:
    """The items of a file `write_dump` wrote, in order."""
    blocks: list[tuple[str, list[str]]] = []
    for line in Path(path).read_text(encoding="utf-8").split("\n"):
        match = _HEADER.match(line)
        if match:
            blocks.append((match.group(1), []))
        elif blocks:
            blocks[-1][1].append(line)
    return [_item(item_id, lines) for item_id, lines in blocks]


def _item(item_id: str, lines: list[str]) -> Item:
    fields: dict[str, str] = {}
    while lines and lines[0]:
        name, _, value = lines.pop(0).partition(": ")
        fields[name] = value
    return Item(
        id=item_id,
        question=fields.get("Question", ""),
        audience=fields.get("Audience", ""),
        context=fields.get("Asked on the page"),
        answer="\n".join(lines[1:]).strip("\n") + "\n",
    )


def answer_all(questions: list[dict], library: Path, mode: str, system: str) -> list[Item]:
    from baseline import baseline_markdown
    from evimap import Library
    from evimap.engine import AnswerEngine
    from evimap.errors import EvimapError
    from evimap.render import render
    from evimap.settings import Settings

    items = []
    with Library(library, readonly=True) as lib:
        engine = AnswerEngine(lib, mode=mode, shared_data=Settings.from_env().shared_data)
        if engine.fallback:
            print(f"lexical search only: {engine.fallback}", file=sys.stderr)
        for q in questions:
            context = q.get("context")
            try:
                if system == "baseline":
                    text = baseline_markdown(engine, q["q"], context, q["audience"])
                else:
                    answer = engine.ask(q["q"], q["audience"], context=context)
                    text = render(answer, "markdown")
            except EvimapError as exc:  # what `evimap ask` shows the reader instead
                text = f"error: {exc.message}\n"
            items.append(Item(q["id"], q["q"], q["audience"], text, context))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--library", type=Path, default=Path("var/library"))
    parser.add_argument("--mode", choices=("lexical", "hybrid", "semantic"), default="lexical")
    parser.add_argument("--system", choices=SYSTEMS, default="ours")
    parser.add_argument("--out", type=Path, default=None, help="[/tmp/evimap-bench/SYSTEM.md]")
    args = parser.parse_args(argv)
    import evimap

    out = args.out or Path("/tmp/evimap-bench") / f"{args.system}.md"
    items = answer_all(load_questions(args.questions), args.library, args.mode, args.system)
    write_dump(items, out)
    print(f"{len(items)} answers ({args.system}, evimap at {evimap.__file__}) -> {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
