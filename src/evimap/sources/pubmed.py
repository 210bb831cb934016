"""PubMed/MEDLINE citation XML: NLM baseline/update files and E-utilities efetch output.

Reads the `PubmedArticleSet` root (DTDs 2018-2025) and the legacy `MedlineCitationSet` root
(2016 DTD), plain or gzip. Streams with bounded memory: an lxml pull parser with a tag filter
delivers one citation at a time, which is cleared and unlinked once read.

    <PubmedArticle>  -> Document("pubmed:<PMID>")   (kind GUIDELINE for practice guidelines)
    <DeleteCitation> -> Deletion("pubmed:<PMID>") for each PMID inside it
    a citation that cannot be read -> Problem, and the file goes on
    broken XML mid-file (a bad byte, a cut) -> Problem naming the line and the record
                                               skipped; the file goes on at the next record
"""

from __future__ import annotations

import io
import itertools
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from evimap.errors import SourceFormatError
from evimap.evidence import (
    Deletion,
    Document,
    Passage,
    Problem,
    Record,
    SourceKind,
    StudyDesign,
    design_from_publication_types,
)
from evimap.sources._files import Segment, files_matching, is_gzip, open_binary

DESCRIPTION = "PubMed/MEDLINE citation XML (baseline/update files, efetch output; .xml or .xml.gz)"

_SUFFIXES = (".xml", ".xml.gz")
_CHUNK = 1 << 16  # bytes fed to the parser at a time

_ARTICLE_SET = "PubmedArticleSet"
_CITATION_SET = "MedlineCitationSet"
# Which elements carry one record each, by root element.
_RECORD_TAGS: dict[str, tuple[str, ...]] = {
    _ARTICLE_SET: ("PubmedArticle", "PubmedBookArticle", "DeleteCitation"),
    _CITATION_SET: ("MedlineCitation", "DeleteCitation"),
}
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False}

_YEAR = re.compile(r"\d{4}")
_YEAR_TAGS = frozenset({"Year", "MedlineDate"})
_NO_HEADING = frozenset({"", "UNLABELLED", "UNASSIGNED"})
_MATHML = "{http://www.w3.org/1998/Math/MathML}"


def files(path: Path) -> list[Path]:
    """`path` itself if it is a file, else every *.xml and *.xml.gz below it, sorted."""
    return files_matching(path, _SUFFIXES)


def read_file(path: Path) -> Iterator[Record]:
    """Documents, Deletions and Problems of one PubMed XML file (plain or gzip)."""
    with open_binary(path) as stream:
        yield from parse_stream(stream, str(path))


# Bytes that open a record, by root element: where a file may be cut into segments.
_RECORD_STARTS: dict[str, tuple[bytes, ...]] = {
    _ARTICLE_SET: (b"<PubmedArticle>", b"<PubmedBookArticle>", b"<DeleteCitation>"),
    _CITATION_SET: (b"<MedlineCitation ", b"<MedlineCitation>", b"<DeleteCitation>"),
}


# Elements no field is read from, dropped from a segment's bytes before parsing: they are
# about half of a citation's bytes, and building their tree was 40% of the parse time. One
# regex pass finds them all (a scan per name with bytes.find cost 1.7x as much).
_UNUSED = (
    b"AuthorList",
    b"History",
    b"ReferenceList",
    b"CommentsCorrectionsList",
    b"ChemicalList",
    b"KeywordList",
    b"GrantList",
    b"InvestigatorList",
    b"DataBankList",
    b"PersonalNameSubjectList",
    b"SupplMeshList",
    b"DateCompleted",
    b"DateRevised",
    b"GeneralNote",
    b"OtherID",
)
# MeSH headings are 40% of what is left, and only their descriptor names are read: each
# MeshHeadingList is rewritten without attributes and QualifierNames (3x fewer bytes).
_MESH_LIST = b"MeshHeadingList"
_ELEMENT_START = re.compile(rb"<(" + b"|".join((*_UNUSED, _MESH_LIST)) + rb")[ >/]")
_SLASH = ord("/")
# A DescriptorName and its text. The quick form is wrong only where an attribute value holds
# a '>', and then the text it reads holds that value's closing quote; the strict form is
# right there too, at twice the cost.
_DESCRIPTOR_QUICK = re.compile(rb"<DescriptorName[^>]*>([^<]*)</DescriptorName>")
_DESCRIPTOR = re.compile(
    rb"<DescriptorName(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*>([^<]*)</DescriptorName>"
)
_HEADING_OPEN = b"<MeshHeading><DescriptorName>"
_HEADING_CLOSE = b"</DescriptorName></MeshHeading>"
_HEADINGS_JOIN = _HEADING_CLOSE + _HEADING_OPEN


