from __future__ import annotations

import pytest

from pipeline.trends import (
    Trend,
    cochran_armitage,
    compare_with_rest,
    theme_status,
    wilson_interval,
)


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


def test_wilson_interval_of_nothing_is_empty() -> None:
    assert wilson_interval(0, 0) == (0.0, 0.0)


def test_fisher_comparison_flags_a_concentrated_theme() -> None:
    result = compare_with_rest(in_place=4, place_total=4, elsewhere=1, rest_total=20)
    assert result.lift == pytest.approx(20.0)
    assert result.p_value < 0.01 and result.significant


def test_fisher_comparison_does_not_flag_an_even_theme() -> None:
    result = compare_with_rest(in_place=2, place_total=4, elsewhere=10, rest_total=20)
    assert result.lift == pytest.approx(1.0)
    assert not result.significant


def test_cochran_armitage_detects_a_rise_and_a_fall() -> None:
    rising = cochran_armitage([0, 1, 4, 6], [6, 6, 6, 6])
    falling = cochran_armitage([5, 4, 0, 0], [6, 6, 6, 6])
    flat = cochran_armitage([3, 3, 3, 3], [6, 6, 6, 6])
    assert rising.direction == "rising" and rising.z > 0
    assert falling.direction == "falling"
    assert flat.direction == "flat" and flat.p_value == pytest.approx(1.0)


def test_a_trend_needs_minimum_support() -> None:
    assert cochran_armitage([0, 0, 0, 2], [30, 30, 30, 2]).direction == "flat"


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"lifecycle": "dormant"}, "dormant"),
        ({"first_seen_latest": True}, "new"),
        ({"trend": Trend(3.0, 0.001, 10)}, "emerging"),
        ({"trend": Trend(-3.0, 0.001, 10)}, "fading"),
        ({"reach_before": 0.2, "reach_recent": 0.6, "new_regions": 3}, "spreading"),
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
