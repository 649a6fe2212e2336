from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import MigrationError
from pipeline.storage import applied_migrations, apply_migrations, connect
from pipeline.storage.migrations import available_migrations, expected_versions, recorded_versions

CONTRACT = {
    "documents": {
        "doc_id",
        "path",
        "title",
        "doc_type",
        "area",
        "region",
        "nation",
        "police_force",
        "review_date",
        "text",
        "n_chars",
        "ingested_at",
    },
    "passages": {
        "passage_id",
        "doc_id",
        "ordinal",
        "text",
        "char_start",
        "char_end",
        "section",
        "places",
    },
    "embeddings": {"text_sha", "model", "vector"},
    "theme_runs": {
        "run_id",
        "started_at",
        "finished_at",
        "params",
        "n_passages",
        "n_themes",
        "status",
    },
    "themes": {
        "theme_id",
        "label",
        "keywords",
        "description",
        "status",
        "first_run_id",
        "last_run_id",
    },
    "passage_themes": {"run_id", "passage_id", "theme_id", "probability"},
    "places": {"name", "kind", "local_authority", "region", "police_force", "nation"},
    "ingest_errors": {"path", "reason", "at"},
    "theme_lineage": {
        "run_id",
        "kind",
        "from_theme_ids",
        "to_theme_ids",
        "passages_moved",
        "recorded_at",
    },
}


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [m.version for m in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_apply_migrations_creates_the_storage_contract(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        apply_migrations(con)
        for table, columns in CONTRACT.items():
            found = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
            assert columns <= found, (table, columns - found)


def test_apply_migrations_twice_is_a_no_op(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        first = apply_migrations(con)
        second = apply_migrations(con)
        assert first == [m.version for m in available_migrations()]
        assert second == []
        assert applied_migrations(con) == first


def test_failed_migration_leaves_no_record(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("CREATE TABLE documents (x INTEGER)")  # collides with migration 001
        with pytest.raises(MigrationError, match="001_create_ingest_tables"):
            apply_migrations(con)
        assert applied_migrations(con) == []
        assert con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'passages'"
        ).fetchone() == (0,)
        # The connection is left usable, outside any half-open transaction.
        con.execute("DROP TABLE documents")
        assert apply_migrations(con) == [m.version for m in available_migrations()]


def test_migrations_stop_at_a_version_as_an_older_findings_would(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        assert apply_migrations(con, upto=2) == [1, 2]
        assert recorded_versions(con) == [1, 2]
        assert apply_migrations(con) == expected_versions()[2:]


def test_recorded_versions_read_a_read_only_copy(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        apply_migrations(con)
    with connect(db, read_only=True) as reader:
        assert recorded_versions(reader) == expected_versions()
    with connect(tmp_path / "other.duckdb") as foreign:
        assert recorded_versions(foreign) == []
