from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis.statistics import (
    ALPHA,
    MIN_PLACE_REVIEWS,
    MIN_SUPPORT,
    Comparison,
    Trend,
    cochran_armitage,
    compare_with_rest,
    p_said,
    split_periods,
    theme_status,
    wilson_interval,
)

# References are computed independently of the code under test: exact rational arithmetic for
# Fisher's test, statsmodels for the trend test and the Wilson interval.
RELATIVE = 1e-9


def fisher_two_sided(a: int, b: int, c: int, d: int) -> Fraction:
    """Exact two-sided Fisher p for [[a, b], [c, d]]: every table with the same margins that is
    no more probable than the observed one (R's definition, without floating-point ties)."""
    row, column, total = a + b, a + c, a + b + c + d

    def probability(x: int) -> Fraction:
        return Fraction(
            math.comb(column, x) * math.comb(total - column, row - x), math.comb(total, row)
        )

    observed = probability(a)
    support = range(max(0, row + column - total), min(row, column) + 1)
    return sum((p for x in support if (p := probability(x)) <= observed), Fraction(0))


def trend_reference(raising: list[int], totals: list[int], scores: list[float]) -> float:
    """Cochran-Armitage z from statsmodels' linear-by-linear association test.

    statsmodels estimates the null variance with N - 1 (Mantel's M = sqrt(N - 1) r);
    Cochran-Armitage uses N, so z_CA = z_LL * sqrt(N / (N - 1)).
    """
    table = Table(
        np.array([[k, n - k] for k, n in zip(raising, totals, strict=True)], float),
        shift_zeros=False,
    )  # the default adds 0.5 to every cell of a table with a zero
    result = table.test_ordinal_association(
        row_scores=np.array(scores, float), col_scores=np.array([1.0, 0.0])
    )
    big_n = sum(totals)
    return float(result.zscore) * math.sqrt(big_n / (big_n - 1))


def two_sided_normal_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (4, 10, 0.1682, 0.6873),  # hand-checked against the Wilson formula
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (18, 24, 0.5510, 0.8800),
    ],
)
def test_wilson_interval_matches_hand_computed_values(k, n, low, high) -> None:
    got = wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (1, 1), (1, 3), (4, 10), (0, 7), (7, 7), (37, 412), (250, 251)]
)
def test_wilson_interval_matches_statsmodels(k, n) -> None:
    expected = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson_interval(k, n) == pytest.approx(expected, rel=RELATIVE, abs=1e-15)


def test_wilson_interval_of_nothing_is_empty() -> None:
    assert wilson_interval(0, 0) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("in_place", "place_total", "elsewhere", "rest_total"),
    [
        (3, 4, 1, 4),  # Fisher's tea-tasting table: published two-sided p = 34/70
        (4, 4, 1, 20),
        (2, 4, 10, 20),
        (7, 12, 3, 40),
        (1, 9, 12, 30),
        (15, 60, 40, 400),
        (30, 100, 120, 900),
        (5, 5, 0, 7),
    ],
)
def test_fisher_comparison_matches_exact_reference(
    in_place, place_total, elsewhere, rest_total
) -> None:
    result = compare_with_rest(in_place, place_total, elsewhere, rest_total)
    expected_p = fisher_two_sided(
        in_place, place_total - in_place, elsewhere, rest_total - elsewhere
    )
    assert result.p_value == pytest.approx(float(expected_p), rel=1e-7)


@pytest.mark.parametrize(
    ("in_place", "place_total", "elsewhere", "rest_total"),
    [(3, 4, 1, 4), (4, 4, 1, 20), (7, 12, 3, 40), (1, 9, 12, 30), (15, 60, 40, 400)],
)
def test_lift_is_prevalence_here_over_prevalence_elsewhere(
    in_place, place_total, elsewhere, rest_total
) -> None:
    expected = Fraction(in_place, place_total) / Fraction(elsewhere, rest_total)
    result = compare_with_rest(in_place, place_total, elsewhere, rest_total)
    assert result.lift == pytest.approx(float(expected), rel=RELATIVE)


def test_fisher_tea_tasting_p_is_the_published_value() -> None:
    assert compare_with_rest(3, 4, 1, 4).p_value == pytest.approx(34 / 70, rel=RELATIVE)


def test_comparison_keeps_the_counts_it_was_given() -> None:
    result = compare_with_rest(7, 12, 3, 40)
    assert (result.in_place, result.place_total, result.elsewhere, result.elsewhere_total) == (
        7,
        12,
        3,
        40,
    )


