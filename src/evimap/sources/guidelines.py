"""Clinical practice guidelines: Markdown or HTML files, and USPSTF recommendations (JSON).

Each file is one GUIDELINE `Document` (design PRACTICE_GUIDELINE, collection "guideline"):

    id         guideline:{id from the metadata, else a slug of the file name}
    title, publisher (the organisation), year, url, doi, language ("eng" unless given)
    extra      {"file": file name}

Metadata of a Markdown file (``.md``, ``.markdown``): YAML front matter between ``---`` lines
at the very top of the file::

    ---
    title: Management of Glimmerfield syndrome relapses     # required
    organisation: Fictional Society of Neurology            # required ("organization" too)
    year: 2023                                              # required; a date or "2023-05" too
    url: https://example.org/guidelines/glimmerfield        # optional
    id: fsn-glimmerfield-2023                               # optional: letters, digits . _ : -
    doi: 10.1000/fsn.2023.1                                 # optional ("doi:" prefix dropped)
    language: eng                                           # optional, ISO 639-2 (or "en")
    ---

Metadata of an HTML file (``.html``, ``.htm``), first found wins:

    title         <meta name="citation_title">, <meta name="dc.title">, <title>, first <h1>
    organisation  <meta name="citation_publisher">, "dc.publisher", "evimap:organisation"
                  (or "evimap:organization")
    year          first 4-digit year of <meta name="citation_date">,
                  "citation_publication_date" or "dc.date"
    url           <link rel="canonical">, <meta name="citation_url">
    id, doi       <meta name="evimap:id">, <meta name="citation_doi"> or "dc.identifier" (10.x)
    language      <meta name="citation_language"> or "dc.language", else <html lang>

Meta names are matched case-insensitively (``DC.publisher``). A file without its title,
organisation or year, with malformed front matter, or with no text is reported as a `Problem`
and yields no document; a file of another type raises `SourceFormatError`.

Text. The body is cut into sections at headings (Markdown ``#``..``######``, HTML h1-h6); each
section becomes a passage whose `heading` is the heading path ("Management > Acute relapse").
A level-1 heading that repeats the title is left out of the path. A section longer than
`PASSAGE_CHARS` is cut into several passages at paragraph (or, within one very long paragraph,
sentence) boundaries, all with the same heading. Text is plain: Markdown emphasis, links
(``[text](url)`` -> text), images, inline HTML tags, HTML comments and code-fence lines are
removed (a fenced block's lines are kept as text); HTML script, style, nav, header, footer,
noscript and template elements are dropped.

Blocks and sentences. Paragraphs are separated by a blank line; every list item and table row
is a line of its own (a bullet's sign is dropped, an ordered item keeps its number, table cells
are joined with " | "). The original item text is kept -- no full stop is added -- and
`Passage.sentences` is set by splitting every paragraph, item and row on its own, so a
sentence never runs from one list item into the next.

USPSTF recommendations (``.json``): a JSON list of recommendation statements in the shape of
the USPSTF Prevention TaskForce API (or an object holding that list under "recommendations"
or "specificRecommendations"). Each becomes a GUIDELINE `Document`, publisher "U.S.
Preventive Services Task Force", with its grade::

    id          guideline:uspstf-{n} from "id" ("USPSTF_1" -> guideline:uspstf-1)
    title       "title" ("Cervical Cancer: Screening -- Women aged 21 to 65 years")
    grade       "grade": A, B, C, D or I ("Grade B" too); extra["grade_scheme"] = "uspstf"
                (what each grade means: evimap.grades, data/guideline_grades.yaml)
    passages    Recommendation ("recommendation" or "text"), Population (the title's part
                after " -- "; searchable, not quotable: no sentences), Risk assessment
                ("risk_factor" or "riskText"), Frequency of service ("frequency_of_service"
                or "servFreq"), each where not empty
    extra       sex ("sex" or "gender"), age_min and age_max (or "ageRange": [min, max]),
                population, risk_name ("raw_risk_name" or "riskName"), uspstf_id, file
    year, url   "year" (or "topicYear", "release_date"), "url" (http or https only), if any

Text run together where the source lost its paragraph breaks ("(cotesting).See the") gets
its space back. A statement without an id, title, recommendation text or a known grade, or
with a url that is not http(s), is reported as a `Problem` and the file goes on; a JSON file
of any other shape raises `SourceFormatError`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import yaml
from lxml import etree

from evimap.errors import SourceFormatError
from evimap.evidence import Document, Passage, Problem, Record, SourceKind, Span, StudyDesign
from evimap.sources._files import files_matching
from evimap.text import normalize_space, split_sentences

DESCRIPTION = (
    "Clinical guidelines: Markdown with YAML front matter or HTML; USPSTF recommendations "
    "(JSON); files or folders"
)

PASSAGE_CHARS = 1500  # a section longer than this is cut into several passages
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json",)

_BOM = b"\xef\xbb\xbf"
_ID = re.compile(r"[A-Za-z0-9._:-]+")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_TWO_LETTER_LANGUAGES = {
    "en": "eng", "fr": "fre", "de": "ger", "es": "spa", "it": "ita", "nl": "dut",
    "pt": "por", "sv": "swe", "da": "dan", "no": "nor", "fi": "fin", "pl": "pol",
    "ja": "jpn", "zh": "chi", "ru": "rus",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Meta:
    """A guideline's bibliographic record, as read from front matter or HTML meta tags."""

    title: str
    organisation: str
    year: int
    url: str = ""
    id: str = ""
    doi: str = ""
    language: str = ""


