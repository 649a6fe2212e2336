from __future__ import annotations

import ast
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import typer

from pipeline.cli import app
from pipeline.cli.console import err
from pipeline.cli.options import DocType, filters_from, month
from pipeline.storage import connect
from pipeline.storage.publish import publish_snapshot
from tests.cli.commands import command_tree, options_of, runner
from tests.conftest import REPO
from tests.snapshots import older_schema_database, place_as_current, truncate
from tests.writers import holding

FILTERS = ["--region", "--area", "--force", "--since", "--until", "--type"]


def filtering_commands() -> dict[str, list[str]]:
    """Commands that take --region, with their options in help order."""
    # ingest's --area and --type describe files, not filters, and it has no --region
    return {
        name: options
        for name, command in command_tree().items()
        if "--region" in (options := options_of(command))
    }


def test_commands_that_filter_take_every_filter_right_after_db() -> None:
    filtering = filtering_commands()
    assert set(filtering) == {
        "search", "query themes", "query quotes", "query trends", "query compare", "query matrix",
        "export qdpx", "export csv", "export parquet", "export report",
    }  # fmt: skip
    for name, options in filtering.items():
        at = options.index("--db") + 1
        assert options[at : at + len(FILTERS)] == FILTERS, name


def test_every_command_that_reads_the_warehouse_takes_db() -> None:
    for name, command in command_tree().items():
        # `audit` reads the team store (FINDINGS_TEAM_DB), not the warehouse; `watch` only
        # announces new files to Prefect.
        if hasattr(command, "commands") or name in ("serve", "audit", "watch"):
            continue
        assert "--db" in options_of(command), name


@pytest.mark.parametrize(
    ("since", "until", "bounds"),
    [
        (None, None, (None, None)),
        ("2018-01", "2018-01", (dt.date(2018, 1, 1), dt.date(2018, 2, 1))),
        ("2018-12", "2018-12", (dt.date(2018, 12, 1), dt.date(2019, 1, 1))),
    ],
)
def test_until_takes_in_its_whole_month(
    since: str | None, until: str | None, bounds: tuple[dt.date | None, dt.date | None]
) -> None:
    filters = filters_from(since=since, until=until)
    assert (filters.since, filters.until) == bounds


def test_since_after_until_is_a_usage_error_not_an_empty_answer() -> None:
    with pytest.raises(typer.BadParameter, match="--since 2019-05 is after --until 2019-04"):
        filters_from(since="2019-05", until="2019-04")


def test_a_missing_warehouse_named_with_markup_is_one_plain_line(tmp_path: Path) -> None:
    db = tmp_path / "x[/]y[bold].duckdb"
    result = runner.invoke(app, ["query", "themes", "--db", str(db)])
    assert result.exit_code == 1
    assert f"no warehouse at {db}" in " ".join(result.output.split())


@pytest.mark.parametrize("value", ["2019-13", "2019-00", "2019-1", "March 2019", "2019-03-01"])
def test_a_month_that_is_not_yyyy_mm_is_a_usage_error(value: str) -> None:
    with pytest.raises(typer.BadParameter):
        month(value, "--since", end=False)


def test_filters_name_the_query_layer_fields() -> None:
    filters = filters_from("Wales", "Cardiff", "South Wales Police", doc_type=DocType.focus_group)
    assert (filters.region, filters.area, filters.police_force, filters.doc_type) == (
        "Wales", "Cardiff", "South Wales Police", "focus_group",
    )  # fmt: skip


# One locking story: writers hold the run lock; readers read snapshots, and meet a writer in one
# line. The writer is a real second process holding the lock and DuckDB's write lock.


@pytest.fixture(autouse=True)
def wide_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """No wrapping of stderr at 80 columns, so a message reads as the one line it is."""
    monkeypatch.setattr(err, "width", 1000)


def one_line(text: str) -> str:
    """The CLI's output on one line."""
    return " ".join(text.split())


