"""The regions page: a heatmap labelled in full with k/n in its cells, and honest small numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from pipeline.analysis.statistics import MIN_PLACE_REVIEWS
from pipeline.viewer.literal import md


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def reviews_by_region(con) -> dict[str, int]:
    return dict(
        con.execute(
            "SELECT region, count(*) FROM documents WHERE scope = 'local' AND region IS NOT NULL "
            "GROUP BY 1"
        ).fetchall()
    )


def heatmap(app: AppTest) -> tuple[dict, pd.DataFrame]:
    """The heatmap's Vega-Lite spec and the rows it draws."""
    chart = app.get("vega_lite_chart")[0]
    data = dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)
    return json.loads(chart.proto.spec), data


def axes(spec: dict) -> dict[str, dict]:
    """The x and y encodings of the heatmap's first layer."""
    return spec["layer"][0]["encoding"]


def test_every_heatmap_column_names_its_region_and_reviews_in_full(
    open_app, reviews_by_region
) -> None:
    spec, data = heatmap(open_app("regions"))
    for axis in ("x", "y"):
        assert axes(spec)[axis]["axis"]["labelLimit"] == 0  # never cut short
    column = axes(spec)["x"]["field"]
    expected = {
        f"{region} · {n} review{'s' if n != 1 else ''}" for region, n in reviews_by_region.items()
    }
    assert set(data[column]) == expected


def test_every_heatmap_cell_prints_reviews_raising_it_out_of_the_regions_reviews(
    open_app, con, reviews_by_region
) -> None:
    spec, data = heatmap(open_app("regions"))
    raised = {
        (theme, region): k
        for theme, region, k in con.execute(
            "SELECT c.theme_id, d.region, count(DISTINCT d.doc_id) FROM current_passage_themes c "
            "JOIN passages p USING (passage_id) JOIN documents d USING (doc_id) "
            "WHERE d.scope = 'local' GROUP BY 1, 2"
        ).fetchall()
    }
    assert spec["layer"][1]["encoding"]["text"]["field"] == "text"
    themes = data["theme_id"].nunique()
    assert len(data) == themes * len(reviews_by_region)  # 0 of n is printed, not left blank
    for row in data.itertuples():
        k, n = raised.get((row.theme_id, row.place), 0), reviews_by_region[row.place]
        assert row.text == f"{k}/{n}"


def test_regions_with_one_or_two_reviews_get_a_plain_warning(open_app, reviews_by_region) -> None:
    app = open_app("regions")
    few = sorted(r for r, n in reviews_by_region.items() if n < MIN_PLACE_REVIEWS)
    assert "North East" in few
    warning = next(w.value for w in app.warning if w.value.startswith("Too few reviews"))
    for region in few:
        n = reviews_by_region[region]
        assert md(f"{region} ({n} review{'s' if n != 1 else ''})") in warning
    assert md("calls nothing there significant") in warning


def test_comparing_a_region_of_one_review_says_nothing_there_can_be_significant(
    open_app,
) -> None:
    app = open_app("regions")
    app.selectbox(key="regions_place").set_value("North East").run()
    assert any(
        w.value.startswith(md("North East has only 1 review: nothing there can be significant"))
        for w in app.warning
    )
    table = app.dataframe[0].value
    assert table["Reviews in North East"].str.endswith("/1").all()
    assert set(table["Significant"]) == {"too few reviews"}


PAGES = ("national", "regions", "matrix")


@pytest.mark.parametrize("page", PAGES)
def test_no_caption_turns_into_a_list_heading_or_link(open_app, page: str) -> None:
    app = open_app(page)
    parser = MarkdownIt("commonmark")
    for caption in app.caption:
        html = parser.render(caption.value)
        assert html.startswith("<p>") and html.count("<p>") == 1, caption.value
        assert not any(tag in html for tag in ("<ul", "<ol", "<h", "<a ", "<img")), caption.value


def test_the_significance_note_reads_as_written(open_app) -> None:
    app = open_app("regions")
    rendered = [MarkdownIt("commonmark").render(c.value) for c in app.caption]
    assert any(r.startswith("<p>* in the chart and 'yes' in the table:") for r in rendered)
