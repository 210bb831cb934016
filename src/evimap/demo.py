"""The newcomer's first run: a library built from the public datasets in ../shared/data
(or, where that is absent and the machine is online, from MedQuAD and a PubMed slice
downloaded by `evimap.downloads`)."""

from __future__ import annotations

from pathlib import Path

from evimap.errors import NotFoundError

# (source adapter, path under the shared data directory), read in this order.
DEMO_SOURCES: tuple[tuple[str, str], ...] = (
    ("medquad", "medquad"),
    ("pubmed", "pubmed-xml"),
    ("pubmedqa", "pubmedqa/ori_pqal.json"),
    ("beir", "scifact/corpus.jsonl"),
    ("guidelines", "uspstf/uspstf_recommendations.json"),  # graded USPSTF recommendations
    ("jats", "pmc-oa-rct"),  # PMC open-access full text of randomised trials
    ("nci-dictionary", "plain-language/nci_dictionary.json"),  # plain definitions (NCI)
)


def demo_inputs(shared_data: Path, *, required: bool = True) -> list[tuple[str, Path]]:
    """The demo's inputs that exist under `shared_data`; an error if none do (if required)."""
    found = [
        (source, shared_data / rel) for source, rel in DEMO_SOURCES if (shared_data / rel).exists()
    ]
    if not found and required:
        raise NotFoundError(
            f"no public datasets under {shared_data} (set EVIMAP_SHARED_DATA to their folder)"
        )
    return found


def downloads_folder(library: Path) -> Path:
    """Where `evimap demo` keeps what it downloaded (beside the library)."""
    return Path(library).resolve().parent / "downloads"
