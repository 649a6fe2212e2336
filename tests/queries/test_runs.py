"""What the latest run changed: which dormant themes a merge or split carried into others."""

from __future__ import annotations

from pipeline.queries.runs import carried_into


def test_a_dormant_theme_merged_into_another_is_carried_into_it() -> None:
    assert carried_into([9], [([9, 12], [12])]) == {9: [12]}


def test_a_dormant_theme_split_in_two_is_carried_into_both() -> None:
    assert carried_into([4], [([4], [27, 5])]) == {4: [5, 27]}


def test_a_split_whose_source_lives_on_carries_nothing_dormant() -> None:
    # Theme 4 kept its id and gave part of itself to 27: not dormant, nothing to say of it, nor
    # of theme 7, which went dormant without taking part in the split.
    assert carried_into([7], [([4], [4, 27])]) == {}


def test_two_dormant_themes_merged_into_a_third_are_each_carried_into_it() -> None:
    assert carried_into([1, 2], [([1, 2, 3], [3])]) == {1: [3], 2: [3]}


def test_a_dormant_theme_no_event_names_is_not_carried() -> None:
    # It faded: its passages went nowhere a split or merge recorded.
    assert carried_into([8], [([9, 12], [12])]) == {}


def test_a_theme_in_two_events_is_carried_into_each_target_once() -> None:
    assert carried_into([6], [([6], [3, 5]), ([3, 6], [3])]) == {6: [3, 5]}