def test_fisher_comparison_flags_a_concentrated_theme() -> None:
    result = compare_with_rest(in_place=4, place_total=4, elsewhere=1, rest_total=20)
    assert result.lift == pytest.approx(20.0)
    assert result.p_value < 0.01 and result.significant


def test_fisher_comparison_does_not_flag_an_even_theme() -> None:
    result = compare_with_rest(in_place=2, place_total=4, elsewhere=10, rest_total=20)
    assert result.lift == pytest.approx(1.0)
    assert not result.significant


def test_lift_is_infinite_when_no_review_elsewhere_raises_it() -> None:
    assert compare_with_rest(2, 4, 0, 10).lift == math.inf


def test_lift_is_one_when_no_review_anywhere_raises_it() -> None:
    result = compare_with_rest(0, 4, 0, 10)
    assert result.lift == 1.0 and result.p_value == pytest.approx(1.0)


def test_a_place_without_reviews_has_zero_lift_and_no_evidence() -> None:
    result = compare_with_rest(0, 0, 3, 10)
    assert result.lift == 0.0
    assert result.p_value == pytest.approx(1.0) and not result.significant


def test_a_country_without_other_reviews_gives_infinite_lift_and_no_evidence() -> None:
    result = compare_with_rest(2, 4, 0, 0)
    assert result.lift == math.inf and result.p_value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("p_value", "significant"), [(ALPHA - 1e-12, True), (ALPHA, False), (0.2, False)]
)
def test_significance_is_strictly_below_alpha(p_value, significant) -> None:
    assert Comparison(1, 3, 1, 3, 1.0, p_value).significant is significant


def test_a_lone_review_raising_a_rare_theme_is_not_called_significant() -> None:
    # One review here raising it, none of 23 elsewhere: Fisher's p is 1/24, below 0.05.
    result = compare_with_rest(1, 1, 0, 23)
    assert result.p_value == pytest.approx(1 / 24) and result.p_value < ALPHA
    assert result.small and not result.significant


@pytest.mark.parametrize(("place_total", "small"), [(1, True), (2, True), (3, False), (9, False)])
def test_a_place_is_small_below_the_minimum_reviews(place_total, small) -> None:
    assert MIN_PLACE_REVIEWS == 3
    assert Comparison(place_total, place_total, 0, 20, math.inf, 1e-6).small is small


def test_spreading_compares_the_earlier_half_of_the_years_with_the_recent_half() -> None:
    assert split_periods(["2016", "2017", "2018", "2019"]) == (["2016", "2017"], ["2018", "2019"])
    assert split_periods(["2019", "2020", "2021"]) == (["2019"], ["2020", "2021"])
    assert split_periods(["2019"]) == ([], ["2019"])


@pytest.mark.parametrize(
    ("raising", "totals"),
    [
        ([0, 1, 4, 6], [6, 6, 6, 6]),
        ([5, 4, 0, 0], [6, 6, 6, 6]),
        ([3, 7, 2, 9], [10, 14, 5, 12]),
        ([0, 0, 0, 2], [30, 30, 30, 2]),
        ([12, 15, 21, 30, 44], [140, 150, 160, 150, 170]),
        ([1, 8], [10, 10]),  # two periods are enough for a trend
        ([0, 1], [1, 1]),  # a variance below 1
        ([0, 0, 1, 1, 1], [3, 2, 1, 1, 1]),  # periods with a single review count
        # Agresti, Categorical Data Analysis, malformation by alcohol, equally spaced scores
        ([48, 38, 5, 1, 1], [17114, 14502, 793, 127, 38]),
    ],
)
def test_cochran_armitage_matches_statsmodels(raising, totals) -> None:
    expected_z = trend_reference(raising, totals, list(range(len(totals))))
    got = cochran_armitage(raising, totals)
    assert got.z == pytest.approx(expected_z, rel=RELATIVE)
    assert got.p_value == pytest.approx(two_sided_normal_p(expected_z), rel=1e-7)


def test_cochran_armitage_reproduces_agrestis_printed_statistic() -> None:
    # Agresti prints M^2 = 1.83 (P = 0.18) for equally spaced scores; M^2 = z^2 (N - 1) / N.
    totals = [17114, 14502, 793, 127, 38]
    got = cochran_armitage([48, 38, 5, 1, 1], totals)
    big_n = sum(totals)
    assert got.z**2 * (big_n - 1) / big_n == pytest.approx(1.83, abs=0.005)
    assert got.p_value == pytest.approx(0.18, abs=0.005)


