"""The Validate page: a blind sample coded one passage at a time, the machine's theme unseen."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.access.validation import find_sample, latest_answers, sample_items
from pipeline.cli import app as cli
from pipeline.storage.team import open_team_store
from tests.cli.commands import runner

pytestmark = pytest.mark.slow


def shown_text(page: object, *, passage: bool = True) -> str:
    """What the page writes: titles, captions, markdown, messages, and the passage (st.text)."""
    parts = []
    kinds = ("title", "subheader", "caption", "markdown", "info", "success", "error")
    for kind in (*kinds, "text") if passage else kinds:
        parts += [str(element.value) for element in getattr(page, kind)]
    return "\n".join(parts)


def test_the_page_codes_blind_and_the_theme_page_then_says_it_was_checked(
    themed_db: Path, team_store_in_tmp: Path, open_app: Callable[..., object]
) -> None:
    drawn = runner.invoke(
        cli, ["validate", "sample", "--n", "4", "--seed", "5", "--db", str(themed_db)]
    )
    assert drawn.exit_code == 0, drawn.output
    with closing(open_team_store(team_store_in_tmp)) as store:
        info = find_sample(store, None)
        first = sample_items(store, info.sample_id)[0]
    labels = {theme.theme_id: theme.label for theme in info.themes}
    # Seed 5 draws a passage the machine put in a theme first: the case a coder could be led by.
    assert first.machine_theme_id is not None
    machine_label = labels[first.machine_theme_id]

    page = open_app("validate")
    assert "Passage 1 of 4" in shown_text(page)
    assert page.multiselect[0].value == []  # nothing chosen for the coder
    # The machine's theme is among the choices, never said about the passage.
    assert machine_label in page.multiselect[0].options
    assert machine_label not in shown_text(page, passage=False)
    page.multiselect[0].set_value([machine_label])
    page.button[0].click().run()
    assert not page.exception, [e.value for e in page.exception]
    assert "1 of 4 passages answered" in shown_text(page)
    assert "Passage 2 of 4" in shown_text(page)
    with closing(open_team_store(team_store_in_tmp)) as store:
        answers = latest_answers(store, info.sample_id)
    assert [(a.passage_id, a.theme_ids) for a in answers] == [
        (first.passage_id, frozenset({first.machine_theme_id}))
    ]
    # One answer, agreeing: checked, but one passage cannot give a kappa, and the page says why.
    theme = open_app("theme", theme=str(first.machine_theme_id))
    assert "checked by people on 1 passage, but κ cannot be computed" in shown_text(theme)
