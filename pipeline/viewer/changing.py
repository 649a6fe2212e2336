"""What is changing: the evidence behind each new, emerging, spreading or fading theme.

Pure functions from the overview's figures and the years they were computed over to the lines a
reader checks a status by: reviews raising the theme out of all reviews, year by year; the test
and its p; for spreading, the regions reached before and since. The statistics themselves come
from `pipeline.analysis.statistics` through the query layer; nothing here tests anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.analysis.statistics import ALPHA, MIN_SUPPORT, p_said
from pipeline.viewer.data import StatusBasis


@dataclass(frozen=True)
class PeriodCount:
    """Reviews raising a theme in one year, out of that year's reviews."""

    period: str
    raising: int
    reviews: int


@dataclass(frozen=True)
class Spread:
    """Regions raising a theme in the earlier and the recent years, out of those reviewed."""

    early: list[str]
    recent: list[str]
    reviewed_early: int
    reviewed_recent: int

    @property
    def reached(self) -> list[str]:
        """Regions raising it recently that did not before."""
        return [r for r in self.recent if r not in self.early]


def span(periods: list[str]) -> str:
    """'2014–2018', '2019', or '' for no period."""
    if not periods:
        return ""
    return periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"


def basis_caption(basis: StatusBasis) -> str:
    """Which years each status was computed over, in words (plain text: no Markdown in it)."""
    undated = (
        f" {basis.undated} undated review{'s' if basis.undated != 1 else ''} count in every "
        "share but in no trend."
        if basis.undated
        else ""
    )
    if len(basis.periods) < 2:
        years = f"only {span(basis.periods)}" if basis.periods else "no dated review"
        return (
            f"Reviews under these filters cover {years}: no trend can be tested, so no theme is "
            "emerging, fading or spreading; new means first found in the latest theme run."
            + undated
        )
    return (
        f"Statuses compare {span(basis.early)} with {span(basis.recent)}. Emerging or fading: a "
        f"trend in the share of reviews raising the theme across {span(basis.periods)} "
        f"(Cochran–Armitage test, p < {ALPHA:g}, at least {MIN_SUPPORT} reviews raising it); "
        f"spreading: raised in at least two more regions in {span(basis.recent)} than in "
        f"{span(basis.early)}; new: first found in the latest theme run.{undated}"
    )


def by_period(per_year: list[int], basis: StatusBasis) -> list[PeriodCount]:
    """The overview's yearly counts (its sparkline) beside each year's reviews."""
    return [
        PeriodCount(period, int(k), basis.reviews[period])
        for period, k in zip(basis.periods, per_year, strict=True)
    ]


def counts_line(counts: list[PeriodCount]) -> str:
    """'Reviews raising it: 2016 1/3 · 2017 0/2 · …'."""
    return "Reviews raising it, by year: " + " · ".join(
        f"{c.period} {c.raising}/{c.reviews}" for c in counts
    )


def trend_test_line(z: float, p_value: float) -> str:
    """The trend test behind an emerging or fading status, and its result."""
    return f"Cochran–Armitage trend test across the years: z = {z:.2f}, {p_said(p_value)}"


def spread_of(regions: pd.DataFrame, basis: StatusBasis) -> Spread:
    """Regions raising a theme in the earlier and recent years, from `theme_trend(by='region')`."""
    named = regions[regions["region"].notna()]
    early = named[named["period"].isin(basis.early)]
    recent = named[named["period"].isin(basis.recent)]
    return Spread(
        early=sorted(set(early.loc[early["raising"] > 0, "region"])),
        recent=sorted(set(recent.loc[recent["raising"] > 0, "region"])),
        reviewed_early=early["region"].nunique(),
        reviewed_recent=recent["region"].nunique(),
    )


def spread_line(spread: Spread, basis: StatusBasis) -> str:
    """'Regions raising it: 1 of 5 reviewed in 2014–2018, 4 of 6 in 2019–2024 (new: …)'."""
    reached = f" (new: {', '.join(spread.reached)})" if spread.reached else ""
    return (
        f"Regions raising it: {len(spread.early)} of {spread.reviewed_early} reviewed in "
        f"{span(basis.early)}, {len(spread.recent)} of {spread.reviewed_recent} in "
        f"{span(basis.recent)}{reached}"
    )
