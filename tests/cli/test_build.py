from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, assume, example, given, settings

from pipeline.cli import app
from tests.cli.commands import controls_in, runner, shows, untrusted_text
from tests.conftest import REPO
from tests.ingest.test_ingester import TRANSCRIPT


def test_ingest_json_reports_added_skipped_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TRANSCRIPT)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["ingest", str(good), str(bad), "--db", str(db), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert (payload["added"], payload["skipped"]) == (1, 0)
    assert payload["errors"][0]["path"] == str(bad)
    again = runner.invoke(app, ["ingest", str(good), "--db", str(db), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["skipped"] == 1


def test_ingest_on_two_workers_stores_what_one_process_stores(tmp_path: Path) -> None:
    from tests.conftest import DOCUMENTS

    sql = "SELECT passage_id, doc_id, char_start, char_end, text FROM passages ORDER BY ALL"
    stored = []
    for workers in ("1", "2"):
        db = tmp_path / f"w{workers}.duckdb"
        result = runner.invoke(
            app, ["ingest", str(DOCUMENTS), "--workers", workers, "--db", str(db), "--json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["added"] == 3
        with duckdb.connect(str(db), read_only=True) as con:
            stored.append(con.execute(sql).fetchall())
    assert stored[0] and stored[1] == stored[0]


def test_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path), "--date", "March 2019"])
    assert result.exit_code == 2


def test_status_json_counts_the_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT)
    db = tmp_path / "w.duckdb"
    runner.invoke(app, ["ingest", str(path), "--db", str(db)])
    result = runner.invoke(app, ["status", "--db", str(db), "--json"])
    assert result.exit_code == 0
    counts = json.loads(result.stdout)["counts"]
    assert counts["documents"] == 1 and counts["passages"] >= 4 and counts["places"] > 500


def test_status_names_the_reviews_whose_files_are_gone(tmp_path: Path) -> None:
    kept, gone = tmp_path / "kept.txt", tmp_path / "gone.txt"
    kept.write_text(TRANSCRIPT)
    gone.write_text(TRANSCRIPT.replace("Blackpool", "Fleetwood"))
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["ingest", str(kept), str(gone), "--db", str(db)]).exit_code == 0
    gone.unlink()
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert [row["source_path"] for row in status["files_gone"]] == [str(gone.resolve())]
    assert status["counts"]["documents"] == 2  # still counted: nothing withdraws it by itself
    shown = " ".join(runner.invoke(app, ["status", "--db", str(db)]).stdout.split())
    assert "Counted, but their files are gone" in shown


