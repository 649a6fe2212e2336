"""The Streamlit viewer, page by page, with Streamlit's AppTest over the themed sample corpus."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.queries import theme_overview
from tests.conftest import REPO
from tests.queries.test_queries import EAST, theme_holding

PAGES = {
    "national": "National findings",
    "theme": None,  # titled by the theme's label
    "regions": "Themes by region",
    "search": "Search",
    "matrix": "Framework matrix",
    "sources": "Sources",
    "codebook": "Codebook",
    "exports": "Exports",
}


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", path)
    return path


@pytest.fixture
def open_app(
    themed_db: Path, codebook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., AppTest]:
    """Start the app (as a browser load would) on a page, with the sample corpus's findings
    (or another database's)."""
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook_file))

    def start(page: str = "national", db: Path | None = None, **query: str) -> AppTest:
        monkeypatch.setenv("FINDINGS_DB", str(db or themed_db))
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        app.query_params.update(query)
        app.run()
        if page != "national":
            app.switch_page(f"app_pages/{page}.py")
            app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return start


@pytest.fixture(scope="module")
def con(themed_db: Path):
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


def quotes_shown(app: AppTest) -> list[str]:
    return [m.value[2:] for m in app.markdown if m.value.startswith("> ")]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_without_error(open_app, page: str) -> None:
    app = open_app(page)
    assert not app.error
    assert app.title, page
    if PAGES[page]:
        assert app.title[0].value == PAGES[page]


def test_national_page_ranks_themes_as_the_query_layer_does(open_app, con) -> None:
    app = open_app()
    assert [m.value for m in app.metric][:3] == ["24", "24", "10"]
    table = app.dataframe[0].value
    assert list(table["Theme"]) == list(theme_overview(con)["label"])
    assert len(quotes_shown(app)) == 3


def test_a_region_filter_changes_the_national_page(open_app, con) -> None:
    app = open_app()
    app.selectbox(key="filter_region").set_value(EAST).run()
    assert app.metric[0].value == "4"
    mules = theme_holding(con, "%bank account%")
    labels = dict(con.execute("SELECT theme_id, label FROM themes").fetchall())
    table = app.dataframe[0].value
    assert labels[mules] in set(table.loc[table["Reviews"] == 4, "Theme"])
    assert "East of England" in app.caption[0].value


def test_theme_page_opens_the_linked_theme_with_trend_places_and_quotes(open_app, con) -> None:
    mules = theme_holding(con, "%bank account%")
    label = con.execute("SELECT label FROM themes WHERE theme_id = ?", [mules]).fetchone()[0]
    app = open_app("theme", theme=str(mules))
    assert app.title[0].value == label
    assert len(app.get("vega_lite_chart")) == 2  # trend and places
    shown = quotes_shown(app)
    assert len(shown) >= 5
    assert any("account" in q.lower() for q in shown)
    assert any("Bedford" in c.value or "Peterborough" in c.value for c in app.caption)


def test_regions_page_finds_money_mules_significant_in_the_east(open_app, con) -> None:
    app = open_app("regions")
    app.selectbox(key="regions_place").set_value(EAST).run()
    mules = theme_holding(con, "%bank account%")
    label = con.execute("SELECT label FROM themes WHERE theme_id = ?", [mules]).fetchone()[0]
    table = app.dataframe[0].value.set_index("Theme")
    assert table.loc[label, "Significant"] == "yes"
    assert table.loc[label, f"Reviews in {EAST}"] == "4/4"


def test_keyword_search_shows_passages_with_their_theme_and_provenance(open_app) -> None:
    app = open_app("search")
    app.text_input(key="search_query").input("bank account").run()
    shown = quotes_shown(app)
    assert shown and all("bank" in q.lower() or "account" in q.lower() for q in shown)
    assert any("·" in c.value and "score" in c.value for c in app.caption)


def test_search_honours_the_sidebar_filters(open_app) -> None:
    app = open_app("search")
    app.selectbox(key="filter_region").set_value("North West")
    app.text_input(key="search_query").input("cuckooing").run()
    provenance = [c.value for c in app.caption if "score" in c.value]
    assert provenance and all("North West" in p for p in provenance)


def test_keyword_search_on_a_snapshot_without_postings_explains_instead_of_failing(
    open_app, db_without_postings: Path
) -> None:
    app = open_app("search", db=db_without_postings)
    app.text_input(key="search_query").input("cuckooing").run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("next `findings run` rebuilds it" in w.value for w in app.warning)


