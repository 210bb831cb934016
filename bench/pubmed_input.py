"""Build a large PubMed XML input by repeating the shared samples with fresh PMIDs.

The records are the real shared samples (2018 and 2019 baseline samples, efetch files, the
legacy 2016 MedlineCitationSet); only the citation's own PMID is replaced so every record is
new. Output: `files` files (PubMed baseline is distributed as many files, too).
"""

from __future__ import annotations

import re
from itertools import cycle
from pathlib import Path

_RECORD = {
    "PubmedArticleSet": re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S),
    "MedlineCitationSet": re.compile(rb"<MedlineCitation[ >].*?</MedlineCitation>", re.S),
}
_FIRST_PMID = re.compile(rb"<PMID( [^>]*)?>\d+</PMID>")


def templates(pubmed_xml: Path) -> dict[str, list[bytes]]:
    """Every record of the shared samples, by root element."""
    found: dict[str, list[bytes]] = {root: [] for root in _RECORD}
    for path in sorted(pubmed_xml.rglob("*.xml")):
        data = path.read_bytes()
        root = "MedlineCitationSet" if b"<MedlineCitationSet" in data else "PubmedArticleSet"
        found[root].extend(_RECORD[root].findall(data))
    return found


def build(pubmed_xml: Path, out_dir: Path, citations: int, files: int) -> list[Path]:
    """Write `citations` records over `files` files; reuses files already built."""
    out_dir.mkdir(parents=True, exist_ok=True)
    per_file = citations // files
    paths = [out_dir / f"pubmed-{n:03d}.xml" for n in range(files)]
    if all(p.exists() for p in paths):
        return paths
    pools = templates(pubmed_xml)
    next_pmid = 90_000_000
    for number, path in enumerate(paths):
        root = "MedlineCitationSet" if number % 4 == 3 else "PubmedArticleSet"
        records = cycle(pools[root])
        with path.open("wb") as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<' + root.encode() + b">\n")
            for _ in range(per_file):
                record = next(records)
                fresh = b'<PMID Version="1">%d</PMID>' % next_pmid
                out.write(_FIRST_PMID.sub(fresh, record, count=1))
                out.write(b"\n")
                next_pmid += 1
            out.write(b"</" + root.encode() + b">\n")
    return paths
