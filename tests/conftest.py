"""Shared fixtures: settings over a temporary warehouse, the sample corpus, the seed report."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from pipeline.ingest.ingester import Ingester
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.storage.publish import publish_snapshot

if TYPE_CHECKING:  # imported where used: loading Streamlit costs every test that does not
    from streamlit.testing.v1 import AppTest

    from pipeline.themes.decisions import CodingDecision

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_39d88d9572103bf9.txt"
CORPUS = REPO / "corpus"
DOCUMENTS = Path(__file__).resolve().parent / "documents"  # test documents written for the suite


def pytest_configure(config: pytest.Config) -> None:
    """Keep Prefect's state in a temporary home; in CI, require `../shared`.

    Without `../shared` (the seed report, ONS lookups, REFI-QDA schemas) its tests would skip,
    and a green CI run would hide that they never ran.
    """
    # Flows run anywhere in the suite keep their state out of the user's ~/.prefect.
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="findings-prefect-")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.pop("PREFECT_API_URL", None)
    needed = (SEED, SHARED / "reference" / "ons", SHARED / "refi-qda")
    missing = [str(path) for path in needed if not path.exists()]
    if os.environ.get("CI") and missing:
        raise pytest.UsageError(f"CI needs ../shared beside the checkout; missing: {missing}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the temporary Prefect home."""
    shutil.rmtree(os.environ.get("PREFECT_HOME", ""), ignore_errors=True)


def require_shared(path: Path) -> Path:
    """A file from ../shared: skipped outside CI when absent (CI refuses to start without it)."""
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout (../shared)")
    return path


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One temporary Prefect API for the tests that run flows, stopped cleanly at session end.

    Not autouse: starting it costs ~10 s, which only flow-running tests should pay.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(autouse=True)
def keep_main_module() -> Iterator[None]:
    """Put `__main__` back after each test.

    Streamlit's AppTest runs app.py as `__main__` and leaves it there; a later test that starts
    processes by spawning (Dask workers) would then re-run app.py in each child.
    """
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh warehouse file."""
    return Settings(db=tmp_path / "findings.duckdb")


@pytest.fixture
def warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated DuckDB warehouse on disk."""
    con = open_warehouse(settings.db)
    yield con
    con.close()


@pytest.fixture
def ingester(warehouse: duckdb.DuckDBPyConnection, settings: Settings) -> Ingester:
    """An ingester writing to the temporary warehouse."""
    return Ingester(warehouse, settings)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The real national synthesis report (text extracted from a PDF)."""
    return require_shared(SEED)


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> Path:
    """A warehouse holding only the seed report."""
    db = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    with open_warehouse(db) as con:
        report = Ingester(con, Settings(db=db)).ingest([seed_path])
    assert report.added == 1, report.errors
    return db


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the bundled sample corpus."""
    db = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    with open_warehouse(db) as con:
        report = Ingester(con, Settings(db=db)).ingest([CORPUS])
    assert report.errors == [], report.errors
    return db


def embed_and_theme(source: Path, target: Path) -> Path:
    """A copy of a warehouse, embedded, with one theme run, and published for readers."""
    from pipeline.embed.missing import embed_passages
    from pipeline.embed.models import load_embedder
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    shutil.copy(source, target)
    with open_warehouse(target) as con:
        embedder = load_embedder()
        embed_passages(con, embedder)
        ThemeRunner(con, embedder, load_codebook(REPO / "models" / "codebook.yaml")).run()
    publish_snapshot(target, "fixture")  # the viewer reads only published snapshots
    return target


@pytest.fixture(scope="session")
def themed_db(tmp_path_factory: pytest.TempPathFactory, corpus_db: Path) -> Path:
    """The sample corpus embedded and with one theme run (read-only use, please)."""
    return embed_and_theme(corpus_db, tmp_path_factory.mktemp("themed") / "themed.duckdb")


