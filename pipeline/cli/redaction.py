"""Redaction and the audit trail on the command line.

Quotes leave redacted, as in the viewer, unless `--no-redact`, which is recorded in the audit
trail (who, which command, when) before anything is printed or written: an un-redacted read the
audit cannot record does not happen. Exports and codebook changes are recorded the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb
    import pandas as pd

    from pipeline.settings import Settings

RedactOption = Annotated[
    bool,
    typer.Option(
        "--redact/--no-redact",
        help="Redact names, phone numbers and e-mails in quotes, as the viewer does; "
        "--no-redact prints them as written and is recorded in the audit trail.",
    ),
]


def redacted(con: duckdb.DuckDBPyConnection, settings: Settings, texts: Sequence[str]) -> list[str]:
    """`texts` as the viewer would show them (one model run over them all)."""
    if not texts:
        return []
    from pipeline.passages.redact import Redactor, load_redaction_nlp
    from pipeline.queries import place_names

    return Redactor(load_redaction_nlp(settings.spacy_model), place_names(con)).redact_many(texts)


def unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each speaker given by role only ('police'), as the viewer gives them.

    A speaker label is often a name ("DS JONES", "Sarah Okonkwo (YOT)"): the redactor reads
    passages, not labels, so a redacted read shows no label at all.
    """
    if "speaker" not in frame.columns:
        return frame
    roles = frame["speaker_role"] if "speaker_role" in frame.columns else None
    return frame.assign(speaker=roles)


def record_unredacted(settings: Settings, what: str) -> None:
    """Record in the audit trail that this user read (or wrote out) `what` un-redacted."""
    from pipeline.access.audit import AuditAction, Via, audit, cli_person

    audit(settings.team_db, cli_person(), None, AuditAction.read_unredacted, what, Via.cli)


def record_export(settings: Settings, what: str) -> None:
    """Record in the audit trail that this user exported `what`."""
    from pipeline.access.audit import AuditAction, Via, audit, cli_person

    audit(settings.team_db, cli_person(), None, AuditAction.exported, what, Via.cli)


def record_codebook_change(settings: Settings, what: str) -> None:
    """Record in the audit trail that this user changed the codebook."""
    from pipeline.access.audit import AuditAction, Via, audit, cli_person

    audit(settings.team_db, cli_person(), None, AuditAction.changed_codebook, what, Via.cli)
