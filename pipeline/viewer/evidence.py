"""A theme's passages as people's current coding decisions change the published snapshot's.

A snapshot counts the coding its run applied; decisions saved since then are shown at once
(`pipeline.themes.decisions.overlay_decisions` over the snapshot's themes) and counted by the
next run. Pure: the viewer's cached reads (`pipeline.viewer.data.theme_evidence`) feed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.themes.decisions import OUTLIER, PassageDecisions, overlay_decisions

# The overlay's codings that stand for a passage's one main theme (the others are added ones).
_MAIN = ("machine", "moved", "removed")


@dataclass(frozen=True)
class ThemeCoding:
    """Where people's decisions put passages, against the snapshot, for one theme."""

    # Passages people put on the theme (moved or added) that the snapshot has elsewhere or on
    # none, most recently decided first.
    onto: tuple[str, ...]
    # Passages the snapshot has on the theme that people moved elsewhere or took off it.
    off: tuple[str, ...]
    # Passages (on any theme) whose main theme people changed since the snapshot's run: what
    # its counts do not hold yet.
    pending: int


def theme_coding(
    theme_id: int, snapshot_themes: Mapping[str, int], decisions: Mapping[str, PassageDecisions]
) -> ThemeCoding:
    """Lay the current decisions over the snapshot's themes (`snapshot_themes`, by passage).

    A passage missing from `snapshot_themes` is on no theme there. The snapshot's run may
    already have applied a decision: the overlay then changes nothing, so it is not pending.
    """
    decided = [passage_id for passage_id, passage in decisions.items() if passage.themes]
    before = {passage_id: snapshot_themes.get(passage_id, OUTLIER) for passage_id in decided}
    overlay = overlay_decisions(
        pd.DataFrame({"passage_id": decided, "theme_id": [before[p] for p in decided]}),
        decisions,
    )
    main = dict.fromkeys(decided, OUTLIER)  # a passage left with added themes only has no main
    on_theme: set[str] = set()
    for passage_id, theme, coding in overlay[["passage_id", "theme_id", "coding"]].itertuples(
        index=False
    ):
        if coding in _MAIN:
            main[passage_id] = int(theme)
        if int(theme) == theme_id:
            on_theme.add(passage_id)
    onto = sorted(
        (p for p in on_theme if before[p] != theme_id),
        key=lambda p: (decisions[p].themes[theme_id].decided_at, p),
        reverse=True,
    )
    off = sorted(p for p in decided if before[p] == theme_id and p not in on_theme)
    pending = sum(1 for p in decided if main[p] != before[p])
    return ThemeCoding(tuple(onto), tuple(off), pending)