@dataclass(frozen=True, slots=True)
class _Block:
    """One paragraph, list item or table row of plain text, or a heading."""

    kind: str  # "paragraph", "item", "row", "line" (of a code block) or "heading"
    text: str
    level: int = 0  # headings only


class _Invalid(Exception):
    """A problem with one file's content, reported as a `Problem`."""


def files(path: Path) -> list[Path]:
    """`path` itself, or every Markdown, HTML and JSON file below it, sorted."""
    return files_matching(path, MARKDOWN_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES)


def read_file(path: Path) -> Iterator[Record]:
    """The one guideline Document of `path`, or a Problem saying why there is none (a
    USPSTF JSON file: a Document or Problem per recommendation)."""
    if path.name.lower().endswith(JSON_SUFFIXES):
        yield from read_uspstf(path)
        return
    parse = _parser_for(path)
    try:
        meta, blocks = parse(_read_bytes(path))
        yield _document(path, meta, blocks)
    except _Invalid as problem:
        yield Problem(str(path), "", str(problem))


def _parser_for(path: Path) -> Callable[[bytes], tuple[_Meta, list[_Block]]]:
    name = path.name.lower()
    if name.endswith(MARKDOWN_SUFFIXES):
        return _parse_markdown
    if name.endswith(HTML_SUFFIXES):
        return _parse_html
    raise SourceFormatError(
        f"{path} is not a guideline file: the guidelines source reads Markdown "
        "(.md, .markdown), HTML (.html, .htm) and USPSTF JSON (.json) files"
    )


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _Invalid(f"unreadable file: {error}") from None
    if not data.removeprefix(_BOM).strip():
        raise _Invalid("empty file")
    return data.removeprefix(_BOM)


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Invalid(f"not UTF-8 text: {error}") from None


# --- the document --------------------------------------------------------------------------


def _document(path: Path, meta: _Meta, blocks: list[_Block]) -> Document:
    passages = _passages(blocks, meta.title)
    if not passages:
        raise _Invalid("no guideline text besides the metadata")
    return Document(
        id=f"guideline:{meta.id or _slug(path)}",
        kind=SourceKind.GUIDELINE,
        collection="guideline",
        title=meta.title,
        passages=passages,
        publisher=meta.organisation,
        year=meta.year,
        url=meta.url,
        doi=meta.doi,
        language=meta.language or "eng",
        design=StudyDesign.PRACTICE_GUIDELINE,
        extra={"file": path.name},
    )


def _slug(path: Path) -> str:
    """The file name without its suffix as lower-case ASCII words joined by "-"."""
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        raise _Invalid("cannot make an id from the file name; give the guideline an 'id'")
    return slug


