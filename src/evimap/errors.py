"""The one error hierarchy of evimap. The CLI and the web app render these in one place each.

EvimapError                 a known failure with a user-readable message
 ├── ConfigError            a setting is missing or malformed (refuse to start)
 ├── LibraryError           the library directory cannot be used as asked
 │    └── LibraryBusyError  another process holds the library's writer
 ├── IngestError            a source could not be read
 │    ├── SourceFormatError this file is not in the adapter's format (retry won't help)
 │    └── FetchError        an online source failed (retry may help)
 ├── QuestionError          the question cannot be analysed (empty, not text, greetings only)
 ├── AudienceError          no such audience (patient, caregiver, clinician)
 ├── WriterError            the optional writer's endpoint failed (retry may help)
 └── NotFoundError          no such document, source or adapter

Defined beside what raises them, all EvimapErrors with a status and a message:

EvimapError
 ├── SemanticUnavailableError   (evimap.embeddings) no encoder or no vectors
 └── the site's errors          (evimap.site.errors, drawn there) NotAuthenticated,
                                Forbidden > ReviewForbidden, InvalidTransition >
                                StaleRevision, InvalidPost, BadRequest, PayloadTooLarge,
                                RateLimited, DatabaseBusy, DatabaseUnavailable,
                                LibraryUnavailable, EngineStarting
"""

from __future__ import annotations


class EvimapError(Exception):
    """Base of every error evimap raises on purpose."""

    status = 500  # HTTP status when shown by the web app
    retryable = False  # whether trying the same thing again may succeed

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(EvimapError):
    status = 500


class LibraryError(EvimapError):
    status = 500


class LibraryBusyError(LibraryError):
    status = 503
    retryable = True


class IngestError(EvimapError):
    status = 400


class SourceFormatError(IngestError):
    """The input is not in the format the chosen adapter reads."""


class FetchError(IngestError):
    status = 502

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class QuestionError(EvimapError):
    """The question cannot be analysed: empty, not text, or nothing but greetings."""

    status = 400


class AudienceError(EvimapError):
    status = 400


class WriterError(EvimapError):
    """The writer endpoint failed (network, timeout, HTTP status, malformed reply)."""

    status = 502
    retryable = True


class NotFoundError(EvimapError):
    status = 404
