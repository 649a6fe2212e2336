"""Who may do what: the role table, read as a table."""

from __future__ import annotations

import pytest

from pipeline.access.roles import Action, Role, may, shows_redacted

A = Action
# Every role against every action: True where the issue says the role may.
TABLE = {
    Role.director: {A.read_findings, A.export_redacted},
    Role.researcher: {A.read_findings, A.export_redacted, A.edit_codebook, A.write_memos},
    Role.analyst: {
        A.read_findings, A.export_redacted, A.edit_codebook, A.write_memos,
        A.read_unredacted, A.export_unredacted,
    },
    Role.admin: {
        A.read_findings, A.export_redacted, A.edit_codebook, A.write_memos,
        A.read_audit, A.edit_access,
    },
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_do_exactly_what_the_table_says(role: Role, action: Action) -> None:
    assert may(role, action) is (action in TABLE[role])


@pytest.mark.parametrize("action", list(Action))
def test_nobody_without_a_role_may_do_anything(action: Action) -> None:
    assert may(None, action) is False


@pytest.mark.parametrize(
    ("role", "asked", "redacted"),
    [
        (Role.analyst, True, False),
        (Role.analyst, False, True),
        (Role.researcher, True, True),
        (Role.director, True, True),
        (Role.admin, True, True),
        (None, True, True),
    ],
)
def test_quotes_are_redacted_unless_an_analyst_asks_otherwise(
    role: Role | None, asked: bool, redacted: bool
) -> None:
    assert shows_redacted(role, asked_unredacted=asked) is redacted
