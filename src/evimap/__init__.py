"""evimap: grounded, cited, clinician-reviewed answers to health questions.

The supported surface is what this module exports (a test guards the list). The CLI and the
web app are thin layers over it: they import these names from here, and otherwise only
modules the import contracts allow (pyproject.toml, docs/ARCHITECTURE.md).
"""

from evimap.answer import Answer, Audience, Reference, SentenceRef, Statement
from evimap.backup import BackupReport, RestoreReport, backup_library, restore_library
from evimap.engine import AnswerEngine, ask
from evimap.errors import (
    AudienceError,
    ConfigError,
    EvimapError,
    FetchError,
    IngestError,
    LibraryBusyError,
    LibraryError,
    NotFoundError,
    QuestionError,
    SourceFormatError,
    WriterError,
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
from evimap.questions import QuestionAnalysis, analyze
from evimap.render import render, to_dict
from evimap.retrieval import Retrieved, Retriever, retrieve
from evimap.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "AnswerEngine",
    "Audience",
    "AudienceError",
    "BackupReport",
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
    "QuestionAnalysis",
    "QuestionError",
    "Reference",
    "RestoreReport",
    "Retrieved",
    "Retriever",
    "SearchHit",
    "SentenceRef",
    "Settings",
    "SourceFormatError",
    "SourceKind",
    "SourceQuestion",
    "Statement",
    "StudyDesign",
    "WriterError",
    "__version__",
    "analyze",
    "ask",
    "backup_library",
    "design_from_publication_types",
    "evidence_level",
    "ingest",
    "ingest_records",
    "render",
    "restore_library",
    "retrieve",
    "to_dict",
]
