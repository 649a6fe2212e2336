"""The Streamlit viewer, page by page, with Streamlit's AppTest over the themed sample corpus."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from pipeline.queries import Filters, search_keyword, theme_overview
from pipeline.storage.publish import publish_snapshot
from pipeline.viewer.context import DOC_TYPES
from pipeline.viewer.literal import md
from pipeline.viewer.widgets import provenance
from tests.conftest import REPO, SEED_VARIANTS, published_copy
from tests.gaps import BARE_SEED, METADATA_GAPS, NOTHING_KNOWN, Gaps, with_gaps
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


@pytest.fixture(scope="module")
def con(themed_db: Path):
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


def quotes_shown(app: AppTest) -> list[str]:
    """The quotes' words, in order: each a plain text with its provenance caption next to it."""
    found: list[str] = []

    def walk(block: Block) -> None:
        nodes = list(block.children.values())
        for node, after in zip(nodes, [*nodes[1:], None], strict=True):
            if isinstance(node, Block):
                walk(node)
            elif node.type == "text" and getattr(after, "type", None) == "caption":
                found.append(node.value)

    walk(app.main)
    return found


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
    overview = theme_overview(con)
    assert list(table["Theme"]) == list(overview["label"])
    # two quotes for each changing theme at the top, three for the theme selected below
    changing = overview["status"].isin(["new", "emerging", "spreading", "fading"]).sum()
    assert len(quotes_shown(app)) == 2 * changing + 3


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
    assert app.title[0].value == md(label)
    assert len(app.get("vega_lite_chart")) == 2  # trend and places
    shown = quotes_shown(app)
    assert len(shown) >= 5
    assert any("account" in q.lower() for q in shown)
    assert any("Bedford" in c.value or "Peterborough" in c.value for c in app.caption)


@pytest.mark.parametrize("asked", ["999", "abc"])
def test_theme_page_says_when_it_has_no_theme_by_the_linked_id(open_app, asked: str) -> None:
    app = open_app("theme", theme=asked)
    assert [w.value for w in app.warning if f"no theme #{asked}" in w.value]
    assert app.query_params["theme"] != asked


def test_theme_page_opens_a_dormant_theme_asked_for_by_its_id(
    open_app, themed_db: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(themed_db), read_only=True) as con:
        theme, label = con.execute(
            "SELECT theme_id, label FROM themes ORDER BY theme_id"
        ).fetchone()
    dormant = ("UPDATE themes SET status = 'dormant' WHERE theme_id = ?", [theme])
    db = published_copy(themed_db, tmp_path / "dormant.duckdb", dormant)
    app = open_app("theme", db=db, theme=str(theme))
    assert app.title[0].value == md(label)
    assert any("dormant" in i.value for i in app.info)
    assert not app.warning


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
    app.segmented_control(key="search_mode").set_value("keywords")
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
    app.segmented_control(key="search_mode").set_value("keywords")
    app.text_input(key="search_query").input("cuckooing").run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("next `findings run` rebuilds it" in w.value for w in app.warning)


def test_search_defaults_to_words_and_meaning_and_finds_a_paraphrase(open_app) -> None:
    app = open_app("search")
    assert app.segmented_control(key="search_mode").value == "words and meaning"
    app.text_input(key="search_query").input(
        "talking to a child after they come back from being away"
    ).run()
    assert any("return home" in q.lower() for q in quotes_shown(app)[:5])


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


def matrix_passages(grid: pd.DataFrame) -> pd.DataFrame:
    """The passages in each matrix cell ('3 (12)': 3 reviews, 12 passages; blank: none)."""
    return grid.map(lambda cell: int(cell.split("(")[1].rstrip(")")) if cell else 0)


def test_a_matrix_cell_opens_its_quotes(open_app) -> None:
    app = open_app("matrix")
    grid = matrix_passages(app.dataframe[0].value)
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