def _meta(fields: dict[str, object], where: str) -> _Meta:
    """Checked metadata from raw `fields`; `where` names their origin in messages."""
    title = _text_field(fields, "title", where)
    organisation = _text_field(fields, "organisation", where) or _text_field(
        fields, "organization", where
    )
    for name, value in (("title", title), ("organisation", organisation)):
        if not value:
            raise _Invalid(f"missing {where} field {name!r}")
    identifier = _text_field(fields, "id", where)
    if identifier and not _ID.fullmatch(identifier):
        raise _Invalid(f"{where} field 'id' may hold only letters, digits and . _ : -")
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", _text_field(fields, "doi", where))
    return _Meta(
        title=title,
        organisation=organisation,
        year=_year(fields.get("year"), where),
        url=_http_url(_text_field(fields, "url", where), where),
        id=identifier,
        doi=doi,
        language=_language(_text_field(fields, "language", where)),
    )


def _http_url(url: str, where: str) -> str:
    """`url` when empty or an absolute http(s) address: readers get it as a link, so never
    `javascript:`, `data:` or anything else a browser would run or open (issue 10, D6)."""
    if not url:
        return url
    scheme, _, rest = url.partition("://")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if scheme.lower() not in ("http", "https") or not host or re.search(r'[\s<>"`\\]', url):
        raise _Invalid(f"{where} field 'url' must be an http:// or https:// address, got {url!r}")
    return url


def _text_field(fields: dict[str, object], name: str, where: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple, set)):
        raise _Invalid(f"{where} field {name!r} must be text, not a {type(value).__name__}")
    return normalize_space(str(value))


def _year(value: object, where: str) -> int:
    if value is None or value == "":
        raise _Invalid(f"missing {where} field 'year'")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    found = _YEAR.search(str(value))
    if isinstance(value, bool) or not found:
        raise _Invalid(f"{where} field 'year' has no 4-digit year: {value!r}")
    return int(found.group())


def _language(value: str) -> str:
    code = value.lower().replace("_", "-").split("-")[0]
    return _TWO_LETTER_LANGUAGES.get(code, code)


# --- sections and passages -----------------------------------------------------------------


def _passages(blocks: Iterable[_Block], title: str) -> tuple[Passage, ...]:
    passages: list[Passage] = []
    for heading, body in _sections(blocks, title):
        passages.extend(_pack(heading, body))
    return tuple(passages)


def _sections(blocks: Iterable[_Block], title: str) -> list[tuple[str, list[_Block]]]:
    """(heading path, body blocks) of every section that has a body."""
    sections: list[tuple[str, list[_Block]]] = []
    path: list[tuple[int, str]] = []
    body: list[_Block] = []
    for block in blocks:
        if block.kind != "heading":
            body.append(block)
            continue
        if body:
            sections.append((" > ".join(text for _, text in path), body))
            body = []
        path = [(level, text) for level, text in path if level < block.level]
        if not (block.level == 1 and block.text.casefold() == title.casefold()):
            path.append((block.level, block.text))
    if body:
        sections.append((" > ".join(text for _, text in path), body))
    return sections


def _pack(heading: str, body: list[_Block]) -> list[Passage]:
    """The passages of one section: blocks packed up to `PASSAGE_CHARS` each."""
    passages: list[Passage] = []
    current: list[_Block] = []
    size = 0
    for block in (piece for whole in body for piece in _cut_long(whole)):
        if current and size + 2 + len(block.text) > PASSAGE_CHARS:
            passages.append(_passage(heading, current))
            current, size = [], 0
        current.append(block)
        size += len(block.text) + (2 if size else 0)
    if current:
        passages.append(_passage(heading, current))
    return passages


def _cut_long(block: _Block) -> list[_Block]:
    """`block`, or pieces of it cut between sentences when it is longer than a passage."""
    if len(block.text) <= PASSAGE_CHARS:
        return [block]
    pieces: list[_Block] = []
    start = end = 0
    for a, b in split_sentences(block.text):
        if end > start and b - start > PASSAGE_CHARS:
            pieces.append(_Block(block.kind, block.text[start:end]))
            start = a
        end = b
    pieces.append(_Block(block.kind, block.text[start:end]))
    return pieces


def _passage(heading: str, blocks: list[_Block]) -> Passage:
    """Blocks joined: list items and table rows one per line, paragraphs by a blank line."""
    text = ""
    spans: list[Span] = []
    previous = ""
    for block in blocks:
        if text:
            lines = block.kind != "paragraph" and previous != "paragraph"
            text += "\n" if lines else "\n\n"
        spans.extend((len(text) + a, len(text) + b) for a, b in split_sentences(block.text))
        text += block.text
        previous = block.kind
    return Passage(text=text, heading=heading, sentences=tuple(spans))


