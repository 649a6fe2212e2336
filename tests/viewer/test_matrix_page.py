"""The framework matrix counts reviews per cell, passages second, shaded, its rows named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.viewer.widgets import matrix_cell, matrix_styler


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.mark.parametrize(
    ("reviews", "passages", "shown"), [(3, 12, "3 (12)"), (1, 1, "1 (1)"), (0, 0, "")]
)
def test_a_cell_reads_reviews_then_passages(reviews: int, passages: int, shown: str) -> None:
    assert matrix_cell(reviews, passages) == shown


def test_the_first_column_is_named_for_what_it_holds(open_app) -> None:
    app = open_app("matrix")
    assert app.dataframe[0].value.index.name == "Area"
    app.segmented_control(key="matrix_by").set_value("review").run()
    assert app.dataframe[0].value.index.name == "Review"


def test_each_cell_counts_the_reviews_raising_the_theme_then_its_passages(open_app, con) -> None:
    app = open_app("matrix")
    grid = app.dataframe[0].value
    labels = dict(con.execute("SELECT theme_id, label FROM themes").fetchall())
    counted = con.execute(
        "SELECT d.area, c.theme_id, count(DISTINCT d.doc_id), count(*) "
        "FROM current_passage_themes c JOIN passages p USING (passage_id) "
        "JOIN documents d USING (doc_id) WHERE d.scope = 'local' GROUP BY 1, 2"
    ).fetchall()
    assert counted
    for area, theme, reviews, passages in counted:
        assert grid.loc[area, labels[theme]] == f"{reviews} ({passages})"
    filled = (grid != "").to_numpy().sum()
    assert filled == len(counted)  # and nothing else


def shaded_cells(styles: str) -> dict[tuple[int, int], int]:
    """(row, column) -> grey level of each cell a Styler's CSS gives a background."""
    shades = {}
    for rule in styles.split("}"):
        if "background-color" not in rule:
            continue
        selectors, props = rule.split("{")
        grey = int(re.search(r"rgb\((\d+),", props).group(1))
        for cell in re.finditer(r"_row(\d+)_col(\d+)", selectors):
            shades[(int(cell.group(1)), int(cell.group(2)))] = grey
    return shades


def test_every_filled_cell_is_shaded_and_no_empty_one(open_app) -> None:
    app = open_app("matrix")
    grid = app.dataframe[0].value.to_numpy()
    shaded = shaded_cells(app.dataframe[0].proto.arrow_data.styler.styles)
    assert set(shaded) == {(r, c) for r, c in zip(*(grid != "").nonzero(), strict=True)}


def test_a_cell_with_more_reviews_is_darker_whatever_its_passages() -> None:
    reviews = pd.DataFrame([[1, 3], [2, 0]], index=["Arun", "Bedford"], columns=["A", "B"])
    passages = pd.DataFrame([[40, 3], [2, 0]], index=reviews.index, columns=reviews.columns)
    shades = shaded_cells(matrix_styler(reviews, passages).to_html())
    assert shades[(0, 1)] < shades[(1, 0)] < shades[(0, 0)]  # 3 reviews, 2, then 1 with 40 passages
    assert (1, 1) not in shades