def test_sources_page_lists_a_withdrawn_review_apart(open_app, themed_db, tmp_path) -> None:
    from pipeline.cli import app as cli
    from tests.cli.commands import runner

    db = tmp_path / "withdrawn.duckdb"
    shutil.copy(themed_db, db)
    review = REPO / "corpus" / "02_bedford_practitioner_interviews.txt"
    args = ["withdraw", str(review), "--reason", "read twice", "--db", str(db)]
    withdrawn = runner.invoke(cli, args)
    assert withdrawn.exit_code == 0, withdrawn.output
    publish_snapshot(db, "after-withdrawal")
    app = open_app("sources", db=db)
    documents = app.dataframe[0].value
    assert len(documents) == 23 and str(review) not in set(documents["File"])
    listed = next(d.value for d in app.dataframe if "Reason" in d.value.columns)
    assert list(listed["File"]) == [str(review)] and list(listed["Reason"]) == ["read twice"]
    assert any("findings withdraw --undo" in c.value for c in app.caption)


def test_sources_page_lists_nothing_withdrawn_when_nothing_was(open_app) -> None:
    app = open_app("sources")
    assert not any("Reason" in d.value.columns for d in app.dataframe)
    assert "Withdrawn by hand" not in [h.value for h in app.subheader]


def test_without_a_database_the_app_says_how_to_build_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FINDINGS_DB", str(tmp_path / "none.duckdb"))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert "make run" in app.info[0].value


REGION = "South West"


def with_region(open_app: Callable[..., AppTest], page: str, **query: str) -> AppTest:
    """A page after choosing REGION in the sidebar, checked to have drawn no error."""
    app = open_app(page, **query)
    if page == "search":
        app.segmented_control(key="search_mode").set_value("keywords")
        app.text_input(key="search_query").input("cuckooing")
    app.selectbox(key="filter_region").set_value(REGION).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def region_documents(con) -> dict[str, str]:
    """doc_id -> area of REGION's reviews, read straight from the documents table."""
    return dict(
        con.execute("SELECT doc_id, area FROM documents WHERE region = ?", [REGION]).fetchall()
    )


def coded_in_region(con) -> list[tuple[int, str, str]]:
    """(theme, doc_id, area) for every coded passage of REGION's reviews, from raw rows."""
    return con.execute(
        "SELECT c.theme_id, d.doc_id, d.area FROM current_passage_themes c "
        "JOIN passages p USING (passage_id) JOIN documents d USING (doc_id) WHERE d.region = ?",
        [REGION],
    ).fetchall()


def test_the_region_filter_ranks_only_that_regions_reviews_on_the_national_page(
    open_app, con
) -> None:
    app = with_region(open_app, "national")
    assert app.metric[0].value == str(len(region_documents(con)))
    expected = theme_overview(con, Filters(region=REGION))
    table = app.dataframe[0].value
    assert list(table["Theme"]) == list(expected["label"])
    assert list(table["Reviews"]) == list(expected["n_documents"])
    raised: dict[int, set[str]] = {}
    for theme, doc_id, _ in coded_in_region(con):
        raised.setdefault(theme, set()).add(doc_id)
    assert list(table["Reviews"]) == [len(raised[t]) for t in expected["theme_id"]]


def test_the_region_filter_narrows_a_theme_page_to_that_regions_reviews(open_app, con) -> None:
    national = theme_overview(con).set_index("theme_id")["n_documents"]
    local = theme_overview(con, Filters(region=REGION)).set_index("theme_id")["n_documents"]
    theme = next(t for t in local.index if local[t] < national[t])  # raised elsewhere too
    app = with_region(open_app, "theme", theme=str(theme))
    raising = {(doc, area) for t, doc, area in coded_in_region(con) if t == theme}
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Reviews raising it"] == str(len({doc for doc, _ in raising}))
    areas = sorted({area for _, area in raising})
    assert f"Areas ({len(areas)}): " + md(", ".join(areas)) in [c.value for c in app.caption]
    provenance = [c.value for c in app.caption if " · " in c.value and "theme #" not in c.value]
    assert provenance and all(REGION in p for p in provenance)


