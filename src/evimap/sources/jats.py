"""PubMed Central open-access full text: NLM JATS XML articles (PMC's ``.nxml``).

Reads one article per file (``.nxml``, ``.xml``, plain or gzip), bundles of them (``.tar``,
``.tar.gz``/``.tgz``: PMC's bulk and per-article packages; members that are not ``.nxml`` or
``.xml``, such as PDFs and images, are passed over) and E-utilities ``<pmc-articleset>``
output. A bundle is streamed member by member (tarfile's stream mode): memory holds one
article at a time, however large the bundle. A large bundle is cut into stretches
(`segments`) that several parser processes read at once.

Each ``<article>`` becomes a RESEARCH `Document` (GUIDELINE for a practice guideline):

    id            pmc:PMC1234567 (else doi:10.x/y when the article has no PMCID)
    collection    pmc
    title         article-meta/title-group/article-title
    publisher     the journal's title;  year: the issue's year, else the electronic one
    url           https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/ (else the DOI's)
    pmid, doi     article-id of pub-id-type pmid, doi
    authors       the first author and "et al." when there are more ("Lai YL et al.")
    keywords      kwd-group/kwd (English groups, abbreviation lists left out)
    design        from the article type, subject headings, keywords and title named the way
                  PubMed names publication types (kept in `publication_types`), strongest
                  first as `design_from_publication_types` decides; a research article that
                  names no design but whose abstract says participants were randomised is a
                  randomised controlled trial; a protocol, a correction or a retraction
                  reports no results and is OTHER whatever else it names
    extra         pmcid, article_type, license ("CC BY 4.0", "CC0 1.0"... where a Creative
                  Commons licence or public domain is named), license_url

Passages: the abstract's sections with their labels as headings (an unstructured abstract is
one passage without a heading, as in PubMed), then the body's sections, named by their title
path ("Methods > Statistical analysis"; text before any section: "Main text"), cut at
paragraphs into passages of up to `PASSAGE_CHARS`. Reference citations ("[12]", superscript
numbers) are taken out of sentences; figures, formulas, supplementary material and the back
matter (references, acknowledgements) are left out, as are sections on funding, competing
interests, contributions, abbreviations and data availability. A table becomes a passage
headed by its label ("Table 2"): its caption, then a line per row with cells joined by
" | ", kept searchable but not quotable (no sentences); a large table keeps its caption only.

A member or file that is not well-formed XML, an article without a title or without a PMCID
or DOI becomes a `Problem` (file, member, reason) and the bundle goes on; a truncated or
corrupt bundle yields a Problem naming the member it stopped in, after every article before
it. A plain file whose root is not ``<article>`` or ``<pmc-articleset>`` raises
`SourceFormatError`.
"""

from __future__ import annotations

import gzip
import itertools
import re
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from evimap.errors import SourceFormatError
from evimap.evidence import (
    Document,
    Passage,
    Problem,
    Record,
    SourceKind,
    StudyDesign,
    design_from_publication_types,
)
from evimap.sources._files import Segment, files_matching, is_gzip

DESCRIPTION = "PMC open-access full text, JATS XML (.nxml/.xml, .gz, or .tar.gz bundles of them)"

# Parse work per input byte against plain XML: bundles are gzip-compressed about 4 to 1, so the
# ingest cuts them (`segments`) and groups its tasks at a quarter of its usual task size.
PARSE_COST = 4
# Each segment decompresses the bundle from its start (gzip cannot seek): the ingest cuts a
# bundle into no more segments than it has parser processes.
SEGMENTS_REREAD = True
BATCH_DOCUMENTS = 100  # documents a batch (the ingest's 500 would hold 20 MB of full text)
PASSAGE_CHARS = 2000  # a section longer than this is cut into passages at paragraphs
MAX_ARTICLE_BYTES = 64_000_000  # a bigger member is reported, not read
TABLE_ROWS = 60  # a table with more rows, or more text than TABLE_CHARS, keeps its caption
TABLE_CHARS = 6000