def test_a_period_without_reviews_keeps_its_place_on_the_time_axis() -> None:
    # The empty period is skipped, but the later periods keep scores 2 and 3, not 1 and 2.
    got = cochran_armitage([1, 0, 3, 6], [10, 0, 10, 10])
    expected_z = trend_reference([1, 3, 6], [10, 10, 10], [0, 2, 3])
    assert got.z == pytest.approx(expected_z, rel=RELATIVE)


def test_cochran_armitage_refuses_counts_and_totals_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="zip"):
        cochran_armitage([1, 2, 3], [5, 5])


def test_cochran_armitage_counts_support_in_reviews_raising_the_theme() -> None:
    assert cochran_armitage([1, 0, 3, 6], [10, 0, 10, 10]).support == 10


def test_cochran_armitage_detects_a_rise_and_a_fall() -> None:
    rising = cochran_armitage([0, 1, 4, 6], [6, 6, 6, 6])
    falling = cochran_armitage([5, 4, 0, 0], [6, 6, 6, 6])
    flat = cochran_armitage([3, 3, 3, 3], [6, 6, 6, 6])
    assert rising.direction == "rising" and rising.z > 0
    assert falling.direction == "falling"
    assert flat.direction == "flat" and flat.p_value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("raising", "totals", "support"),
    [
        ([0, 0, 0], [0, 0, 0], 0),  # no reviews at all
        ([2, 0, 0], [5, 0, 0], 2),  # one period with reviews: nothing to compare
        ([0, 0, 0], [5, 7, 9], 0),  # never raised
        ([5, 7, 9], [5, 7, 9], 21),  # always raised
        ([3, 3, 3, 3], [6, 6, 6, 6], 12),  # the same share every period
    ],
)
def test_cochran_armitage_without_variation_is_no_trend(raising, totals, support) -> None:
    assert cochran_armitage(raising, totals) == Trend(0.0, 1.0, support)


def test_a_trend_needs_minimum_support() -> None:
    trend = cochran_armitage([0, 0, 0, 2], [30, 30, 30, 2])
    assert trend.support == MIN_SUPPORT - 1
    assert trend.p_value < ALPHA  # significant, so only the support keeps it flat
    assert trend.direction == "flat"


def test_a_trend_with_exactly_minimum_support_is_called() -> None:
    trend = cochran_armitage([0, 0, 0, 3], [30, 30, 30, 3])
    assert trend.support == MIN_SUPPORT
    assert trend.direction == "rising"


@pytest.mark.parametrize(
    ("trend", "direction"),
    [
        (Trend(3.0, ALPHA, 10), "flat"),  # the boundary is not significant
        (Trend(3.0, ALPHA - 1e-12, 10), "rising"),
        (Trend(-3.0, ALPHA - 1e-12, 10), "falling"),
        (Trend(-3.0, 0.001, MIN_SUPPORT - 1), "flat"),
    ],
)
def test_trend_direction_at_its_boundaries(trend, direction) -> None:
    assert trend.direction == direction


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"lifecycle": "dormant"}, "dormant"),
        ({"lifecycle": "dormant", "first_seen_latest": True}, "dormant"),
        ({"first_seen_latest": True}, "new"),
        ({"first_seen_latest": True, "trend": Trend(3.0, 0.001, 10)}, "new"),
        ({"trend": Trend(3.0, 0.001, 10)}, "emerging"),
        ({"trend": Trend(-3.0, 0.001, 10)}, "fading"),
        ({"reach_before": 0.2, "reach_recent": 0.6, "new_regions": 3}, "spreading"),
        ({"reach_before": 0.5, "reach_recent": 0.75, "new_regions": 2}, "spreading"),
        ({"reach_before": 0.5, "reach_recent": 0.75, "new_regions": 1}, "stable"),
        ({"reach_before": 0.5, "reach_recent": 0.74, "new_regions": 2}, "stable"),
        ({}, "stable"),
    ],
)
def test_theme_status_in_plain_language(kwargs, status) -> None:
    base = {
        "lifecycle": "active",
        "first_seen_latest": False,
        "trend": Trend(0.0, 1.0, 10),
        "reach_before": 0.5,
        "reach_recent": 0.5,
        "new_regions": 0,
    }
    assert theme_status(**(base | kwargs)) == status


@pytest.mark.parametrize(
    ("p", "said"), [(0.011, "p = 0.011"), (0.0004, "p < 0.001"), (0.001, "p = 0.001")]
)
def test_a_p_value_is_never_said_as_zero(p: float, said: str) -> None:
    assert p_said(p) == said