def test_the_region_filter_leaves_that_region_alone_to_compare(open_app, con) -> None:
    app = with_region(open_app, "regions")
    assert app.selectbox(key="regions_place").options == [REGION]
    table = app.dataframe[0].value
    reviews = len(region_documents(con))
    assert set(table[f"Reviews in {REGION}"].str.split("/").str[1]) == {str(reviews)}


def test_the_region_filter_keeps_search_results_in_that_region(open_app, con) -> None:
    app = with_region(open_app, "search")
    expected = search_keyword(con, "cuckooing", Filters(region=REGION), 15)
    assert set(expected["region"]) == {REGION}
    provenance = [c.value for c in app.caption if "score" in c.value]
    assert len(provenance) == len(quotes_shown(app)) == len(expected) > 0
    assert all(REGION in p for p in provenance)


def test_the_region_filter_keeps_only_that_regions_areas_in_the_matrix(open_app, con) -> None:
    app = with_region(open_app, "matrix")
    grid = app.dataframe[0].value
    coded = coded_in_region(con)
    assert set(grid.index) == {area for _, _, area in coded}
    assert int(matrix_passages(grid).to_numpy().sum()) == len(coded)


def test_the_region_filter_lists_only_that_regions_sources(open_app, con) -> None:
    app = with_region(open_app, "sources")
    documents = app.dataframe[0].value
    assert sorted(documents["Area"]) == sorted(region_documents(con).values())
    assert set(documents["Region"]) == {REGION}


@pytest.fixture
def published(themed_db: Path, tmp_path: Path, con) -> tuple[Path, int]:
    """A warehouse published once, then changed: the top theme renamed after publishing."""
    db = tmp_path / "data" / "findings.duckdb"
    db.parent.mkdir()
    shutil.copy(themed_db, db)
    publish_snapshot(db, "run-1")
    top = int(theme_overview(con).iloc[0]["theme_id"])
    with duckdb.connect(str(db)) as writer:
        writer.execute("UPDATE themes SET label = ? WHERE theme_id = ?", [RENAMED, top])
    return db, top


RENAMED = "Renamed in the warehouse after publishing"


def test_the_viewer_reads_the_published_snapshot_not_the_warehouse(
    open_app, published: tuple[Path, int], con
) -> None:
    db, top = published
    labels = list(open_app(db=db).dataframe[0].value["Theme"])
    assert RENAMED not in labels
    label = con.execute("SELECT label FROM themes WHERE theme_id = ?", [top]).fetchone()[0]
    assert labels[0] == label


def test_the_viewer_picks_up_a_new_snapshot_on_the_next_page_load(
    open_app, published: tuple[Path, int]
) -> None:
    db, _ = published
    before = open_app(db=db)
    publish_snapshot(db, "run-2")
    assert RENAMED not in list(before.dataframe[0].value["Theme"])
    after = open_app(db=db)
    assert after.dataframe[0].value["Theme"].iloc[0] == RENAMED


# The real seed report beside the sample corpus: once with whatever metadata ingest infers for
# it, once with no place and no date at all (a national report), embedded and themed.

MISSING_TEXT = ("nan", "None", "NaT", "<NA>")


def seed_document(db: Path, seed: Path) -> dict[str, object]:
    """The seed's documents row, by column name."""
    with duckdb.connect(str(db), read_only=True) as reader:
        found = reader.execute("SELECT * FROM documents WHERE path = ?", [str(seed)])
        names = [d[0] for d in found.description]
        return dict(zip(names, found.fetchone(), strict=True))


def seed_themes(db: Path, seed: Path) -> list[int]:
    """The themes holding at least one of the seed's passages."""
    with duckdb.connect(str(db), read_only=True) as reader:
        return [t for (t,) in reader.execute(
            "SELECT DISTINCT c.theme_id FROM current_passage_themes c JOIN passages p "
            "USING (passage_id) JOIN documents d USING (doc_id) WHERE d.path = ? ORDER BY 1",
            [str(seed)],
        ).fetchall()]  # fmt: skip