_SUFFIXES = (".nxml", ".xml", ".nxml.gz", ".xml.gz", ".tar.gz", ".tgz", ".tar")
_ARTICLE_MEMBERS = (".nxml", ".xml")
_BUNDLES = (".tar", ".tar.gz", ".tgz")
_TAR_MAGIC = b"ustar"  # at offset 257 of a tar header
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,  # no id lookups here: a table of every id attribute costs 20% of a parse
)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_LANGUAGES = {"en": "eng", "fr": "fre", "de": "ger", "es": "spa", "pt": "por", "it": "ita"}


def files(path: Path) -> list[Path]:
    """`path` itself if it is a file, else every article file and bundle below it, sorted."""
    return files_matching(path, _SUFFIXES)


def read_file(path: Path) -> Iterator[Record]:
    """Documents and Problems of one article file or bundle (plain or gzip)."""
    try:
        head = _head(path)
    except (OSError, EOFError, zlib.error) as error:
        yield Problem(str(path), "", f"unreadable file: {error}")
        return
    if head[257:262] == _TAR_MAGIC or path.name.lower().endswith(_BUNDLES):
        yield from _read_bundle(path)
        return
    if not head.strip():
        yield Problem(str(path), "", "empty file")
        return
    try:
        data = _read_all(path)
    except (OSError, EOFError, zlib.error) as error:
        yield Problem(str(path), "", f"unreadable file (truncated or corrupt gzip?): {error}")
        return
    yield from _records(data, str(path), "", strict=True)


def _head(path: Path) -> bytes:
    """The first 512 bytes of the file's content (decompressed if gzip)."""
    if is_gzip(path):
        with gzip.open(path, "rb") as stream:
            return stream.read(512)
    with path.open("rb") as stream:
        return stream.read(512)


def _read_all(path: Path) -> bytes:
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as stream:
        data = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise OSError(f"larger than {MAX_ARTICLE_BYTES:,} bytes")
    return data


