"""The viewer beside a national report: shown as its own kind, never counted as a review."""

from __future__ import annotations

from pathlib import Path

from pipeline.queries import MENTIONED_IN_NATIONAL, NATIONAL_REPORT


def captions(app) -> str:
    return "\n".join(c.value for c in app.caption)


def test_the_national_page_counts_reviews_and_names_the_national_report_apart(
    open_app, seeded: dict[str, Path]
) -> None:
    app = open_app("national", db=seeded["inferred"])
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Reviews"] == "24"
    assert "Also 1 national or thematic document" in captions(app)


def test_sources_list_the_national_report_in_its_own_table(
    open_app, seeded: dict[str, Path], seed_path: Path
) -> None:
    app = open_app("sources", db=seeded["inferred"])
    reviews, national = app.dataframe[0].value, app.dataframe[1].value
    assert len(reviews) == 24 and not reviews["File"].str.endswith(seed_path.name).any()
    assert list(national["File"].str.endswith(seed_path.name)) == [True]
    assert "National and thematic documents" in [h.value for h in app.subheader]


def test_a_search_under_a_region_says_a_national_passage_was_found_by_its_mention(
    open_app, seeded: dict[str, Path]
) -> None:
    app = open_app("search", db=seeded["inferred"])
    app.text_input(key="search_query").input("Rhyl")
    app.selectbox(key="filter_region").set_value("Wales").run()
    assert not app.exception, [e.value for e in app.exception]
    shown = captions(app)
    assert MENTIONED_IN_NATIONAL.capitalize() in shown
    assert f"{NATIONAL_REPORT.capitalize()} ·" not in shown  # under a place: only by mention
