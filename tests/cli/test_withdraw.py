from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import app
from tests.cli.commands import runner
from tests.conftest import REPO
from tests.ingest.test_ingester import TRANSCRIPT


@pytest.fixture
def two_reviews(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A warehouse holding two reviews read from a corpus folder: (db, kept, withdrawn)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    kept, mistaken = corpus / "blackpool.txt", corpus / "fleetwood.txt"
    kept.write_text(TRANSCRIPT)
    mistaken.write_text(TRANSCRIPT.replace("Blackpool", "Fleetwood"))
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["ingest", str(corpus), "--db", str(db)]).exit_code == 0
    return db, kept, mistaken


@pytest.fixture
def seeded_copy(seeded: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the sample corpus and the seed report, themed, to withdraw from."""
    db = tmp_path / "seeded.duckdb"
    shutil.copy(seeded["inferred"], db)
    return db


def documents(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT path FROM documents ORDER BY path").fetchall()]


def passages_of(db: Path, path: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM passages WHERE doc_id IN "
            "(SELECT doc_id FROM document_versions WHERE path = $p UNION "
            "SELECT doc_id FROM documents WHERE path = $p)",
            {"p": str(path)},
        ).fetchone()[0]


def test_a_withdrawn_review_leaves_every_count(two_reviews) -> None:
    db, kept, mistaken = two_reviews
    assert passages_of(db, mistaken) > 0
    result = runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "withdrawn" in result.stdout and "findings run" in result.stdout
    assert documents(db) == [str(kept)]
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert status["counts"]["documents"] == 1
    assert passages_of(db, mistaken) == 0


def test_a_withdrawn_review_keeps_its_text_and_reason_for_audit(two_reviews) -> None:
    db, _, mistaken = two_reviews
    args = ["withdraw", str(mistaken), "--reason", "a national report", "--db", str(db)]
    assert runner.invoke(app, args).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        version = con.execute(
            "SELECT replaced_by, text FROM document_versions WHERE source_path = ?",
            [str(mistaken.resolve())],
        ).fetchone()
    assert version[0] == "withdrawn" and "Fleetwood" in version[1]
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert [(w["source_path"], w["reason"]) for w in status["withdrawn"]] == [
        (str(mistaken.resolve()), "a national report")
    ]


def test_a_later_ingest_of_the_folder_leaves_a_withdrawn_file_out(two_reviews) -> None:
    db, kept, mistaken = two_reviews
    runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    again = runner.invoke(app, ["ingest", str(kept.parent), "--db", str(db), "--json"])
    report = json.loads(again.stdout)
    assert (report["added"], report["skipped"]) == (0, 2)
    assert [w["path"] for w in report["withdrawn"]] == [str(mistaken)]
    assert documents(db) == [str(kept)]
    shown = runner.invoke(app, ["ingest", str(kept.parent), "--db", str(db)]).stdout
    assert "withdraw --undo" in " ".join(shown.split())


def test_an_edited_withdrawn_file_stays_out(two_reviews) -> None:
    db, kept, mistaken = two_reviews
    runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    mistaken.write_text(TRANSCRIPT.replace("Blackpool", "Morecambe"))
    report = json.loads(
        runner.invoke(app, ["ingest", str(kept.parent), "--db", str(db), "--json"]).stdout
    )
    assert report["added"] == 0 and documents(db) == [str(kept)]


def test_undo_brings_a_withdrawn_file_back_at_the_next_ingest(two_reviews) -> None:
    db, kept, mistaken = two_reviews
    runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    assert runner.invoke(app, ["withdraw", "--undo", str(mistaken), "--db", str(db)]).exit_code == 0
    report = json.loads(
        runner.invoke(app, ["ingest", str(kept.parent), "--db", str(db), "--json"]).stdout
    )
    assert report["added"] == 1 and report["withdrawn"] == []
    assert documents(db) == sorted([str(kept), str(mistaken)])


def test_a_review_whose_file_is_gone_can_be_withdrawn(two_reviews) -> None:
    db, _, mistaken = two_reviews
    mistaken.unlink()
    assert runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)]).exit_code == 0
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert status["files_gone"] == [] and status["counts"]["documents"] == 1


def test_a_path_that_names_no_review_is_one_line_and_the_rest_go_on(two_reviews) -> None:
    db, kept, mistaken = two_reviews
    nowhere = kept.parent / "never-ingested.txt"
    result = runner.invoke(app, ["withdraw", str(nowhere), str(mistaken), "--db", str(db)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "never-ingested.txt" in lines[0] and "no review" in lines[0]
    assert documents(db) == [str(kept)]
    undo = runner.invoke(app, ["withdraw", "--undo", str(kept), "--db", str(db)])
    assert undo.exit_code == 1 and "not withdrawn" in undo.stderr


def test_a_file_named_from_another_folder_is_found_by_its_name(
    two_reviews, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, kept, mistaken = two_reviews
    monkeypatch.chdir(kept.parent.parent.parent)  # two folders above the corpus
    named = Path(kept.parent.name) / mistaken.name  # corpus/fleetwood.txt, not from here
    assert runner.invoke(app, ["withdraw", str(named), "--db", str(db)]).exit_code == 0
    assert documents(db) == [str(kept)]
    assert runner.invoke(app, ["withdraw", "--undo", mistaken.name, "--db", str(db)]).exit_code == 0


def test_a_name_several_reviews_share_is_refused_with_their_paths(two_reviews) -> None:
    db, kept, _ = two_reviews
    other = kept.parent / "more" / kept.name
    other.parent.mkdir()
    other.write_text(TRANSCRIPT.replace("Blackpool", "Preston"))
    assert runner.invoke(app, ["ingest", str(other), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["withdraw", kept.name, "--db", str(db)])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "2 reviews" in said and str(other.resolve()) in said
    assert len(documents(db)) == 3


def test_a_file_here_that_was_never_read_is_never_taken_for_another(
    two_reviews, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Named by the end of its path, a file elsewhere once withdrew the corpus's review of the
    # same name: a file that exists is only ever itself.
    db, kept, mistaken = two_reviews
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / mistaken.name).write_text("another file, never ingested")
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["withdraw", mistaken.name, "--db", str(db)])
    assert result.exit_code == 1 and "no review" in result.stderr
    assert documents(db) == sorted([str(kept), str(mistaken)])


def test_withdrawing_twice_says_when_it_was_withdrawn(two_reviews) -> None:
    db, _, mistaken = two_reviews
    first = runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    assert str(mistaken.resolve()) in first.stdout  # the stored path, not only as typed
    again = runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    assert again.exit_code == 1 and "already withdrawn on" in again.stderr


def test_a_folder_is_refused_with_what_to_name(two_reviews) -> None:
    db, kept, _ = two_reviews
    result = runner.invoke(app, ["withdraw", str(kept.parent), "--db", str(db)])
    assert result.exit_code == 1 and "a folder" in result.stderr
    assert len(documents(db)) == 2


def test_a_withdrawn_review_whose_file_is_gone_is_not_brought_back(two_reviews) -> None:
    # Brought back without its file, it would be in no count, no withdrawn list, no gone list.
    db, _, mistaken = two_reviews
    runner.invoke(app, ["withdraw", str(mistaken), "--db", str(db)])
    mistaken.unlink()
    result = runner.invoke(app, ["withdraw", "--undo", str(mistaken), "--db", str(db)])
    assert result.exit_code == 1 and "its file is gone" in result.stderr
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert [w["source_path"] for w in status["withdrawn"]] == [str(mistaken.resolve())]


def test_a_withdrawn_files_warnings_leave_with_it(tmp_path: Path) -> None:
    review = tmp_path / "notes.txt"
    review.write_text(TRANSCRIPT)
    db = tmp_path / "w.duckdb"
    runner.invoke(app, ["ingest", str(review), "--area", "Atlantis", "--db", str(db)])
    before = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert before["counts"]["warnings"] >= 1
    assert runner.invoke(app, ["withdraw", str(review), "--db", str(db)]).exit_code == 0
    after = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert after["counts"]["warnings"] == 0


def test_withdraw_without_a_warehouse_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    result = runner.invoke(app, ["withdraw", str(tmp_path / "x.txt"), "--db", str(db)])
    assert result.exit_code == 1 and "no warehouse" in result.stderr
    assert not db.exists()


@pytest.mark.slow
def test_the_seed_report_withdrawn_leaves_the_next_theme_run(
    seeded_copy: Path, seed_path: Path, open_app
) -> None:
    # The way the product failed first: the real national report counted as a review.
    from pipeline.embed.models import load_embedder
    from pipeline.storage import open_warehouse
    from pipeline.storage.publish import publish_snapshot
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    db = seeded_copy
    args = ["withdraw", str(seed_path), "--reason", "national, not a review", "--db", str(db)]
    assert runner.invoke(app, args).exit_code == 0
    with open_warehouse(db) as con:
        run = ThemeRunner(con, load_embedder(), load_codebook(REPO / "models" / "codebook.yaml"))
        run_id = run.run().run_id
        in_themes = con.execute(
            "SELECT count(DISTINCT d.doc_id), count(*) FILTER (WHERE d.doc_id IS NULL) "
            "FROM passage_themes pt LEFT JOIN passages p USING (passage_id) "
            "LEFT JOIN documents d USING (doc_id) WHERE pt.run_id = ?",
            [run_id],
        ).fetchone()
        national = con.execute("SELECT count(*) FROM documents WHERE scope = 'national'").fetchone()
    assert in_themes == (24, 0)  # the 24 sample reviews, no passage of the withdrawn report
    assert national == (0,)
    publish_snapshot(db, run_id)
    page = open_app("national", db=db)
    changed = " ".join(m.value for m in page.markdown)
    assert "withdrawn by hand" in changed and "not a review" in changed


@pytest.mark.slow
def test_no_theme_keeps_a_quote_of_a_withdrawn_report(seeded_copy: Path, seed_path: Path) -> None:
    # Dormant themes kept descriptions quoting the withdrawn report, and exports showed them.
    db = seeded_copy
    sql = (
        "SELECT t.theme_id, t.description FROM themes t WHERE list_has_any(t.quote_passage_ids, "
        "(SELECT list(passage_id) FROM passages p JOIN documents d USING (doc_id) "
        "WHERE d.path = ?))"
    )
    with duckdb.connect(str(db), read_only=True) as con:
        quoting = dict(con.execute(sql, [str(seed_path)]).fetchall())
        seed_ids = {
            r[0]
            for r in con.execute(
                "SELECT passage_id FROM passages p JOIN documents d USING (doc_id) "
                "WHERE d.path = ?",
                [str(seed_path)],
            ).fetchall()
        }
    assert quoting and all(quoting.values())  # the seed's words were on show
    assert runner.invoke(app, ["withdraw", str(seed_path), "--db", str(db)]).exit_code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT theme_id, description, quote_passage_ids FROM themes").fetchall()
    after = {theme: (description, set(ids or [])) for theme, description, ids in rows}
    assert all(not (ids & seed_ids) for _, ids in after.values())
    assert all(after[theme][0] == "" for theme in quoting)


@pytest.mark.slow
def test_a_withdrawn_report_brought_back_returns_to_its_themes(
    seeded_copy: Path, seed_path: Path
) -> None:
    # Tried as a user would: withdrawn, run, withdrawal undone, run. Its passages came back
    # as new ones and the themes it had made were made again under new ids and labels.
    from pipeline.embed.models import load_embedder
    from pipeline.ingest.ingester import Ingester
    from pipeline.settings import Settings
    from pipeline.storage import open_warehouse, theme_runs
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    db = seeded_copy
    with duckdb.connect(str(db), read_only=True) as con:
        before = dict(
            con.execute(
                "SELECT passage_id, theme_id FROM current_passage_themes JOIN passages "
                "USING (passage_id) JOIN documents d USING (doc_id) WHERE d.path = ?",
                [str(seed_path)],
            ).fetchall()
        )
        labels = dict(con.execute("SELECT theme_id, label FROM themes").fetchall())
    assert before
    book = load_codebook(REPO / "models" / "codebook.yaml")
    assert runner.invoke(app, ["withdraw", str(seed_path), "--db", str(db)]).exit_code == 0
    with open_warehouse(db) as con:
        ThemeRunner(con, load_embedder(), book).run()
    gone = runner.invoke(app, ["show", next(iter(before))[:12], "--db", str(db)])
    assert gone.exit_code == 1 and "no longer in the warehouse" in gone.stderr
    undo = ["withdraw", str(seed_path), "--undo", "--db", str(db)]
    assert runner.invoke(app, undo).exit_code == 0
    with open_warehouse(db) as con:
        assert Ingester(con, Settings(db=db)).ingest([seed_path]).added == 1
        back = ThemeRunner(con, load_embedder(), book).run()
        after = theme_runs.run_assignments(con, back.run_id)
        relabelled = con.execute(
            "SELECT theme_id, label FROM themes WHERE status <> 'dormant'"
        ).fetchall()
    assert {p: after.get(p) for p in before} == before
    assert back.new_themes == 0
    # The themes it had made carry their labels again (derived from the same passages).
    assert {t: label for t, label in relabelled if t in set(before.values())} == {
        t: labels[t] for t in set(before.values())
    }
