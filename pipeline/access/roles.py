"""Who may do what: roles, actions and one pure function deciding between them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A person's role in the unit, as the access list gives it."""

    director = "director"
    researcher = "researcher"
    analyst = "analyst"
    admin = "admin"


class Action(StrEnum):
    """Something the viewer (or the CLI) lets a person do, or not."""

    read_findings = "read_findings"  # every page of findings, quotes redacted
    edit_codebook = "edit_codebook"  # name, merge or set aside themes; code passages
    write_memos = "write_memos"
    read_unredacted = "read_unredacted"  # turn redaction off for oneself
    export_redacted = "export_redacted"  # the report and tables, quotes redacted
    export_unredacted = "export_unredacted"  # the report and tables as written, the .qdpx
    read_audit = "read_audit"
    edit_access = "edit_access"


# Directors read and export what researchers see but change nothing; analysts are researchers
# who may also see and export the text as written; admins keep the access list and read the
# audit, and see quotes redacted like everyone else (keeping the list is not reading evidence).
_READER = frozenset({Action.read_findings, Action.export_redacted})
_CODER = _READER | {Action.edit_codebook, Action.write_memos}
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.director: _READER,
    Role.researcher: _CODER,
    Role.analyst: _CODER | {Action.read_unredacted, Action.export_unredacted},
    Role.admin: _CODER | {Action.read_audit, Action.edit_access},
}


def may(role: Role | None, action: Action) -> bool:
    """Whether a person with `role` may do `action`; nobody without a role may do anything."""
    return role is not None and action in PERMISSIONS[role]


def shows_redacted(role: Role | None, *, asked_unredacted: bool) -> bool:
    """Whether quotes are redacted for this person: always, unless they may and asked not to."""
    return not (asked_unredacted and may(role, Action.read_unredacted))
