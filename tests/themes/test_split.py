"""Splitting a theme: the hierarchy's proposal, the plan of decisions, and a real split that
keeps two themes with stable ids through an incremental run and a refit."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.access.codings import load_decisions
from pipeline.cli import app
from pipeline.embed.models import load_embedder
from pipeline.storage import open_warehouse, theme_runs
from pipeline.themes.codebook import PEOPLES_FIRST_THEME_ID, add_split_theme, load_codebook
from pipeline.themes.decisions import CodingAction
from pipeline.themes.run import ThemeRunner
from pipeline.themes.split import SplitError, SubTheme, plan_split, propose_split
from tests.cli.commands import runner
from tests.conftest import REPO


def two_clouds(n: int = 6) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    left = rng.normal(0, 0.05, (n, 4)) + np.array([1, 0, 0, 0])
    right = rng.normal(0, 0.05, (n - 2, 4)) + np.array([0, 1, 0, 0])
    return [f"p{i:02d}" for i in range(2 * n - 2)], np.vstack([left, right])


def test_the_proposal_separates_two_groups_largest_first() -> None:
    ids, vectors = two_clouds()
    first, second = propose_split(ids, vectors)
    assert (first.number, set(first.passage_ids)) == (1, set(ids[:6]))
    assert (second.number, set(second.passage_ids)) == (2, set(ids[6:]))


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(10))))
def test_the_proposal_does_not_depend_on_the_order_of_passages(order: list[int]) -> None:
    ids, vectors = two_clouds()
    shuffled = propose_split([ids[i] for i in order], vectors[order])
    assert shuffled == propose_split(ids, vectors)


def test_too_few_passages_cannot_be_split() -> None:
    with pytest.raises(SplitError, match="cannot be split"):
        propose_split(["a", "b", "c"], np.eye(3))


PROPOSAL = [SubTheme(1, ("a", "b", "c")), SubTheme(2, ("d", "e")), SubTheme(3, ("f", "g"))]


def test_a_plan_moves_each_new_sub_theme_and_takes_off_those_not_kept() -> None:
    plan = plan_split(7, PROPOSAL, keep=[1, 3], new_ids=[40])
    moved = {(p, t) for p, t, a, _ in plan.decisions if a is CodingAction.move}
    removed = {(p, t) for p, t, a, _ in plan.decisions if a is CodingAction.remove}
    assert moved == {("f", 40), ("g", 40)} and removed == {("d", 7), ("e", 7)}
    assert plan.kept_on_theme == 1


def test_the_first_kept_sub_theme_keeps_the_id_even_when_it_is_not_the_largest() -> None:
    plan = plan_split(7, PROPOSAL, keep=[2, 1], new_ids=[40])
    assert {(p, t) for p, t, a, _ in plan.decisions if a is CodingAction.move} == {
        ("a", 40), ("b", 40), ("c", 40),
    }  # fmt: skip


@pytest.mark.parametrize(("keep", "says"), [([], "keep at least one"), ([4], "no sub-theme 4")])
def test_a_plan_refuses_what_the_proposal_does_not_hold(keep: list[int], says: str) -> None:
    with pytest.raises(SplitError, match=says):
        plan_split(7, PROPOSAL, keep=keep, new_ids=[])


def test_split_ids_are_peoples_own_and_never_reused(tmp_path: Path) -> None:
    book = tmp_path / "codebook.yaml"
    book.write_text("# kept header\nthemes:\n  12:\n    label: Debt\n", encoding="utf-8")
    first = add_split_theme(book, 3, first_free_id=10, label="Part two")
    second = add_split_theme(book, 3, first_free_id=10)
    # Numbered apart from the machine's themes (12 and below here), one after another.
    assert (first, second) == (PEOPLES_FIRST_THEME_ID, PEOPLES_FIRST_THEME_ID + 1)
    loaded = load_codebook(book)
    assert loaded.curations[first].split_from == 3 and loaded.curations[first].label == "Part two"
    assert loaded.split_theme_ids == {first, second}
    assert book.read_text(encoding="utf-8").startswith("# kept header\n")


@dataclass(frozen=True)
class Split:
    theme_id: int
    new_id: int
    kept: set[str]
    split_off: set[str]
    after_update: dict[str, int]
    after_refit: dict[str, int]
    after_second_refit: dict[str, int]
    labels: dict[int, str]


@pytest.fixture(scope="module")
def split(themed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Split:
    folder = tmp_path_factory.mktemp("split-run")
    db = folder / "w.duckdb"
    shutil.copy(themed_db, db)  # no published snapshot beside it: the CLI reads the warehouse
    book = folder / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", book)
    store = folder / "team.sqlite"
    env = {"FINDINGS_CODEBOOK": str(book), "FINDINGS_TEAM_DB": str(store)}
    with duckdb.connect(str(db), read_only=True) as con:
        theme_id = con.execute(
            "SELECT theme_id FROM current_passage_themes GROUP BY 1 ORDER BY count(*) DESC, 1 "
            "LIMIT 1"
        ).fetchone()[0]
    shown = runner.invoke(app, ["codebook", "split", str(theme_id), "--json", "--db", str(db)],
                          env=env)  # fmt: skip
    assert shown.exit_code == 0, shown.output
    first, second = json.loads(shown.stdout)
    done = runner.invoke(
        app, ["codebook", "split", str(theme_id), "--keep", "1", "--keep", "2",
              "--label", "Split-off part", "--json", "--db", str(db)], env=env,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (new_id,) = json.loads(done.stdout)["new_theme_ids"]
    embedder = load_embedder()
    results = []
    with open_warehouse(db) as con:
        for refit in (False, True, True):
            report = ThemeRunner(
                con, embedder, load_codebook(book), "blank", decisions=load_decisions(store)
            ).run(refit=refit)
            results.append(theme_runs.run_assignments(con, report.run_id))
        labels = dict(con.execute("SELECT theme_id, label FROM themes").fetchall())
    return Split(theme_id, new_id, set(first["passage_ids"]), set(second["passage_ids"]),
                 *results, labels)  # fmt: skip


def test_a_split_makes_a_new_theme_past_every_id_the_warehouse_had(
    split: Split, themed_db: Path
) -> None:
    with duckdb.connect(str(themed_db), read_only=True) as con:
        highest = con.execute("SELECT max(theme_id) FROM themes").fetchone()[0]
    assert split.new_id > highest


@pytest.mark.parametrize("run", ["after_update", "after_refit", "after_second_refit"])
def test_the_split_off_passages_stay_on_the_new_theme(split: Split, run: str) -> None:
    assignments = getattr(split, run)
    assert {assignments[p] for p in split.split_off} == {split.new_id}


@pytest.mark.parametrize("run", ["after_update", "after_refit", "after_second_refit"])
def test_both_themes_of_a_split_keep_their_ids(split: Split, run: str) -> None:
    assignments = getattr(split, run)
    on_theme = {p for p, t in assignments.items() if t == split.theme_id}
    # The kept part stays on the theme's id (the machine may still move a few of them after a
    # refit, as it may any undecided passage): most of it, and none of the split-off part.
    assert len(on_theme & split.kept) >= 0.8 * len(split.kept)
    assert not on_theme & split.split_off


def test_runs_after_a_split_number_their_themes_below_peoples(split: Split) -> None:
    # Were the machine to count on from the split's id, its next new theme would take the id
    # the next split is about to be given: the two must never share a range.
    machine = {t for t in split.labels if t != split.new_id}
    assert split.new_id >= PEOPLES_FIRST_THEME_ID
    assert machine and max(machine) < PEOPLES_FIRST_THEME_ID


def test_the_new_theme_takes_the_name_the_person_gave(split: Split) -> None:
    assert split.labels[split.new_id] == "Split-off part"


@dataclass(frozen=True)
class Workspace:
    """A copy of the themed warehouse, a codebook and a team store, and the CLI's environment."""

    db: Path
    book: Path
    store: Path

    @property
    def env(self) -> dict[str, str]:
        return {"FINDINGS_CODEBOOK": str(self.book), "FINDINGS_TEAM_DB": str(self.store)}


