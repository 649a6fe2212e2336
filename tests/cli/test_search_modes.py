"""`findings search`: hybrid by default, `--mode`, `--semantic` as its alias, `--questions`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import app
from tests.cli.commands import runner

PARAPHRASE = "talking to a child after they come back from being away"


def searched(db: Path, *args: str) -> list[dict]:
    result = runner.invoke(app, ["search", *args, "--db", str(db), "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def questions_in(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT passage_id FROM passages WHERE speaker_role = 'interviewer'")
        return {passage_id for (passage_id,) in rows.fetchall()}


def test_search_is_hybrid_by_default_and_finds_the_paraphrase(themed_db: Path) -> None:
    default = searched(themed_db, PARAPHRASE)
    assert [row["passage_id"] for row in default] == [
        row["passage_id"] for row in searched(themed_db, PARAPHRASE, "--mode", "hybrid")
    ]
    assert any(re.search("return home interview", row["text"], re.I) for row in default)
    by_words = searched(themed_db, PARAPHRASE, "--mode", "keyword")
    assert not any(re.search("return home interview", row["text"], re.I) for row in by_words)


def test_semantic_flag_is_mode_semantic(themed_db: Path) -> None:
    query = "young people held in debt"
    assert searched(themed_db, query, "--semantic") == searched(
        themed_db, query, "--mode", "semantic"
    )


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_questions_come_after_the_answers_unless_shown(themed_db: Path, mode: str) -> None:
    # "Are return home interviews helping?" is the best match by words.
    asked = questions_in(themed_db)
    shown = searched(themed_db, "return home interviews", "--mode", mode, "--questions", "show")
    default = searched(themed_db, "return home interviews", "--mode", mode)
    assert shown[0]["passage_id"] in asked
    assert not {row["passage_id"] for row in default} & asked


def test_hidden_questions_are_left_out(themed_db: Path) -> None:
    found = searched(
        themed_db, "return home interviews", "--mode", "keyword", "--questions", "hide"
    )
    assert found
    assert not {row["passage_id"] for row in found} & questions_in(themed_db)


def test_an_unknown_mode_is_refused_naming_the_choices(themed_db: Path) -> None:
    result = runner.invoke(app, ["search", "debt", "--mode", "fuzzy", "--db", str(themed_db)])
    assert result.exit_code == 2
    assert "hybrid" in result.output
    assert "keyword" in result.output


def test_results_give_speakers_by_role_unless_quotes_are_not_redacted(
    themed_db: Path, team_store_in_tmp: Path
) -> None:
    query = "cuckooing"
    redacted = searched(themed_db, query, "--mode", "keyword")
    plain = searched(themed_db, query, "--mode", "keyword", "--no-redact")
    assert [r["passage_id"] for r in redacted] == [r["passage_id"] for r in plain]
    assert [r["speaker"] for r in redacted] == [r["speaker_role"] for r in plain]
    labels = {r["speaker"] for r in plain} - {r["speaker_role"] for r in plain}
    assert labels, "the sample's speakers have labels beside their roles ('YOT worker')"
