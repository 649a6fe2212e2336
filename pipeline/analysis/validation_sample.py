"""The stratified random sample of passages that people code to check the machine.

Strata are (theme, region) pairs, with passages the machine left unassigned as a theme of their
own (`theme_id` None), since a theme the machine missed can only be found among them. Allocation
is proportional with a floor of one: while `n` allows, every stratum gives one passage, and the
rest of `n` is shared out in proportion to what each stratum has left, by largest remainder.
Sharing by what is left (size - 1) rather than by size keeps every stratum within what it holds,
so no reallocation pass is needed; it tilts the sample a little toward small strata, which is
the point of the floor. When `n` is smaller than the number of strata, `n` strata are chosen,
each with chance in proportion to its size, and give one passage each.

The draw is deterministic for a seed and does not depend on the order passages arrive in. The
sample comes back shuffled, so a coder working down the list cannot tell the machine's theme from
a passage's position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import ValidationSampleError


@dataclass(frozen=True)
class CandidatePassage:
    """A passage that may be drawn, with the machine's theme (None when unassigned) and region."""

    passage_id: str
    theme_id: int | None
    region: str | None


@dataclass(frozen=True)
class Stratum:
    """One (theme, region) stratum: how many passages it holds and how many were drawn."""

    theme_id: int | None
    region: str | None
    available: int
    drawn: int


@dataclass(frozen=True)
class ValidationSample:
    """The drawn passages, in coding order, and the allocation behind them."""

    seed: int
    requested: int
    passages: tuple[CandidatePassage, ...]
    strata: tuple[Stratum, ...]


def draw_validation_sample(
    passages: Iterable[CandidatePassage], n: int, seed: int
) -> ValidationSample:
    """Draw up to `n` passages stratified by (theme, region), shuffled for blind coding.

    Args:
        passages: the passages to draw from, each listed once.
        n: how many to draw; fewer come back when fewer are available.
        seed: the seed; the same passages and seed give the same sample.

    Returns:
        The sample, with each stratum's size and allocation.

    Raises:
        ValidationSampleError: `n` is below one, or a passage id is listed twice.
    """
    if n < 1:
        raise ValidationSampleError(f"sample size must be at least 1, not {n}")
    strata = _group(passages)
    keys = sorted(strata, key=_stratum_order)
    sizes = np.array([len(strata[key]) for key in keys], dtype=np.int64)
    rng = np.random.default_rng(seed)
    allocation = _allocate(sizes, n, rng)
    drawn: list[CandidatePassage] = []
    for key, count in zip(keys, allocation, strict=True):
        members = strata[key]
        chosen = rng.choice(len(members), size=int(count), replace=False)
        drawn.extend(members[i] for i in sorted(chosen))
    order = rng.permutation(len(drawn))
    return ValidationSample(
        seed=seed,
        requested=n,
        passages=tuple(drawn[i] for i in order),
        strata=tuple(
            Stratum(key[0], key[1], int(size), int(count))
            for key, size, count in zip(keys, sizes, allocation, strict=True)
        ),
    )


_StratumKey = tuple[int | None, str | None]


def _group(passages: Iterable[CandidatePassage]) -> dict[_StratumKey, list[CandidatePassage]]:
    """Passages by stratum, each stratum in passage-id order so arrival order does not matter."""
    strata: dict[_StratumKey, list[CandidatePassage]] = {}
    seen: set[str] = set()
    for passage in passages:
        if passage.passage_id in seen:
            raise ValidationSampleError(
                f"passage {passage.passage_id!r} is listed twice; each passage can be drawn once"
            )
        seen.add(passage.passage_id)
        strata.setdefault((passage.theme_id, passage.region), []).append(passage)
    for members in strata.values():
        members.sort(key=lambda passage: passage.passage_id)
    return strata


def _stratum_order(key: _StratumKey) -> tuple[bool, int, bool, str]:
    theme_id, region = key
    return theme_id is None, theme_id or 0, region is None, region or ""


def _allocate(sizes: Sequence[int] | np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """How many to draw from each stratum: proportional, at least one each while `n` allows."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    if n >= total:
        return sizes.copy()
    if n < len(sizes):
        picked = rng.choice(len(sizes), size=n, replace=False, p=sizes / total)
        allocation = np.zeros(len(sizes), dtype=np.int64)
        allocation[picked] = 1
        return allocation
    left = sizes - 1
    spare = n - len(sizes)
    quotas = spare * left / left.sum()
    allocation = np.floor(quotas).astype(np.int64)
    short = spare - int(allocation.sum())
    # Largest remainder; a stable sort breaks ties by stratum order, so the seed is not needed.
    remainders = quotas - allocation
    allocation[np.argsort(-remainders, kind="stable")[:short]] += 1
    return allocation + 1
