"""The access list: who gets which role, and files that let nobody in."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.access.access_list import (
    access_changes,
    load_access_list,
    parse_access_list,
    save_access_list,
)
from pipeline.access.roles import Role
from pipeline.errors import AccessListError

LIST = """
people:
  Dana.Director@Unit.example: director
  ann@unit.example: analyst
groups:
  findings-researchers: researcher
  findings-analysts: analyst
  findings-admins: admin
"""


@pytest.fixture
def access() -> object:
    return parse_access_list(LIST, "access.yaml")


@pytest.mark.parametrize(
    ("email", "groups", "role"),
    [
        ("dana.director@unit.example", [], Role.director),
        ("DANA.DIRECTOR@UNIT.EXAMPLE", [], Role.director),
        (" ann@unit.example ", [], Role.analyst),
        ("rob@unit.example", ["findings-researchers"], Role.researcher),
        ("rob@unit.example", ["other", "findings-admins"], Role.admin),
        # Own entry wins over a group.
        ("dana.director@unit.example", ["findings-analysts"], Role.director),
        # Among groups, the fewest permissions.
        ("rob@unit.example", ["findings-analysts", "findings-researchers"], Role.researcher),
        ("rob@unit.example", [], None),
        ("rob@unit.example", ["Findings-Researchers"], None),  # group names are exact
        (None, ["findings-admins"], Role.admin),
        (None, [], None),
    ],
)
def test_a_person_gets_the_role_the_list_gives(
    access: object, email: str | None, groups: list[str], role: Role | None
) -> None:
    assert access.role_for(email, groups) is role  # type: ignore[attr-defined]


@given(st.sampled_from(["ann@unit.example"]).flatmap(
    lambda address: st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in address))
))  # fmt: skip
def test_an_address_is_found_in_any_case(letters: tuple[str, ...]) -> None:
    access = parse_access_list(LIST, "access.yaml")
    assert access.role_for("".join(letters)) is Role.analyst


BROKEN = {
    "not YAML": "people: [unclosed\n",
    "a list at the top": "- ann@unit.example\n",
    "an unknown role": "people:\n  ann@unit.example: superuser\n",
    "not an address": "people:\n  ann: analyst\n",
    "an address twice": "people:\n  ann@unit.example: analyst\n  ANN@unit.example: director\n",
    "an unknown section": "admins:\n  ann@unit.example: admin\n",
    "a python object": "people: !!python/object/apply:os.system ['echo owned']\n",
}


@pytest.mark.parametrize("text", BROKEN.values(), ids=BROKEN)
def test_a_broken_list_is_one_error_naming_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "access.yaml"
    path.write_text(text)
    with pytest.raises(AccessListError) as raised:
        load_access_list(path)
    assert str(path) in str(raised.value)


def test_a_missing_list_says_to_write_one(tmp_path: Path) -> None:
    with pytest.raises(AccessListError, match="no access list"):
        load_access_list(tmp_path / "access.yaml")


def test_an_empty_list_lets_nobody_in(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    path.write_text("# nobody yet\n")
    assert load_access_list(path).role_for("ann@unit.example", ["g"]) is None


def test_saving_a_broken_list_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    path.write_text(LIST)
    with pytest.raises(AccessListError):
        save_access_list(path, "people:\n  ann@unit.example: superuser\n")
    assert path.read_text() == LIST


def test_saving_a_list_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    path.write_text(LIST)
    saved = save_access_list(path, "people:\n  ann@unit.example: admin\n")
    assert load_access_list(path) == saved
    assert saved.role_for("ann@unit.example") is Role.admin


def test_changes_are_described_entry_by_entry(access: object) -> None:
    after = parse_access_list(
        "people:\n  ann@unit.example: admin\ngroups:\n  findings-researchers: researcher\n", "x"
    )
    assert access_changes(access, after) == [  # type: ignore[arg-type]
        "people ann@unit.example: analyst -> admin",
        "people dana.director@unit.example: director -> none",
        "groups findings-admins: admin -> none",
        "groups findings-analysts: analyst -> none",
    ]
