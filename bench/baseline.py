"""The one-passage baseline (issue 9's A/B): what a plain search engine would show.

For a question, the top document of our own fused search (the engine's own first search, over
all kinds, with the search text and analysis it builds: recorded while it answers), its first
~140 words cut at a sentence end where possible, with one citation [1] and a one-line
reference (title, publisher, url). A document without text (MedQuAD ships its A.D.A.M. and
MedlinePlus drug pages as question and link only) is passed over for the next one that has
text. No composition, no notices, no audience adaptation: it is the bar our composed answers
must clear.

    from baseline import baseline_markdown
    text = baseline_markdown(engine, "What causes MS flares?", context=None)
"""

from __future__ import annotations

import re

WORDS = 140  # about this many words of the top document
SLACK = 20  # a whole sentence may run this far past WORDS
MIN_WORDS = 60  # below this, a cut mid-sentence beats stopping at a sentence end
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"')\]]*|$)\s*")


class _Recorder:
    """Stands in for the engine's retriever during one `ask`: keeps the hits of its first
    search over all kinds (the fused overall search), passes every call through."""

    def __init__(self, retriever) -> None:
        self._retriever = retriever
        self.hits: list | None = None

    def __getattr__(self, name: str):
        return getattr(self._retriever, name)

    def search(self, query: str, k: int = 10, **options):
        hits = self._retriever.search(query, k, **options)
        if self.hits is None and not options.get("kinds") and not options.get("collections"):
            self.hits = hits
        return hits


def top_document(engine, question: str, context: str | None = None, audience="patient"):
    """Our retriever's top document with text for `question`, from the very search the
    engine runs for it (its search text, its analysis, whatever the engine's version): None
    when no document of that search has text."""
    recorder = _Recorder(engine.retriever)
    engine.retriever = recorder
    try:
        engine.ask(question, audience, context=context)
    finally:
        engine.retriever = recorder._retriever
    return next((hit.document for hit in recorder.hits or () if sentences(hit.document)), None)


def sentences(document) -> list[str]:
    """The document's sentences in order, by its own split where it has one."""
    found = []
    for passage in document.passages:
        if passage.sentences:
            found += [passage.text[start:end] for start, end in passage.sentences]
        else:
            found += [m.group(0) for m in _SENTENCE.finditer(passage.text)]
    return [" ".join(s.split()) for s in found if s.strip()]


def excerpt(parts: list[str], words: int = WORDS) -> str:
    """The first ~`words` words of `parts` (sentences), ending at a sentence end if possible."""
    kept: list[str] = []
    count = 0
    for sentence in parts:
        size = len(sentence.split())
        if count + size > words + SLACK:
            break
        kept.append(sentence)
        count += size
        if count >= words:
            break
    if count >= MIN_WORDS or (kept and len(kept) == len(parts)):
        return " ".join(kept)
    flat = " ".join(parts).split()
    return " ".join(flat[:words]) + (" …" if len(flat) > words else "")


def reference(document) -> str:
    """Title, publisher, url (a PubMed or DOI link where a study has no url)."""
    title = " ".join(document.title.split()) or document.id
    url = document.url
    if not url and document.pmid:
        url = f"https://pubmed.ncbi.nlm.nih.gov/{document.pmid}/"
    elif not url and document.doi:
        url = f"https://doi.org/{document.doi}"
    parts = [title if title[-1:] in ".?!" else title + "."]
    if document.publisher:
        parts.append(document.publisher + ".")
    if url:
        parts.append(url)
    return " ".join(parts)


def baseline_markdown(
    engine, question: str, context: str | None = None, audience: str = "patient"
) -> str:
    """The baseline answer as a reader sees it (Markdown)."""
    heading = " ".join(question.split())
    document = top_document(engine, question, context, audience)
    if document is None:
        return f"# {heading}\n\nNo document found.\n"
    text = excerpt(sentences(document))
    return f"# {heading}\n\n{text} [1]\n\n## References\n\n1. {reference(document)}\n"
