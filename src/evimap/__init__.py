"""evimap: grounded, cited, clinician-reviewed answers to health questions.

The supported surface is what this module exports (a test guards the list). The CLI and the
web app are thin layers over it.
"""

from evimap.errors import (
    ConfigError,
    EvimapError,
    FetchError,
    IngestError,
    LibraryBusyError,
    LibraryError,
    NotFoundError,
    SourceFormatError,
)
from evimap.evidence import (
    Deletion,
    Document,
    Passage,
    Problem,
    SourceKind,
    SourceQuestion,
    StudyDesign,
    design_from_publication_types,
    evidence_level,
)
from evimap.ingestion import ingest, ingest_records
from evimap.library import IngestReport, Library, LibraryStats, SearchHit
from evimap.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Deletion",
    "Document",
    "EvimapError",
    "FetchError",
    "IngestError",
    "IngestReport",
    "Library",
    "LibraryBusyError",
    "LibraryError",
    "LibraryStats",
    "NotFoundError",
    "Passage",
    "Problem",
    "SearchHit",
    "Settings",
    "SourceFormatError",
    "SourceKind",
    "SourceQuestion",
    "StudyDesign",
    "__version__",
    "design_from_publication_types",
    "evidence_level",
    "ingest",
    "ingest_records",
]
