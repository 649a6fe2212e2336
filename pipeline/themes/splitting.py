"""Carrying out a split of a theme: one path for the CLI's `findings codebook split` and the viewer.

`pipeline.themes.split` holds the pure parts (the proposal, the plan of decisions); this module
reads what they need from a snapshot and the team store, and writes the outcome: the new themes
to the codebook (their ids allocated inside its lock) and the passages' moves to the team store
as coding decisions, audited like any other. Nothing is written when the split is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.access.codings import load_decisions, save_decisions
from pipeline.access.roles import Role
from pipeline.errors import TeamStoreError
from pipeline.queries import _sql
from pipeline.storage import theme_runs
from pipeline.storage.embeddings import passage_vectors
from pipeline.themes.codebook import add_split_themes, load_codebook, remove_split_themes
from pipeline.themes.decisions import CodingDecision, current_decisions, overlay_decisions
from pipeline.themes.split import SplitError, SubTheme, kept_sub_themes, plan_split, propose_split


@dataclass(frozen=True)
class SplitResult:
    """What a split did."""

    theme_id: int
    new_theme_ids: tuple[int, ...]
    decisions: int  # passages moved to a new theme or taken off the theme
    kept_on_theme: int  # the sub-theme that keeps the theme's own id


def propose_theme_split(
    con: duckdb.DuckDBPyConnection,
    decisions: Sequence[CodingDecision],
    theme_id: int,
    parts: int = 2,
) -> list[SubTheme]:
    """The sub-themes of a theme's passages as people's decisions leave them (largest first).

    The theme's passages are the latest run's, with the decision log laid over them, so a
    passage someone moved off the theme is not split with it.

    Raises:
        SplitError: no theme run yet, or too few passages for `parts` sub-themes.
    """
    rows = _sql.records(con, "split", "latest_assignments")
    if not rows:
        raise SplitError("no theme run yet: run `findings run` first")
    assignments = pd.DataFrame(rows)
    current = current_decisions(decisions, theme_runs.passage_successors(con))
    shown = overlay_decisions(assignments[["passage_id", "theme_id"]], current)
    members = sorted(shown.loc[shown["theme_id"] == theme_id, "passage_id"])
    ids, vectors = passage_vectors(con, str(rows[0]["model"]))
    row_of = {passage_id: row for row, passage_id in enumerate(ids)}
    members = [m for m in members if m in row_of]
    return propose_split(members, vectors[[row_of[m] for m in members]], parts)


def split_theme(
    con: duckdb.DuckDBPyConnection,
    *,
    codebook: Path,
    team_db: Path,
    theme_id: int,
    keep: Sequence[int],
    labels: Sequence[str | None] = (),
    parts: int = 2,
    coder: str,
    role: Role | None = None,
    via: str = "cli",
    shown: Sequence[SubTheme] | None = None,
) -> SplitResult:
    """Split a theme as a person chose: `keep` names the sub-themes kept, the first keeps its id.

    Each other kept sub-theme becomes a new theme, named by `labels` in order (None: the run
    names it), recorded in the codebook with `split_from`; its passages move there, and the
    passages of sub-themes not kept are taken off the theme, as coding decisions by `coder`.
    `shown` is the proposal the person chose from: if the theme's passages have changed since
    (someone coded one, a run published), the split is refused rather than done on other groups.

    Raises:
        SplitError: the split cannot be done as asked; nothing is written.
        CodebookError, TeamStoreError: the codebook or the team store cannot be written.
    """
    proposal = propose_theme_split(con, load_decisions(team_db), theme_id, parts)
    if shown is not None and list(shown) != proposal:
        raise SplitError(
            f"theme {theme_id}'s passages have changed since the split was proposed: propose "
            "it again and choose from what it proposes now"
        )
    kept = kept_sub_themes(proposal, keep)
    new = len(kept) - 1
    if len(labels) > new:
        raise SplitError(f"{len(labels)} names given for {new} new theme{'s' * (new != 1)}")
    names = [*labels, *[None] * (new - len(labels))]
    new_ids = add_split_themes(
        codebook, theme_id, names, highest_theme_id=lambda: theme_runs.max_theme_id(con)
    )
    plan = plan_split(theme_id, proposal, kept, new_ids)
    try:
        save_decisions(team_db, plan.decisions, coder, role, via)
    except TeamStoreError:
        remove_split_themes(codebook, new_ids)  # no new theme without the passages it holds
        raise
    load_codebook(codebook)  # the edit reads back as a codebook, or this says why not
    return SplitResult(theme_id, tuple(new_ids), len(plan.decisions), plan.kept_on_theme)
