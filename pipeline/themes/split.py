"""Splitting a theme into the sub-themes its passages fall into, as a person chooses.

The proposal is the top of the hierarchy under the theme: Ward's agglomerative clustering of
the theme's passage vectors, cut into two (or more) groups, largest first. A person chooses
which to keep. The first kept group stays on the theme's own id; each other kept group becomes a
theme of its own, with an id the codebook gives it (`split_from`, so every later run keeps it);
the passages of a group not kept are taken off the theme. The passages move by coding decisions,
so the machine never undoes a split, and each move is audited like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import FindingsError
from pipeline.themes.decisions import CodingAction

MIN_SUB_THEME = 2  # a sub-theme of one passage is no theme


class SplitError(FindingsError):
    """A theme that cannot be split as asked."""


@dataclass(frozen=True)
class SubTheme:
    """One group of a theme's passages the hierarchy proposes."""

    number: int  # 1 for the largest
    passage_ids: tuple[str, ...]


def propose_split(
    passage_ids: Sequence[str], vectors: np.ndarray, parts: int = 2
) -> list[SubTheme]:
    """The theme's passages in `parts` groups (Ward linkage over the vectors), largest first.

    The same passages give the same groups whatever order they come in.

    Raises:
        SplitError: too few passages for `parts` groups of at least two.
    """
    from sklearn.cluster import AgglomerativeClustering

    if parts < 2:
        raise SplitError("a split needs at least two sub-themes")
    if len(passage_ids) < parts * MIN_SUB_THEME:
        raise SplitError(
            f"a theme of {len(passage_ids)} passages cannot be split into {parts} sub-themes "
            f"of at least {MIN_SUB_THEME}"
        )
    order = np.argsort(np.asarray(passage_ids))
    ordered_ids = [passage_ids[i] for i in order]
    groups = AgglomerativeClustering(n_clusters=parts, linkage="ward").fit_predict(
        np.asarray(vectors, dtype=np.float64)[order]
    )
    members = [
        tuple(p for p, g in zip(ordered_ids, groups, strict=True) if g == group)
        for group in range(parts)
    ]
    members.sort(key=lambda ids: (-len(ids), ids[0]))
    return [SubTheme(number, ids) for number, ids in enumerate(members, start=1)]


def kept_sub_themes(proposal: Sequence[SubTheme], keep: Sequence[int]) -> list[int]:
    """The sub-themes to keep, in the order asked, each once (checked before anything is written).

    Raises:
        SplitError: `keep` names no sub-theme, or one the proposal does not have.
    """
    numbers = {sub.number for sub in proposal}
    kept = list(dict.fromkeys(keep))
    if not kept:
        raise SplitError("keep at least one sub-theme (--keep 1)")
    if unknown := sorted(set(kept) - numbers):
        raise SplitError(f"no sub-theme {', '.join(map(str, unknown))}: the split proposes "
                         f"{', '.join(map(str, sorted(numbers)))}")  # fmt: skip
    return kept


@dataclass(frozen=True)
class SplitPlan:
    """The decisions a split makes: passage id, theme id, action, why."""

    decisions: tuple[tuple[str, int, CodingAction, str], ...]
    kept_on_theme: int  # the sub-theme number that stays on the theme's own id


def plan_split(
    theme_id: int,
    proposal: Sequence[SubTheme],
    keep: Sequence[int],
    new_ids: Sequence[int],
) -> SplitPlan:
    """The decisions that carry out a split: `keep` names the sub-themes kept (numbers).

    `new_ids` are the ids of the kept sub-themes after the first, in `keep` order.

    Raises:
        SplitError: `keep` names no sub-theme, or one the proposal does not have.
    """
    kept = kept_sub_themes(proposal, keep)
    if len(new_ids) != len(kept) - 1:
        raise SplitError(f"{len(kept) - 1} new theme ids needed, {len(new_ids)} given")
    target_of = {kept[0]: theme_id} | dict(zip(kept[1:], new_ids, strict=True))
    decisions: list[tuple[str, int, CodingAction, str]] = []
    for sub in proposal:
        target = target_of.get(sub.number)
        if target == theme_id:
            continue  # the passages stay where they are
        for passage_id in sub.passage_ids:
            if target is None:
                why = f"split of theme {theme_id}: sub-theme {sub.number} not kept"
                decisions.append((passage_id, theme_id, CodingAction.remove, why))
            else:
                why = f"split of theme {theme_id}: sub-theme {sub.number} is theme {target}"
                decisions.append((passage_id, target, CodingAction.move, why))
    return SplitPlan(tuple(decisions), kept[0])
