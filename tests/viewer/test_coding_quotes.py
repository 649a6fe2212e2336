"""Coding a passage from its quote: the decision is kept, audited, and shown at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.access.audit import AuditAction, load_events
from pipeline.access.codings import load_decisions
from pipeline.themes.decisions import CodingAction

pytestmark = pytest.mark.slow


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
