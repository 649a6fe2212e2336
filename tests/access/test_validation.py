"""Validation samples and answers in the team store: latest answer counts, nothing rewritten."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.access.validation import (
    OfferedTheme,
    SampleInfo,
    SampleItem,
    ValidationError,
    find_sample,
    latest_answers,
    record_answers,
    sample_codings,
    save_sample,
    theme_check,
)
from pipeline.analysis.agreement import Coding
from pipeline.storage.team import open_team_store

INFO = SampleInfo(
    sample_id="20261130-120000-n3-s1",
    created_at=dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC),
    created_by="tester",
    seed=1,
    requested=3,
    run_id="run-1",
    themes=(OfferedTheme(1, "Cuckooing"), OfferedTheme(2, "Fake Xanax")),
)
ITEMS = [
    SampleItem(1, "p" * 64, 1, "Wales"),
    SampleItem(2, "q" * 64, None, None),
    SampleItem(3, "r" * 64, 2, "London"),
]


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    con = open_team_store(tmp_path / "team.sqlite")
    save_sample(con, INFO, ITEMS)
    return con


def test_a_sample_comes_back_as_it_was_saved(store: sqlite3.Connection) -> None:
    assert find_sample(store, "20261130") == INFO
    assert find_sample(store, None) == INFO


def test_an_unknown_sample_is_named_in_the_error(store: sqlite3.Connection) -> None:
    with pytest.raises(ValidationError, match="no validation sample starts with 'x'"):
        find_sample(store, "x")


def test_a_coders_latest_answer_is_the_one_that_counts(store: sqlite3.Connection) -> None:
    record_answers(store, INFO, "ana", [("p" * 64, frozenset({2}))])
    record_answers(store, INFO, "ana", [("p" * 64, frozenset({1}))])
    record_answers(store, INFO, "ben", [("p" * 64, frozenset())])
    latest = {(a.coder, a.passage_id): a.theme_ids for a in latest_answers(store, INFO.sample_id)}
    assert latest == {("ana", "p" * 64): frozenset({1}), ("ben", "p" * 64): frozenset()}


def test_answers_are_never_rewritten(store: sqlite3.Connection) -> None:
    record_answers(store, INFO, "ana", [("p" * 64, frozenset({2}))])
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        store.execute("UPDATE validation_answers SET theme_ids = '[1]'")


def test_a_theme_the_sample_did_not_offer_is_refused_and_nothing_is_kept(
    store: sqlite3.Connection,
) -> None:
    with pytest.raises(ValidationError, match="theme 9 was not offered"):
        record_answers(store, INFO, "ana", [("p" * 64, frozenset({1})), ("q" * 64, frozenset({9}))])
    assert latest_answers(store, INFO.sample_id) == []


def test_codings_hold_the_machine_at_the_draw_and_each_person(store: sqlite3.Connection) -> None:
    record_answers(store, INFO, "ana", [("q" * 64, frozenset({1, 2}))])
    codings = set(sample_codings(store, INFO.sample_id))
    assert codings == {
        Coding("p" * 64, "machine", frozenset({"1"})),
        Coding("q" * 64, "machine", frozenset()),
        Coding("r" * 64, "machine", frozenset({"2"})),
        Coding("q" * 64, "ana", frozenset({"1", "2"})),
    }


def test_a_sample_saved_is_read_by_a_later_connection(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite"
    with closing(open_team_store(path)) as first:
        save_sample(first, INFO, ITEMS)
    with closing(open_team_store(path)) as second:
        assert [s.sample_id for s in [find_sample(second, None)]] == [INFO.sample_id]


def test_a_theme_nobody_has_checked_says_so(store: sqlite3.Connection) -> None:
    assert theme_check(store, 1) is None  # a sample, but no answers yet
    record_answers(store, INFO, "ana", [("p" * 64, frozenset({1}))])
    assert theme_check(store, 7) is None  # a theme the sample did not offer


def test_a_checked_theme_reads_as_kappa_with_its_interval_and_n(store: sqlite3.Connection) -> None:
    record_answers(
        store,
        INFO,
        "ana",
        [("p" * 64, frozenset({1})), ("q" * 64, frozenset()), ("r" * 64, frozenset({2}))],
    )
    check = theme_check(store, 1)
    assert check is not None and check.sample_id == INFO.sample_id
    assert check.agreement.agreement.kappa.value == 1.0
    assert check.describe().startswith("checked by people: κ 1.00 (95% CI ")
    assert check.describe().endswith(", n = 3")


def test_a_check_that_cannot_give_kappa_says_why(store: sqlite3.Connection) -> None:
    # The one passage coded is outside theme 1 for both sides: agreement, but none beyond chance.
    record_answers(store, INFO, "ana", [("q" * 64, frozenset())])
    check = theme_check(store, 1)
    assert check is not None
    assert check.describe().startswith("checked by people on 1 passage, but κ cannot be computed")
