"""Theme identity across runs, without a warehouse or a model: ids, placement, curation."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import records
from pipeline.records import KnownTheme, ThemeRecord
from pipeline.themes.codebook import Codebook, Curation
from pipeline.themes.fit import OUTLIER, FittedThemes, ThemeParams
from pipeline.themes.identity import (
    CODE_THRESHOLD,
    MATCH_THRESHOLD,
    N_QUOTES,
    Placement,
    RunContext,
    absorbed_theme_ids,
    apply_merges,
    choose_mode,
    code_relations,
    describe,
    dormant_theme_ids,
    headings,
    match_themes,
    place_new_passages,
    refit_placement,
    refit_theme_ids,
    representative_quotes,
    should_search_pool,
    theme_records,
    update_placement,
)


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


def test_only_centroids_similar_enough_are_paired() -> None:
    a, b, c = np.eye(3, dtype=np.float32)
    assert match_themes({10: a, 11: b}, {0: b, 1: c}, threshold=0.8) == {0: 11}


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


# --- helpers for the tests below -------------------------------------------------------------

PARAMS = ThemeParams(
    n_neighbors=10, n_components=5, min_cluster_size=2, min_samples=2, outlier_threshold=0.45
)


def known(theme_id: int, centroid: np.ndarray | None = None, **fields: object) -> KnownTheme:
    values: dict[str, object] = {
        "label": f"Theme {theme_id}",
        "keywords": ("word",),
        "description": "Earlier description.",
        "status": "active",
        "first_run_id": "run-1",
        "curated": False,
    }
    return KnownTheme(theme_id=theme_id, centroid=centroid, **(values | fields))


def fitted(assignments: list[int], keywords: dict[int, list[str]] | None = None) -> FittedThemes:
    labels = np.array(assignments)
    return FittedThemes(
        assignments=labels,
        probabilities=np.ones(len(labels), dtype=np.float32),
        keywords=keywords if keywords is not None else {t: [] for t in set(assignments) - {-1}},
        seconds=0.0,
        params=PARAMS,
    )


def never_fit(pool: np.ndarray, params: ThemeParams) -> FittedThemes:
    raise AssertionError("the unassigned pool must not be refitted")


# --- mode --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passages", "earlier", "refit_requested", "mode"),
    [
        (["a", "b"], {}, False, "refit"),  # first run
        (["a", "b"], {"a": 1, "b": 1}, False, "update"),  # nothing new
        (["a", "b"], {"a": 1, "b": 1}, True, "refit"),  # asked for
        (["a", "b", "c"], {"a": 1, "b": 1}, False, "update"),  # grown by exactly half
        (["a", "b", "c", "d"], {"a": 1, "b": 1}, False, "refit"),  # grown by more than half
    ],
)
def test_mode_is_update_unless_first_asked_or_grown_by_more_than_half(
    passages: list[str], earlier: dict[str, int], refit_requested: bool, mode: str
) -> None:
    assert choose_mode(passages, earlier, refit_requested=refit_requested) == mode


# --- update placement --------------------------------------------------------------------------


def test_update_placement_keeps_every_earlier_passage_where_it_was() -> None:
    # Passage "b" is closer to theme 2's centroid, and "x" was an outlier: neither moves.
    vectors = np.stack([unit(1, 0), unit(0.6, 0.8), unit(0, 1), unit(0.7, 0.7), unit(0.1, 1)])
    ids = ["a", "b", "c", "x", "new"]
    earlier = {"a": 1, "b": 1, "c": 2, "x": OUTLIER}
    placed = place_new_passages(ids, vectors, earlier, 0.45)
    assert placed[:4].tolist() == [1, 1, 2, OUTLIER]


def test_a_new_passage_joins_the_nearest_theme_when_close_enough() -> None:
    vectors = np.stack([unit(1, 0), unit(0, 1), unit(0.2, 1)])
    placed = place_new_passages(["a", "b", "new"], vectors, {"a": 1, "b": 2}, 0.45)
    assert placed[2] == 2


def test_a_new_passage_far_from_every_theme_stays_unassigned() -> None:
    vectors = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)])
    placed = place_new_passages(["a", "b", "far"], vectors, {"a": 1, "b": 2}, 0.45)
    assert placed[2] == OUTLIER


def test_an_update_with_nothing_new_reproduces_the_earlier_run_without_fitting() -> None:
    vectors = np.stack([unit(1, 0), unit(0, 1), unit(0.5, 0.5)])
    earlier = {"a": 1, "b": 2, "c": OUTLIER}
    themes = {1: known(1, unit(1, 0)), 2: known(2, unit(0, 1))}
    placement = update_placement(["a", "b", "c"], vectors, earlier, themes, PARAMS, 3, never_fit)
    assert placement.theme_of.tolist() == [1, 2, OUTLIER]
    assert placement.next_id == 3


def test_an_update_keeps_the_known_keywords_of_the_themes_it_keeps() -> None:
    vectors = np.stack([unit(1, 0), unit(0, 1)])
    themes = {1: known(1, keywords=("bank accounts", "debt")), 2: known(2)}
    placement = update_placement(
        ["a", "b"], vectors, {"a": 1, "b": 2}, themes, PARAMS, 3, never_fit
    )
    assert placement.keywords[1] == ["bank accounts", "debt"]


def grown_by_a_pool(pool_themes: list[int]) -> tuple[list[list[int]], Placement]:
    """Two earlier passages on theme 1, ten new ones far from it that the pool fit groups."""
    vectors = np.stack([unit(1, 0)] * 2 + [unit(0, 1)] * 10)
    ids = ["e1", "e2", *(f"n{i}" for i in range(10))]
    calls: list[list[int]] = []

    def fit_pool(pool: np.ndarray, params: ThemeParams) -> FittedThemes:
        calls.append(pool.tolist())
        return fitted(pool_themes, {0: ["fake pills"], 1: ["county lines"], 2: []})

    placement = update_placement(
        ids, vectors, {"e1": 1, "e2": 1}, {1: known(1)}, PARAMS, 7, fit_pool
    )
    return calls, placement


def test_the_unassigned_pool_is_fitted_when_new_passages_arrived() -> None:
    calls, _ = grown_by_a_pool([0] * 10)
    assert calls == [list(range(2, 12))]


def test_new_themes_found_in_the_pool_get_the_next_ids() -> None:
    _, placement = grown_by_a_pool([0] * 6 + [1] * 4)
    assert placement.theme_of.tolist() == [1, 1] + [7] * 6 + [8] * 4
    assert placement.keywords[7] == ["fake pills"] and placement.next_id == 9


def test_pool_themes_smaller_than_the_minimum_stay_unassigned() -> None:
    _, placement = grown_by_a_pool([0] * 9 + [1])  # min_cluster_size is 2
    assert placement.theme_of.tolist() == [1, 1] + [7] * 9 + [OUTLIER]
    assert placement.next_id == 8


def test_the_pool_is_not_searched_when_too_few_passages_are_unassigned() -> None:
    vectors = np.stack([unit(1, 0)] * 2 + [unit(0, 1)] * 3)
    earlier = {"e1": 1, "e2": 1}
    ids = ["e1", "e2", "n1", "n2", "n3"]  # 3 unassigned: fewer than 10
    placement = update_placement(ids, vectors, earlier, {1: known(1)}, PARAMS, 2, never_fit)
    assert placement.theme_of.tolist() == [1, 1, OUTLIER, OUTLIER, OUTLIER]


# --- refit ids ---------------------------------------------------------------------------------


def test_refit_matched_themes_keep_their_ids_and_the_others_get_the_next_ids() -> None:
    mapping, next_id = refit_theme_ids([0, 1, 2, 3], {1: 17, 3: 4}, 20)
    assert mapping == {0: 20, 1: 17, 2: 21, 3: 4}
    assert next_id == 22


def test_a_refit_puts_passages_under_the_matched_ids() -> None:
    vectors = np.stack([unit(1, 0), unit(1, 0.1), unit(0, 1), unit(0.1, 1), unit(1, 1)])
    themes = {5: known(5, unit(0, 1)), 9: known(9, unit(1, 0))}
    placement = refit_placement(fitted([0, 0, 1, 1, OUTLIER]), vectors, themes, 10)
    assert placement.theme_of.tolist() == [9, 9, 5, 5, OUTLIER]
    assert placement.next_id == 10


def test_a_refit_never_revives_a_dormant_theme_id() -> None:
    vectors = np.stack([unit(1, 0), unit(1, 0.1)])
    themes = {9: known(9, unit(1, 0), status="dormant")}
    placement = refit_placement(fitted([0, 0]), vectors, themes, 10)
    assert placement.theme_of.tolist() == [10, 10]


# --- merges and dormancy -----------------------------------------------------------------------


def test_merges_follow_the_codebook_and_leave_unassigned_passages_alone() -> None:
    book = Codebook(curations={3: Curation(merge_into=4), 4: Curation(merge_into=6)})
    assert apply_merges(np.array([3, 4, 5, OUTLIER]), book).tolist() == [6, 6, 5, OUTLIER]


def test_a_known_theme_with_no_passages_becomes_dormant() -> None:
    themes = {1: known(1), 2: known(2), 3: known(3)}
    assert dormant_theme_ids(themes, {1, 3}) == [2]


def test_an_already_dormant_theme_is_not_marked_again() -> None:
    themes = {1: known(1), 2: known(2, status="dormant")}
    assert dormant_theme_ids(themes, {1}) == []


# --- theme records: curation, status, description ----------------------------------------------


def records_for(
    theme_of: list[int], curations: dict[int, Curation], themes: dict[int, KnownTheme]
) -> dict[int, ThemeRecord]:
    n = len(theme_of)
    run = RunContext(
        run_id="run-2",
        model="all-MiniLM-L6-v2",
        passage_ids=[f"p{i}" for i in range(n)],
        areas=["Luton"] * n,
        vectors=np.stack([unit(1, 0.1 * i) for i in range(n)]),
    )
    keywords = {t: ["bank accounts", "debt"] for t in set(theme_of) - {OUTLIER}}
    found = theme_records(run, np.array(theme_of), keywords, themes, curations, {})
    return {record.theme_id: record for record in found}


def test_a_curated_label_and_description_win_over_the_generated_ones() -> None:
    curation = Curation(label="Debt bondage", description="Owing money to the line.")
    record = records_for([1, 1], {1: curation}, {})[1]
    assert (record.label, record.description) == ("Debt bondage", "Owing money to the line.")
    assert record.generated_label == "Bank accounts and debt" and record.curated


def test_without_curation_the_label_and_description_are_generated() -> None:
    record = records_for([1, 1], {}, {})[1]
    assert record.label == record.generated_label == "Bank accounts and debt"
    assert record.description == describe(["bank accounts", "debt"], 2)
    assert not record.curated


def test_a_theme_curated_not_relevant_says_so_whatever_its_age() -> None:
    records = records_for(
        [1, 2], {1: Curation(not_relevant=True), 2: Curation(not_relevant=True)}, {2: known(2)}
    )
    assert records[1].status == records[2].status == "not_relevant"


def test_a_theme_is_new_in_its_first_run_and_keeps_that_run_after() -> None:
    records = records_for([1, 2, OUTLIER], {}, {2: known(2, first_run_id="run-1")})
    assert (records[1].status, records[1].first_run_id) == ("new", "run-2")
    assert (records[2].status, records[2].first_run_id) == ("active", "run-1")
    assert OUTLIER not in records and records[1].n_passages == 1


@pytest.mark.parametrize(
    ("keywords", "n", "description"),
    [
        ([], 3, "3 passages with no distinctive vocabulary."),
        (["debt"], 2, "Passages about debt (2 passages)."),
        (["debt", "cash"], 4, "Passages about debt and cash (4 passages)."),
        (["a", "b", "c", "d", "e"], 9, "Passages about a, b, c and d (9 passages)."),
    ],
)
def test_generated_descriptions(keywords: list[str], n: int, description: str) -> None:
    assert describe(keywords, n) == description


# --- quotes, headings, code relations ----------------------------------------------------------


def test_quotes_take_one_passage_per_area_before_a_second_from_any_area() -> None:
    # Closest first: a1, a2 (area A), b1 (B), c1 (C); each area is quoted before A again.
    vectors = np.stack([unit(1, 0), unit(1, 0.1), unit(1, 0.2), unit(1, 0.3)])
    ids = ["a1", "a2", "b1", "c1"]
    areas: list[str | None] = ["A", "A", "B", "C"]
    assert representative_quotes(vectors, unit(1, 0), ids, areas) == ["a1", "b1", "c1", "a2"]


def test_quotes_are_at_most_n_quotes_closest_first_within_one_area() -> None:
    vectors = np.stack([unit(1, 0.1 * i) for i in range(8)])
    ids = [f"p{i}" for i in range(8)]
    quotes = representative_quotes(vectors, unit(1, 0), ids, [None] * 8)
    assert quotes == ids[:N_QUOTES]


def test_a_heading_is_the_guided_theme_most_of_the_passages_are_closest_to() -> None:
    code_sims = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.6], [0.9, 0.0]])
    theme_of = np.array([1, 1, 1, OUTLIER])
    assert headings(theme_of, code_sims, ["Prevention", "Protection"]) == {1: "Protection"}


def test_without_guided_themes_every_heading_is_themes() -> None:
    assert headings(np.array([2, 1, OUTLIER]), None, []) == {1: "Themes", 2: "Themes"}


def test_passages_relate_to_guided_themes_at_or_above_the_threshold_only() -> None:
    code_sims = np.array([[CODE_THRESHOLD, CODE_THRESHOLD - 0.01], [0.9, 0.5]])
    related = code_relations(["p0", "p1"], code_sims, ["prevention", "protection"])
    assert [(c.passage_id, c.code_id) for c in related] == [
        ("p0", "prevention"),
        ("p1", "prevention"),
        ("p1", "protection"),
    ]


# --- thresholds and edge cases the tests above leave open --------------------------------------


def test_a_new_passage_exactly_at_the_threshold_joins_the_theme() -> None:
    # The centroid of one passage at (1, 0) is (1, 0); (0.6, 0.8) is exactly 0.6 from it.
    vectors = np.stack([unit(1, 0), np.array([0.6, 0.8])])
    placed = place_new_passages(["a", "new"], vectors, {"a": 1}, 0.6)
    assert placed.tolist() == [1, 1]


def test_new_passages_stay_unassigned_when_the_earlier_run_found_no_theme() -> None:
    vectors = np.stack([unit(1, 0), unit(1, 0.1)])
    placed = place_new_passages(["a", "new"], vectors, {"a": OUTLIER}, 0.45)
    assert placed.tolist() == [OUTLIER, OUTLIER]


def test_a_rerun_with_nothing_new_never_refits_even_a_large_unassigned_pool() -> None:
    vectors = np.stack([unit(1, 0)] * 2 + [unit(0, 1)] * 10)
    ids = ["e1", "e2", *(f"o{i}" for i in range(10))]
    earlier = {"e1": 1, "e2": 1} | dict.fromkeys(ids[2:], OUTLIER)
    placement = update_placement(ids, vectors, earlier, {1: known(1)}, PARAMS, 2, never_fit)
    assert placement.theme_of.tolist() == [1, 1] + [OUTLIER] * 10


def test_the_pool_is_searched_when_it_holds_exactly_two_minimum_themes() -> None:
    assert should_search_pool(True, pool_size=10, min_cluster_size=5)


def test_the_pool_is_not_searched_when_it_cannot_hold_two_minimum_themes() -> None:
    assert not should_search_pool(True, pool_size=11, min_cluster_size=6)


def test_the_pool_fit_gets_parameters_for_the_pool_size_and_the_run_seed() -> None:
    vectors = np.stack([unit(1, 0)] * 2 + [unit(0, 1)] * 10)
    ids = ["e1", "e2", *(f"n{i}" for i in range(10))]
    seen: list[ThemeParams] = []

    def fit_pool(pool: np.ndarray, params: ThemeParams) -> FittedThemes:
        seen.append(params)
        return fitted([OUTLIER] * len(pool))

    params = ThemeParams(
        n_neighbors=10,
        n_components=5,
        min_cluster_size=2,
        min_samples=2,
        outlier_threshold=0.45,
        seed=7,
    )
    update_placement(ids, vectors, {"e1": 1, "e2": 1}, {1: known(1)}, params, 2, fit_pool)
    assert seen == [ThemeParams.for_corpus(10, seed=7)]


def test_a_pool_theme_of_exactly_the_minimum_size_is_kept() -> None:
    _, placement = grown_by_a_pool([0] * 8 + [1] * 2)  # min_cluster_size is 2
    assert placement.theme_of.tolist() == [1, 1] + [7] * 8 + [8] * 2


def test_a_too_small_pool_theme_does_not_stop_the_larger_ones_after_it() -> None:
    _, placement = grown_by_a_pool([0] + [1] * 9)
    assert placement.theme_of.tolist() == [1, 1, OUTLIER] + [7] * 9


def test_a_pool_theme_without_keywords_gets_an_empty_list() -> None:
    _, placement = grown_by_a_pool([0] * 5 + [3] * 5)  # the fit has no words for theme 3
    assert placement.keywords[8] == []


def test_an_update_gives_each_passage_its_similarity_to_its_own_theme_and_zero_if_none() -> None:
    vectors = np.stack([unit(1, 0), unit(0, 1), unit(0, 1), unit(1, 1)])
    earlier = {"a": 1, "b": 2, "c": 2, "x": OUTLIER}
    themes = {1: known(1), 2: known(2)}
    placement = update_placement(
        ["a", "b", "c", "x"], vectors, earlier, themes, PARAMS, 3, never_fit
    )
    assert placement.similarity.tolist() == pytest.approx([1.0, 1.0, 1.0, 0.0])


def test_a_refit_gives_the_fitted_keywords_under_the_theme_ids() -> None:
    vectors = np.stack([unit(1, 0), unit(1, 0.1), unit(0, 1)])
    themes = {9: known(9, unit(1, 0))}
    fit = fitted([0, 0, 1], {0: ["debt"], 1: ["fake pills"]})
    placement = refit_placement(fit, vectors, themes, 10)
    assert placement.keywords == {9: ["debt"], 10: ["fake pills"]}


def test_a_refit_stores_each_passages_similarity_to_its_theme_in_its_own_vectors() -> None:
    # The fit's figures are in the space it clustered in (passages read in context); quotes
    # are ranked on the stored one, as an update run stores it: the passage's own vector.
    vectors = np.stack([unit(1, 0), unit(1, 0.5), unit(0, 1)])
    fit = fitted([0, 0, -1])
    fit.probabilities = np.array([0.25, 0.75, 0.0], dtype=np.float32)
    placement = refit_placement(fit, vectors, {}, 1)
    centroid = (vectors[0] + vectors[1]) / np.linalg.norm(vectors[0] + vectors[1])
    expected = [float(vectors[0] @ centroid), float(vectors[1] @ centroid), 0.0]
    assert placement.similarity.tolist() == pytest.approx(expected)


def test_a_code_relation_keeps_the_similarity() -> None:
    related = code_relations(["p0"], np.array([[0.5]]), ["prevention"])
    assert [c.similarity for c in related] == [0.5]


def test_quotes_tied_in_similarity_follow_passage_order() -> None:
    # Twenty passages, every other one on the centroid: the ties are quoted in passage order.
    vectors = np.stack([unit(1, 0) if i % 2 else unit(0, 1) for i in range(20)])
    ids = [f"p{i}" for i in range(20)]
    quotes = representative_quotes(vectors, unit(1, 0), ids, [None] * 20)
    assert quotes == ["p1", "p3", "p5", "p7", "p9"]


# --- theme record fields -----------------------------------------------------------------------


def run_of_two_themes() -> RunContext:
    return RunContext(
        run_id="run-2",
        model="all-MiniLM-L6-v2",
        passage_ids=["a1", "a2", "b1", "b2"],
        areas=["Luton", "Leeds", "Luton", "Leeds"],
        vectors=np.stack([unit(1, 0), unit(1, 0), unit(0, 1), unit(0, 1)]),
    )


def two_theme_records(theme_headings: dict[int, str]) -> dict[int, ThemeRecord]:
    keywords = {1: ["debt"], 2: ["fake pills"]}
    found = theme_records(
        run_of_two_themes(), np.array([1, 1, 2, 2]), keywords, {}, {}, theme_headings
    )
    return {record.theme_id: record for record in found}


def test_a_record_quotes_only_its_own_passages() -> None:
    records = two_theme_records({})
    assert (records[1].quote_passage_ids, records[2].quote_passage_ids) == (
        ["a1", "a2"],
        ["b1", "b2"],
    )


def test_a_record_centroid_is_its_own_passages_direction() -> None:
    records = two_theme_records({})
    assert records[2].centroid.tolist() == pytest.approx([0.0, 1.0])


def test_a_record_carries_its_keywords() -> None:
    assert two_theme_records({})[2].keywords == ["fake pills"]


def test_a_record_carries_this_run_as_its_last_run_and_the_model() -> None:
    record = two_theme_records({})[1]
    assert (record.last_run_id, record.model) == ("run-2", "all-MiniLM-L6-v2")


def test_a_record_carries_its_own_heading() -> None:
    records = two_theme_records({1: "Prevention", 2: "Protection"})
    assert (records[1].heading, records[2].heading) == ("Prevention", "Protection")


# --- calibrated placement (#15) ----------------------------------------------------------------


def spread(centre: np.ndarray, offsets: list[float]) -> list[np.ndarray]:
    """Unit vectors around `centre` (2-D, first axis), each turned by one offset on the second."""
    return [unit(centre[0], centre[1] + offset) for offset in offsets]


def test_a_new_passage_less_close_than_a_tight_themes_own_passages_stays_unassigned() -> None:
    # Theme 1's passages all lie within 0.995 of their centroid; the new one is at ~0.83, far
    # above the fit's floor of 0.45 but plainly not as close as the theme's own passages.
    members = spread(unit(1, 0), [-0.1, -0.05, 0.0, 0.05, 0.1])
    vectors = np.stack([*members, unit(1, 0.67)])
    ids = [f"m{i}" for i in range(5)] + ["new"]
    placed = place_new_passages(ids, vectors, dict.fromkeys(ids[:5], 1), 0.45)
    assert placed[-1] == OUTLIER


def test_a_loose_theme_takes_a_passage_as_close_as_its_own_passages() -> None:
    # The same distance from a theme whose own passages spread that far is close enough.
    members = spread(unit(1, 0), [-0.8, -0.6, -0.3, 0.0, 0.3, 0.6, 0.8])
    vectors = np.stack([*members, unit(1, 0.67)])
    ids = [f"m{i}" for i in range(7)] + ["new"]
    placed = place_new_passages(ids, vectors, dict.fromkeys(ids[:7], 1), 0.45)
    assert placed[-1] == 1


def test_a_themes_threshold_is_never_below_the_floor() -> None:
    from pipeline.themes import identity

    members = np.stack(spread(unit(1, 0), [-3, -2, 2, 3, 0.0]))
    thresholds = identity.placement_thresholds(members, np.ones(5, dtype=np.int64), 0.45)
    assert thresholds == {1: 0.45}


def test_a_small_themes_threshold_is_the_floor() -> None:
    from pipeline.themes import identity

    members = np.stack(spread(unit(1, 0), [0.0, 0.01]))
    assert identity.placement_thresholds(members, np.ones(2, dtype=np.int64), 0.45) == {1: 0.45}


# --- refit identity by shared passages (#15) ---------------------------------------------------


def grown_refit(fitted_of: list[int], previous: list[int], vectors: np.ndarray) -> np.ndarray:
    """A refit's theme ids given the fit, each passage's earlier theme and the vectors."""
    earlier_ids = {t for t in previous if t != OUTLIER}
    themes = {t: known(t, unit(1, 0) if t == 1 else unit(0, 1)) for t in earlier_ids}
    placement = refit_placement(
        fitted(fitted_of), vectors, themes, 10, np.array(previous, dtype=np.int64), 0.45
    )
    return placement.theme_of


def test_a_theme_that_drifted_keeps_its_id_through_its_passages() -> None:
    # Theme 1's two earlier passages lie near (1, 0); grown fivefold, its fitted theme's centroid
    # is pulled to ~(0.5, 0.87), cosine 0.5 with the old one: the centroid alone lost the id.
    vectors = np.stack([unit(1, 0.1), unit(1, -0.1)] + [unit(0.3, 1)] * 8)
    theme_of = grown_refit([0] * 10, [1, 1] + [OUTLIER] * 8, vectors)
    assert theme_of.tolist() == [1] * 10


def test_one_to_one_by_shared_passages_when_two_earlier_themes_swap_places() -> None:
    # Fitted index 0 holds theme 2's passages and index 1 theme 1's, whatever their order.
    vectors = np.stack([unit(0, 1)] * 3 + [unit(1, 0)] * 3)
    theme_of = grown_refit([0, 0, 0, 1, 1, 1], [2, 2, 2, 1, 1, 1], vectors)
    assert theme_of.tolist() == [2, 2, 2, 1, 1, 1]


def test_a_refit_with_nothing_new_reproduces_every_id() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(30, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    fitted_of = [i % 3 for i in range(30)]
    previous = [{0: 7, 1: 4, 2: 9}[t] for t in fitted_of]
    theme_of = grown_refit(fitted_of, previous, vectors)
    assert theme_of.tolist() == previous


def test_an_earlier_passage_still_close_to_its_theme_stays_on_it_after_a_split() -> None:
    # The fit split theme 1: index 1 took one earlier passage that is still as close to theme
    # 1's centroid as its members are, so it stays; the new passages form the new theme.
    members = [unit(1, d) for d in (-0.2, -0.1, 0.0, 0.1, 0.2)]
    vectors = np.stack([*members, unit(1, 0.05), *[unit(0, 1)] * 4])
    previous = [1] * 6 + [OUTLIER] * 4
    theme_of = grown_refit([0] * 5 + [1] + [1] * 4, previous, vectors)
    assert theme_of.tolist() == [1] * 6 + [10] * 4


def test_an_earlier_passage_no_longer_close_to_its_theme_follows_the_fit() -> None:
    members = [unit(1, d) for d in (-0.1, -0.05, 0.0, 0.05, 0.1)]
    vectors = np.stack([*members, unit(0.1, 1), *[unit(0, 1)] * 4])
    previous = [1] * 6 + [OUTLIER] * 4
    theme_of = grown_refit([0] * 5 + [1] * 5, previous, vectors)
    assert theme_of.tolist() == [1] * 5 + [10] * 5


# --- lineage (#15) -----------------------------------------------------------------------------


def lineage(previous: list[int], now: list[int]) -> list[records.ThemeLineage]:
    from pipeline.themes import identity

    return identity.theme_lineage(np.array(previous), np.array(now))


def test_a_split_is_recorded_with_the_passages_that_moved() -> None:
    # Theme 4's ten earlier passages: six stay on 4, four go to the new theme 27.
    assert lineage([4] * 10, [4] * 6 + [27] * 4) == [
        records.ThemeLineage("split", (4,), (4, 27), 4)
    ]


def test_a_merge_is_recorded_with_the_passages_that_moved() -> None:
    # Themes 9 and 12 now lie under 9.
    assert lineage([9] * 6 + [12] * 5, [9] * 11) == [
        records.ThemeLineage("merge", (9, 12), (9,), 5)
    ]


def test_a_split_into_themes_that_are_all_new_names_only_them() -> None:
    assert lineage([3] * 8, [30] * 4 + [31] * 4) == [
        records.ThemeLineage("split", (3,), (30, 31), 8)
    ]


@pytest.mark.parametrize(
    ("previous", "now"),
    [
        ([1, 1, 2, 2], [1, 1, 2, 2]),  # nothing moved
        ([1] * 20, [1] * 18 + [5] * 2),  # two strays are no split
        ([1] * 10 + [OUTLIER] * 6, [1] * 10 + [8] * 6),  # new passages make a new theme
        ([1] * 10, [1] * 6 + [OUTLIER] * 4),  # passages left unassigned
    ],
)
def test_no_lineage_without_a_real_split_or_merge(previous: list[int], now: list[int]) -> None:
    assert lineage(previous, now) == []


def test_a_theme_scattered_over_several_themes_is_recorded_as_one_split() -> None:
    # A broad early theme the grown corpus divides many ways: each part a tenth of it or more.
    assert lineage([1] * 30, [1] * 18 + [5] * 4 + [6] * 4 + [7] * 4) == [
        records.ThemeLineage("split", (1,), (1, 5, 6, 7), 12)
    ]


def test_a_dormant_theme_merged_or_split_away_is_absorbed_and_one_that_faded_is_not() -> None:
    lineage = [
        records.ThemeLineage("merge", (3, 4), (3,), 12),
        records.ThemeLineage("split", (7,), (8, 9), 20),
    ]
    assert absorbed_theme_ids([4, 7, 11], lineage) == [4, 7]