# --- Markdown ------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$\r?\n?", re.S | re.M)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_ATX_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_HEADING_ATTRIBUTES = re.compile(r"\s*\{#[^}]*\}$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|(\d{1,9}[.)]))[ \t]+(.*)$")
_TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*$")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_LINK_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s+\S")
_QUOTE = re.compile(r"[ \t]*>[ \t]?")

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_ESCAPED_BASE = 0xE000  # escaped characters hide in the private use area while markup goes
_ESCAPED = re.compile("[\ue000-\ue07f]")
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"`+([^`]+?)`+", r"\1"),  # code spans
        (r"!\[[^\]]*\]\([^)]*\)", ""),  # images
        (r"\[\^[^\]]+\]", ""),  # footnote references
        (r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)", r"\1"),  # [text](url "title")
        (r"\[([^\]]+)\]\[[^\]]*\]", r"\1"),  # [text][reference]
        (r"<((?:https?|mailto):[^>\s]+)>", r"\1"),  # autolinks
        (r"</?[A-Za-z][^<>]*>", " "),  # inline HTML tags
        (r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2"),  # strong
        (r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", r"\1"),  # *emphasis*
        (r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])", r"\1"),  # _emphasis_
        (r"~~(?=\S)(.+?)(?<=\S)~~", r"\1"),  # strikethrough
    )
)


def _parse_markdown(data: bytes) -> tuple[_Meta, list[_Block]]:
    text = _utf8(data)
    match = _FRONT_MATTER.match(text)
    if not match:
        if text.startswith("---"):
            raise _Invalid("front matter is not closed by a '---' line")
        raise _Invalid(
            "no YAML front matter ('---' lines at the top with title, organisation, year)"
        )
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise _Invalid(f"malformed YAML front matter: {_yaml_message(error)}") from None
    if not isinstance(fields, dict):
        raise _Invalid("front matter is not a YAML mapping of fields")
    meta = _meta({str(k).lower(): v for k, v in fields.items()}, "front matter")
    return meta, list(_markdown_blocks(text[match.end() :]))


def _yaml_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    return f"{problem} (line {mark.line + 2})" if mark is not None else problem


def _markdown_blocks(body: str) -> Iterator[_Block]:
    """Headings, paragraphs, list items and table rows of a Markdown body, in order."""
    pending: list[str] = []  # lines of the current paragraph or list item
    pending_kind = "paragraph"
    fenced = ""  # the fence that opened the current code block
    for line in _HTML_COMMENT.sub("", body).splitlines():
        fence = _FENCE.match(line)
        if fence and (not fenced or fence.group(1).startswith(fenced)):
            fenced = "" if fenced else fence.group(1)[:3]
            continue
        kind, text, level = _code_line(line) if fenced else _classify(line)
        if kind == "text" and pending:
            pending.append(text)  # a paragraph or a list item goes on
            continue
        yield from _flush(pending_kind, pending)
        pending, pending_kind = [], "paragraph"
        if kind in ("text", "item"):
            pending, pending_kind = [text], "paragraph" if kind == "text" else "item"
        elif kind == "row":
            yield from _flush("row", [text])
        elif kind != "blank":
            yield from _block(kind, text if kind == "line" else _plain(text), level)
    yield from _flush(pending_kind, pending)


def _code_line(line: str) -> tuple[str, str, int]:
    return ("line", line, 0) if line.strip() else ("blank", "", 0)


def _classify(line: str) -> tuple[str, str, int]:
    """What one Markdown line is: (kind, its text, heading level). Kinds: blank, heading,
    row (of a table), item (first line of a list item), text (of a paragraph or item)."""
    if not line.strip() or _RULE.match(line) or _LINK_DEFINITION.match(line):
        return "blank", "", 0
    if heading := _ATX_HEADING.match(line):
        text = _HEADING_ATTRIBUTES.sub("", heading.group(2) or "")
        return "heading", text, len(heading.group(1))
    if _TABLE_ROW.match(line):
        return ("blank", "", 0) if _TABLE_RULE.match(line) else ("row", line, 0)
    if item := _LIST_ITEM.match(line):
        number = f"{item.group(1)} " if item.group(1) else ""
        return "item", number + item.group(2), 0
    quote = _QUOTE.match(line)
    return "text", line[quote.end() :] if quote else line, 0


