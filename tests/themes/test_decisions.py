"""People's coding decisions folded into current decisions, applied over a run, overlaid at once."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline.themes.decisions import (
    OUTLIER,
    AppliedDecision,
    CodingAction,
    CodingDecision,
    CodingState,
    apply_decisions,
    current_decisions,
    overlay_decisions,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def decision(n: int, passage: str, theme: int, action: str, coder: str = "ann") -> CodingDecision:
    return CodingDecision(
        n, passage, theme, CodingAction(action), coder, T0 + dt.timedelta(minutes=n), f"why {n}"
    )


def states(log: list[CodingDecision], passage: str = "p1") -> dict[int, CodingState]:
    return {t: d.state for t, d in current_decisions(log)[passage].themes.items()}


def test_a_move_makes_the_theme_primary():
    assert states([decision(1, "p1", 3, "move")]) == {3: CodingState.primary}


def test_a_later_move_supersedes_the_earlier_one():
    log = [decision(1, "p1", 3, "move"), decision(2, "p1", 5, "move")]
    assert states(log) == {5: CodingState.primary}


def test_the_log_is_folded_in_time_order_whatever_order_it_comes_in():
    log = [decision(2, "p1", 5, "move"), decision(1, "p1", 3, "move")]
    assert states(log) == {5: CodingState.primary}


def test_a_removal_after_an_add_takes_the_theme_off():
    log = [decision(1, "p1", 4, "add"), decision(2, "p1", 4, "remove")]
    assert states(log) == {4: CodingState.removed}


def test_adding_the_primary_theme_keeps_it_primary():
    log = [decision(1, "p1", 3, "move"), decision(2, "p1", 3, "add")]
    assert states(log) == {3: CodingState.primary}


def test_the_current_decision_names_who_decided_last_and_why():
    log = [decision(1, "p1", 3, "add", "ann"), decision(2, "p1", 3, "remove", "bob")]
    latest = current_decisions(log)["p1"].themes[3]
    assert (latest.coder, latest.why) == ("bob", "why 2")


IDS = ["p1", "p2", "p3"]
MACHINE = np.array([1, 2, OUTLIER])


def applied(log: list[CodingDecision], known: set[int] = {1, 2, 3, 4}):  # noqa: B006
    return apply_decisions(IDS, MACHINE, current_decisions(log), known)


def test_a_moved_passage_takes_the_persons_theme_and_the_disagreement_is_listed():
    coded = applied([decision(1, "p1", 3, "move")])
    assert coded.theme_of.tolist() == [3, 2, OUTLIER]
    assert [(d.passage_id, d.machine_theme_id, d.theme_id) for d in coded.disagreements] == [
        ("p1", 1, 3)
    ]


def test_a_move_the_machine_agrees_with_is_no_disagreement():
    coded = applied([decision(1, "p2", 2, "move")])
    assert coded.theme_of.tolist() == [1, 2, OUTLIER]
    assert coded.disagreements == []
    assert len(coded.applied) == 1


def test_a_passage_taken_off_its_machine_theme_goes_to_none():
    coded = applied([decision(1, "p2", 2, "remove")])
    assert coded.theme_of.tolist() == [1, OUTLIER, OUTLIER]
    assert [d.state for d in coded.disagreements] == [CodingState.removed]


def test_an_added_theme_is_kept_beside_the_machines():
    coded = applied([decision(1, "p1", 4, "add")])
    assert coded.theme_of.tolist() == MACHINE.tolist()
    assert [(d.theme_id, d.state) for d in coded.applied] == [(4, CodingState.added)]
    assert coded.disagreements == []


def test_decisions_follow_codebook_merges():
    coded = apply_decisions(
        IDS, MACHINE, current_decisions([decision(1, "p3", 3, "move")]), {1, 2, 4},
        lambda t: 4 if t == 3 else t,
    )  # fmt: skip
    assert coded.theme_of.tolist() == [1, 2, 4]


def test_a_decision_on_a_theme_the_run_does_not_know_is_not_applied_but_returned():
    coded = applied([decision(1, "p1", 99, "move")])
    assert coded.theme_of.tolist() == MACHINE.tolist()
    assert [d.theme_id for d in coded.unknown] == [99]


def test_decisions_on_passages_outside_the_run_wait_for_a_run_that_has_them():
    coded = applied([decision(1, "elsewhere", 3, "move")])
    assert coded.applied == () and coded.unknown == ()


def test_the_machines_theme_is_not_changed_in_place():
    machine = MACHINE.copy()
    apply_decisions(IDS, machine, current_decisions([decision(1, "p1", 3, "move")]), {1, 2, 3})
    assert machine.tolist() == MACHINE.tolist()


def test_an_added_theme_agreeing_with_the_machine_is_nothing_to_apply():
    coded = applied([decision(1, "p1", 1, "add")])
    assert coded.applied == ()


def test_disagreement_is_a_move_elsewhere_or_a_removal_of_the_machines_theme():
    def one(state: CodingState, theme: int, machine: int) -> bool:
        return AppliedDecision("p", theme, state, machine, "ann", T0, "").disagrees

    assert one(CodingState.primary, 3, 1) and not one(CodingState.primary, 3, 3)
    assert one(CodingState.removed, 1, 1) and not one(CodingState.removed, 1, 2)
    assert not one(CodingState.added, 4, 1)


SNAPSHOT = pd.DataFrame({"passage_id": IDS, "theme_id": MACHINE.tolist(), "text": ["a", "b", "c"]})


def pairs(frame: pd.DataFrame) -> set[tuple[str, int]]:
    return set(zip(frame["passage_id"], frame["theme_id"].astype(int), strict=True))


def test_the_overlay_shows_moves_adds_and_removals_at_once_with_who():
    log = [
        decision(1, "p1", 3, "move", "ann"),
        decision(2, "p2", 2, "remove", "bob"),
        decision(3, "p2", 4, "add", "bob"),
        decision(4, "p3", 1, "add", "cy"),
    ]
    shown = overlay_decisions(SNAPSHOT, current_decisions(log))
    assert pairs(shown) == {("p1", 3), ("p2", 4), ("p3", 1)}
    by_passage = shown.set_index("passage_id")
    assert by_passage.loc["p1", "coded_by"] == "ann" and by_passage.loc["p1", "coding"] == "moved"
    assert by_passage.loc["p2", "coding"] == "added"
    assert by_passage.loc["p3", "text"] == "c"


def test_the_overlay_with_no_decisions_is_the_machines_themes():
    shown = overlay_decisions(SNAPSHOT, {})
    assert pairs(shown) == pairs(SNAPSHOT)
    assert set(shown["coding"]) == {"machine"} and shown["coded_by"].isna().all()


THEMES = st.integers(min_value=1, max_value=4)
LOGS = st.lists(
    st.tuples(st.sampled_from(IDS), THEMES, st.sampled_from(list(CodingAction))), max_size=12
)


@given(LOGS)
def test_overlaying_a_run_that_applied_the_decisions_shows_the_same(entries):
    log = [decision(n, p, t, a.value) for n, (p, t, a) in enumerate(entries)]
    current = current_decisions(log)
    coded = apply_decisions(IDS, MACHINE, current, {1, 2, 3, 4})
    after_run = SNAPSHOT.assign(theme_id=coded.theme_of)
    assert pairs(overlay_decisions(after_run, current)) == pairs(
        overlay_decisions(SNAPSHOT, current)
    )


@given(LOGS)
def test_every_passage_keeps_exactly_one_primary_theme(entries):
    log = [decision(n, p, t, a.value) for n, (p, t, a) in enumerate(entries)]
    current = current_decisions(log)
    coded = apply_decisions(IDS, MACHINE, current, {1, 2, 3, 4})
    assert len(coded.theme_of) == len(IDS)
    for passage in current.values():
        states_of = [d.state for d in passage.themes.values()]
        assert states_of.count(CodingState.primary) <= 1
        row = IDS.index(passage.passage_id)
        if passage.primary is not None:
            assert coded.theme_of[row] == passage.primary.theme_id
        assert coded.theme_of[row] not in passage.removed


def test_no_theme_means_what_the_fitting_stage_means_by_it():
    from pipeline.themes import decisions, fit

    assert decisions.OUTLIER == fit.OUTLIER


def test_decisions_on_a_retired_id_fold_with_its_successors_own_in_time_order():
    # Before an edit a person added theme 3 to p1; after it (p1 is now p2) they moved p2 to 4.
    # Laying the retired id's decisions beside the successor's lost the add.
    log = [decision(1, "p1", 3, "add"), decision(2, "p2", 4, "move")]
    (current,) = current_decisions(log, {"p1": "p2"}).values()
    assert current.passage_id == "p2"
    assert {t: d.state for t, d in current.themes.items()} == {
        3: CodingState.added, 4: CodingState.primary
    }  # fmt: skip
    assert {d.passage_id for d in current.themes.values()} == {"p2"}
