"""`findings viewer` refuses the network without sign-in; `findings audit`; CLI redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.access.audit import AuditAction, Via, audit, load_events
from pipeline.access.roles import Role
from pipeline.cli import app
from tests.cli.commands import runner

COMPLETE_AUTH = """[auth]
redirect_uri = "https://findings.unit.example/oauth2callback"
cookie_secret = "a-long-random-secret-for-signing-cookies"
client_id = "findings"
client_secret = "not-a-real-secret"
server_metadata_url = "https://login.unit.example/.well-known/openid-configuration"
"""


@pytest.fixture
def bare_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder and home with no Streamlit secrets anywhere."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "findings.unit.example", "::"])
def test_the_viewer_refuses_the_network_without_sign_in(bare_home: Path, host: str) -> None:
    result = runner.invoke(app, ["viewer", "--host", host])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert f"refusing to serve the viewer on {host} without sign-in" in said
    assert "no [auth] section" in said and "docs/deploying.md" in said
    assert "--host 127.0.0.1" in said and "Traceback" not in said


def test_an_incomplete_auth_section_is_named(bare_home: Path) -> None:
    secrets = bare_home / "secrets.toml"
    secrets.write_text(COMPLETE_AUTH.replace('client_secret = "not-a-real-secret"\n', ""))
    result = runner.invoke(app, ["viewer", "--host", "0.0.0.0", "--secrets", str(secrets)])
    assert result.exit_code == 1
    assert "lacks client_secret" in " ".join(result.output.split())


def test_sign_in_without_a_readable_access_list_is_refused(bare_home: Path) -> None:
    (bare_home / ".streamlit").mkdir()
    (bare_home / ".streamlit" / "secrets.toml").write_text(COMPLETE_AUTH)
    (bare_home / "access.yaml").write_text("people:\n  ann@unit.example: superuser\n")
    result = runner.invoke(app, ["viewer", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "access.yaml" in said and "people.ann@unit.example" in said


def test_audit_prints_the_trail_as_a_table(team_store_in_tmp: Path) -> None:
    audit(team_store_in_tmp, "ann@unit.example", Role.analyst, AuditAction.exported, "report.md")
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 0, result.output
    assert "ann@unit.example" in result.output and "report.md" in result.output
    assert "exported" in result.output and "analyst" in result.output


def test_audit_json_filters_by_user_and_since(team_store_in_tmp: Path) -> None:
    audit(team_store_in_tmp, "ann@unit.example", Role.analyst, AuditAction.signed_in)
    audit(team_store_in_tmp, "rob", None, AuditAction.read_unredacted, "show", Via.cli)
    result = runner.invoke(app, ["audit", "--json", "--user", "rob"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["person"], r["action"], r["via"], r["role"]) for r in rows] == [
        ("rob", "read_unredacted", "cli", None)
    ]
    tomorrow = runner.invoke(app, ["audit", "--json", "--since", "2999-01-01"])
    assert json.loads(tomorrow.stdout) == []
    everything = runner.invoke(app, ["audit", "--json", "--since", "2000-01-01T00:00"])
    assert len(json.loads(everything.stdout)) == 2


def test_audit_with_a_bad_since_is_a_usage_error() -> None:
    result = runner.invoke(app, ["audit", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "--since" in result.output


def test_audit_of_an_empty_trail_says_so() -> None:
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 0
    assert "No audit events" in result.output


# What the named transcript holds that the viewer hides.
PERSONAL = ("Tyrone", "Kelly O'Brien", "Sam Okafor", "07700 900123", "dsl.office@example.org")


def personal_in(text: str) -> set[str]:
    return {item for item in PERSONAL if item in text}


def test_search_prints_what_the_viewer_shows_unless_told_not_to(
    named_db: tuple[Path, dict], team_store_in_tmp: Path
) -> None:
    db, _ = named_db
    args = ["search", "Tyrone owed money", "--mode", "keyword", "--db", str(db), "--json"]
    redacted = runner.invoke(app, args)
    assert redacted.exit_code == 0, redacted.output
    assert load_events(team_store_in_tmp) == []  # redacted reads are not audited
    plain = runner.invoke(app, [*args, "--no-redact"])
    assert plain.exit_code == 0, plain.output
    shown = " ".join(row["text"] for row in json.loads(redacted.stdout))
    kept = " ".join(row["text"] for row in json.loads(plain.stdout))
    assert personal_in(kept) and not personal_in(shown)
    assert "[name]" in shown
    (event,) = load_events(team_store_in_tmp)
    assert (event.action, event.via) == (AuditAction.read_unredacted, Via.cli)
    assert "findings search 'Tyrone owed money'" in event.detail


def test_query_quotes_and_show_redact_unless_told_not_to(
    named_db: tuple[Path, dict], team_store_in_tmp: Path
) -> None:
    db, payload = named_db
    shown, kept = "", ""
    for theme in payload["theme_list"]:
        args = ["query", "quotes", "--theme", str(theme["theme_id"]), "--db", str(db), "--json"]
        shown += " ".join(r["text"] for r in json.loads(runner.invoke(app, args).stdout))
        kept += " ".join(
            r["text"] for r in json.loads(runner.invoke(app, [*args, "--no-redact"]).stdout)
        )
    assert personal_in(kept) and not personal_in(shown)
    found = json.loads(runner.invoke(app, ["search", "Tyrone", "--mode", "keyword", "--db",
                                           str(db), "--json", "--no-redact"]).stdout)  # fmt: skip
    passage = found[0]["passage_id"]
    view = runner.invoke(app, ["show", passage, "--db", str(db), "--json"])
    plain = runner.invoke(app, ["show", passage, "--db", str(db), "--json", "--no-redact"])
    assert personal_in(plain.stdout) and not personal_in(view.stdout)
    events = load_events(team_store_in_tmp)
    assert len(events) == len(payload["theme_list"]) + 2
    assert {e.action for e in events} == {AuditAction.read_unredacted}
    assert events[-1].detail == f"findings show {passage}"


def test_table_exports_redact_unless_told_not_to_and_the_audit_says_which(
    named_db: tuple[Path, dict], team_store_in_tmp: Path, tmp_path: Path
) -> None:
    db, _ = named_db
    for fmt in ("csv", "parquet"):
        for flag, folder in (("--redact", "shown"), ("--no-redact", "kept")):
            args = ["export", fmt, "--out", str(tmp_path / fmt / folder), "--db", str(db), flag]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, result.output
    import pandas as pd

    # Passage text, and themes' keywords and generated descriptions (made of passages' words).
    shown, kept = (
        "".join(
            (tmp_path / "csv" / how / f"{name}.csv").read_text() for name in ("passages", "themes")
        )
        for how in ("shown", "kept")
    )
    assert personal_in(kept) and not personal_in(shown)
    parquet = pd.read_parquet(tmp_path / "parquet" / "shown" / "passages.parquet")
    assert not personal_in(" ".join(parquet["text"]))
    events = load_events(team_store_in_tmp)
    assert [e.detail.split(" --out")[0] for e in events] == [
        "findings export csv", "findings export parquet",
    ]  # fmt: skip
    assert all(e.action is AuditAction.read_unredacted and "unredacted" in e.detail for e in events)


def test_a_qdpx_export_is_recorded(named_db: tuple[Path, dict], team_store_in_tmp: Path) -> None:
    db, _ = named_db
    out = team_store_in_tmp.parent / "f.qdpx"
    result = runner.invoke(app, ["export", "qdpx", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    (event,) = load_events(team_store_in_tmp)
    assert event.action is AuditAction.exported and str(out) in event.detail


def test_importing_a_codebook_is_recorded(
    themed_db: Path, tmp_path: Path, team_store_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import REPO

    codebook = tmp_path / "codebook.yaml"
    codebook.write_text((REPO / "models" / "codebook.yaml").read_text())
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    qdc = tmp_path / "c.qdc"
    runner.invoke(app, ["export", "codebook", "--out", str(qdc), "--db", str(themed_db)])
    first = qdc.read_text().split('name="', 3)[2].split('"')[0]
    qdc.write_text(qdc.read_text().replace(f'name="{first}"', 'name="Renamed in NVivo"', 1))
    result = runner.invoke(app, ["import", "codebook", str(qdc), "--db", str(themed_db)])
    assert result.exit_code == 0, result.output
    (event,) = load_events(team_store_in_tmp)
    assert (event.action, event.via) == (AuditAction.changed_codebook, Via.cli)
    assert event.detail == f"findings import codebook {qdc}: 1 renamed, 0 described, 0 moved"