def _flush(kind: str, lines: list[str]) -> Iterator[_Block]:
    """The block of a paragraph's, list item's or table row's Markdown lines."""
    if kind == "row" and lines:
        cells = [_plain(cell) for cell in lines[0].strip().strip("|").split("|")]
        yield from _block("row", " | ".join(cell for cell in cells if cell))
    elif lines:
        yield from _block(kind, _plain(" ".join(lines)))


def _plain(text: str) -> str:
    """Markdown inline text without its markup, whitespace collapsed."""
    text = _ESCAPE.sub(lambda m: chr(_ESCAPED_BASE + ord(m.group(1))), text)  # "\*" stays "*"
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    text = _ESCAPED.sub(lambda m: chr(ord(m.group()) - _ESCAPED_BASE), text)
    return normalize_space(html.unescape(text))


# --- HTML ----------------------------------------------------------------------------------

_DROPPED = ("script", "style", "nav", "header", "footer", "noscript", "template")
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_LEAF_BLOCKS = frozenset({"p", "dt", "dd", "pre", "caption", "figcaption", "address"})
_NESTED_IN_ITEMS = frozenset({"ul", "ol", "dl", "menu", "table"})
_CONTAINERS = frozenset(
    {
        "html", "body", "main", "article", "section", "div", "aside", "blockquote", "figure",
        "details", "summary", "form", "fieldset", "table", "thead", "tbody", "tfoot", "center",
        "hgroup", "ul", "ol", "dl", "menu",
    }
)  # fmt: skip
_META_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("citation_title", "dc.title"),
    "organisation": (
        "citation_publisher", "dc.publisher", "evimap:organisation", "evimap:organization",
    ),
    "year": ("citation_date", "citation_publication_date", "dc.date"),
    "url": ("citation_url",),
    "id": ("evimap:id",),
    "doi": ("citation_doi",),
    "language": ("citation_language", "dc.language"),
}  # fmt: skip


def _parse_html(data: bytes) -> tuple[_Meta, list[_Block]]:
    """Metadata and blocks of an HTML page: UTF-8 unless the page declares its charset."""
    try:
        data.decode("utf-8")
        encoding: str | None = "utf-8"
    except UnicodeDecodeError:
        encoding = None  # let libxml2 read <meta charset>
    try:
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding=encoding))
    except (etree.ParserError, ValueError) as error:
        raise _Invalid(f"unreadable HTML: {error}") from None
    fields = _html_fields(root)
    for element in root.xpath(" | ".join(f"//{tag}" for tag in _DROPPED) + " | //comment()"):
        if element.getparent() is not None:
            element.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    body = root.find("body")
    blocks = list(_html_blocks(body if body is not None else root))
    if not fields.get("title"):
        fields["title"] = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return _meta(fields, "HTML metadata"), blocks


def _html_fields(root: lxml.html.HtmlElement) -> dict[str, object]:
    """Raw metadata fields from the <head> of `root`, before anything is dropped."""
    meta: dict[str, str] = {}
    for element in root.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if name and content:
            meta.setdefault(name, content)
    fields: dict[str, object] = {}
    for field, names in _META_NAMES.items():
        fields[field] = next((meta[n] for n in names if n in meta), None)
    if not fields["doi"] and meta.get("dc.identifier", "").startswith("10."):
        fields["doi"] = meta["dc.identifier"]
    canonical = root.xpath("//link[translate(@rel, 'CANONICL', 'canonicl')='canonical']/@href")
    if canonical:
        fields["url"] = canonical[0].strip()
    title = root.find(".//title")
    if not fields["title"] and title is not None:
        fields["title"] = title.text_content()
    fields["language"] = fields["language"] or root.get("lang") or root.get("xml:lang")
    return fields


def _html_blocks(element: lxml.html.HtmlElement, number: int = 0) -> Iterator[_Block]:
    """Headings, paragraphs, list items and table rows below `element`, in order.

    `number` is the position of a list item in an ordered list (0: not numbered).
    """
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _HEADINGS:
        yield from _block("heading", element.text_content(), _HEADINGS[tag])
    elif tag == "li":
        yield from _list_item(element, number)
    elif tag == "tr":
        cells = (normalize_space(cell.text_content()) for cell in element if _is_cell(cell))
        yield from _block("row", " | ".join(cell for cell in cells if cell))
    elif tag in _LEAF_BLOCKS:
        yield from _block("paragraph", element.text_content())
    else:
        yield from _mixed_content(element)


