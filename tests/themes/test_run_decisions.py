"""People's decisions survive theme runs on a real warehouse: incremental, then --refit.

The sample corpus arrives in two parts. After the first run a person moves one passage, takes
another off its theme and gives a third a second theme; then the late reviews arrive (an
incremental run) and the themes are refitted. The decisions hold through both, and every run
reports where the machine proposed otherwise.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest

from pipeline.embed.missing import embed_passages
from pipeline.embed.models import load_embedder
from pipeline.ingest.ingester import Ingester
from pipeline.settings import Settings
from pipeline.storage import open_warehouse, theme_runs
from pipeline.storage.theme_runs import RunDecision
from pipeline.themes.codebook import load_codebook
from pipeline.themes.decisions import OUTLIER, CodingAction, CodingDecision, CodingState
from pipeline.themes.run import ThemeRunner, ThemeRunReport
from tests.conftest import REPO
from tests.themes.test_run import LATE, split_corpus

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class RunSeen:
    report: ThemeRunReport
    assignments: dict[str, int]
    decisions: list[RunDecision]
    counts: tuple[int, int]


@dataclass(frozen=True)
class Story:
    first: dict[str, int]
    moved: str
    moved_to: int
    removed: str
    removed_from: int
    added: str
    added_theme: int
    update: RunSeen
    refit: RunSeen


def seen(con, report: ThemeRunReport) -> RunSeen:
    counts = con.execute(
        "SELECT n_decisions, n_disagreements FROM theme_runs WHERE run_id = ?", [report.run_id]
    ).fetchone()
    return RunSeen(
        report,
        theme_runs.run_assignments(con, report.run_id),
        theme_runs.run_decisions(con, report.run_id),
        tuple(counts),
    )


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    early, late = split_corpus(tmp_path_factory.mktemp("split"), -LATE)
    db = tmp_path_factory.mktemp("decided") / "decided.duckdb"
    embedder = load_embedder()
    book = load_codebook(REPO / "models" / "codebook.yaml")
    with open_warehouse(db) as con:
        Ingester(con, Settings(db=db)).ingest([early])
        embed_passages(con, embedder)
        first_report = ThemeRunner(con, embedder, book, "blank").run()
        first = theme_runs.run_assignments(con, first_report.run_id)
        themed = sorted((p, t) for p, t in first.items() if t != OUTLIER)
        themes = sorted({t for _, t in themed})
        (moved, moved_from), (removed, removed_from), (added, added_on) = (
            themed[0], next(pt for pt in themed[1:] if pt[1] != themed[0][1]), themed[-1],
        )  # fmt: skip
        moved_to = next(t for t in themes if t != moved_from)
        added_theme = next(t for t in reversed(themes) if t != added_on)
        log = [
            CodingDecision(1, moved, moved_to, CodingAction.move, "ann", _at(1), "belongs there"),
            CodingDecision(2, removed, removed_from, CodingAction.remove, "bob", _at(2), "off"),
            CodingDecision(3, added, added_theme, CodingAction.add, "ann", _at(3), "also"),
        ]
        Ingester(con, Settings(db=db)).ingest([late])
        embed_passages(con, embedder)
        update = seen(con, ThemeRunner(con, embedder, book, "blank", decisions=log).run())
        refit = seen(con, ThemeRunner(con, embedder, book, "blank", decisions=log).run(refit=True))
    shutil.rmtree(early.parent)
    return Story(first, moved, moved_to, removed, removed_from, added, added_theme, update, refit)


def _at(minute: int):
    import datetime as dt

    return dt.datetime(2026, 1, 1, 12, minute, tzinfo=dt.UTC)


def test_the_second_run_is_incremental_and_takes_in_the_late_reviews(story: Story) -> None:
    assert story.update.report.mode == "update"
    assert set(story.update.assignments) > set(story.first)


def test_a_moved_passage_stays_moved_after_an_incremental_run(story: Story) -> None:
    assert story.update.assignments[story.moved] == story.moved_to


def test_a_moved_passage_stays_moved_after_a_refit(story: Story) -> None:
    assert story.refit.report.mode == "refit"
    assert story.refit.assignments[story.moved] == story.moved_to


@pytest.mark.parametrize("run", ["update", "refit"])
def test_a_passage_taken_off_its_theme_stays_off(story: Story, run: str) -> None:
    assert getattr(story, run).assignments[story.removed] != story.removed_from


@pytest.mark.parametrize("run", ["update", "refit"])
def test_an_added_theme_is_recorded_beside_the_machines(story: Story, run: str) -> None:
    rows = [d for d in getattr(story, run).decisions if d.passage_id == story.added]
    assert [(d.theme_id, d.state, d.coder) for d in rows] == [
        (story.added_theme, CodingState.added, "ann")
    ]
    assert getattr(story, run).assignments[story.added] != story.added_theme


@pytest.mark.parametrize("run", ["update", "refit"])
def test_each_run_reports_where_the_machine_disagreed(story: Story, run: str) -> None:
    result: RunSeen = getattr(story, run)
    disagreeing = {(d.passage_id, d.state) for d in result.decisions if d.disagrees}
    # The machine proposes its own theme for both again (it places from its own history).
    assert disagreeing == {
        (story.moved, CodingState.primary),
        (story.removed, CodingState.removed),
    }
    assert result.report.disagreements == 2 == result.counts[1]
    assert result.report.decisions_applied == 3 == result.counts[0]


@pytest.mark.parametrize("run", ["update", "refit"])
def test_the_machines_proposal_is_kept_beside_the_decision(story: Story, run: str) -> None:
    by_passage = {d.passage_id: d for d in getattr(story, run).decisions}
    assert by_passage[story.moved].machine_theme_id != story.moved_to
    assert by_passage[story.removed].machine_theme_id == story.removed_from
    assert by_passage[story.moved].why == "belongs there"
