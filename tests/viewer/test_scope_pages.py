"""The viewer beside a national report: shown as its own kind, never counted as a review."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.queries import MENTIONED_IN_NATIONAL, NATIONAL_REPORT
from tests.conftest import REPO


def start(db: Path, page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **query: str):
    """The app on a page over a warehouse (as a browser load would), with no exception."""
    codebook = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    monkeypatch.setenv("FINDINGS_DB", str(db))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params.update(query)
    app.run()
    if page != "national":
        app.switch_page(f"app_pages/{page}.py")
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def captions(app: AppTest) -> str:
    return "\n".join(c.value for c in app.caption)


def test_the_national_page_counts_reviews_and_names_the_national_report_apart(
    seeded: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = start(seeded["inferred"], "national", monkeypatch, tmp_path)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Reviews"] == "24"
    assert "Also 1 national or thematic document" in captions(app)


def test_sources_list_the_national_report_in_its_own_table(
    seeded: dict[str, Path], seed_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = start(seeded["inferred"], "sources", monkeypatch, tmp_path)
    reviews, national = app.dataframe[0].value, app.dataframe[1].value
    assert len(reviews) == 24 and not reviews["File"].str.endswith(seed_path.name).any()
    assert list(national["File"].str.endswith(seed_path.name)) == [True]
    assert "National and thematic documents" in [h.value for h in app.subheader]


def test_a_search_under_a_region_says_a_national_passage_was_found_by_its_mention(
    seeded: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = start(seeded["inferred"], "search", monkeypatch, tmp_path)
    app.text_input(key="search_query").input("Rhyl")
    app.selectbox(key="filter_region").set_value("Wales").run()
    assert not app.exception, [e.value for e in app.exception]
    shown = captions(app)
    assert MENTIONED_IN_NATIONAL.capitalize() in shown
    assert f"{NATIONAL_REPORT.capitalize()} ·" not in shown  # under a place: only by mention