def segments(path: Path, target_bytes: int) -> list[Segment | Path]:
    """Cut a plain XML file into segments of about `target_bytes`, each starting at a record.

    A gzip file is returned as its path (read as a stream); a small plain file as one
    segment. The first segment keeps the file's own prolog; the others get a minimal one,
    and all but the last the root's closing tag. Record positions and line numbers in
    Problems count from the segment's start.
    """
    if is_gzip(path):
        return [path]
    size = path.stat().st_size
    if size <= target_bytes * 1.5:
        return [Segment(path, 0, size)]
    with path.open("rb") as handle:
        root, _ = _sniff_root(handle, str(path))
        if root is None:
            return [Segment(path, 0, size)]
        cuts = _cut_points(handle, root, size, target_bytes)
    header = b'<?xml version="1.0" encoding="UTF-8"?>\n<' + root.encode() + b">\n"
    footer = b"</" + root.encode() + b">\n"
    bounds = [0, *cuts, size]
    return [
        Segment(path, start, end, header if start else b"", footer if end < size else b"")
        for start, end in itertools.pairwise(bounds)
    ]


def _cut_points(handle: BinaryIO, root: str, size: int, target: int) -> list[int]:
    """Offsets of the first record start at or after each multiple of `target`."""
    cuts: list[int] = []
    for approx in range(target, size - target // 2, target):
        handle.seek(approx)
        window = handle.read(1 << 20)
        found = [i for i in (window.find(tag) for tag in _RECORD_STARTS[root]) if i >= 0]
        if found and (not cuts or approx + min(found) > cuts[-1]):
            cuts.append(approx + min(found))
    return cuts


def read_segment(segment: Segment) -> Iterator[Record]:
    """Records of one segment of a file (see `segments`)."""
    with segment.path.open("rb") as handle:
        handle.seek(segment.start)
        body = handle.read(segment.size)
    data = b"".join([segment.header, *_kept_parts(body), segment.footer])  # one copy
    yield from parse_stream(io.BytesIO(data), str(segment))


def drop_unused_elements(data: bytes) -> bytes:
    """`data` without the elements named in _UNUSED, its MeSH headings reduced to names."""
    return b"".join(_kept_parts(data))


def _kept_parts(data: bytes) -> list[bytes | memoryview]:
    """What parsing needs of `data`, as views of it (no copies) and short rewritten parts.

    In PubMed XML a '<' in text is always escaped, so "<AuthorList " or "<AuthorList>" only
    ever opens that element, and its closing tag follows; none of them nests in itself. An
    empty element ("<AuthorList/>", '<AuthorList CompleteYN="Y"/>') is dropped alone.
    """
    view = memoryview(data)
    kept: list[bytes | memoryview] = []
    search, find = _ELEMENT_START.search, data.find
    last = position = 0  # kept up to `last`; searching from `position`
    while (match := search(data, position)) is not None:
        name = match.group(1)
        tag_end = find(b">", match.end() - 1)
        if tag_end < 0:
            break
        if data[tag_end - 1] == _SLASH:  # an empty element: no closing tag
            position = tag_end + 1
            if name != _MESH_LIST:
                kept.append(view[last : match.start()])
                last = position
            continue
        closing = find(b"</" + name + b">", tag_end)
        if closing < 0:
            break
        position = closing + len(name) + 3
        kept.append(view[last : match.start()])
        if name == _MESH_LIST:
            kept.append(_mesh_list(data, view, match.start(), tag_end + 1, closing, position))
        last = position
    kept.append(view[last:])
    return kept


def _mesh_list(
    data: bytes, view: memoryview, start: int, inside: int, closing: int, end: int
) -> bytes | memoryview:
    """MeshHeadingList [start, end) as plain MeshHeading/DescriptorName elements, names only.

    Each name keeps its bytes as written (entities stay escaped). Unless every DescriptorName
    inside has the plain form _DESCRIPTOR reads, the list is kept as it is.
    """
    names = _DESCRIPTOR_QUICK.findall(data, inside, closing)
    headings = _HEADINGS_JOIN.join(names)
    if b'"' in headings or b"'" in headings:
        names = _DESCRIPTOR.findall(data, inside, closing)
        headings = _HEADINGS_JOIN.join(names)
    if len(names) != data.count(b"<DescriptorName", inside, closing):
        return view[start:end]
    if not names:
        return b"<MeshHeadingList></MeshHeadingList>"
    return b"".join(
        (b"<MeshHeadingList>", _HEADING_OPEN, headings, _HEADING_CLOSE, b"</MeshHeadingList>")
    )


def parse_stream(stream: BinaryIO, origin: str) -> Iterator[Record]:
    """Records of a PubMed XML byte stream; `origin` names the stream in Problems and errors.

    Raises SourceFormatError when the stream is not XML or its root is neither
    PubmedArticleSet nor MedlineCitationSet (decided from the first start tag). Broken XML
    further on costs the record it is in (a Problem names the line and the PMID): a fresh
    parser goes on at the next record.
    """
    position = 0
    try:
        root, prefix = _sniff_root(stream, origin)
        if root is None:
            yield Problem(file=origin, record="", reason="empty file")
            return
        source = _Input(stream, prefix, _RECORD_NAMES[root])
        header, line_base, last_resume = b"", 0, -1  # the first parser reads the file's prolog
        while True:
            parser = etree.XMLPullParser(events=("end",), tag=_RECORD_TAGS[root], **_PARSER_OPTIONS)
            error = _feed(parser, header) if header else None
            while error is None:
                chunk = source.next_chunk()  # None at the end: close the parser
                error = _feed(parser, chunk)
                for _event, element in parser.read_events():  # those before an error stand
                    position += 1
                    source.record_done()
                    yield from _records(element, position, origin)
                if chunk is None:
                    break
            if error is None:
                return
            problem, resume, skipped = _resync(source, error, root, line_base, last_resume)
            yield Problem(origin, *problem)
            position += skipped
            if resume is None:
                return
            line_base, last_resume = source.lines_before(resume), resume
            source.resume_at(resume)
            header = _HEADERS[root]
    except (EOFError, OSError) as error:  # truncated or corrupt gzip
        reason = f"unreadable ({error}); file abandoned after {position} records"
        yield Problem(file=origin, record="", reason=reason)


# Record element names by root, whose start tags a resumed parse looks for in the bytes, and
# the prolog a resumed parser reads first (no newline: its line 1 is where it resumes).
_RECORD_NAMES: dict[str, tuple[bytes, ...]] = {
    root: tuple(f"<{tag}".encode() for tag in tags) for root, tags in _RECORD_TAGS.items()
}
_HEADERS = {
    root: f'<?xml version="1.0" encoding="UTF-8"?><{root}>'.encode() for root in _RECORD_TAGS
}
_AFTER_NAME = frozenset(b" \t\r\n>/")
_LOOKBACK = max(len(name) for names in _RECORD_NAMES.values() for name in names)
_PMID_TEXT = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")
_AT_LINE = re.compile(r", line \d+, column \d+$")


class _Input:
    """A byte stream as a parser reads it, kept from the first record not parsed yet, with
    the offsets of the record start tags in it: after a syntax error the parse resumes at a
    record. Holds about one record and one chunk."""

    def __init__(self, stream: BinaryIO, prefix: bytes, names: tuple[bytes, ...]) -> None:
        self._stream = stream
        self._names = names
        self._data = bytearray()
        self._base = 0  # offset in the stream of _data[0]
        self._lines = 0  # newlines before _base
        self._fed = 0  # offset of the next byte for the parser
        self._eof = False
        self.starts: deque[int] = deque()  # record starts from the first record not parsed
        self._append(prefix)

    @property
    def _top(self) -> int:
        return self._base + len(self._data)

    def _append(self, chunk: bytes) -> None:
        """Keep `chunk`, noting the record start tags that end in it."""
        old_top = self._top
        begin = max(old_top - _LOOKBACK, self._base) - self._base
        self._data += chunk
        data, found = self._data, []
        for name in self._names:
            at = data.find(name, begin)
            while at >= 0:
                after = at + len(name)
                new = self._base + after >= old_top  # else an earlier scan found it
                if new and after < len(data) and data[after] in _AFTER_NAME:
                    found.append(self._base + at)
                at = data.find(name, after)
        self.starts.extend(sorted(found))

    def next_chunk(self) -> bytes | None:
        """The next bytes for the parser; None at the end of the stream."""
        if self._fed < self._top:  # read ahead before a resume
            chunk = bytes(self._data[self._fed - self._base :])
            self._fed = self._top
            return chunk
        if self._eof:
            return None
        self._trim()
        chunk = self._stream.read(_CHUNK)
        if not chunk:
            self._eof = True
            return None
        self._append(chunk)
        self._fed = self._top
        return chunk

    def record_done(self) -> None:
        if self.starts:
            self.starts.popleft()

    def _trim(self) -> None:
        """Forget the bytes before the first record not parsed yet."""
        keep = min(self.starts[0] if self.starts else self._top - _LOOKBACK, self._fed)
        if keep > self._base:
            cut = keep - self._base
            self._lines += self._data.count(b"\n", 0, cut)
            del self._data[:cut]
            self._base = keep

    def read_starts(self, count: int) -> None:
        """Read ahead (not for the parser) until `count` record starts are known or the end."""
        while len(self.starts) < count and not self._eof:
            chunk = self._stream.read(_CHUNK)
            if not chunk:
                self._eof = True
            else:
                self._append(chunk)

    def bytes_between(self, start: int, end: int | None) -> bytes:
        return bytes(self._data[start - self._base : None if end is None else end - self._base])

    def lines_before(self, offset: int) -> int:
        return self._lines + self._data.count(b"\n", 0, offset - self._base)

    def resume_at(self, offset: int) -> None:
        self._fed = offset
        while self.starts and self.starts[0] < offset:
            self.starts.popleft()


def _resync(
    source: _Input, error: etree.XMLSyntaxError, root: str, line_base: int, last_resume: int
) -> tuple[tuple[str, str], int | None, int]:
    """After a syntax error: ((record, reason) of the Problem, the offset to resume at or None,
    records skipped). The error lies in the first record not parsed or before it: that
    record is tried alone, and skipped when it fails (or failed there already)."""
    line = line_base + error.lineno if error.lineno else "?"
    where = f"malformed XML at line {line} ({_AT_LINE.sub('', error.msg or str(error))})"
    source.read_starts(2)
    starts = source.starts
    if not starts:
        return (f"line {line}", f"{where}; no record after it"), None, 0
    first, second = starts[0], (starts[1] if len(starts) > 1 else None)
    record = source.bytes_between(first, second)
    if first != last_resume and _parses_alone(record, root, closed=second is None):
        return (f"line {line}", f"{where}; read on from the next record"), first, 0
    pmid = _PMID_TEXT.search(record)
    which = f"the record of PMID {pmid.group(1).decode()}" if pmid else "a record"
    then = "; no record after it" if second is None else "; read on from the next one"
    return (f"line {line}", f"{where}; skipped {which}{then}"), second, 1


def _parses_alone(record: bytes, root: str, *, closed: bool) -> bool:
    """Whether `record` (bytes from one record start to the next) is well-formed alone; the
    last record runs to the end of the stream, its root's closing tag included."""
    footer = b"" if closed else f"</{root}>".encode()
    try:
        etree.fromstring(_HEADERS[root] + record + footer, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        return False
    return True


def _sniff_root(stream: BinaryIO, origin: str) -> tuple[str | None, bytes]:
    """The root element's name (None for an empty file) and the bytes read to find it."""
    sniffer = etree.XMLPullParser(events=("start",), **_PARSER_OPTIONS)
    seen: list[bytes] = []
    while chunk := stream.read(_CHUNK):
        seen.append(chunk)
        error = _feed(sniffer, chunk)
        for _event, element in sniffer.read_events():  # events before an error still count
            return _check_root(element.tag, origin), b"".join(seen)
        if error is not None:
            raise _not_xml(origin, error)
    if not b"".join(seen).strip():
        return None, b""
    raise _not_xml(origin, _feed(sniffer, None))


def _feed(parser: etree.XMLPullParser, chunk: bytes | None) -> etree.XMLSyntaxError | None:
    """Feed `chunk` (None: close) to `parser`; the syntax error it raised, if any."""
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except etree.XMLSyntaxError as error:
        return error
    return None


def _check_root(tag: object, origin: str) -> str:
    name = tag if isinstance(tag, str) else repr(tag)
    if name not in _RECORD_TAGS:
        raise SourceFormatError(
            f"{origin}: not PubMed XML: root element is <{name}>, "
            f"expected <{_ARTICLE_SET}> or <{_CITATION_SET}>"
        )
    return name


def _not_xml(origin: str, error: etree.XMLSyntaxError | None) -> SourceFormatError:
    why = f"not well-formed XML at the start: {error}" if error else "no root element found"
    return SourceFormatError(f"{origin}: not PubMed XML ({why})")


def _records(element: etree._Element, position: int, origin: str) -> Iterator[Record]:
    """The records of one record element, which is then cleared and unlinked."""
    try:
        tag = element.tag
        if tag == "DeleteCitation":
            for pmid in element.iterfind("PMID"):
                if pmid.text and pmid.text.strip():
                    yield Deletion(f"pubmed:{pmid.text.strip()}")
        elif tag == "PubmedBookArticle":
            pmid = element.findtext("BookDocument/PMID") or f"#{position}"
            yield Problem(origin, pmid.strip(), "PubmedBookArticle records are not supported")
        else:
            yield _document_or_problem(element, position, origin)
    finally:
        _release(element)


def _release(element: etree._Element) -> None:
    """Free a finished record and everything before it, keeping memory bounded."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _document_or_problem(element: etree._Element, position: int, origin: str) -> Record:
    """A citation element (PubmedArticle or bare MedlineCitation) as a Document or Problem."""
    citation, data = _parts(element)
    if citation is None:
        return Problem(origin, f"#{position}", "no MedlineCitation")
    pmid = _pmid(citation)
    if not pmid:
        return Problem(origin, f"#{position}", "no PMID")
    found = _collect(citation)
    title = _first_text(found.get("ArticleTitle")) or _first_text(found.get("VernacularTitle"))
    if not title:
        return Problem(origin, pmid, "no ArticleTitle or VernacularTitle")
    return _document(pmid, title, citation, found, data)


def _parts(element: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
    """(MedlineCitation, PubmedData) of a PubmedArticle; a bare MedlineCitation has no data."""
    if element.tag != "PubmedArticle":
        return element, None
    citation = data = None
    for child in element:  # two children: cheaper than two find() calls
        if child.tag == "MedlineCitation":
            citation = child
        elif child.tag == "PubmedData":
            data = child
    return citation, data


def _pmid(citation: etree._Element) -> str:
    """The citation's own PMID (its first child by the DTD), not a cited article's."""
    first = citation[0] if len(citation) else None
    text = first.text if first is not None and first.tag == "PMID" else citation.findtext("PMID")
    return (text or "").strip()


# The elements a Document is made of, all inside MedlineCitation and each unambiguous there
# (Title is only Journal/Title, PubDate only JournalIssue/PubDate, and so on).
_CITATION_TAGS = (
    "ArticleTitle",
    "VernacularTitle",
    "Title",
    "MedlineTA",
    "PubDate",
    "ArticleDate",
    "ELocationID",
    "Language",
    "PublicationType",
    "Abstract",
)
# MeSH descriptors are plain, numerous text: an XPath returning strings skips making elements.
_MESH = etree.XPath("MeshHeadingList/MeshHeading/DescriptorName/text()", smart_strings=False)


def _collect(citation: etree._Element) -> dict[str, list[etree._Element]]:
    """The citation's elements named in _CITATION_TAGS, by tag, in one pass over it."""
    found: dict[str, list[etree._Element]] = {}
    for element in citation.iter(_CITATION_TAGS):
        tag = element.tag
        if tag in found:
            found[tag].append(element)
        else:
            found[tag] = [element]
    return found


def _document(
    pmid: str,
    title: str,
    citation: etree._Element,
    found: dict[str, list[etree._Element]],
    data: etree._Element | None,
) -> Document:
    types = _texts(found.get("PublicationType"))
    design = design_from_publication_types(types)
    guideline = design is StudyDesign.PRACTICE_GUIDELINE
    return Document(
        id=f"pubmed:{pmid}",
        kind=SourceKind.GUIDELINE if guideline else SourceKind.RESEARCH,
        collection="pubmed",
        title=title,
        passages=_abstract(found.get("Abstract")),
        publisher=_first_text(found.get("Title")) or _first_text(found.get("MedlineTA")),
        year=_year(found),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        pmid=pmid,
        doi=_doi(data, found.get("ELocationID")),
        language=_first_text(found.get("Language")).lower() or "und",
        design=design,
        publication_types=types,
        mesh=tuple(name.strip() for name in _MESH(citation)),
        extra={"status": citation.get("Status", "")},
    )


def _squash(text: str) -> str:
    """Exactly normalize_space (str.split() splits on the characters re's \\s matches), faster.

    Most PubMed text is ASCII and already tidy: checking that is cheaper than re-joining.
    XML 1.0 cannot hold the other ASCII whitespace (\\x0b, \\x0c, \\x1c-\\x1f).
    """
    if (
        text.isascii()
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and text[:1] != " "
        and text[-1:] != " "
    ):
        return text
    return " ".join(text.split())


def _text(element: etree._Element) -> str:
    """All text inside `element`, inline markup (<i>, <sup>, MathML...) flattened."""
    if len(element) == 0:  # the common case: no inline markup
        return _squash(element.text or "")
    return _squash(_flatten(element))


def _flatten(element: etree._Element) -> str:
    """Text of `element` and its descendants; MathML loses its layout whitespace."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):  # comment or processing instruction
            pass
        elif tag.startswith(_MATHML):
            parts.append("".join(piece.strip() for piece in child.itertext()))
        else:
            parts.append(_flatten(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _first_text(elements: list[etree._Element] | None) -> str:
    return _text(elements[0]) if elements else ""


def _texts(elements: list[etree._Element] | None) -> tuple[str, ...]:
    if not elements:
        return ()
    return tuple(text for element in elements if (text := _text(element)))


def _abstract(abstracts: list[etree._Element] | None) -> tuple[Passage, ...]:
    """One passage per AbstractText of the (English) Abstract, its label as heading."""
    if not abstracts:
        return ()
    passages = []
    for section in abstracts[0]:
        if section.tag != "AbstractText" or not (text := _text(section)):
            continue
        heading = (section.get("Label") or section.get("NlmCategory") or "").strip()
        passages.append(Passage(text=text, heading="" if heading in _NO_HEADING else heading))
    return tuple(passages)


def _year(found: dict[str, list[etree._Element]]) -> int | None:
    """Issue year, else the first year in a MedlineDate, else the electronic date's year."""
    for tag in ("PubDate", "ArticleDate"):
        for date in found.get(tag, ()):
            for part in date:
                if part.tag in _YEAR_TAGS and (match := _YEAR.search(part.text or "")):
                    return int(match.group())
    return None


def _doi(data: etree._Element | None, locations: list[etree._Element] | None) -> str:
    """The DOI from PubmedData's ArticleIdList, else from an ELocationID."""
    ids = data.find("ArticleIdList") if data is not None else None
    for article_id in () if ids is None else ids:
        if article_id.get("IdType") == "doi" and article_id.text:
            return article_id.text.strip()
    for location in locations or ():
        if location.get("EIdType") == "doi" and location.text:
            return location.text.strip()
    return ""
