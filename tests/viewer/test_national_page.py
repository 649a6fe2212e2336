"""The national page leads with what is changing, with the evidence behind each status."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.queries import Filters, theme_overview
from pipeline.viewer.literal import md
from pipeline.viewer.widgets import CHAR_WIDTH, STATUS_TEXT, TABLE_WIDTH
from tests.conftest import SEED_VARIANTS

CHANGING = ("new", "emerging", "spreading", "fading")


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def overview(con) -> object:
    return theme_overview(con)


def by_year(con, theme_id: int) -> dict[int, tuple[int, int]]:
    """Year -> (local reviews raising the theme, local reviews), from the raw assignments."""
    rows = con.execute(
        "SELECT year(d.review_date) AS y, count(DISTINCT d.doc_id) FILTER (WHERE EXISTS ("
        "  SELECT 1 FROM current_passage_themes c JOIN passages p USING (passage_id)"
        "  WHERE p.doc_id = d.doc_id AND c.theme_id = ?)),"
        " count(DISTINCT d.doc_id) FROM documents d"
        " WHERE d.scope = 'local' AND d.review_date IS NOT NULL GROUP BY y ORDER BY y",
        [theme_id],
    ).fetchall()
    return {y: (k, n) for y, k, n in rows}


def changing_boxes(app: AppTest) -> dict[str, object]:
    """Each bordered box of 'What is changing', by the theme label its first line names."""
    boxes = {}
    for box in app.get("container"):
        lines = [m.value for m in box.markdown]
        if lines and any(lines[0].startswith(f"**{md(STATUS_TEXT[s])}**") for s in CHANGING):
            boxes[lines[0].split("** · **")[1].split("**")[0]] = box
    return boxes


def quotes_in(block) -> int:
    """Quotes a block shows: st.text elements (the documents' words go through st.text)."""
    return len(block.get("text"))


def test_what_is_changing_comes_before_the_table_of_all_themes(open_app, overview) -> None:
    app = open_app()
    headings = [h.value for h in app.subheader]
    assert headings[:2] == ["What is changing", "All themes"]
    moving = overview[overview["status"].isin(CHANGING)]
    assert len(moving) >= 2  # the sample corpus has rising and falling themes
    assert set(changing_boxes(app)) == {md(label) for label in moving["label"]}


def test_an_emerging_theme_shows_its_reviews_by_year_its_test_and_two_quotes(
    open_app, con, overview
) -> None:
    app = open_app()
    emerging = overview[overview["status"] == "emerging"].iloc[0]
    box = changing_boxes(app)[md(emerging["label"])]
    captions = [c.value for c in box.caption]
    counts = by_year(con, int(emerging["theme_id"]))
    expected = " · ".join(f"{y} {k}\\/{n}" for y, (k, n) in counts.items())
    assert md("Reviews raising it, by year:") + " " + expected in captions
    p_value = float(emerging["trend_p"])
    # As a report writes it: "p = 0.011", never "p = 0.000".
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    assert any(md(shown) in c for c in captions), captions
    assert any("Cochran–Armitage" in c for c in captions)
    assert quotes_in(box) == 2


def test_a_spreading_theme_names_the_regions_it_reached(open_app, con, overview) -> None:
    app = open_app()
    spreading = overview[overview["status"] == "spreading"].iloc[0]
    box = changing_boxes(app)[md(spreading["label"])]
    regions = next(c.value for c in box.caption if c.value.startswith("Regions raising it"))
    early = {
        r
        for (r,) in con.execute(
            "SELECT DISTINCT d.region FROM documents d JOIN passages p USING (doc_id) "
            "JOIN current_passage_themes c USING (passage_id) "
            "WHERE c.theme_id = ? AND d.scope = 'local' AND year(d.review_date) IN (2016, 2017)",
            [int(spreading["theme_id"])],
        ).fetchall()
    }
    assert regions.startswith(f"Regions raising it\\: {len(early)} of ")
    assert "new\\:" in regions


def test_the_table_of_all_themes_has_the_interval_in_its_own_column(open_app, overview) -> None:
    app = open_app()
    table = app.dataframe[0].value
    assert len(table) == len(overview)  # every theme, every row
    intervals = zip(overview["ci_low"], overview["ci_high"], strict=True)
    assert list(table["95% interval"]) == [f"{low:.0%}–{high:.0%}" for low, high in intervals]
    # every column has a width, together within the main column at 1,400 px, and the two text
    # columns wide enough for their longest value
    config = json.loads(app.dataframe[0].proto.columns)
    widths = {name: config[name]["width"] for name in table.columns}
    assert sum(widths.values()) <= TABLE_WIDTH
    for name in ("Theme", "Heading"):
        longest = max(len(str(v)) for v in table[name].dropna())
        assert widths[name] >= longest * CHAR_WIDTH, name


def test_the_page_says_over_which_years_statuses_were_computed(open_app, con) -> None:
    app = open_app()
    assert any(c.value.startswith("Statuses compare 2016–2017 with 2018–2019") for c in app.caption)
    emerging = theme_overview(con).query("status == 'emerging'").iloc[0]
    dates = app.slider(key="filter_dates")
    dates.set_value((dt.date(2018, 1, 1), dates.value[1])).run()
    assert any(c.value.startswith("Statuses compare 2018 with 2019") for c in app.caption)
    since = theme_overview(con, Filters(since=dt.date(2018, 1, 1)))
    now = since.set_index("theme_id").loc[emerging["theme_id"], "status"]
    table = app.dataframe[0].value.set_index("Theme")
    assert table.loc[emerging["label"], "Status"] == STATUS_TEXT[now] != STATUS_TEXT["emerging"]


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_beside_the_seed_report_statuses_count_only_locality_reviews(
    open_app, seeded, variant: str
) -> None:
    db = seeded[variant]
    app = open_app(db=db)
    assert not app.exception and not app.error
    with duckdb.connect(str(db), read_only=True) as reader:
        dated = dict(
            reader.execute(
                "SELECT year(review_date), count(*) FROM documents WHERE scope = 'local' "
                "AND review_date IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
    lines = [c.value for box in changing_boxes(app).values() for c in box.caption]
    counted = [line for line in lines if line.startswith("Reviews raising it, by year")]
    assert counted
    for line in counted:
        years = line.split("\\: ")[1].split(" · ")
        assert {int(y.split()[0]): int(y.split("\\/")[1]) for y in years} == dated


def test_a_national_report_added_is_said_apart_from_reviews_added(open_app, seeded) -> None:
    # The seed report arrived in the latest run: it was listed as "1 review added" and a first
    # run counted it among the reviews it was built on.
    app = open_app(db=seeded["inferred"])
    changed = [str(m.value) for m in app.markdown]
    assert "- **0** reviews added" in changed
    assert any(line.startswith("- **1** national document added") for line in changed), changed


def test_a_first_run_names_the_reviews_it_was_built_on(open_app) -> None:
    captions = [str(c.value) for c in open_app().caption]
    assert "The first run: built on 24 reviews." in captions, captions
