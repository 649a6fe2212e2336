"""Coding a passage from its quote: the decision is kept, audited, and shown at once.

At once means before the next run: the Theme page lays people's current decisions over the
published snapshot's themes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Expander

from pipeline import queries
from pipeline.access.audit import AuditAction, load_events
from pipeline.access.codings import load_decisions, save_decisions
from pipeline.queries import Filters
from pipeline.storage import connect
from pipeline.themes.decisions import (
    CodingAction,
    CodingDecision,
    PassageDecisions,
    current_decisions,
)
from pipeline.viewer.evidence import ThemeCoding, theme_coding

pytestmark = pytest.mark.slow

# The Theme page's headings over people's coding, as Markdown.
PUT_HERE = "**Put under this theme by people**"
FOUND = "**Found by the machine**"
TAKEN_OFF = "**Taken off this theme by people** (not its evidence any more)"


def test_a_coder_moves_a_quoted_passage_and_the_page_says_so(
    open_app: Callable[..., object], team_store_in_tmp: Path
) -> None:
    page = open_app("theme")
    assert page.radio, "a coder (the local analyst) sees the coding control under each quote"
    chosen = page.selectbox(key=page.radio[0].key.replace("_action", "_theme"))
    target = next(option for option in chosen.options if option != page.selectbox[0].value)
    page.radio[0].set_value(CodingAction.move)
    chosen.select(target)
    page.text_input[0].input("about a tenant's flat")
    page.button(key=page.radio[0].key.replace("_action", "_save")).click().run()
    assert not page.exception, [e.value for e in page.exception]

    (decision,) = load_decisions(team_store_in_tmp)
    assert decision.action is CodingAction.move and decision.why == "about a tenant's flat"
    assert decision.via == "viewer"
    assert [e.action for e in load_events(team_store_in_tmp, None, None)] == [
        AuditAction.changed_coding
    ]
    captions = [str(c.value) for c in page.caption]
    assert any(c.startswith("Coded by people\\: moved to “") for c in captions), captions


def test_a_coder_codes_a_passage_found_by_search_and_the_result_says_so(
    open_app: Callable[..., AppTest], team_store_in_tmp: Path
) -> None:
    page = open_app("search")
    page.segmented_control(key="search_mode").set_value("keywords")
    page.text_input(key="search_query").input("cuckooing").run()
    controls = [r for r in page.radio if str(r.key).startswith("code_")]
    assert controls, "a coder (the local analyst) sees the coding control under each result"
    first = controls[0]
    passage_id = str(first.key)[len("code_") : -len("_action")]
    first.set_value(CodingAction.add)
    chosen = page.selectbox(key=f"code_{passage_id}_theme")
    chosen.select(chosen.options[-1])
    page.button(key=f"code_{passage_id}_save").click().run()
    assert not page.exception, [e.value for e in page.exception]

    (decision,) = load_decisions(team_store_in_tmp)
    assert (decision.passage_id, decision.action) == (passage_id, CodingAction.add)
    assert decision.via == "viewer"
    captions = [str(c.value) for c in page.caption]
    assert any(c.startswith("Coded by people\\: also on “") for c in captions), captions


def shown_in_order(page: AppTest) -> list[str]:
    """The values of the page's elements in the order it shows them (text, markdown, captions).

    Not what a quote's "Context in the document" holds: a quote's neighbour may be another quote.
    """

    def walk(node: object) -> Iterator[object]:
        children = getattr(node, "children", None)
        if children is None:
            yield node
            return
        if isinstance(node, Expander):
            return
        for child in children.values():
            yield from walk(child)

    return [str(e.value) for e in walk(page.main) if isinstance(getattr(e, "value", None), str)]


def test_a_moved_passage_shows_on_its_new_theme_and_leaves_the_old_ones_evidence_before_any_run(
    open_app: Callable[..., AppTest],
    themed_db: Path,
    team_store_in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")  # compare quotes with the snapshot
    with connect(themed_db, read_only=True) as con:
        catalogue = queries.themes_catalogue(con)
        first, second = catalogue.loc[catalogue["lifecycle"] != "dormant", "theme_id"].iloc[:2]
        moved = queries.quotes(con, int(first), Filters(), 6).iloc[0]  # the theme's best quote
    save_decisions(
        team_store_in_tmp,
        [(str(moved["passage_id"]), int(second), CodingAction.move, "about a flat")],
        coder="ann",
    )

    # The theme it was moved to lists it, apart, marked who moved it, before the next run.
    shown = shown_in_order(open_app("theme", theme=str(second)))
    people, machine = shown.index(PUT_HERE), shown.index(FOUND)
    assert people < shown.index(moved["text"]) < machine
    assert shown[shown.index(moved["text"]) + 2].startswith("Coded by people\\: moved to “")
    assert "by ann \\(about a flat\\)" in shown[shown.index(moved["text"]) + 2]
    pending = "People have changed the theme of 1 passage since this snapshot's run"
    assert any(line.startswith(pending) for line in shown), shown

    # The theme it was moved from no longer gives it as evidence: it is listed apart, after.
    shown = shown_in_order(open_app("theme", theme=str(first)))
    assert shown.count(moved["text"]) == 1
    assert shown.index(TAKEN_OFF) < shown.index(moved["text"])
    assert PUT_HERE not in shown


def log(*entries: tuple[str, int, CodingAction]) -> dict[str, PassageDecisions]:
    """Current decisions from a log of (passage, theme, action), one minute apart, by 'ann'."""
    start = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    return current_decisions(
        CodingDecision(n, passage, theme, action, "ann", start + dt.timedelta(minutes=n))
        for n, (passage, theme, action) in enumerate(entries)
    )


MOVE, ADD, REMOVE = CodingAction.move, CodingAction.add, CodingAction.remove


@pytest.mark.parametrize(
    ("snapshot", "decisions", "theme", "expected"),
    [
        # Moved from 1 to 2 since the snapshot: on 2 now, off 1, one passage pending.
        ({"p": 1}, log(("p", 2, MOVE)), 2, ThemeCoding(("p",), (), 1)),
        ({"p": 1}, log(("p", 2, MOVE)), 1, ThemeCoding((), ("p",), 1)),
        # The snapshot's run applied the move already: nothing to lay over, nothing pending.
        ({"p": 2}, log(("p", 2, MOVE)), 2, ThemeCoding((), (), 0)),
        ({"p": 2}, log(("p", 2, MOVE)), 1, ThemeCoding((), (), 0)),
        # An added theme lists the passage there too; its main theme (and the counts) stay.
        ({"p": 1}, log(("p", 3, ADD)), 3, ThemeCoding(("p",), (), 0)),
        ({"p": 1}, log(("p", 3, ADD)), 1, ThemeCoding((), (), 0)),
        # Taken off its theme: off it, pending; once a run applied it, on no theme, nothing left.
        ({"p": 1}, log(("p", 1, REMOVE)), 1, ThemeCoding((), ("p",), 1)),
        ({}, log(("p", 1, REMOVE)), 1, ThemeCoding((), (), 0)),
        # A passage the machine put on no theme, moved onto one.
        ({}, log(("p", 2, MOVE)), 2, ThemeCoding(("p",), (), 1)),
        # Several moved here: the latest decision first; a passage moved away again is not here.
        (
            {"p": 1, "q": 1, "r": 1},
            log(("p", 2, MOVE), ("q", 2, MOVE), ("r", 2, MOVE), ("r", 3, MOVE)),
            2,
            ThemeCoding(("q", "p"), (), 3),
        ),
    ],
)
def test_people_s_decisions_over_a_snapshot_put_passages_on_and_off_a_theme(
    snapshot: dict[str, int],
    decisions: dict[str, PassageDecisions],
    theme: int,
    expected: ThemeCoding,
) -> None:
    assert theme_coding(theme, snapshot, decisions) == expected