def writing_commands() -> list[str]:
    """CLI functions that open the warehouse for writing or start a flow that does."""
    found = []
    for path in (REPO / "pipeline" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            called = {
                call.func.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            }
            if "open_warehouse" in called or any(name.endswith("_flow") for name in called):
                decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
                found.append((node.name, "writes_warehouse" in decorators))
    return found


def test_every_command_that_writes_the_warehouse_holds_the_run_lock() -> None:
    found = dict(writing_commands())
    assert {"ingest", "embed", "themes", "run"} <= set(found)
    assert [name for name, locked in found.items() if not locked] == []


@pytest.fixture
def warehouse(tmp_path: Path, themed_db: Path) -> Path:
    """A copy of the themed sample warehouse, nothing published yet."""
    db = tmp_path / "data" / "findings.duckdb"
    db.parent.mkdir()
    shutil.copyfile(themed_db, db)
    return db


@pytest.mark.parametrize(
    "command", [["ingest", str(REPO / "corpus")], ["embed"], ["themes"], ["run"]]
)
def test_a_writing_command_during_a_run_is_refused_in_one_line(
    warehouse: Path, command: list[str]
) -> None:
    with holding(warehouse) as holder:
        result = runner.invoke(app, [*command, "--db", str(warehouse)])
    assert result.exit_code == 1
    shown = one_line(result.output)
    assert shown.startswith(f"a run is already in progress on {warehouse}: `findings run` ")
    assert f"pid {holder.pid}" in shown and shown.endswith("try again when it ends")
    assert "Traceback" not in result.output and "Could not set lock" not in shown


def themes_in(path: Path) -> int:
    with connect(path, read_only=True) as con:
        return con.execute("SELECT count(*) FROM current_passage_themes").fetchone()[0]


def test_status_during_a_run_reads_the_snapshot_and_says_so(warehouse: Path) -> None:
    snapshot = publish_snapshot(warehouse, "run-1")
    with holding(warehouse, command="findings ingest"):
        result = runner.invoke(app, ["status", "--db", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["db"] == str(snapshot)
    assert "being written by `findings ingest`" in one_line(result.stderr)


def test_status_before_the_first_snapshot_meets_a_run_in_one_plain_line(warehouse: Path) -> None:
    with holding(warehouse):
        result = runner.invoke(app, ["status", "--db", str(warehouse)])
    assert result.exit_code == 1
    shown = one_line(result.output)
    assert shown.startswith(f"the warehouse {warehouse} is being written by `findings run`")
    assert shown.endswith("results appear when it finishes")
    assert "IOException" not in shown and "Could not set lock" not in shown


def test_query_during_an_ingest_before_the_first_snapshot_is_one_plain_line(
    warehouse: Path,
) -> None:
    with holding(warehouse, command="findings ingest"):
        result = runner.invoke(app, ["query", "themes", "--db", str(warehouse)])
    assert result.exit_code == 1
    shown = one_line(result.output)
    assert shown.startswith(f"the warehouse {warehouse} is being written by `findings ingest`")
    assert "IOException" not in shown and "Could not set lock" not in shown


def test_query_during_an_ingest_reads_the_snapshot(warehouse: Path) -> None:
    snapshot = publish_snapshot(warehouse, "run-1")
    with holding(warehouse, command="findings ingest"):
        result = runner.invoke(app, ["query", "themes", "--db", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) and themes_in(snapshot) > 0
    assert result.stderr == ""


def test_query_past_a_truncated_snapshot_reads_the_older_one_and_notes_it(
    warehouse: Path,
) -> None:
    publish_snapshot(warehouse, "run-1")
    truncate(publish_snapshot(warehouse, "run-2"))
    result = runner.invoke(app, ["query", "themes", "--db", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)
    note = one_line(result.stderr)
    assert note.startswith("note: reading the older snapshot run-1.duckdb: run-2.duckdb is damaged")


def test_query_past_a_snapshot_of_an_older_schema_notes_it(warehouse: Path, tmp_path: Path) -> None:
    publish_snapshot(warehouse, "run-1")
    place_as_current(warehouse, older_schema_database(tmp_path / "older.duckdb"), "run-2.duckdb")
    result = runner.invoke(app, ["query", "themes", "--db", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)
    assert "run-2.duckdb was written by an older Findings" in one_line(result.stderr)


def test_query_with_no_readable_snapshot_names_the_problem_and_the_fix(
    warehouse: Path, tmp_path: Path
) -> None:
    truncate(publish_snapshot(warehouse, "run-1"))
    place_as_current(warehouse, older_schema_database(tmp_path / "older.duckdb"), "run-2.duckdb")
    result = runner.invoke(app, ["query", "themes", "--db", str(warehouse)])
    assert result.exit_code == 1
    shown = one_line(result.output)
    assert shown.startswith("no published snapshot can be read (run-2.duckdb was written by an")
    assert "run-1.duckdb is damaged or incomplete" in shown
    assert shown.endswith("run `findings run` to publish a fresh snapshot")
    assert "Traceback" not in result.output


def with_required(name: str, tmp_path: Path) -> list[str]:
    """A filtering command's words with what it requires besides filters."""
    required = {
        "search": ["search", "county lines"],
        "query quotes": ["query", "quotes", "--theme", "1"],
        "query trends": ["query", "trends", "--theme", "1"],
        "export qdpx": ["export", "qdpx", "--out", str(tmp_path / "out.qdpx")],
        "export csv": ["export", "csv", "--out", str(tmp_path / "csv")],
        "export parquet": ["export", "parquet", "--out", str(tmp_path / "parquet")],
        "export report": ["export", "report", "--out", str(tmp_path / "report.md")],
    }
    return required.get(name, name.split())


@pytest.mark.parametrize("name", sorted(filtering_commands()))
def test_a_place_no_review_has_is_refused_by_every_filtering_command(
    name: str, themed_db: Path, tmp_path: Path
) -> None:
    args = [*with_required(name, tmp_path), "--area", "Atlantis", "--db", str(themed_db)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Atlantis" in result.output and "there are:" in one_line(result.output)


@pytest.mark.parametrize("name", ["query themes", "query quotes", "search", "query matrix"])
def test_a_place_is_matched_whatever_its_case_by_every_filtering_command(
    name: str, themed_db: Path, tmp_path: Path
) -> None:
    with connect(themed_db, read_only=True) as con:
        region = con.execute(
            "SELECT region FROM documents WHERE region IS NOT NULL ORDER BY region LIMIT 1"
        ).fetchone()[0]
    words = with_required(name, tmp_path)
    answers = [
        runner.invoke(app, [*words, "--region", typed, "--db", str(themed_db), "--json"])
        for typed in (region, f"  {region.lower()} ")
    ]
    assert [a.exit_code for a in answers] == [0, 0], answers[1].output
    assert json.loads(answers[0].stdout) == json.loads(answers[1].stdout)
    assert json.loads(answers[0].stdout)  # the region has reviews: a real answer, not two empties