def drawn_text(app: AppTest) -> list[str]:
    """Everything a page wrote as text: titles, markdown, captions, metrics, table cells."""
    # not st.text: that holds the documents' own words, where "None of them" is no placeholder
    kinds = ("title", "markdown", "caption", "info")
    parts = [e.value for kind in kinds for e in app.get(kind)]
    parts += [str(m.value) for m in app.metric]
    parts += [d.value.to_csv() for d in app.dataframe]
    return parts


def shows_a_missing_value(app: AppTest) -> list[str]:
    return [
        text
        for text in drawn_text(app)
        for word in MISSING_TEXT
        if re.search(rf"(?<![\w<]){re.escape(word)}(?![\w>])", text)
    ]


@pytest.mark.parametrize("variant", SEED_VARIANTS)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_the_seed_report(open_app, seeded, page: str, variant: str) -> None:
    app = open_app(page, db=seeded[variant])
    assert not app.error, [e.value for e in app.error]
    assert app.title


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_the_national_page_names_the_new_seed_report_without_placeholders(
    open_app, seeded, seed_path: Path, variant: str
) -> None:
    app = open_app(db=seeded[variant])
    title = str(seed_document(seeded[variant], seed_path)["title"])
    assert any(md(title) in m.value for m in app.markdown)  # under "what changed in the last run"
    assert shows_a_missing_value(app) == []


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_every_theme_holding_seed_passages_opens(
    open_app, seeded, seed_path: Path, variant: str
) -> None:
    db = seeded[variant]
    themes = seed_themes(db, seed_path)
    assert len(themes) >= 3
    with duckdb.connect(str(db), read_only=True) as reader:
        labels = dict(reader.execute("SELECT theme_id, label FROM themes").fetchall())
    for theme in themes:
        app = open_app("theme", db=db, theme=str(theme))
        assert not app.error and app.title[0].value == md(labels[theme]), theme
        assert shows_a_missing_value(app) == [], theme


@pytest.mark.parametrize("variant", SEED_VARIANTS)
@pytest.mark.parametrize("mode", ["keywords", "meaning"])
@pytest.mark.parametrize("words", ["cuckooing", "Xanax"])
def test_search_shows_the_seeds_passages_with_their_provenance(
    open_app, seeded, seed_path: Path, variant: str, mode: str, words: str
) -> None:
    app = open_app("search", db=seeded[variant])
    app.text_input(key="search_query").input(words)
    app.segmented_control(key="search_mode").set_value(mode).run()
    assert not app.exception, [e.value for e in app.exception]
    title = str(seed_document(seeded[variant], seed_path)["title"])
    provenance = [c.value for c in app.caption if "score" in c.value]
    assert any(f"{md(title)} · " in p for p in provenance)  # after "National report", if so
    assert shows_a_missing_value(app) == []


@pytest.mark.parametrize("variant", SEED_VARIANTS)
@pytest.mark.parametrize("by", ["area", "review"])
def test_the_matrix_holds_the_seed_report_only_as_a_locality_review(
    open_app, seeded, seed_path: Path, variant: str, by: str
) -> None:
    # The matrix counts locality reviews; a national report (the seed's scope) is not a row.
    app = open_app("matrix", db=seeded[variant])
    app.segmented_control(key="matrix_by").set_value(by).run()
    assert not app.exception, [e.value for e in app.exception]
    document = seed_document(seeded[variant], seed_path)
    rows = set(app.dataframe[0].value.index)
    row = document["title"] if by == "review" else document["area"] or "(no area)"
    assert (row in rows) == (document["scope"] == "local")
    assert shows_a_missing_value(app) == []


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_the_biggest_matrix_cell_beside_the_seed_report_opens_its_quotes(
    open_app, seeded, variant: str
) -> None:
    # The seed's many passages join every theme's quotes: a cell must still find its own.
    app = open_app("matrix", db=seeded[variant])
    grid = matrix_passages(app.dataframe[0].value)
    row, theme = grid.stack().idxmax()
    app.selectbox(key="matrix_row").set_value(row)
    app.selectbox(key="matrix_theme").set_value(theme).run()
    assert not app.exception, [e.value for e in app.exception]
    assert len(quotes_shown(app)) == min(10, int(grid.loc[row, theme])) > 0


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_sources_list_the_seed_report_with_its_metadata(
    open_app, seeded, seed_path: Path, variant: str
) -> None:
    app = open_app("sources", db=seeded[variant])
    # locality reviews and national documents are listed apart: look in both tables
    documents = pd.concat([d.value for d in app.dataframe if "Passages" in d.value.columns])
    document = seed_document(seeded[variant], seed_path)
    row = documents[documents["File"] == str(seed_path)]
    assert len(row) == 1 and row["Passages"].iloc[0] > 100
    area = row["Area"].iloc[0]
    assert area == document["area"] or (document["area"] is None and pd.isna(area))