@pytest.fixture(scope="session")
def seed_themed_db(tmp_path_factory: pytest.TempPathFactory, seed_db: Path) -> Path:
    """The seed report alone, embedded and with one theme run (read-only use, please)."""
    return embed_and_theme(seed_db, tmp_path_factory.mktemp("seed-themed") / "seed-themed.duckdb")


# The real seed report beside the sample corpus: once with whatever metadata ingest infers for
# it, once with no place and no date at all, embedded and themed.
SEED_VARIANTS = ("inferred", "unplaced")


def build_seeded_warehouse(themed_db: Path, seed: Path, out: Path, *, unplaced: bool) -> Path:
    """The themed sample corpus plus the seed report, ingested, embedded and themed again.

    `unplaced` removes the seed's area, region, police force, nation and date before the theme
    run, as for a report that names no place and no date.
    """
    from pipeline.embed.missing import embed_passages
    from pipeline.embed.models import load_embedder
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    shutil.copy(themed_db, out)
    with open_warehouse(out) as warehouse:
        report = Ingester(warehouse, Settings(db=out)).ingest([seed])
        assert report.added == 1, report.errors
        if unplaced:
            warehouse.execute(
                "UPDATE documents SET area = NULL, region = NULL, police_force = NULL, "
                "nation = NULL, review_date = NULL, review_date_precision = NULL WHERE path = ?",
                [str(seed)],
            )
        embedder = load_embedder()
        embed_passages(warehouse, embedder)
        ThemeRunner(warehouse, embedder, load_codebook(REPO / "models" / "codebook.yaml")).run()
    publish_snapshot(out, "fixture")
    return out


@pytest.fixture(scope="session")
def seeded(
    themed_db: Path, seed_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The sample corpus plus the seed report, per variant (read-only use, please)."""
    # A folder each: snapshots are published beside their warehouse.
    return {
        variant: build_seeded_warehouse(
            themed_db,
            seed_path,
            tmp_path_factory.mktemp(f"seeded-{variant}") / f"{variant}.duckdb",
            unplaced=variant == "unplaced",
        )
        for variant in SEED_VARIANTS
    }


@dataclass(frozen=True)
class EditedReview:
    """A warehouse where a coded passage's review was edited after the coding, and run again."""

    db: Path  # published
    retired: str  # the passage coded, an id the edit retired
    successor: str  # the passage holding its text now
    moved_to: int  # the theme it was moved to, before the edit
    first_version: str  # the review's document id when it was coded
    decision: CodingDecision


@pytest.fixture(scope="session")
def edited_review(tmp_path_factory: pytest.TempPathFactory) -> EditedReview:
    """The sample corpus themed; a passage moved; its review edited elsewhere; run again.

    Everything people hang on the old passage and document ids must follow the edit.
    """
    from pipeline.embed.missing import embed_passages
    from pipeline.embed.models import load_embedder
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.decisions import OUTLIER, CodingAction, CodingDecision
    from pipeline.themes.run import ThemeRunner

    root = tmp_path_factory.mktemp("edited")
    folder = root / "corpus"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("inbox"))
    db = root / "edited.duckdb"
    embedder = load_embedder()
    book = load_codebook(REPO / "models" / "codebook.yaml")
    with open_warehouse(db) as con:
        Ingester(con, Settings(db=db)).ingest([folder])
        embed_passages(con, embedder)
        ThemeRunner(con, embedder, book).run()
        # A passage on a theme in a text file, not its file's last (an edit appends a paragraph).
        retired, theme, doc_id, path, text = con.execute(
            "SELECT p.passage_id, t.theme_id, d.doc_id, d.source_path, p.text "
            "FROM passages AS p JOIN documents AS d USING (doc_id) "
            "JOIN current_passage_themes AS t USING (passage_id) "
            "WHERE t.theme_id <> ? AND d.path LIKE '%.txt' "
            "AND p.ordinal < (SELECT max(ordinal) - 1 FROM passages WHERE doc_id = p.doc_id) "
            "ORDER BY p.passage_id LIMIT 1",
            [OUTLIER],
        ).fetchone()
        (moved_to,) = con.execute(
            "SELECT min(theme_id) FROM themes WHERE theme_id NOT IN (?, ?) AND status <> 'dormant'",
            [theme, OUTLIER],
        ).fetchone()
        decided = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
        decision = CodingDecision(1, retired, moved_to, CodingAction.move, "ann", decided, "flat")
        with Path(path).open("a", encoding="utf-8") as review:
            review.write(
                "\n\nAdded after the visit: the partnership met again in the autumn and agreed "
                "a plan for the estate.\n"
            )
        report = Ingester(con, Settings(db=db)).ingest([folder])
        assert report.replaced == 1, report
        embed_passages(con, embedder)
        ThemeRunner(con, embedder, book, decisions=[decision]).run()
        (successor,) = con.execute(
            "SELECT passage_id FROM passages WHERE text = ?", [text]
        ).fetchone()
    assert successor != retired
    publish_snapshot(db, "edited")
    return EditedReview(db, retired, successor, moved_to, doc_id, decision)


