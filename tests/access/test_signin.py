"""Sign-in configuration and who a signed-in person is."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.access.access_list import load_access_list, parse_access_list
from pipeline.access.roles import Role
from pipeline.access.signin import (
    auth_problem,
    is_loopback,
    person_from_claims,
    request_is_local,
    sign_in_problem,
)
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
        ("localhost", True), ("LOCALHOST", True),
        ("0.0.0.0", False), ("", False), ("::", False), ("192.168.1.5", False),
        ("findings.unit.example", False), ("localhost.evil.example", False),
    ],
)  # fmt: skip
def test_only_this_machine_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


COMPLETE = {
    "redirect_uri": "https://findings.unit.example/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "findings",
    "client_secret": "s",
    "server_metadata_url": "https://login.example/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("auth", "problem"),
    [
        (COMPLETE, None),
        (None, "no [auth] section"),
        ({**COMPLETE, "client_secret": ""}, "lacks client_secret"),
        ({k: v for k, v in COMPLETE.items() if k != "cookie_secret"}, "lacks cookie_secret"),
        ({**COMPLETE, "redirect_uri": "https://findings.unit.example/"}, "/oauth2callback"),
        ({**COMPLETE, "client_id": "REPLACE-with-the-id"}, "placeholders: client_id"),
        ({**COMPLETE, "cookie_secret": "short"}, "shorter than 32"),
    ],
)
def test_an_auth_section_is_complete_or_says_what_it_lacks(
    auth: dict | None, problem: str | None
) -> None:
    found = auth_problem(auth)
    assert found is None if problem is None else problem in (found or "")


def test_secrets_files_merge_with_the_later_winning(tmp_path: Path) -> None:
    user, project = tmp_path / "user.toml", tmp_path / "project.toml"
    user.write_text("".join(f'{k} = "{v}"\n' for k, v in [("x", 1)]) + "[auth]\n" + "".join(
        f'{k} = "{v}"\n' for k, v in COMPLETE.items() if k != "client_id"
    ))  # fmt: skip
    project.write_text('[auth]\nclient_id = "findings"\n')
    assert sign_in_problem([user]) is not None
    assert sign_in_problem([user, project, tmp_path / "missing.toml"]) is None


def test_a_broken_secrets_file_is_a_problem_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\n")
    assert str(broken) in (sign_in_problem([broken]) or "")


ACCESS = parse_access_list(
    "people:\n  ann@unit.example: analyst\ngroups:\n  researchers: researcher\n", "x"
)


@pytest.mark.parametrize(
    ("claims", "email", "role"),
    [
        ({"sub": "1", "email": "Ann@unit.example"}, "Ann@unit.example", Role.analyst),
        ({"sub": "2", "email": "rob@unit.example", "groups": ["researchers"]},
         "rob@unit.example", Role.researcher),
        ({"sub": "3", "email": "rob@unit.example", "groups": "researchers"},
         "rob@unit.example", Role.researcher),
        ({"sub": "4", "preferred_username": "ann@unit.example"}, "ann@unit.example", Role.analyst),
        ({"sub": "5", "email": "eve@elsewhere.example"}, "eve@elsewhere.example", None),
        ({"sub": "6"}, "6", None),
    ],
)  # fmt: skip
def test_claims_become_a_person_with_the_listed_role(
    claims: dict, email: str, role: Role | None
) -> None:
    person = person_from_claims(claims, ACCESS)
    assert (person.email, person.role, person.signed_in) == (email, role, True)


@pytest.mark.parametrize(
    ("headers", "local"),
    [
        ({}, True),
        ({"Host": "127.0.0.1:8501"}, True),
        ({"Host": "localhost:8501"}, True),
        ({"host": "[::1]:8501"}, True),
        ({"Host": "localhost"}, True),
        ({"Host": "findings.unit.example"}, False),
        ({"Host": "10.0.0.5:8501"}, False),
        ({"Host": "127.0.0.1:8501", "X-Forwarded-For": "203.0.113.9"}, False),
        ({"Host": "127.0.0.1:8501", "forwarded": "for=203.0.113.9"}, False),
        ({"Host": "127.0.0.1:8501", "X-Real-IP": "203.0.113.9"}, False),
    ],
)
def test_a_request_through_a_proxy_is_not_local(headers: dict[str, str], local: bool) -> None:
    assert request_is_local(headers) is local


def test_the_example_secrets_are_refused_until_filled_in() -> None:
    problem = sign_in_problem([REPO / "docs" / "secrets.example.toml"]) or ""
    assert "placeholders: cookie_secret, client_id, client_secret, server_metadata_url" in problem


def test_the_example_access_list_reads() -> None:
    access = load_access_list(REPO / "docs" / "access.example.yaml")
    assert access.role_for("Director@unit.example") is Role.director
    assert access.role_for("x@unit.example", ["findings-researchers"]) is Role.researcher
