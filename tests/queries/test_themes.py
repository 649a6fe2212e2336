"""Theme statistics helpers: one way to add prevalence with its interval, one way to add labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.analysis.statistics import wilson_interval
from pipeline.queries.themes import _with_labels, _with_prevalence, theme_summary, themes_catalogue


def test_with_prevalence_adds_the_share_and_its_wilson_interval() -> None:
    frame = pd.DataFrame({"raising": [0, 3, 10], "documents": [4, 10, 10]})
    out = _with_prevalence(frame, "raising", "documents")
    assert list(out.columns) == ["raising", "documents", "prevalence", "ci_low", "ci_high"]
    assert out["prevalence"].tolist() == [0.0, 0.3, 1.0]
    for k, n, low, high in out[["raising", "documents", "ci_low", "ci_high"]].itertuples(
        index=False
    ):
        assert (low, high) == wilson_interval(int(k), int(n))


def test_with_prevalence_on_no_rows_keeps_the_columns() -> None:
    frame = pd.DataFrame({"raising": pd.Series([], dtype=int), "documents": []})
    out = _with_prevalence(frame, "raising", "documents")
    assert out.empty and {"prevalence", "ci_low", "ci_high"} <= set(out.columns)


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


def test_with_labels_inserts_or_appends_each_themes_label(con: duckdb.DuckDBPyConnection) -> None:
    catalogue = themes_catalogue(con)
    a, b = catalogue["theme_id"].head(2)
    labels = dict(zip(catalogue["theme_id"], catalogue["label"], strict=True))
    one = pd.DataFrame({"x": [1], "theme_id": [a]})
    inserted = _with_labels(con, one, {"label": "theme_id"}, at=1)
    assert list(inserted.columns) == ["x", "label", "theme_id"]
    assert inserted["label"].tolist() == [labels[a]]
    pairs = pd.DataFrame({"theme_a": [a], "theme_b": [b]})
    appended = _with_labels(con, pairs, {"label_a": "theme_a", "label_b": "theme_b"})
    assert appended.iloc[0].to_dict() == {
        "theme_a": a, "theme_b": b, "label_a": labels[a], "label_b": labels[b],
    }  # fmt: skip


def test_theme_summary_lists_every_theme_not_dormant_most_passages_first(
    con: duckdb.DuckDBPyConnection,
) -> None:
    summary = theme_summary(con)
    assert list(summary.columns) == [
        "theme_id", "label", "status", "heading", "n_passages", "keywords",
    ]  # fmt: skip
    themes = con.execute("SELECT theme_id, status FROM themes").df()
    assert set(summary["theme_id"]) == set(themes.loc[themes["status"] != "dormant", "theme_id"])
    assert summary["n_passages"].is_monotonic_decreasing