def segments(path: Path, target_bytes: int) -> list[Segment | Path]:
    """A large tar bundle cut into stretches of about `target_bytes` of its file, so that
    several parser processes share it; any other file whole.

    A member belongs to the stretch where its header lies, its offset in the uncompressed
    tar scaled to the file's size (gzip keeps the uncompressed size in its last 4 bytes).
    Every stretch reads the bundle from its start (the members before it only decompressed)
    and stops at its end: together they read every member once, in order.
    """
    size = path.stat().st_size
    if size <= target_bytes * 1.5:
        return [path]
    try:
        if _head(path)[257:262] != _TAR_MAGIC:
            return [path]
    except (OSError, EOFError, zlib.error):
        return [path]  # read whole: its error is reported then
    count = size // target_bytes  # each at least target_bytes: a task of its own
    bounds = [size * k // count for k in range(count + 1)]
    return [Segment(path, start, end) for start, end in itertools.pairwise(bounds)]


def read_segment(segment: Segment) -> Iterator[Record]:
    """Documents and Problems of the members of one stretch of a bundle (see `segments`)."""
    yield from _read_bundle(segment.path, segment.start, segment.end)


def _scale(path: Path, size: int) -> float:
    """File bytes per uncompressed tar byte (an estimate where gzip's size field wrapped)."""
    if not is_gzip(path):
        return 1.0
    with path.open("rb") as stream:
        stream.seek(-4, 2)
        uncompressed = int.from_bytes(stream.read(4), "little")
    return size / max(uncompressed, size)


def _read_bundle(path: Path, start: int = 0, end: int | None = None) -> Iterator[Record]:
    """Every article member of a tar bundle (or those of the stretch [start, end) of it),
    streamed; a broken bundle stops with a Problem."""
    origin, read, member, position = str(path), 0, "", 0
    last = ""  # the last member read whole: where a bundle breaks between two members
    try:
        size = path.stat().st_size
        scale = _scale(path, size) if end is not None else 0.0
        with tarfile.open(path, mode="r|*") as bundle:
            while True:
                last, member = member or last, ""
                entry = bundle.next()
                if entry is None:
                    break
                # tarfile keeps every header read: memory would grow (typeshed does not
                # declare TarFile.members, which tarfile itself resets this way)
                bundle.members = []  # type: ignore[attr-defined]
                if end is not None:
                    position = min(int(entry.offset * scale), size - 1)
                    if position >= end:
                        break  # the next stretch's
                    if position < start:
                        continue  # an earlier stretch's
                member = entry.name
                name = member.rsplit("/", 1)[-1].lower()
                if (
                    not entry.isfile()
                    or name.startswith(".")
                    or not name.endswith(_ARTICLE_MEMBERS)
                ):
                    continue
                if entry.size > MAX_ARTICLE_BYTES:
                    yield Problem(origin, member, f"larger than {MAX_ARTICLE_BYTES:,} bytes")
                    continue
                stream = bundle.extractfile(entry)
                data = stream.read() if stream is not None else b""
                yield from _records(data, origin, member, strict=False)
                read += 1
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        if position < start:
            return  # the stretch where it broke reports it
        where = f" in {member}" if member else f" after {last}" if last else ""
        reason = f"truncated or corrupt bundle{where} ({error}); bundle abandoned after {read} "
        yield Problem(origin, member, reason + "articles")


def _records(data: bytes, origin: str, member: str, *, strict: bool) -> Iterator[Record]:
    """The records of one XML document: an <article> or a <pmc-articleset> of them.

    `strict`: a plain file, whose wrong root is a SourceFormatError (in a bundle, a Problem).
    """
    if not data.strip():
        yield Problem(origin, member, "empty file")
        return
    try:
        root = etree.fromstring(_without_back(data), _PARSER)
    except etree.XMLSyntaxError as error:
        if strict and not data.lstrip().startswith(b"<"):
            raise SourceFormatError(f"{origin}: not JATS XML ({error})") from None
        yield Problem(origin, member, f"malformed XML ({error})")
        return
    tag = _local(root.tag)
    if tag == "article":
        yield _document_or_problem(root, origin, member)
    elif tag == "pmc-articleset":
        for position, article in enumerate(root.iterfind("article"), start=1):
            yield _document_or_problem(article, origin, member or f"#{position}")
    elif strict:
        raise SourceFormatError(
            f"{origin}: not JATS XML: root element is <{tag}>, expected <article> "
            "or <pmc-articleset>"
        )
    else:
        yield Problem(origin, member, f"not a JATS article: root element is <{tag}>")


def _without_back(data: bytes) -> bytes:
    """`data` without the first article's back matter (references, acknowledgements: no
    field is read from it, and it is about a third of an article's bytes to parse). In XML a
    '<' in text is always escaped, so "<back>" or "<back " only ever opens that element."""
    start = data.find(b"<back>")
    if start < 0:
        start = data.find(b"<back ")
    end = data.find(b"</back>", start) if start >= 0 else -1
    return data[:start] + data[end + 7 :] if end >= 0 else data


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else repr(tag)


# --- the document --------------------------------------------------------------------------


def _document_or_problem(article: etree._Element, origin: str, member: str) -> Record:
    meta = article.find("front/article-meta")
    if meta is None:
        return Problem(origin, member, "no <front>/<article-meta>")
    ids = _article_ids(meta)
    pmcid, doi = ids.get("pmc", ""), ids.get("doi", "")
    where = member or pmcid or doi
    title = _text(meta.find("title-group/article-title"))
    if not title:
        return Problem(origin, where, "no article title")
    if not pmcid and not doi:
        return Problem(origin, where, "no PMCID or DOI to name the article by")
    subjects = [_text(s) for s in meta.iterfind("article-categories//subject")]
    keywords = _keywords(meta)
    abstract = _abstract(meta)
    body = article.find("body")
    passages = (*abstract, *(_body(body) if body is not None else ()))
    article_type = (article.get("article-type") or "").strip().lower()
    methods = [p for p in passages[len(abstract) :] if _METHODS.search(p.heading)]
    types = _publication_types(article_type, subjects, keywords, title, (*abstract, *methods))
    design = design_from_publication_types(types)
    if _NO_RESULTS & set(types):
        design = StudyDesign.OTHER
    license_label, license_url = _license(_first(meta, "permissions/license", "license"))
    extra = {
        "pmcid": pmcid,
        "article_type": article_type,
        "license": license_label,
        "license_url": license_url,
    }
    return Document(
        id=f"pmc:{pmcid}" if pmcid else f"doi:{doi}",
        kind=SourceKind.GUIDELINE
        if design is StudyDesign.PRACTICE_GUIDELINE
        else SourceKind.RESEARCH,
        collection="pmc",
        title=title,
        passages=passages,
        publisher=_journal(article.find("front/journal-meta")),
        year=_year(meta),
        url=f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"
        if pmcid
        else f"https://doi.org/{quote(doi, safe='/:;()._-')}",
        pmid=ids.get("pmid", ""),
        doi=doi,
        language=_language(article.get(_XML_LANG) or "en"),
        design=design,
        publication_types=types,
        extra={k: v for k, v in extra.items() if v},
        authors=_authors(meta),
        keywords=keywords,
    )


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """`element.find(tag)` for a plain tag, without ElementPath (a third of the cost)."""
    return next(element.iterchildren(tag), None)


def _first(element: etree._Element, *paths: str) -> etree._Element | None:
    """The first element found at one of `paths` (where DTD versions differ)."""
    for path in paths:
        if (found := element.find(path)) is not None:
            return found
    return None


def _article_ids(meta: etree._Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    for element in meta.iterfind("article-id"):
        kind = (element.get("pub-id-type") or "").lower()
        value = (element.text or "").strip()
        if kind in ("pmc", "pmcid") and value:
            digits = value.upper().removeprefix("PMC")
            if digits.isdigit() and digits.isascii():  # anything else names no PMC article
                ids.setdefault("pmc", f"PMC{int(digits)}")
        elif kind in ("pmid", "doi") and value:
            ids.setdefault(kind, value)
    return ids


def _journal(journal: etree._Element | None) -> str:
    if journal is None:
        return ""
    for path in ("journal-title-group/journal-title", "journal-title"):
        if title := _text(journal.find(path)):
            return title
    for element in journal.iterfind("journal-id"):
        if element.get("journal-id-type") == "nlm-ta" and element.text:
            return element.text.strip()
    return ""


# The date first (as PubMed's year), then the electronic one; PMC's own release last.
_DATE_ORDER = ("ppub", "epub-ppub", "collection", "epub", "pub", "", "pmc-release")
_YEAR = re.compile(r"\d{4}")


def _year(meta: etree._Element) -> int | None:
    found: dict[str, int] = {}
    for date in meta.iterfind("pub-date"):
        kind = (date.get("pub-type") or date.get("date-type") or "").lower()
        match = _YEAR.search(date.findtext("year") or "")
        if match:
            found.setdefault(kind if kind in _DATE_ORDER else "", int(match.group()))
    return next((found[kind] for kind in _DATE_ORDER if kind in found), None)


def _language(code: str) -> str:
    code = code.strip().lower().split("-")[0]
    return _LANGUAGES.get(code, code) or "eng"


def _authors(meta: etree._Element) -> str:
    """The first author as a reference shows them, with "et al." when there are more."""
    authors = [
        contrib
        for contrib in meta.iterfind("contrib-group/contrib")
        if (contrib.get("contrib-type") or "author") == "author"
    ]
    if not authors:
        return ""
    first = _author_name(authors[0])
    if not first:
        return ""
    return f"{first} et al." if len(authors) > 1 else first


def _author_name(contrib: etree._Element) -> str:
    name = contrib.find("name")
    if name is None:
        name = contrib.find("name-alternatives/name")
    if name is not None:
        surname = _text(name.find("surname"))
        given = name.find("given-names")
        initials = (given.get("initials") or "") if given is not None else ""
        if not initials and given is not None:
            initials = "".join(part[0] for part in re.split(r"[\s.\-]+", _text(given)) if part)
        return f"{surname} {initials.upper()}".strip() if surname else _text(given)
    return _text(contrib.find("collab")) or _text(contrib.find("string-name"))


def _keywords(meta: etree._Element) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for group in meta.iterfind("kwd-group"):
        language = (group.get(_XML_LANG) or "en").lower()
        if not language.startswith("en") or "abbrev" in (group.get("kwd-group-type") or ""):
            continue
        for kwd in group.iterfind("kwd"):
            if word := _text(kwd).strip(" .;,"):
                found.setdefault(word, None)
    return tuple(found)


# --- study design --------------------------------------------------------------------------

_PROTOCOL = "Clinical Trial Protocol"
_NO_RESULTS = frozenset({_PROTOCOL, "Published Erratum", "Retraction of Publication"})
_BY_ARTICLE_TYPE = {
    "review-article": "Review",
    "systematic-review": "Systematic Review",
    "meta-analysis": "Meta-Analysis",
    "case-report": "Case Reports",
    "editorial": "Editorial",
    "letter": "Letter",
    "reply": "Letter",
    "article-commentary": "Comment",
    "correction": "Published Erratum",
    "retraction": "Retraction of Publication",
    "protocol": _PROTOCOL,
    "practice-guideline": "Practice Guideline",
    "guideline": "Practice Guideline",
}
# A subject heading or keyword (lower case, "randomised" spelt "randomized") -> type.
_BY_LABEL = {
    "randomized controlled trial": "Randomized Controlled Trial",
    "randomized controlled trials": "Randomized Controlled Trial",
    "randomized clinical trial": "Randomized Controlled Trial",
    "randomized trial": "Randomized Controlled Trial",
    "rct": "Randomized Controlled Trial",
    "systematic review": "Systematic Review",
    "meta-analysis": "Meta-Analysis",
    "meta analysis": "Meta-Analysis",
    "study protocol": _PROTOCOL,
    "trial protocol": _PROTOCOL,
    "case report": "Case Reports",
    "case reports": "Case Reports",
    "practice guideline": "Practice Guideline",
}
_SUBJECT_ONLY = {"review": "Review", "review article": "Review", "reviews": "Review"}
_TITLE_CUES = (
    (re.compile(r"\bnon-?randomi[sz]ed\b"), "Controlled Clinical Trial"),
    (re.compile(r"\bmeta-?analys[ie]s\b"), "Meta-Analysis"),
    (re.compile(r"\bsystematic (?:\w+ )?review\b"), "Systematic Review"),
    (
        re.compile(r"\b(?:study|trial|research) protocol\b|\bprotocol (?:for|of) an?\b"),
        _PROTOCOL,
    ),
    (re.compile(r"\bcase report\b"), "Case Reports"),
    (
        re.compile(r"(?<!non-)(?<!non)\brandomi[sz]ed\b.*\b(?:trial|study)\b|\brct\b"),
        "Randomized Controlled Trial",
    ),
)
# Sections where a report says how participants were allocated.
_METHODS = re.compile(
    r"^(?!Table)[^>]*(?:method|design|patients|participants|subjects|procedure|intervention|"
    r"allocation|randomi)",
    re.I,
)
_RESEARCH_TYPES = frozenset({"", "research-article", "brief-report", "other", "abstract"})
_RANDOMISED = re.compile(
    r"(?<!non-)(?<!non)\brandomi[sz](?:ed|ation)\b|\brandomly (?:assigned|allocated)\b|"
    r"\brandom (?:allocation|assignment)\b",
    re.I,
)


def _publication_types(
    article_type: str,
    subjects: list[str],
    keywords: tuple[str, ...],
    title: str,
    methods: tuple[Passage, ...],
) -> tuple[str, ...]:
    """Publication types, named as PubMed names them, that the article's own labels give;
    failing those, a randomised trial where `methods` (the abstract and the sections on
    methods) say participants were randomised."""
    found: dict[str, None] = {}
    if named := _BY_ARTICLE_TYPE.get(article_type):
        found[named] = None
    for label in subjects:
        key = _spelling(label)
        if named := _BY_LABEL.get(key) or _SUBJECT_ONLY.get(key):
            found[named] = None
    for label in keywords:
        if named := _BY_LABEL.get(_spelling(label)):
            found[named] = None
    lowered = _spelling(title)
    for pattern, named in _TITLE_CUES:
        if pattern.search(lowered):
            found[named] = None
            break
    if (
        not found
        and article_type in _RESEARCH_TYPES
        and any("andom" in p.text.lower() and _RANDOMISED.search(p.text) for p in methods)
    ):
        found["Randomized Controlled Trial"] = None
    return tuple(found)


def _spelling(text: str) -> str:
    return text.lower().replace("randomis", "randomiz").strip(" .")


# --- licence -------------------------------------------------------------------------------

_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses/(by(?:-nc)?(?:-nd|-sa)?)/(\d\.\d)|publicdomain/(zero|mark)"
    r"/(\d\.\d))",
    re.I,
)
_CC_LINK = re.compile(r"https?://(?:www\.)?creativecommons\.org/[^\s<>\"'`\\)]+", re.I)
_CC_TEXT = (
    (re.compile(r"\bCC0\b|public domain dedication|\bzero\b.*\bwaiver\b", re.I), "CC0"),
    (re.compile(r"\bpublic domain\b", re.I), "Public domain"),
)


def _license(element: etree._Element | None) -> tuple[str, str]:
    """("CC BY 4.0", its URL) of a Creative Commons or public-domain licence; ("", "")
    when the licence names neither."""
    if element is None:
        return "", ""
    urls = [element.get(_XLINK_HREF) or ""]
    urls += [e.get(_XLINK_HREF) or "" for e in element.iter("ext-link")]
    urls += [e.text or "" for e in element.iter() if _local(e.tag) == "license_ref"]
    text = _text(element)
    for url in (*urls, text):
        if match := _CC_URL.search(url):
            kind, version, domain, domain_version = match.groups()
            found = _CC_LINK.search(url)
            link = found.group().rstrip(".,;") if found else ""
            if domain:
                return ("CC0 " + domain_version if domain == "zero" else "Public domain"), link
            return f"CC {kind.upper()} {version}", link
    for pattern, label in _CC_TEXT:
        if pattern.search(text):
            return label, ""
    attribution = re.search(r"creative commons attribution(?P<rest>[\w\s.-]{0,40})", text, re.I)
    if attribution:
        rest = attribution.group("rest").lower()
        if "non" not in rest and "noderiv" not in rest and "no deriv" not in rest:
            version = re.search(r"\b(\d\.\d)\b", rest)
            return ("CC BY " + version.group(1)) if version else "CC BY", ""
    return "", ""


# --- text ----------------------------------------------------------------------------------

_SKIPPED = frozenset(
    {
        "fig", "fig-group", "table-wrap", "table-wrap-group", "supplementary-material",
        "disp-formula", "disp-formula-group", "tex-math", "graphic", "inline-graphic", "media",
        "fn", "ref-list", "label", "title", "object-id", "alt-text", "long-desc",
    }
)  # fmt: skip
_BLOCKS = frozenset({"p", "list", "list-item", "disp-quote", "boxed-text", "statement", "def-list"})
# What a removed citation leaves: "[, ]", "( )", and the space before "." or ",".
_CITATION_LEFTOVER = re.compile(r"[\[(](?:[ ,;\u2013\u2014-]|and)*[\])]")
_PUNCTUATION_AFTER_SPACE = tuple((f" {mark}", mark) for mark in ".,;:)]")


def _text(element: etree._Element | None) -> str:
    """The plain text of `element`: inline markup flattened, reference citations removed."""
    if element is None:
        return ""
    if len(element) == 0:
        return _squash(element.text or "")
    parts: list[str] = []
    if not _flatten(element, parts):
        return _squash("".join(parts))
    text = _CITATION_LEFTOVER.sub("", " ".join("".join(parts).split()))
    if "  " in text or text[:1] == " " or text[-1:] == " ":  # where a leftover was taken out
        text = " ".join(text.split())
    for spaced, mark in _PUNCTUATION_AFTER_SPACE:  # single spaces only now: str.replace
        if spaced in text:
            text = text.replace(spaced, mark)
    return text


def _squash(text: str) -> str:
    """Whitespace collapsed to single spaces (skipped for text that is already tidy)."""
    if (
        "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or text[:1] == " "
        or (text[-1:] == " ")
    ):
        return " ".join(text.split())
    return text


def _flatten(element: etree._Element, parts: list[str]) -> bool:
    """Append the text of `element` to `parts`; whether a reference citation was left out."""
    dropped = False
    parts.append(element.text or "")
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            pass
        elif tag.startswith(_MATHML):
            parts.append("".join(piece.strip() for piece in child.itertext()))
        elif tag in _SKIPPED:
            pass
        elif (tag == "xref" and child.get("ref-type") == "bibr") or (
            tag == "sup" and _is_citation(child)
        ):
            dropped = True
        elif tag in _BLOCKS:
            parts.append(" ")
            dropped = _flatten(child, parts) or dropped
            parts.append(" ")
        else:
            dropped = _flatten(child, parts) or dropped
        parts.append(child.tail or "")
    return dropped


def _is_citation(sup: etree._Element) -> bool:
    """A superscript that holds only reference citations ("1-3", "4,7")."""
    xrefs = [c for c in sup if c.tag == "xref"]
    if not xrefs or any(c.get("ref-type") != "bibr" for c in xrefs) or len(xrefs) != len(sup):
        return False
    between = (sup.text or "") + "".join(c.tail or "" for c in xrefs)
    return not between.strip(" ,;\u2013\u2014-[]()")


# --- abstract and body ---------------------------------------------------------------------

_OTHER_ABSTRACTS = frozenset(
    {"graphical", "teaser", "toc", "summary", "author-summary", "editor", "precis", "short"}
)


def _abstract(meta: etree._Element) -> tuple[Passage, ...]:
    """The main abstract's sections (labels as headings), or its text as one passage."""
    candidates = list(meta.iterfind("abstract"))
    chosen = next((a for a in candidates if not a.get("abstract-type")), None)
    if chosen is None:
        chosen = next(
            (a for a in candidates if a.get("abstract-type") not in _OTHER_ABSTRACTS), None
        )
    if chosen is None:
        return ()
    sections = [child for child in chosen if child.tag == "sec"]
    if not sections:
        text = " ".join(_text(p) for p in chosen.iterfind("p"))
        return (Passage(text),) if text.strip() else ()
    passages: list[Passage] = []
    for section in sections:
        passages.extend(_abstract_section(section, ""))
    return tuple(passages)


def _abstract_section(section: etree._Element, outer: str) -> list[Passage]:
    heading = _heading(section)
    if heading and _SKIPPED_TITLES.match(heading):
        return []
    heading = heading or outer
    text = " ".join(t for p in section.iterfind("p") if (t := _text(p)))
    passages = [Passage(text, heading)] if text else []
    for inner in section.iterfind("sec"):
        passages.extend(_abstract_section(inner, heading))
    return passages


_SKIPPED_SEC_TYPES = frozenset(
    {
        "supplementary-material", "coi-statement", "conflict", "data-availability",
        "funding-information", "author-contributions", "abbreviations", "display-objects",
    }
)  # fmt: skip
_SKIPPED_TITLES = re.compile(
    r"^(?:supporting information|supplementa|additional (?:files?|information|material)|"
    r"electronic supplementary|competing interests?|conflicts? of interests?|declaration of|"
    r"disclosures?|authors?['\u2019]? contributions?|contributors|funding|financial|acknowledg|"
    r"abbreviations|availability of (?:data|supporting)|data (?:availability|sharing|access)|"
    r"pre-?publication history|consent for publication)",
    re.I,
)
_MAIN_TEXT = "Main text"
_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+(?=\w)")


def _heading(section: etree._Element) -> str:
    """A section's title without its number ("2.1 Participants" -> "Participants")."""
    title = _text(_child(section, "title")).rstrip(":").strip()
    return _NUMBERED.sub("", title) if title[:1].isdigit() or "." in title[:5] else title


def _body(body: etree._Element) -> list[Passage]:
    """Passages of the body's sections, in order, named by their title path."""
    passages: list[Passage] = []
    pending: list[str] = []  # paragraphs of the section being read
    tables: list[etree._Element] = []  # tables met in the element being read
    size = 0
    heading = _MAIN_TEXT

    def flush() -> None:
        nonlocal pending, size
        if pending:
            passages.append(Passage("\n\n".join(pending), heading))
        pending, size = [], 0

    def paragraph(text: str) -> None:
        nonlocal size
        if not text:
            return
        if pending and size + 2 + len(text) > PASSAGE_CHARS:
            flush()
        pending.append(text)
        size += len(text) + 2

    def walk(element: etree._Element, path: tuple[str, ...]) -> None:
        nonlocal heading
        for child in element:
            tag = child.tag
            if tag == "sec":
                title = _heading(child)
                sec_type = (child.get("sec-type") or "").lower()
                if sec_type in _SKIPPED_SEC_TYPES or (title and _SKIPPED_TITLES.match(title)):
                    continue
                flush()
                inner = (*path, title) if title else path
                heading = " > ".join(inner) or _MAIN_TEXT
                walk(child, inner)
                flush()
                heading = " > ".join(path) or _MAIN_TEXT
            elif tag == "p":
                paragraph(_text(child))
                for table in child.iter("table-wrap"):
                    tables.append(table)
            elif tag == "list":
                for item in child.iter("list-item"):
                    paragraph(_text(item))
            elif tag in ("disp-quote", "boxed-text", "statement"):
                walk(child, path)
            elif tag in ("table-wrap", "table-wrap-group"):
                tables.extend(child.iter("table-wrap"))
            if tables:
                flush()
                passages.extend(p for table in tables if (p := _table(table)) is not None)
                tables.clear()

    walk(body, ())
    flush()
    return passages


def _table(table: etree._Element) -> Passage | None:
    """A table's caption and rows as text: searchable, but with no sentences to quote."""
    label = _text(_child(table, "label")) or "Table"
    caption = _child(table, "caption")
    lines = (
        [] if caption is None else [_text(part) for part in caption if part.tag in ("title", "p")]
    )
    rows = list(table.iter("tr"))
    if rows and len(rows) <= TABLE_ROWS:
        lines.extend(_rows(table, rows))
    text = "\n".join(line for line in lines if line)
    return Passage(text, label, ()) if text else None


_CELL_END = "\ue000"  # private-use characters, not expected in an article's text
_ROW_END = "\ue001"
_CELL_ENDS = re.compile(" ?\ue000(?: ?\ue000)* ?")  # empty cells vanish


def _rows(table: etree._Element, rows: list[etree._Element]) -> list[str]:
    """A line per row, cells joined by " | "; none when the table holds over TABLE_CHARS of
    text. One serialisation per table, rows and cells told apart by marks in their tails."""
    for cell in table.iter("td", "th"):
        cell.tail = _CELL_END  # the tree is read once: marking cell ends costs nothing
    for row in rows:
        row.tail = _ROW_END
    text = "".join(
        etree.tostring(grid, method="text", encoding="unicode") for grid in table.iter("table")
    )
    lines = [
        _CELL_ENDS.sub(" | ", " ".join(line.split())).strip(" |") for line in text.split(_ROW_END)
    ]
    return lines if sum(map(len, lines)) <= TABLE_CHARS else []