def _mixed_content(element: lxml.html.HtmlElement) -> Iterator[_Block]:
    """Loose text and inline elements become paragraphs; block children are walked."""
    inline = [element.text or ""]
    number = _list_start(element)
    for child in element:
        if _is_block(child):
            yield from _block("paragraph", "".join(inline))
            inline = []
            yield from _html_blocks(child, number if child.tag == "li" else 0)
            number += 1 if number and child.tag == "li" else 0
        else:
            inline.append(_inline_text(child))
        inline.append(child.tail or "")
    yield from _block("paragraph", "".join(inline))


def _list_start(element: lxml.html.HtmlElement) -> int:
    """The number of the first item of an ordered list; 0 for anything else."""
    if element.tag != "ol":
        return 0
    start = element.get("start", "1").strip()
    return int(start) if start.isdigit() else 1


def _list_item(element: lxml.html.HtmlElement, number: int) -> Iterator[_Block]:
    """A list item's own text (paragraphs in it included) as one item; its nested lists and
    tables as blocks of their own, after it."""
    own = [element.text or ""]
    nested: list[lxml.html.HtmlElement] = []
    for child in element:
        if child.tag in _NESTED_IN_ITEMS:
            nested.append(child)
        else:
            own.append(" " + _inline_text(child) + " ")
        own.append(child.tail or "")
    text = normalize_space("".join(own))
    yield from _block("item", f"{number}. {text}" if number and text else text)
    for child in nested:
        yield from _html_blocks(child)


def _inline_text(element: lxml.html.HtmlElement) -> str:
    return element.text_content() if isinstance(element.tag, str) else ""


def _block(kind: str, text: str, level: int = 0) -> Iterator[_Block]:
    text = normalize_space(text)
    if text:
        yield _Block(kind, text, level)


def _is_block(element: lxml.html.HtmlElement) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag in _HEADINGS or tag in _LEAF_BLOCKS or tag in _CONTAINERS or tag in ("li", "tr")


def _is_cell(element: lxml.html.HtmlElement) -> bool:
    return element.tag in ("td", "th")


# --- USPSTF recommendations (JSON) ---------------------------------------------------------

USPSTF = "U.S. Preventive Services Task Force"
USPSTF_GRADES = ("A", "B", "C", "D", "I")
_USPSTF_LISTS = ("recommendations", "specificRecommendations")
_USPSTF_GRADE = re.compile(r"(?:grade\s*)?([a-d]|i)(?:\s*statement)?", re.I)
_USPSTF_ID = re.compile(r"[^a-z0-9]+")
# A sentence end run into the next sentence ("(cotesting).See the"), with or without a
# footnote number between them ("mortality.5-7The US"): the paragraph break the text lost.
_RUN_ON = re.compile(
    r"(?<=[A-Za-z)%\]])([.:;!?])(?:\d{1,2}(?:[-,\u2013]\d{1,2})*)?(?=[A-Z][a-z]|[AI] )"
)
_RUN_ON_ITEM = re.compile(r"(?<=[A-Za-z).:])(\d{1,2}\.)(?=[A-Z][a-z])")  # "following:1.If"
# Field names: the ones this file uses first, then the Prevention TaskForce API's.
_USPSTF_FIELDS: dict[str, tuple[str, ...]] = {
    "recommendation": ("recommendation", "text"),
    "risk": ("risk_factor", "riskText"),
    "frequency": ("frequency_of_service", "servFreq"),
    "sex": ("sex", "gender"),
    "risk_name": ("raw_risk_name", "riskName"),
    "year": ("year", "topicYear", "release_date"),
}


def read_uspstf(path: Path) -> Iterator[Record]:
    """A Document (or a Problem) for every recommendation of a USPSTF JSON file."""
    try:
        data = json.loads(_read_bytes(path))
    except _Invalid as problem:
        yield Problem(str(path), "", str(problem))
        return
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        yield Problem(str(path), "", f"malformed JSON: {error}")
        return
    for number, item in enumerate(_uspstf_list(data, path), start=1):
        where = str(item.get("id") or f"#{number}") if isinstance(item, dict) else f"#{number}"
        try:
            if not isinstance(item, dict):
                raise _Invalid("a recommendation is not a JSON object")
            yield _uspstf_document(path, item)
        except _Invalid as problem:
            yield Problem(str(path), where, str(problem))


