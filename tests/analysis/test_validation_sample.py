from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis.validation_sample import (
    CandidatePassage,
    ValidationSampleError,
    draw_validation_sample,
)

PROPERTY = settings(max_examples=150, deadline=None)

candidates = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 4)), st.sampled_from([None, "London", "Wales"])),
    max_size=60,
).map(
    lambda strata: [
        CandidatePassage(f"p{i}", theme_id, region) for i, (theme_id, region) in enumerate(strata)
    ]
)
sizes = st.integers(1, 80)
seeds = st.integers(0, 2**32 - 1)


def stratum(passage: CandidatePassage) -> tuple[int | None, str | None]:
    return passage.theme_id, passage.region


def population(counts: dict[tuple[int | None, str | None], int]) -> list[CandidatePassage]:
    return [
        CandidatePassage(f"{theme_id}-{region}-{i}", theme_id, region)
        for (theme_id, region), count in counts.items()
        for i in range(count)
    ]


# Properties


@given(candidates, sizes, seeds)
@PROPERTY
def test_sample_never_exceeds_the_size_asked_for_or_the_passages_available(
    passages: list[CandidatePassage], n: int, seed: int
) -> None:
    sample = draw_validation_sample(passages, n, seed)
    assert len(sample.passages) == min(n, len(passages))


@given(candidates, sizes, seeds)
@PROPERTY
def test_sample_has_no_duplicates_and_only_given_passages(
    passages: list[CandidatePassage], n: int, seed: int
) -> None:
    sample = draw_validation_sample(passages, n, seed)
    ids = [p.passage_id for p in sample.passages]
    assert len(ids) == len(set(ids))
    assert set(sample.passages) <= set(passages)


@given(candidates, sizes, seeds)
@PROPERTY
def test_sample_covers_every_stratum_when_n_allows(
    passages: list[CandidatePassage], n: int, seed: int
) -> None:
    strata = {stratum(p) for p in passages}
    sample = draw_validation_sample(passages, n, seed)
    drawn = {stratum(p) for p in sample.passages}
    if n >= len(strata):
        assert drawn == strata
    else:
        assert len(drawn) == n  # one each from n of them


@given(candidates, sizes, seeds)
@PROPERTY
def test_same_seed_gives_the_same_sample_whatever_order_passages_arrive_in(
    passages: list[CandidatePassage], n: int, seed: int
) -> None:
    shuffled = list(passages)
    random.Random(seed).shuffle(shuffled)
    assert draw_validation_sample(passages, n, seed) == draw_validation_sample(shuffled, n, seed)


@given(candidates, sizes, seeds)
@PROPERTY
def test_strata_record_what_each_holds_and_gave(
    passages: list[CandidatePassage], n: int, seed: int
) -> None:
    sample = draw_validation_sample(passages, n, seed)
    held = Counter(stratum(p) for p in passages)
    gave = Counter(stratum(p) for p in sample.passages)
    for s in sample.strata:
        assert s.available == held[(s.theme_id, s.region)]
        assert s.drawn == gave[(s.theme_id, s.region)]
        assert 0 <= s.drawn <= s.available
    assert len(sample.strata) == len(held)


# Allocation


def test_allocation_is_one_each_then_proportional_to_what_is_left() -> None:
    # Sizes 60, 30, 10 and n = 20: one each, then 17 shared by 59:29:9 (of 97) gives quotas
    # 10.34, 5.08, 1.58; floors 10, 5, 1 leave 1, which goes to the largest remainder (0.58).
    passages = population({(1, "London"): 60, (2, "London"): 30, (3, "Wales"): 10})
    sample = draw_validation_sample(passages, 20, seed=1)
    assert [s.drawn for s in sample.strata] == [11, 6, 3]


def test_unassigned_passages_are_a_stratum_of_their_own() -> None:
    passages = population({(1, "London"): 30, (None, "London"): 30})
    sample = draw_validation_sample(passages, 10, seed=2)
    assert [(s.theme_id, s.region, s.drawn) for s in sample.strata] == [
        (1, "London", 5),
        (None, "London", 5),
    ]


def test_passages_without_a_region_are_a_stratum_of_their_own() -> None:
    passages = population({(1, "London"): 5, (1, None): 5})
    sample = draw_validation_sample(passages, 2, seed=0)
    assert {stratum(p) for p in sample.passages} == {(1, "London"), (1, None)}


def test_n_of_at_least_all_passages_takes_them_all() -> None:
    passages = population({(1, "London"): 3, (None, None): 2})
    sample = draw_validation_sample(passages, 100, seed=0)
    assert sorted(sample.passages, key=lambda p: p.passage_id) == sorted(
        passages, key=lambda p: p.passage_id
    )
    assert sample.requested == 100


def test_fewer_places_than_strata_draw_one_each_from_larger_strata_more_often() -> None:
    # n = 1 of two strata sized 90 and 10: the big one should win about 90% of seeds.
    passages = population({(1, "London"): 90, (2, "London"): 10})
    wins = sum(
        draw_validation_sample(passages, 1, seed).passages[0].theme_id == 1 for seed in range(200)
    )
    assert 160 <= wins <= 195


def test_another_seed_draws_another_sample() -> None:
    passages = population({(1, "London"): 50, (2, "Wales"): 50})
    assert draw_validation_sample(passages, 10, 1) != draw_validation_sample(passages, 10, 2)


def test_order_does_not_give_away_the_theme() -> None:
    # Drawn stratum by stratum, the list would run theme 1 then theme 2; shuffled, it must not.
    passages = population({(1, "London"): 50, (2, "London"): 50})
    for seed in range(20):
        themes = [p.theme_id for p in draw_validation_sample(passages, 40, seed).passages]
        assert themes != sorted(themes)
        assert themes != sorted(themes, reverse=True)


def test_no_passages_gives_an_empty_sample() -> None:
    sample = draw_validation_sample([], 10, seed=0)
    assert sample.passages == ()
    assert sample.strata == ()


# Bad input


@pytest.mark.parametrize("n", [0, -3])
def test_a_size_below_one_is_refused(n: int) -> None:
    with pytest.raises(ValidationSampleError, match=rf"^sample size must be at least 1, not {n}$"):
        draw_validation_sample(population({(1, "London"): 3}), n, seed=0)


def test_a_passage_listed_twice_is_refused_by_id() -> None:
    twice = [CandidatePassage("p1", 1, "London"), CandidatePassage("p1", 2, "Wales")]
    with pytest.raises(ValidationSampleError, match="passage 'p1' is listed twice"):
        draw_validation_sample(twice, 1, seed=0)