MISSING = strategies.sampled_from([None, float("nan"), pd.NA, pd.NaT, ""])
PROVENANCE_FIELDS = {
    "title": strategies.sampled_from(["1. Introduction", "Blackpool practitioner interviews"]),
    "area": strategies.sampled_from(["Croydon", "Bournemouth, Christchurch and Poole"]),
    "region": strategies.sampled_from(["London", "South West"]),
    "review_date": strategies.dates().map(pd.Timestamp),
    "review_date_precision": strategies.sampled_from(["day", "month"]),
    "doc_type": strategies.sampled_from(sorted(DOC_TYPES)),
    "speaker_role": strategies.sampled_from(["police", "youth offending"]),
}


@given(
    strategies.fixed_dictionaries(
        {name: strategies.one_of(MISSING, present) for name, present in PROVENANCE_FIELDS.items()}
    )
)
def test_provenance_renders_any_combination_of_missing_fields(fields: dict[str, object]) -> None:
    row = SimpleNamespace(**fields)
    text = provenance(row)
    for name, value in fields.items():
        if name == "review_date_precision":
            continue
        if isinstance(value, str) and value.strip():
            shown = DOC_TYPES[value] if name == "doc_type" else value.strip()
            assert shown in text, name
        elif isinstance(value, pd.Timestamp):
            # A month-precision date names no day it was never given.
            by_month = (
                fields["review_date_precision"] is not pd.NA
                and fields["review_date_precision"] == "month"
            )
            assert (f"{value:%d %b %Y}" in text) is not by_month
            assert f"{value:%b %Y}" in text
    parts = text.split(" · ") if text else []
    assert all(part.strip() for part in parts)
    assert not any(part in MISSING_TEXT for part in parts)


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


# Any combination of missing metadata (area, region, force, date, speaker, title), drawn by
# Hypothesis over a copy of the sample corpus with the seed report: every page answers.


def problems(app: AppTest, where: str) -> list[str]:
    """What a page raised, reported as an error, or showed as a missing value."""
    found = [f"{where}: exception {e.value}" for e in app.exception]
    found += [f"{where}: error {e.value}" for e in app.error]
    return found + [f"{where}: shows {text[:120]!r}" for text in shows_a_missing_value(app)]