def test_semantic_search_finds_passages_by_meaning(open_app) -> None:
    app = open_app("search")
    app.text_input(key="search_query").input("young people paid to let gangs use their bank cards")
    app.segmented_control(key="search_mode").set_value("meaning").run()
    assert any("account" in q.lower() for q in quotes_shown(app)[:5])


def test_quotes_are_redacted_by_default(open_app) -> None:
    app = open_app("search")
    app.text_input(key="search_query").input("contact for this review").run()
    shown = " ".join(quotes_shown(app))
    assert "[email]" in shown and "[phone]" in shown
    assert "@example.org" not in shown


def test_redaction_can_be_turned_off_for_analysts(open_app, monkeypatch) -> None:
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")
    app = open_app("search")
    app.text_input(key="search_query").input("contact for this review").run()
    assert "@example.org" in " ".join(quotes_shown(app))
    assert app.sidebar.warning


def test_a_matrix_cell_opens_its_quotes(open_app) -> None:
    app = open_app("matrix")
    grid = app.dataframe[0].value
    assert grid.shape[0] == 24
    row, theme = "Peterborough", grid.loc["Peterborough"].idxmax()
    app.selectbox(key="matrix_row").set_value(row)
    app.selectbox(key="matrix_theme").set_value(theme).run()
    provenance = [c.value for c in app.caption if " · " in c.value and "Peterborough" in c.value]
    assert len(quotes_shown(app)) == min(10, int(grid.loc[row, theme]))
    assert len(provenance) == len(quotes_shown(app))
    assert app.get("download_button")


def test_sources_page_lists_every_document_and_run(open_app) -> None:
    app = open_app("sources")
    documents, runs = app.dataframe[0].value, app.dataframe[-1].value
    assert len(documents) == 24 and documents["Passages"].sum() > 600
    assert len(runs) == 1
    assert app.success  # no ingest errors in the sample corpus


def test_a_codebook_rename_shows_up_after_reload(open_app, con, codebook_file: Path) -> None:
    mules = theme_holding(con, "%bank account%")
    app = open_app("codebook")
    app.selectbox(key="codebook_theme").set_value(mules).run()
    app.text_input(key=f"codebook_label_{mules}").input("Money mules")
    app.button[0].click().run()
    assert not app.exception
    assert "Money mules" in codebook_file.read_text()
    reloaded = open_app()
    assert "Money mules" in list(reloaded.dataframe[0].value["Theme"])


def test_a_theme_marked_not_relevant_leaves_the_findings(open_app, con) -> None:
    first = theme_overview(con).iloc[0]
    app = open_app("codebook")
    app.selectbox(key="codebook_theme").set_value(int(first["theme_id"])).run()
    app.checkbox(key=f"codebook_not_relevant_{int(first['theme_id'])}").check()
    app.button[0].click().run()
    reloaded = open_app()
    assert first["label"] not in list(reloaded.dataframe[0].value["Theme"])


def test_without_a_database_the_app_says_how_to_build_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FINDINGS_DB", str(tmp_path / "none.duckdb"))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert "make run" in app.info[0].value


def shown(app: AppTest) -> str:
    """The data a page shows: quotes and text, figures, tables (not captions, which would
    change with the filter's description alone)."""
    parts = [m.value for m in app.markdown] + [str(m.value) for m in app.metric]
    parts += [d.value.to_csv() for d in app.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("codebook", "exports")])
def test_the_sidebar_region_filter_changes_every_page(open_app, page: str) -> None:
    app = open_app(page)
    if page == "search":
        app.text_input(key="search_query").input("cuckooing").run()
    before = shown(app)
    app.selectbox(key="filter_region").set_value("South West").run()
    assert not app.exception
    assert shown(app) != before


def test_exports_page_offers_report_tables_and_codebook(open_app) -> None:
    app = open_app("exports")
    labels = [b.label for b in app.get("download_button")]
    assert labels == [
        "Download the report",
        "Download the tables",
        "Download the codebook (.qdc)",
    ]
    assert "unredacted" in app.info[0].value  # no full-text project while redacting


def test_exports_page_offers_the_project_to_analysts(open_app, monkeypatch) -> None:
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")
    app = open_app("exports")
    assert "Download the project (.qdpx)" in [b.label for b in app.get("download_button")]
