from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, assume, example, given, settings

from pipeline.cli import app
from pipeline.cli.console import out
from tests.cli.commands import controls_in, runner, shows, untrusted_text
from tests.conftest import SEED, published_copy


def test_query_and_search_commands_answer_in_json(themed_db: Path) -> None:
    db = str(themed_db)
    themes = runner.invoke(app, ["query", "themes", "--db", db, "--region", "Wales", "--json"])
    assert themes.exit_code == 0, themes.output
    ranked = json.loads(themes.stdout)
    assert ranked and ranked[0]["n_documents"] <= 2
    theme = str(ranked[0]["theme_id"])
    quoted = runner.invoke(app, ["query", "quotes", "--theme", theme, "--db", db, "--json"])
    assert {"text", "title", "area", "region", "review_date", "speaker"} <= set(
        json.loads(quoted.stdout)[0]
    )
    trend = runner.invoke(
        app, ["query", "trends", "--theme", theme, "--by", "region", "--db", db, "--json"]
    )
    assert trend.exit_code == 0 and json.loads(trend.stdout)
    matrix = runner.invoke(app, ["query", "matrix", "--by", "review", "--db", db, "--json"])
    assert matrix.exit_code == 0 and json.loads(matrix.stdout)
    since = runner.invoke(app, ["query", "themes", "--db", db, "--since", "2019-13", "--json"])
    assert since.exit_code == 2
    found = runner.invoke(app, ["search", "Caister", "--db", db, "--json", "--limit", "3"])
    assert "Caister" in json.loads(found.stdout)[0]["text"]


def test_search_on_an_index_without_postings_exits_1_saying_what_to_do(
    db_without_postings: Path,
) -> None:
    found = runner.invoke(app, ["search", "Caister", "--db", str(db_without_postings)])
    assert found.exit_code == 1
    assert "findings run" in found.output
    assert "Traceback" not in found.output


def test_asking_before_any_warehouse_says_run_first(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "themes", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "run `findings run` first" in " ".join(result.output.split())


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["query", "themes"],
        ["query", "matrix", "--by", "area"],
        ["search", "cuckooing"],
        ["search", "Xanax"],
        ["search", "young people held in debt", "--semantic"],
    ],
)
def test_every_answer_on_the_seed_report_reads_cleanly(seed_themed_db: Path, args) -> None:
    # The seed has no region, force or date: what a command prints must not show NaN or fail.
    result = runner.invoke(app, [*args, "--db", str(seed_themed_db)])
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    assert "Traceback" not in result.output
    assert not re.search(r"\bnan\b|NaT|None\b", result.output), result.output


def test_quotes_of_a_seed_theme_come_from_the_seed(seed_themed_db: Path) -> None:
    db = str(seed_themed_db)
    # The seed alone is a national report: themes hold its passages but no review raises them.
    ranked = json.loads(runner.invoke(app, ["query", "themes", "--db", db, "--json"]).stdout)
    assert ranked == []
    with duckdb.connect(db, read_only=True) as con:
        (theme,) = con.execute(
            "SELECT theme_id FROM themes WHERE status <> 'dormant' ORDER BY n_passages DESC"
        ).fetchone()
    quoted = runner.invoke(app, ["query", "quotes", "--theme", str(theme), "--db", db, "--json"])
    assert quoted.exit_code == 0, quoted.output
    rows = json.loads(quoted.stdout)
    seed_text = " ".join(SEED.read_text(encoding="utf-8").split())
    assert rows and all(row["area"] == "National" for row in rows)
    assert all(row["scope"] == "national" for row in rows)
    assert all(" ".join(row["text"].split())[:60] in seed_text for row in rows)


