"""Theme identity across refits: which new theme keeps which earlier theme's id."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.themes.run import MATCH_THRESHOLD, match_themes


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float64)
    return vector / np.linalg.norm(vector)


def test_no_earlier_themes_means_every_theme_is_new() -> None:
    assert match_themes({}, {0: unit(1, 0), 1: unit(0, 1)}, MATCH_THRESHOLD) == {}


def test_no_current_themes_matches_nothing() -> None:
    assert match_themes({7: unit(1, 0)}, {}, MATCH_THRESHOLD) == {}


def test_the_match_maps_current_indices_to_earlier_ids() -> None:
    previous = {17: unit(1, 0, 0), 4: unit(0, 1, 0)}
    current = {0: unit(0, 1, 0), 1: unit(1, 0, 0)}
    assert match_themes(previous, current, MATCH_THRESHOLD) == {0: 4, 1: 17}


def test_similarity_exactly_at_the_threshold_keeps_the_id() -> None:
    # 0.6 * 1 + 0.8 * 0 is exactly 0.6 in floating point
    assert match_themes({5: unit(1, 0)}, {0: np.array([0.6, 0.8])}, 0.6) == {0: 5}


def test_similarity_below_the_threshold_makes_a_new_theme() -> None:
    assert match_themes({5: unit(1, 0)}, {0: np.array([0.6, 0.8])}, 0.61) == {}


def test_the_assignment_maximises_total_similarity_not_each_best_pair() -> None:
    # Greedy would give current 0 the id 10 (0.95) and leave current 1 below threshold with 11;
    # the optimal assignment keeps both ids (0.90 + 0.92 > 0.95 + 0.10).
    previous = {10: unit(1, 0), 11: unit(0, 1)}
    sims = np.array([[0.95, 0.90], [0.92, 0.10]])
    current = {0: sims[0], 1: sims[1]}  # dot products with the unit axes are the table above
    assert match_themes(previous, current, 0.8) == {0: 11, 1: 10}


def test_each_earlier_id_is_kept_by_one_theme_at_most() -> None:
    previous = {3: unit(1, 0)}
    current = {0: unit(1, 0.01), 1: unit(1, 0.02)}
    matched = match_themes(previous, current, MATCH_THRESHOLD)
    assert list(matched.values()) == [3]


def test_more_current_themes_than_earlier_ones_leaves_the_extra_unmatched() -> None:
    previous = {1: unit(1, 0, 0)}
    current = {0: unit(0, 0, 1), 1: unit(1, 0, 0), 2: unit(0, 1, 0)}
    assert match_themes(previous, current, MATCH_THRESHOLD) == {1: 1}


def test_more_earlier_themes_than_current_ones_leaves_the_extra_dormant() -> None:
    previous = {1: unit(1, 0, 0), 2: unit(0, 1, 0), 3: unit(0, 0, 1)}
    current = {0: unit(0, 0.1, 1)}
    assert match_themes(previous, current, MATCH_THRESHOLD) == {0: 3}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_shuffled_slightly_moved_refit_keeps_every_id(seed: int) -> None:
    # Centroids of sentence embeddings: 384 dimensions, refit in another order with some drift.
    rng = np.random.default_rng(seed)
    earlier = rng.normal(size=(12, 384))
    earlier /= np.linalg.norm(earlier, axis=1, keepdims=True)
    order = rng.permutation(12)
    moved = earlier[order] + rng.normal(scale=0.01, size=(12, 384))
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    previous = {100 + i: earlier[i] for i in range(12)}
    current = {i: moved[i] for i in range(12)}
    assert match_themes(previous, current, MATCH_THRESHOLD) == {
        i: 100 + int(order[i]) for i in range(12)
    }
