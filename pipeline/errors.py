"""Named exceptions. Messages say what went wrong and, where it helps, what to do."""

from __future__ import annotations


class FindingsError(Exception):
    """Base class for every error Findings raises on purpose."""


class DocumentError(FindingsError):
    """A document could not be ingested; the message gives the reason, the caller the file."""


class UnsupportedFormatError(DocumentError):
    """The file extension is not one Findings reads."""


class EmptyDocumentError(DocumentError):
    """The file holds no text once extracted."""


class CorruptDocumentError(DocumentError):
    """The file is damaged, truncated or not what its extension claims."""


class FileTooLargeError(DocumentError):
    """The file is over the configured size limit."""


class UnreadableFileError(DocumentError):
    """The file exists in the batch but cannot be opened."""


class MetadataError(FindingsError):
    """Metadata (manifest, sidecar, front matter or options) is malformed."""


class MigrationError(FindingsError):
    """The warehouse schema cannot be brought up to date."""


class SearchIndexError(FindingsError):
    """The keyword index is missing or was built by an older Findings; the next run rebuilds it."""


class ReportError(FindingsError):
    """The report cannot be drafted."""


class ExchangeError(FindingsError):
    """A REFI-QDA file cannot be written or read."""


class PrefectServerError(FindingsError):
    """The local Prefect server did not come up."""


class CodebookError(FindingsError):
    """The codebook file is malformed."""


class RunInProgressError(FindingsError):
    """Another run holds the warehouse."""


class NotEnoughPassagesError(FindingsError):
    """Too few embedded passages to fit themes; embedding (or ingesting) more comes first."""


class WarehouseBusyError(FindingsError):
    """Another process has the warehouse file open, and no published snapshot can stand in."""


class SnapshotError(FindingsError):
    """No published snapshot (nor the warehouse) can be read by this version of Findings."""


class ZipLimitError(DocumentError):
    """A zip-based file (DOCX) unpacks beyond a configured limit: a zip bomb, or too big to read."""


class AccessListError(FindingsError):
    """The access list is missing, unreadable or malformed: nobody is let in on it."""


class TeamStoreError(FindingsError):
    """The team store (audit trail) cannot be opened, migrated or written."""


class SignInNotConfiguredError(FindingsError):
    """The viewer was asked to serve beyond this machine with no sign-in configured."""


class ValidationError(FindingsError):
    """A validation sample or answer that cannot be used as given."""


class CodingError(FindingsError):
    """The codings handed to the agreement statistics are malformed (a duplicate, an empty name)."""


class ValidationSampleError(FindingsError):
    """The sample cannot be drawn as asked (a size below one, a passage listed twice)."""
