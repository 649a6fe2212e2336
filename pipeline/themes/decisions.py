"""People's coding decisions, each passage's current decision, and how they are applied.

A theme run applies them over the machine's themes, and the viewer over a snapshot's, at once.

A decision moves a passage to a theme, adds a second theme to it, or takes it off a theme. The
decisions form an append-only log (kept in the team store, `pipeline.access.codings`); the
current state of each (passage, theme) is derived from the log by folding it in time order, so
a person who changes their mind adds a decision and the history stays whole.

The machine never overrides a person: a run computes its own theme for every passage, then the
current decisions are laid over it, and wherever the machine proposed something else the run
records the disagreement instead of the machine's choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

# The theme id of "no theme" (pipeline.themes.fit.OUTLIER), repeated here so that recording
# and showing decisions does not load the fitting stage and spaCy with it.
OUTLIER = -1


class CodingAction(StrEnum):
    """What a person did to a passage."""

    move = "move"  # the passage's theme is this one (instead of whatever the machine chose)
    add = "add"  # the passage is on this theme as well
    remove = "remove"  # the passage is not on this theme


class CodingState(StrEnum):
    """Where a passage stands on one theme after every decision about it."""

    primary = "primary"  # its one main theme (the theme `passage_themes` records)
    added = "added"  # a second theme a person gave it
    removed = "removed"  # a person took it off this theme


@dataclass(frozen=True)
class CodingDecision:
    """One entry of the decision log: who did what to which passage, when and why."""

    decision_id: int
    passage_id: str
    theme_id: int
    action: CodingAction
    coder: str
    decided_at: dt.datetime
    why: str = ""
    via: str = "cli"


@dataclass(frozen=True)
class ThemeDecision:
    """The current decision on one (passage, theme): the state and the decision that set it."""

    passage_id: str
    theme_id: int
    state: CodingState
    coder: str
    decided_at: dt.datetime
    why: str


@dataclass(frozen=True)
class PassageDecisions:
    """Every current decision on one passage, by theme."""

    passage_id: str
    themes: Mapping[int, ThemeDecision] = field(default_factory=dict)

    @property
    def primary(self) -> ThemeDecision | None:
        """The theme a person moved the passage to, if any."""
        return next((d for d in self.themes.values() if d.state is CodingState.primary), None)

    @property
    def added(self) -> list[ThemeDecision]:
        """The themes a person added, in theme id order."""
        return sorted(
            (d for d in self.themes.values() if d.state is CodingState.added),
            key=lambda d: d.theme_id,
        )

    @property
    def removed(self) -> frozenset[int]:
        """The themes a person took the passage off."""
        return frozenset(t for t, d in self.themes.items() if d.state is CodingState.removed)


_STATE_OF = {
    CodingAction.move: CodingState.primary,
    CodingAction.add: CodingState.added,
    CodingAction.remove: CodingState.removed,
}


def current_decisions(
    log: Iterable[CodingDecision], successors: Mapping[str, str] | None = None
) -> dict[str, PassageDecisions]:
    """Each passage's current decisions, folding the log in time order (ties by decision id).

    A move makes its theme the passage's one primary theme (an earlier move is superseded, not
    turned into a removal); adding the primary theme keeps it primary; a removal takes a theme
    off whatever state it had. A decision on a passage an edit retired (a key of `successors`)
    is its successor's, folded with the successor's own in time order.
    """
    successors = successors or {}
    states: dict[str, dict[int, ThemeDecision]] = {}
    for decision in sorted(log, key=lambda d: (d.decided_at, d.decision_id)):
        passage_id = successors.get(decision.passage_id, decision.passage_id)
        themes = states.setdefault(passage_id, {})
        state = _STATE_OF[decision.action]
        if state is CodingState.primary:
            for theme_id, earlier in list(themes.items()):
                if earlier.state is CodingState.primary:
                    del themes[theme_id]
        elif (
            state is CodingState.added
            and decision.theme_id in themes
            and themes[decision.theme_id].state is CodingState.primary
        ):
            continue
        themes[decision.theme_id] = ThemeDecision(
            passage_id,
            decision.theme_id,
            state,
            decision.coder,
            decision.decided_at,
            decision.why,
        )
    return {
        passage_id: PassageDecisions(passage_id, dict(sorted(themes.items())))
        for passage_id, themes in sorted(states.items())
    }


@dataclass(frozen=True)
class AppliedDecision:
    """A person's decision as one run applied it, beside what the machine proposed there."""

    passage_id: str
    theme_id: int
    state: CodingState
    machine_theme_id: int  # OUTLIER when the machine put the passage in no theme
    coder: str
    decided_at: dt.datetime
    why: str

    @property
    def disagrees(self) -> bool:
        """Whether the machine proposed otherwise (a move it would not make, a theme it kept)."""
        if self.state is CodingState.primary:
            return self.machine_theme_id != self.theme_id
        if self.state is CodingState.removed:
            return self.machine_theme_id == self.theme_id
        return False