def every_page(db: Path, codebook: Path) -> list[str]:
    """Open every page over `db` (every theme, both searches every way, the matrix both ways)."""
    found: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINDINGS_DB", str(db))
        patch.setenv("FINDINGS_CODEBOOK", str(codebook))
        # Redaction reads quotes' words, not their metadata, and costs half of each sweep.
        patch.setenv("FINDINGS_REDACT_QUOTES", "false")

        def start(page: str) -> AppTest:
            app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
            if page != "national":
                app.switch_page(f"app_pages/{page}.py").run()
            found.extend(problems(app, page))
            return app

        for page in ("national", "regions", "sources", "exports", "codebook"):
            start(page)
        theme = start("theme")
        pickers = [s for s in theme.selectbox if s.label == "Theme"]  # none if the page failed
        shown = pickers[0].options if pickers else []  # each "label (#id)"
        for theme_id in [int(re.search(r"\(#(\d+)\)$", option)[1]) for option in shown]:
            next(s for s in theme.selectbox if s.label == "Theme").set_value(theme_id).run()
            found.extend(problems(theme, f"theme {theme_id}"))
        search = start("search")
        for words in ("cuckooing", "Xanax"):
            for mode in ("keywords", "meaning", "words and meaning"):
                if search.exception:
                    break
                search.text_input(key="search_query").input(words)
                search.segmented_control(key="search_mode").set_value(mode).run()
                found.extend(problems(search, f"search {words} by {mode}"))
        matrix = start("matrix")
        if not matrix.exception:
            matrix.segmented_control(key="matrix_by").set_value("review").run()
            found.extend(problems(matrix, "matrix by review"))
    return found


@given(gaps=METADATA_GAPS)
@example(gaps=NOTHING_KNOWN)
@example(gaps=BARE_SEED)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_page_renders_any_combination_of_missing_metadata(
    seeded: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, gaps: Gaps
) -> None:
    folder = tmp_path_factory.mktemp("gaps")
    codebook = folder / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    assert every_page(with_gaps(seeded["inferred"], folder / "warehouse", gaps), codebook) == []


def filters_matching_no_review(db: Path) -> tuple[str, str]:
    """A region and a document type that no locality review of `db` has together."""
    from pipeline.queries import filter_options, sources

    with duckdb.connect(str(db), read_only=True) as con:
        options = filter_options(con)
        for region in options.regions:
            for doc_type in options.doc_types:
                found = sources(con, Filters(region=region, doc_type=doc_type))
                if found.empty or (found["scope"] == "national").all():
                    return region, doc_type
    raise AssertionError("every region has every kind of document")


def test_every_page_answers_filters_that_match_no_review(seeded: dict[str, Path]) -> None:
    db = seeded["inferred"]
    region, doc_type = filters_matching_no_review(db)
    found: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINDINGS_DB", str(db))
        patch.setenv("FINDINGS_REDACT_QUOTES", "false")
        for page in ("national", "theme", "regions", "matrix", "sources", "search", "exports"):
            app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
            if page != "national":
                app.switch_page(f"app_pages/{page}.py").run()
            app.selectbox(key="filter_region").set_value(region).run()
            app.selectbox(key="filter_type").set_value(doc_type).run()
            found += [f"{page}: exception {e.value}" for e in app.exception]
            found += [f"{page}: error {e.value}" for e in app.error]
    assert found == []