@pytest.fixture(scope="module")
def rewritable_db(themed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the themed sample whose passages and titles a test may rewrite."""
    db = tmp_path_factory.mktemp("rewritable") / "w.duckdb"
    shutil.copy(themed_db, db)
    return db


def first_row(db: Path, *args: str) -> dict:
    """The first row a `findings ... --json` command answers with."""
    result = runner.invoke(app, [*args, "--db", str(db), "--json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]


def rewrite(db: Path, passage_id: str, text: str, title: str) -> None:
    """Give one passage, and the document it is from, the text and title a test chose."""
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE passages SET text = ? WHERE passage_id = ?", [text, passage_id])
        con.execute(
            "UPDATE documents SET title = ? "
            "WHERE doc_id = (SELECT doc_id FROM passages WHERE passage_id = ?)",
            [title, passage_id],
        )


@pytest.fixture(scope="module", autouse=True)
def wide_stdout() -> Iterator[None]:
    """A console too wide to wrap a table's cells.

    COLUMNS is read when the console is made: a test worker started with COLUMNS=80 keeps 80
    whatever a later command's environment says, and a long word folds across lines.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(out, "width", 5000)
        yield


def shown_by(db: Path, command: list[str], *arguments: str, redact: bool = True) -> str:
    """What a command prints as a table (on a console wide enough not to wrap).

    Redaction may rightly rewrite a drawn text ("GAO" reads as a name): a test of a passage
    reaching the terminal as written asks for it unredacted, as a reviewer may.
    """
    shown = "--redact" if redact else "--no-redact"
    args = [*command, "--db", str(db), "--limit", "1", shown, "--", *arguments]  # "-0": no option
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert controls_in(result.stdout) == []
    return result.stdout


UNTRUSTED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def top_quote(rewritable_db: Path) -> tuple[str, str]:
    """The top theme's id and its first quote's passage id."""
    themes = runner.invoke(app, ["query", "themes", "--db", str(rewritable_db), "--json"])
    theme = str(json.loads(themes.stdout)[0]["theme_id"])
    return theme, first_row(rewritable_db, "query", "quotes", "--theme", theme)["passage_id"]


@UNTRUSTED
@given(passage=untrusted_text(), title=untrusted_text())
@example(passage=("[/] \x1b[2Jcleared", "[/] cleared"), title=("[bold]t[/]", "[bold]t[/]"))
def test_query_quotes_shows_any_passage_and_title_as_written(
    rewritable_db: Path,
    top_quote: tuple[str, str],
    passage: tuple[str, str],
    title: tuple[str, str],
) -> None:
    theme, passage_id = top_quote
    rewrite(rewritable_db, passage_id, passage[0], title[0])
    output = shown_by(rewritable_db, ["query", "quotes", "--theme", theme], redact=False)
    assert shows(output, passage[1]) and shows(output, title[1])


@UNTRUSTED
@given(passage=untrusted_text(), title=untrusted_text())
@example(passage=("[/] \x1b]0;pwned\x07x", "[/] x"), title=("[red on]", "[red on]"))
@example(passage=("GAO", "GAO"), title=("0", "0"))  # redaction took it for a name
@example(passage=("0" * 38 + "\u2ff0", "0" * 38 + "\u2ff0"), title=("0", "0"))  # folded at 80
def test_search_shows_any_passage_and_title_as_written(
    rewritable_db: Path, passage: tuple[str, str], title: tuple[str, str]
) -> None:
    # By meaning alone: the rewritten passage keeps its vector, so it stays the top hit, where
    # words would rank another passage first once "Caister" is gone from its text.
    found = first_row(rewritable_db, "search", "Caister", "--mode", "semantic")
    rewrite(rewritable_db, found["passage_id"], passage[0], title[0])
    output = shown_by(rewritable_db, ["search", "--mode", "semantic"], "Caister", redact=False)
    assert shows(output, passage[1]) and shows(output, title[1])


@UNTRUSTED
@given(query=untrusted_text(line_breaks=False))
@example(query=("[/]", "[/]"))
def test_search_shows_any_query_as_written(themed_db: Path, query: tuple[str, str]) -> None:
    assume(query[0].strip())  # a blank query is a usage error (the test below)
    output = shown_by(themed_db, ["search"], query[0])
    assert shows(output, f"Search: {query[1]}")


def test_a_search_that_finds_nothing_says_so_instead_of_an_empty_table(themed_db: Path) -> None:
    args = ["search", "zzqxv", "--mode", "keyword", "--db", str(themed_db)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "nothing found" in result.stdout and "score" not in result.stdout


@pytest.mark.parametrize("blank", ["", "   ", "\r"])
def test_a_blank_search_is_a_usage_error(themed_db: Path, blank: str) -> None:
    result = runner.invoke(app, ["search", "--db", str(themed_db), "--", blank])
    assert result.exit_code == 2 and "give some words" in result.output


def test_a_pasted_page_as_a_query_is_named_by_its_start(themed_db: Path) -> None:
    pasted = "county lines and cuckooing " * 300
    args = ["search", "--mode", "keyword", "--limit", "1", "--db", str(themed_db), "--", pasted]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "…" in result.stdout and len(result.stdout) < 3 * len(pasted) // 10


def test_a_theme_merged_in_the_codebook_shows_where_it_went(
    themed_db: Path, tmp_path: Path
) -> None:
    from pipeline.themes.codebook import update_curation

    merged, into = (row["theme_id"] for row in json.loads(
        runner.invoke(app, ["query", "themes", "--db", str(themed_db), "--json"]).stdout
    )[:2])  # fmt: skip
    codebook = tmp_path / "codebook.yaml"
    shutil.copy(Path(__file__).parents[2] / "models" / "codebook.yaml", codebook)
    update_curation(codebook, merged, merge_into=into)
    args = ["query", "quotes", "--theme", str(merged), "--db", str(themed_db), "--json"]
    result = runner.invoke(app, args, env={"FINDINGS_CODEBOOK": str(codebook)})
    assert result.exit_code == 0, result.output
    assert f"merged into #{into}" in " ".join(result.stderr.split())
    theme_of = dict(duckdb.connect(str(themed_db), read_only=True).execute(
        "SELECT passage_id, theme_id FROM current_passage_themes"
    ).fetchall())  # fmt: skip
    assert {theme_of[row["passage_id"]] for row in json.loads(result.stdout)} == {into}


def test_a_theme_marked_not_relevant_is_refused_as_such(themed_db: Path, tmp_path: Path) -> None:
    hidden = ("UPDATE themes SET status = 'not_relevant' WHERE theme_id = 1", [])
    db = published_copy(themed_db, tmp_path / "hidden.duckdb", hidden)
    result = runner.invoke(app, ["query", "quotes", "--theme", "1", "--db", str(db)])
    assert result.exit_code != 0
    assert "marked not relevant" in " ".join(result.output.split())


@pytest.fixture
def ingested_only(tmp_path: Path) -> Path:
    """A warehouse with one review ingested and never run (no vectors, no themes)."""
    from tests.ingest.test_ingester import TRANSCRIPT

    review = tmp_path / "blackpool.txt"
    review.write_text(TRANSCRIPT)
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["ingest", str(review), "--db", str(db)]).exit_code == 0
    return db


def test_search_before_any_run_finds_by_words_and_says_what_it_cannot_see(
    ingested_only: Path,
) -> None:
    # Once: 'Search: county lines: nothing found' after an ingest, exit 0, with no hint.
    args = ["search", "pupil referral unit", "--db", str(ingested_only), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert any("pupil referral unit" in row["text"] for row in json.loads(result.stdout))
    assert "cannot be found by meaning yet" in " ".join(result.stderr.split())


def test_query_themes_before_any_run_says_to_run(ingested_only: Path) -> None:
    result = runner.invoke(app, ["query", "themes", "--db", str(ingested_only)])
    assert result.exit_code == 0 and "No theme run yet" in result.stderr