@dataclass(frozen=True, eq=False)
class CodedThemes:
    """A run's themes after people's decisions: one primary theme per passage, and the rest."""

    theme_of: np.ndarray
    applied: tuple[AppliedDecision, ...]
    # Decisions this run could not apply: their theme is not one it knows (another model's).
    unknown: tuple[ThemeDecision, ...]

    @property
    def disagreements(self) -> list[AppliedDecision]:
        """The decisions where the machine, this run, proposed something else."""
        return [decision for decision in self.applied if decision.disagrees]


def _same(theme_id: int) -> int:
    return theme_id


def apply_decisions(
    passage_ids: Sequence[str],
    theme_of: np.ndarray,
    decisions: Mapping[str, PassageDecisions],
    known_theme_ids: Collection[int],
    merge_target: Callable[[int], int] = _same,
) -> CodedThemes:
    """Lay people's current decisions over the machine's themes (`theme_of`, row per passage).

    A passage moved to a theme takes it; one taken off its machine theme (and moved nowhere)
    goes to no theme (OUTLIER); added themes are listed beside. Decided themes follow codebook
    merges (`merge_target`), as the machine's do. Decisions on passages not in this run are
    left for a run that has them; decisions naming a theme the run does not know are returned
    as `unknown`, never guessed at.
    """
    coded = np.array(theme_of, dtype=np.int64, copy=True)
    row_of = {passage_id: row for row, passage_id in enumerate(passage_ids)}
    applied: list[AppliedDecision] = []
    unknown: list[ThemeDecision] = []
    for passage_id, passage in decisions.items():
        row = row_of.get(passage_id)
        if row is None:
            continue
        machine = int(theme_of[row])
        usable: list[tuple[int, ThemeDecision]] = []
        for decision in passage.themes.values():
            target = merge_target(decision.theme_id)
            if target not in known_theme_ids:
                unknown.append(decision)
            else:
                usable.append((target, decision))
        removed = {t for t, d in usable if d.state is CodingState.removed}
        primary = next(((t, d) for t, d in usable if d.state is CodingState.primary), None)
        if primary is not None:
            coded[row] = primary[0]
        elif machine in removed:
            coded[row] = OUTLIER
        for target, decision in usable:
            if decision.state is CodingState.added and target == coded[row]:
                continue  # the passage is on it already: nothing to add
            applied.append(
                AppliedDecision(
                    passage_id,
                    target,
                    decision.state,
                    machine,
                    decision.coder,
                    decision.decided_at,
                    decision.why,
                )
            )
    return CodedThemes(coded, tuple(applied), tuple(unknown))


OVERLAY_COLUMNS = ("passage_id", "theme_id", "coded_by", "coding")


def overlay_decisions(
    assignments: pd.DataFrame, decisions: Mapping[str, PassageDecisions]
) -> pd.DataFrame:
    """A snapshot's themes with people's current decisions laid over them, for showing at once.

    `assignments` has a row per passage (`passage_id`, `theme_id`, and any other columns, which
    every row of the passage keeps). The result has a row per (passage, theme) the passage is on
    now, OUTLIER for a passage on none, with `coded_by` (the person, or None for the machine) and
    `coding` ('machine', 'moved' or 'added'). Applying it twice changes nothing, so a snapshot
    whose run already applied the decisions shows the same.
    """
    rows: list[dict[str, object]] = []
    for record in assignments.to_dict("records"):
        passage = decisions.get(str(record["passage_id"]))
        if passage is None:
            rows.append(record | {"coded_by": None, "coding": "machine"})
            continue
        machine = int(record["theme_id"])
        primary = passage.primary
        if primary is not None:
            theme, coded_by, coding = primary.theme_id, primary.coder, "moved"
        elif machine in passage.removed:
            theme, coded_by, coding = OUTLIER, passage.themes[machine].coder, "removed"
        else:
            theme, coded_by, coding = machine, None, "machine"
        extra = [d for d in passage.added if d.theme_id != theme]
        if theme != OUTLIER or not extra:
            rows.append(record | {"theme_id": theme, "coded_by": coded_by, "coding": coding})
        rows.extend(
            record | {"theme_id": d.theme_id, "coded_by": d.coder, "coding": "added"} for d in extra
        )
    columns = list(dict.fromkeys([*assignments.columns, *OVERLAY_COLUMNS]))
    return pd.DataFrame(rows, columns=columns)