def test_a_regions_area_list_holds_only_its_locality_reviews_areas(
    seeded: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = seeded["inferred"]
    with duckdb.connect(str(db), read_only=True) as con:
        local = con.execute(
            "SELECT region, list(DISTINCT area) FROM documents "
            "WHERE scope = 'local' AND region IS NOT NULL AND area IS NOT NULL GROUP BY region"
        ).fetchall()
        national_areas = {
            area
            for (area,) in con.execute(
                "SELECT DISTINCT area FROM documents WHERE scope = 'national' AND area IS NOT NULL"
            ).fetchall()
        }
    assert national_areas  # the seed report stands for the nation
    monkeypatch.setenv("FINDINGS_DB", str(db))
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    for region, areas in local:
        app.selectbox(key="filter_region").set_value(region).run()
        shown = set(app.selectbox(key="filter_area").options) - {"All"}
        assert shown == set(areas), region


def test_the_national_page_quotes_a_changing_theme_that_is_also_the_top_one(
    open_app, themed_db: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(themed_db), read_only=True) as con:
        top = int(theme_overview(con)["theme_id"].iloc[0])
    # Every review raising the top theme dated late, every other early: it is changing.
    late = (
        "UPDATE documents SET review_date = CASE WHEN doc_id IN ("
        "  SELECT doc_id FROM current_passage_themes JOIN passages USING (passage_id)"
        "  WHERE theme_id = ?) THEN DATE '2019-06-01' ELSE DATE '2016-06-01' END",
        [top],
    )
    db = published_copy(themed_db, tmp_path / "top-is-emerging.duckdb", late)
    with duckdb.connect(str(db), read_only=True) as con:
        ranked = theme_overview(con)
    assert int(ranked["theme_id"].iloc[0]) == top
    assert ranked["status"].iloc[0] in {"emerging", "spreading"}
    app = open_app("national", db=db)
    assert not app.exception
    assert any("What changed in the latest run" in h.value for h in app.subheader)


@pytest.mark.slow  # a theme run
def test_the_national_page_says_a_theme_merged_in_the_codebook_merged_not_dormant(
    open_app, themed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.embed.models import load_embedder
    from pipeline.storage import open_warehouse
    from pipeline.themes.codebook import load_codebook, update_curation
    from pipeline.themes.run import ThemeRunner

    db = tmp_path / "merged.duckdb"
    shutil.copy(themed_db, db)
    codebook = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    with duckdb.connect(str(db), read_only=True) as con:
        ranked = theme_overview(con)
    merged, into = ranked["theme_id"].head(2).tolist()
    update_curation(codebook, merged, merge_into=into)
    with open_warehouse(db) as con:
        ThemeRunner(con, load_embedder(), load_codebook(codebook)).run()
        # The page names themes as the run left them: the target took new passages, new words.
        labels = dict(con.execute("SELECT theme_id, label FROM themes").fetchall())
    publish_snapshot(db, "merged")
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    app = open_app("national", db=db)
    said = [m.value for m in app.markdown if "merged in the codebook" in m.value]
    assert said and md(labels[merged]) in said[0] and md(labels[into]) in said[0]
    assert not [m.value for m in app.markdown if "went dormant:" in m.value]


@pytest.mark.slow  # a theme run
def test_the_national_page_says_a_theme_a_refit_merged_was_regrouped_not_dormant(
    open_app, themed_db: Path, tmp_path: Path
) -> None:
    import datetime as dt

    from pipeline.embed.models import load_embedder
    from pipeline.records import ThemeLineage
    from pipeline.storage import open_warehouse, theme_runs
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    db = tmp_path / "regrouped.duckdb"
    shutil.copy(themed_db, db)
    with duckdb.connect(str(db), read_only=True) as con:
        ranked = theme_overview(con)
    merged, into = ranked["theme_id"].head(2).tolist()
    with open_warehouse(db) as con:
        previous = theme_runs.last_succeeded_run(con)
        latest = ThemeRunner(
            con, load_embedder(), load_codebook(REPO / "models" / "codebook.yaml")
        ).run(refit=True)
        assert previous is not None and latest.mode == "refit"
        # As a refit leaves a theme whose passages it put with another's: its passages on the
        # other, itself dormant since the run before, and the merge recorded as lineage.
        con.execute(
            "UPDATE passage_themes SET theme_id = ? WHERE run_id = ? AND theme_id = ?",
            [into, latest.run_id, merged],
        )
        con.execute(
            "UPDATE themes SET status = 'dormant', last_run_id = ?, n_passages = 0 "
            "WHERE theme_id = ?",
            [previous.run_id, merged],
        )
        theme_runs.insert_lineage(
            con,
            latest.run_id,
            [ThemeLineage("merge", (merged, into), (into,), 9)],
            dt.datetime(2026, 12, 1),
        )
        labels = dict(con.execute("SELECT theme_id, label FROM themes").fetchall())
    publish_snapshot(db, "regrouped")
    app = open_app("national", db=db)
    assert not app.exception
    said = [m.value for m in app.markdown if "regrouped into others by the refit" in m.value]
    assert said and md(labels[merged]) in said[0] and md(labels[into]) in said[0], said
    assert not [m.value for m in app.markdown if "went dormant:" in m.value]