@pytest.fixture
def workspace(themed_db: Path, tmp_path: Path) -> Workspace:
    db = tmp_path / "w.duckdb"
    shutil.copy(themed_db, db)
    book = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", book)
    return Workspace(db, book, tmp_path / "team.sqlite")


def test_two_splits_in_a_row_before_any_run_get_different_ids(workspace: Workspace) -> None:
    db, book, env = workspace.db, workspace.book, workspace.env
    with duckdb.connect(str(db), read_only=True) as con:
        largest = [t for (t,) in con.execute(
            "SELECT theme_id FROM current_passage_themes GROUP BY 1 ORDER BY count(*) DESC, 1 "
            "LIMIT 2"
        ).fetchall()]  # fmt: skip
    made = []
    for theme_id in largest:
        done = runner.invoke(
            app, ["codebook", "split", str(theme_id), "--keep", "1", "--keep", "2", "--json",
                  "--db", str(db)], env=env,
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        made.extend(json.loads(done.stdout)["new_theme_ids"])
    assert len(made) == 2 and len(set(made)) == 2
    assert {t: c.split_from for t, c in load_codebook(book).curations.items()} == dict(
        zip(made, largest, strict=True)
    )


def test_a_refused_split_leaves_the_codebook_and_the_decisions_alone(
    workspace: Workspace,
) -> None:
    db, book, store, env = workspace.db, workspace.book, workspace.store, workspace.env
    before = book.read_text(encoding="utf-8")
    refused = runner.invoke(
        app, ["codebook", "split", "1", "--keep", "1", "--keep", "5", "--db", str(db)], env=env
    )
    assert refused.exit_code != 0 and "no sub-theme 5" in " ".join(refused.output.split())
    assert book.read_text(encoding="utf-8") == before
    assert load_decisions(store) == []