def published_copy(source: Path, target: Path, *changes: tuple[str, list[object]]) -> Path:
    """A copy of a warehouse with `changes` (SQL and its parameters) made, published for readers."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        for sql, parameters in changes:
            con.execute(sql, parameters)
    publish_snapshot(target, target.stem)
    return target


@pytest.fixture
def db_without_postings(themed_db: Path, tmp_path: Path) -> Path:
    """The themed sample as a version before keyword postings left it (fts index, no postings)."""
    return published_copy(
        themed_db,
        tmp_path / "indexed-by-an-older-version.duckdb",
        ("DROP TABLE fts_main_passages.postings", []),
    )


@pytest.fixture
def locked_folder(tmp_path: Path) -> Iterator[Path]:
    """A batch folder holding a readable file (a.txt) and a folder no one may list (locked).

    Root reads it all the same: list it through `tests.helpers.unprivileged`.
    """
    batch = tmp_path / "batch"
    (batch / "locked").mkdir(parents=True)
    (batch / "a.txt").write_text(
        "Young people in the town are groomed with gifts and then told they owe a debt.\n"
    )
    (batch / "locked" / "b.txt").write_text("Lines come in from Liverpool.\n")
    (batch / "locked").chmod(0)
    yield batch
    (batch / "locked").chmod(0o755)


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", path)
    return path


@pytest.fixture
def open_app(
    themed_db: Path, codebook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., object]:
    """Start the app (as a browser load would) on a page, with the sample corpus's findings
    (or another database's)."""
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook_file))

    def start(page: str = "national", db: Path | None = None, **query: str) -> AppTest:
        monkeypatch.setenv("FINDINGS_DB", str(db or themed_db))
        return run_app(page, **query)

    return start


def run_app(page: str = "national", **query: str) -> AppTest:
    """The app as a browser load would run it (settings from the environment), on `page`."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params.update(query)
    app.run()
    if page != "national":
        app.switch_page(f"app_pages/{page}.py")
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture(autouse=True)
def team_store_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's audit trail in its own temporary team store, never the checkout's data/."""
    path = tmp_path / "team.sqlite"
    monkeypatch.setenv("FINDINGS_TEAM_DB", str(path))
    return path


@pytest.fixture(scope="session")
def named_themed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our test documents (a transcript full of names, numbers, e-mails), themed and published."""
    db = tmp_path_factory.mktemp("named-viewer") / "named.duckdb"
    with open_warehouse(db) as con:
        report = Ingester(con, Settings(db=db)).ingest([DOCUMENTS])
    assert report.added == 3, report.errors
    return embed_and_theme(db, db.with_name("named-themed.duckdb"))
