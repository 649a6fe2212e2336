"""Statistics for synthesis: prevalence intervals, place comparisons, trends and statuses.

Counts are of reviews (documents), not passages, so one talkative transcript cannot make a theme
look national. The tests here suit the small counts of a review programme: Wilson intervals,
Fisher's exact test for a place against the rest, and the Cochran-Armitage test for a trend in
proportions across ordered periods.

Small numbers are called for what they are: a trend needs `MIN_SUPPORT` reviews raising the
theme, and a place needs `MIN_PLACE_REVIEWS` reviews before any difference there is called
significant (with one review, every share is 0% or 100%, and a lone review raising a rare theme
would otherwise count as a regional finding).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import fisher_exact, norm

Z95 = 1.959963984540054
MIN_SUPPORT = 3  # reviews raising a theme before a trend is called
MIN_PLACE_REVIEWS = 3  # reviews in a place before a difference there is called significant
ALPHA = 0.05
# Statuses that say a theme is changing (the others: stable, dormant), as `theme_status` names them.
CHANGING = ("new", "emerging", "spreading", "fading")


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (0, 0 when n is 0)."""
    if n <= 0:
        return 0.0, 0.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Comparison:
    """A place against the rest of the country for one theme."""

    in_place: int
    place_total: int
    elsewhere: int
    elsewhere_total: int
    lift: float
    p_value: float

    @property
    def small(self) -> bool:
        """Too few reviews in the place for any difference there to be called significant."""
        return self.place_total < MIN_PLACE_REVIEWS

    @property
    def significant(self) -> bool:
        """Below the 5% level, in a place with at least `MIN_PLACE_REVIEWS` reviews."""
        return self.p_value < ALPHA and not self.small


def compare_with_rest(
    in_place: int, place_total: int, elsewhere: int, rest_total: int
) -> Comparison:
    """Lift (prevalence here / prevalence elsewhere) and Fisher's exact test, two-sided."""
    here = in_place / place_total if place_total else 0.0
    there = elsewhere / rest_total if rest_total else 0.0
    # With no reviews elsewhere raising it, any presence here is an unbounded lift.
    lift = here / there if there > 0 else (math.inf if here > 0 else 1.0)
    table = [[in_place, place_total - in_place], [elsewhere, rest_total - elsewhere]]
    _, p_value = fisher_exact(table, alternative="two-sided")
    return Comparison(in_place, place_total, elsewhere, rest_total, lift, float(p_value))


@dataclass(frozen=True)
class Trend:
    """Cochran-Armitage trend in the share of reviews raising a theme across ordered periods."""

    z: float
    p_value: float
    support: int

    @property
    def direction(self) -> str:
        """'rising', 'falling' or 'flat' (flat when not significant or too little support)."""
        if self.support < MIN_SUPPORT or self.p_value >= ALPHA:
            return "flat"
        return "rising" if self.z > 0 else "falling"


def cochran_armitage(raising: list[int], totals: list[int]) -> Trend:
    """Test for a linear trend in k_i / n_i over periods 0, 1, 2, ... (two-sided)."""
    pairs = [(k, n, t) for t, (k, n) in enumerate(zip(raising, totals, strict=True)) if n > 0]
    support = sum(k for k, _, _ in pairs)
    big_n = sum(n for _, n, _ in pairs)
    if len(pairs) < 2 or big_n == 0:
        return Trend(0.0, 1.0, support)
    p_bar = support / big_n
    statistic = sum(t * (k - n * p_bar) for k, n, t in pairs)
    variance = (
        p_bar
        * (1 - p_bar)
        * (sum(n * t * t for _, n, t in pairs) - sum(n * t for _, n, t in pairs) ** 2 / big_n)
    )
    if variance <= 0:
        return Trend(0.0, 1.0, support)
    z = statistic / math.sqrt(variance)
    return Trend(z, float(2 * norm.sf(abs(z))), support)


def split_periods(periods: Sequence[str]) -> tuple[list[str], list[str]]:
    """Ordered periods as the earlier and the recent half that spreading compares.

    The recent half takes the odd period: with 2019-2023, 2019-2020 against 2021-2023.
    """
    half = len(periods) // 2
    return list(periods[:half]), list(periods[half:])


def theme_status(
    *,
    lifecycle: str,
    first_seen_latest: bool,
    trend: Trend,
    reach_before: float,
    reach_recent: float,
    new_regions: int,
) -> str:
    """Plain-language status: new, emerging, spreading, stable, fading or dormant.

    `reach_*` is the share of the regions reviewed in the earlier or recent half of the periods
    that raise the theme; spreading means it reaches at least two regions it had not, and a
    clearly larger share of them (a theme already everywhere cannot spread).
    """
    if lifecycle == "dormant":
        return "dormant"
    if first_seen_latest:
        return "new"
    if trend.direction == "rising":
        return "emerging"
    if trend.direction == "falling":
        return "fading"
    if new_regions >= 2 and reach_recent - reach_before >= 0.25:
        return "spreading"
    return "stable"


def p_said(p_value: float) -> str:
    """A p-value as a report writes it: "p = 0.011", or "p < 0.001" (never "p = 0.000")."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