def test_findings_db_environment_variable_sets_the_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT)
    db = tmp_path / "env.duckdb"
    script = Path(sys.executable).parent / "findings"
    completed = subprocess.run(
        [str(script), "ingest", str(path), "--json"],
        env={"FINDINGS_DB": str(db), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert db.is_file()


def test_findings_max_file_mb_sets_the_size_limit(tmp_path: Path) -> None:
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(TRANSCRIPT)
    big.write_text(TRANSCRIPT + "More words here. " * 1_000)  # about 17 KB
    db = tmp_path / "w.duckdb"
    result = runner.invoke(
        app, ["ingest", str(small), str(big), "--db", str(db), "--json"],
        env={"FINDINGS_MAX_FILE_MB": "0.01"},
    )  # fmt: skip
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["added"] == 1
    assert [e["path"] for e in payload["errors"]] == [str(big)]
    assert "over the 0.01 MB limit" in payload["errors"][0]["reason"]


def test_the_seed_report_ingests_as_a_national_document(seed_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["ingest", str(seed_path), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    # A national report is a document, never a locality review.
    assert (status["counts"]["documents"], status["counts"]["national_documents"]) == (0, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        area, region, title = con.execute("SELECT area, region, title FROM documents").fetchone()
    assert (area, region) == ("National", None) and title != "1. Introduction"


def test_themes_json_reports_the_run_and_lists_the_themes(named_db: tuple[Path, dict]) -> None:
    db, payload = named_db
    assert {"run_id", "mode", "passages", "themes", "new_themes", "outlier_share"} <= set(payload)
    assert "new_labels" not in payload  # the flow's note for the refresh artifact
    listed = payload["theme_list"]
    assert len(listed) == payload["themes"] >= 1
    assert set(listed[0]) == {"theme_id", "label", "status", "heading", "n_passages", "keywords"}
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id,) = con.execute("SELECT max(run_id) FROM theme_runs").fetchone()
    assert payload["run_id"] == run_id


@pytest.mark.usefixtures("prefect_api")
def test_run_json_reports_the_whole_pipeline(tmp_path: Path) -> None:
    corpus = tmp_path / "reviews"
    corpus.mkdir()
    for name in (
        "02_bedford_practitioner_interviews.txt",
        "19_lincoln_practitioner_interviews.txt",
    ):
        (corpus / name).write_bytes((REPO / "corpus" / name).read_bytes())
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["run", "--corpus", str(corpus), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    keys = {
        "run_id",
        "documents_added",
        "passages_added",
        "passages_embedded",
        "themes",
        "new_themes",
        "outlier_share",
    }
    assert keys <= set(payload)
    assert payload["documents_added"] == 2
    assert payload["passages_embedded"] == payload["passages_added"] > 20
    assert payload["themes"] >= 1 and payload["new_themes"] == payload["themes"]
    again = json.loads(
        runner.invoke(app, ["run", "--corpus", str(corpus), "--db", str(db), "--json"]).stdout
    )
    assert (again["documents_added"], again["passages_embedded"], again["new_themes"]) == (0, 0, 0)
    # A corrected date is news the summary reports, though nothing was added.
    (corpus / "02_bedford_practitioner_interviews.meta.yaml").write_text(
        "review_date: 2018-03\n", encoding="utf-8"
    )
    corrected = runner.invoke(app, ["run", "--corpus", str(corpus), "--db", str(db), "--json"])
    assert corrected.exit_code == 0, corrected.output
    summary = json.loads(corrected.stdout)
    assert (summary["documents_added"], summary["documents_updated"]) == (0, 1)


HOLD_THE_RUN_LOCK = """
import sys, time
from pathlib import Path
from pipeline.storage.publish import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """A warehouse path whose run lock another process holds."""
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_RUN_LOCK, str(db)],
        stdout=subprocess.PIPE, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"}, cwd=REPO,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield db
    finally:
        holder.kill()
        holder.wait()


def test_a_second_run_from_another_process_refuses(held_lock: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "reviews"
    corpus.mkdir()
    shutil.copy(REPO / "corpus" / "02_bedford_practitioner_interviews.txt", corpus)
    second = subprocess.run(
        [str(Path(sys.executable).parent / "findings"), "run", "--corpus", str(corpus),
         "--db", str(held_lock)],
        env=os.environ | {"HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert second.returncode == 1
    assert "already in progress" in second.stderr
    assert "Traceback" not in second.stderr + second.stdout
    if held_lock.exists():  # nothing was ingested behind the lock
        with duckdb.connect(str(held_lock), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def test_themes_refuses_before_prefect_starts_while_a_run_holds_the_lock(
    held_lock: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def themes_flow(db: str | None = None, refit: bool = False) -> dict:
        raise AssertionError("the flow started behind the lock")

    monkeypatch.setattr("pipeline.flows.themes_flow", themes_flow)
    result = runner.invoke(app, ["themes", "--db", str(held_lock)])
    assert result.exit_code == 1
    assert "already in progress" in result.output
    assert "Traceback" not in result.output


def file_name(drawn: tuple[str, str], lead: str = "") -> tuple[str, str]:
    """Untrusted text as a file name can hold it (no slash, no NUL, not hidden, not too long)."""
    name, shown = (part.replace("/", "|").replace("\0", "") for part in drawn)
    if lead or not name or name.startswith("."):
        name, shown = f"{lead or 'f'}{name}", f"{lead or 'f'}{shown}"
    assume(len(name.encode()) < 200)
    return name, shown


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(folder=untrusted_text(), name=untrusted_text())
@example(folder=("x[", "x["), name=("]y", "]y"))  # the path holds "[/]", rich's closing tag
def test_ingest_names_any_file_as_written(
    tmp_path_factory: pytest.TempPathFactory, folder: tuple[str, str], name: tuple[str, str]
) -> None:
    # A folder that ends "x[" and a file that starts "]" make a path holding "[/]".
    (folder_name, folder_shown), (base, base_shown) = file_name(folder, "d"), file_name(name)
    root = tmp_path_factory.mktemp("names")
    empty = root / folder_name / f"{base}.txt"  # empty: ingest reports it by name
    empty.parent.mkdir()
    empty.touch()
    result = runner.invoke(
        app, ["ingest", str(empty), "--db", str(root / "w.duckdb")], env={"COLUMNS": "5000"}
    )
    assert result.exit_code == 1, result.output  # one file failed, nothing crashed
    assert "empty file" in result.stdout
    assert shows(result.stdout, f"{root}/{folder_shown}/{base_shown}.txt")
    assert controls_in(result.output) == []


@pytest.mark.parametrize("command", [["themes"], ["run", "--corpus", str(REPO / "corpus")]])
def test_a_bad_codebook_stops_a_run_in_one_line_before_prefect_starts(
    tmp_path: Path, command: list[str]
) -> None:
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text("guided: !!python/object/apply:os.system ['echo owned']\n")
    result = runner.invoke(
        app,
        [*command, "--db", str(tmp_path / "w.duckdb")],
        env={"FINDINGS_CODEBOOK": str(codebook)},
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"{codebook}: not a valid codebook: could not determine")
    assert len(result.output.strip().splitlines()) == 1  # no flow run, no logged traceback


def test_run_over_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(app, ["run", "--corpus", str(missing), "--db", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "is not a folder" in result.output and "Traceback" not in result.output


def test_run_shows_one_line_per_stage_whose_counts_add_up_and_no_library_noise(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "reviews"
    corpus.mkdir()
    for name in ("02_bedford_practitioner_interviews.txt", "03_southend_focus_group.txt"):
        shutil.copy(REPO / "corpus" / name, corpus)
    # A manifest row for a file never copied: ingest keeps going and the run says so.
    (corpus / "manifest.csv").write_text("path,title\n04_gone.txt,Gone\n")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "findings"), "run", "--corpus", str(corpus),
         "--db", str(tmp_path / "w.duckdb")],
        env=os.environ | {"HF_HUB_OFFLINE": "1", "PREFECT_HOME": str(tmp_path / "prefect"),
                          "COLUMNS": "200"},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown
    for noise in ("Finished in state", "Starting temporary server", "Loading weights", "{'"):
        assert noise not in shown
    stages = [line.split()[1] for line in shown.splitlines() if line.startswith("✓ ")]
    assert stages == ["ingest", "embed", "themes", "publish"]
    ingested = re.search(r"2 documents added \((\d+) passages\)", shown)
    embedded = re.search(r"(\d+) texts embedded, 0 had vectors; (\d+) passages repeat", shown)
    total = re.search(r"(\d+) passages = (\d+) practitioners' \+ (\d+) interviewers'", shown)
    themed = re.search(r"themes \(\d+ new\) from (\d+) passages", shown)
    assert ingested and embedded and total and themed, shown
    passages = int(ingested[1])
    assert int(total[1]) == passages == int(embedded[1]) + int(embedded[2])
    assert int(total[2]) + int(total[3]) == passages
    assert int(themed[1]) == int(total[2])
    assert "04_gone.txt is not in the folder" in " ".join(shown.split())
