"""`findings show ID`: a passage with its document, place, date, speaker, theme and neighbours."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline.cli import app
from tests.cli.commands import runner
from tests.conftest import SEED, published_copy

PLACEHOLDER = re.compile(r"(?<![\w<])(nan|NaT|None|<NA>)(?![\w>])")


def a_passage(db: Path, where: str, params: list[object] | None = None) -> dict:
    """A passage in the middle of its document (it has neighbours), with its document's fields."""
    query = f"""
        SELECT p.passage_id, p.text, p.speaker, p.speaker_role, d.title, d.area, d.review_date,
            d.doc_id, p.ordinal
        FROM passages AS p JOIN documents AS d USING (doc_id)
        JOIN current_passage_themes AS cpt USING (passage_id)
        WHERE p.ordinal > 0 AND {where}
        ORDER BY p.passage_id LIMIT 1
    """
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(query, params or [])
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        row["neighbours"] = [
            text
            for (text,) in con.execute(
                "SELECT text FROM passages WHERE doc_id = ? AND abs(ordinal - ?) = 1",
                [row["doc_id"], row["ordinal"]],
            ).fetchall()
        ]
    return row


def test_a_12_character_prefix_shows_the_passage_and_where_it_comes_from(
    seeded: dict[str, Path],
) -> None:
    db = seeded["inferred"]
    passage = a_passage(db, "d.scope = 'local' AND p.speaker IS NOT NULL")
    result = runner.invoke(app, ["show", passage["passage_id"][:12], "--db", str(db)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    for value in (
        passage["title"],
        passage["area"],
        str(passage["review_date"]),
        passage["speaker_role"],
    ):
        assert value in flat
    assert " ".join(passage["text"].split()) in flat
    assert passage["neighbours"]
    for text in passage["neighbours"]:
        assert " ".join(text.split()) in flat
    assert re.search(r"Theme: .+ #\d+", flat)


def test_the_seed_without_place_or_date_shows_cleanly(seeded: dict[str, Path]) -> None:
    db = seeded["unplaced"]
    passage = a_passage(db, "d.path = ?", [str(SEED)])
    result = runner.invoke(app, ["show", passage["passage_id"], "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "not recorded" in result.output
    assert not PLACEHOLDER.search(result.output), result.output


def test_an_ambiguous_prefix_is_one_line_listing_some_ids(seeded: dict[str, Path]) -> None:
    result = runner.invoke(app, ["show", "a", "--db", str(seeded["inferred"])])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert re.search(r"\ba[0-9a-f]{11}\b", result.output)


def test_an_unknown_id_is_one_line(seeded: dict[str, Path]) -> None:
    result = runner.invoke(app, ["show", "zz", "--db", str(seeded["inferred"])])
    assert result.exit_code == 1
    assert "no passage" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_review_dated_only_to_the_month_names_no_day(
    seeded: dict[str, Path], tmp_path: Path
) -> None:
    passage = a_passage(seeded["inferred"], "d.scope = 'local'")
    db = published_copy(
        seeded["inferred"],
        tmp_path / "by-month.duckdb",
        (
            "UPDATE documents SET review_date_precision = 'month' WHERE doc_id = ?",
            [passage["doc_id"]],
        ),
    )
    result = runner.invoke(app, ["show", passage["passage_id"], "--db", str(db)])
    assert result.exit_code == 0, result.output
    day = passage["review_date"]
    assert f"{day:%Y-%m}" in result.output and day.isoformat() not in result.output


def test_a_speakers_label_shows_only_when_quotes_are_not_redacted(
    seeded: dict[str, Path], team_store_in_tmp: Path
) -> None:
    # Labels are often names ("DS JONES:", "Sarah Okonkwo (YOT):"), and the redactor reads
    # passages, not labels: redacted, a speaker is given by role, as the viewer gives them.
    db = seeded["inferred"]
    passage = a_passage(db, "p.speaker IS NOT NULL AND p.speaker <> p.speaker_role")
    shown = runner.invoke(app, ["show", passage["passage_id"], "--db", str(db)])
    plain = runner.invoke(app, ["show", passage["passage_id"], "--no-redact", "--db", str(db)])
    assert shown.exit_code == 0 and plain.exit_code == 0, shown.output + plain.output
    label = f"Speaker: {passage['speaker']}"
    assert label not in " ".join(shown.output.split())
    assert f"Speaker: {passage['speaker_role']}" in " ".join(shown.output.split())
    assert label in " ".join(plain.output.split())
