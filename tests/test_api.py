"""The public API is a deliberate list; changing it must be a conscious edit here too."""

import evimap

EXPECTED = {
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
    # backups (issue 10)
    "BackupReport",
    "RestoreReport",
    "backup_library",
    "restore_library",
    # the answer engine
    "Answer",
    "AnswerEngine",
    "Audience",
    "AudienceError",
    "QuestionAnalysis",
    "QuestionError",
    "Reference",
    "Retrieved",
    "Retriever",
    "SentenceRef",
    "Statement",
    "WriterError",
    "analyze",
    "ask",
    "retrieve",
    # an answer as JSON (what the site stores and the API serves) and as text or Markdown
    "render",
    "to_dict",
}


def test_exports_exactly_the_documented_names():
    assert set(evimap.__all__) == EXPECTED


def test_every_export_exists():
    missing = [name for name in evimap.__all__ if not hasattr(evimap, name)]
    assert missing == []


def test_version_matches_package_metadata():
    from importlib.metadata import version

    assert evimap.__version__ == version("evimap")