def _uspstf_list(data: object, path: Path) -> list:
    if isinstance(data, dict):
        data = next((data[k] for k in _USPSTF_LISTS if isinstance(data.get(k), list)), None)
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data[:1]):
        raise SourceFormatError(
            f"{path} is not a guideline file: a JSON guideline file holds USPSTF "
            "recommendations (a list of objects with id, title, recommendation and grade)"
        )
    return data


def _uspstf_document(path: Path, item: dict) -> Document:
    source_id = _uspstf_text(item, "id")
    slug = _USPSTF_ID.sub("-", source_id.lower()).strip("-")
    if not slug:
        raise _Invalid("no 'id'")
    if not slug.startswith("uspstf"):
        slug = f"uspstf-{slug}"
    title = _uspstf_text(item, "title")
    if not title:
        raise _Invalid("no 'title'")
    grade = _uspstf_grade(item.get("grade"))
    recommendation = _uspstf_text(item, "recommendation")
    if not recommendation:
        raise _Invalid("no recommendation text ('recommendation' or 'text')")
    population = title.partition(" -- ")[2].strip()
    sections = (
        ("Recommendation", recommendation),
        ("Population", f"{population}." if population and population[-1] not in ".!?" else ""),
        ("Risk assessment", _uspstf_text(item, "risk")),
        ("Frequency of service", _uspstf_text(item, "frequency")),
    )
    low, high = _uspstf_ages(item)
    extra = {
        "uspstf_id": source_id,
        "grade_scheme": "uspstf",
        "sex": _uspstf_text(item, "sex"),
        "age_min": low,
        "age_max": high,
        "population": population,
        "risk_name": _uspstf_text(item, "risk_name"),
        "file": path.name,
    }
    year = _YEAR.search(_uspstf_text(item, "year"))
    return Document(
        id=f"guideline:{slug}",
        kind=SourceKind.GUIDELINE,
        collection="guideline",
        title=title,
        passages=tuple(
            # the population is a noun phrase, not a statement ("Women 65 years or older."):
            # searchable, never quoted (the reference's title names it)
            Passage(text, heading, () if heading == "Population" else None)
            for heading, text in sections
            if text
        ),
        publisher=USPSTF,
        year=int(year.group()) if year else None,
        url=_uspstf_url(_uspstf_text(item, "url")),
        language="eng",
        design=StudyDesign.PRACTICE_GUIDELINE,
        extra={k: v for k, v in extra.items() if v},
        grade=grade,
    )


def _uspstf_text(item: dict, field: str) -> str:
    """The text of `field` (first of its names that is set), run-on sentences parted."""
    for name in _USPSTF_FIELDS.get(field, (field,)):
        value = item.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, (dict, list)):
            raise _Invalid(f"field {name!r} must be text, not a {type(value).__name__}")
        text = _RUN_ON_ITEM.sub(r" \1 ", html.unescape(str(value)))
        return normalize_space(_RUN_ON.sub(r"\1 ", text))
    return ""


def _uspstf_grade(value: object) -> str:
    found = _USPSTF_GRADE.fullmatch(str(value or "").strip())
    if not found:
        raise _Invalid(f"unknown grade {value!r}: expected one of {', '.join(USPSTF_GRADES)}")
    return found.group(1).upper()


def _uspstf_ages(item: dict) -> tuple[str, str]:
    """(lowest, highest) age as written ("" where not given); 100 is USPSTF's "and older"."""
    low, high = item.get("age_min"), item.get("age_max")
    ages = item.get("ageRange")
    if low is None and high is None and isinstance(ages, list) and len(ages) == 2:
        low, high = ages
    return _age(low), _age(high)


def _age(value: object) -> str:
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    return normalize_space(str(value))


def _uspstf_url(url: str) -> str:
    """`url` when empty or an absolute http(s) address (readers get it as a link)."""
    scheme, _, rest = url.partition("://")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if url and (
        scheme.lower() not in ("http", "https") or not host or re.search(r'[\s<>"`\\]', url)
    ):
        raise _Invalid(f"field 'url' must be an http:// or https:// address, got {url!r}")
    return url
