"""Tables for spreadsheets and notebooks: coded passages, themes, documents and counts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import duckdb
import pandas as pd

from pipeline import queries
from pipeline.queries import Filters
from pipeline.themes.codebook import Codebook, apply_codebook

if TYPE_CHECKING:
    from pipeline.passages.redact import Redactor

TableFormat = Literal["csv", "parquet"]


def export_tables(
    con: duckdb.DuckDBPyConnection,
    book: Codebook,
    filters: Filters = Filters(),
    redactor: Redactor | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table by name, curated by the codebook, in a stable order.

    With a `redactor`, passage text is redacted as the viewer shows it.
    """
    catalogue = apply_codebook(queries.themes_catalogue(con), book, hide_not_relevant=False)
    hidden = {t for t, c in book.curations.items() if c.not_relevant}
    labels = dict(zip(catalogue["theme_id"], catalogue["label"], strict=True))
    headings = dict(zip(catalogue["theme_id"], catalogue["heading"], strict=True))

    passages = queries.coded_passages(con, filters)
    passages["theme_id"] = [book.merge_target(int(t)) for t in passages["theme_id"]]
    passages = passages[~passages["theme_id"].isin(hidden)]
    if redactor is not None and not passages.empty:
        passages = passages.assign(text=redactor.redact_many(passages["text"].tolist()))
    passages.insert(
        passages.columns.get_loc("theme_id") + 1, "theme", passages["theme_id"].map(labels)
    )
    passages.insert(
        passages.columns.get_loc("theme") + 1, "heading", passages["theme_id"].map(headings)
    )

    overview = apply_codebook(queries.theme_overview(con, filters), book)
    themes = catalogue[~catalogue["theme_id"].isin(hidden)][
        ["theme_id", "label", "heading", "description", "keywords", "lifecycle"]
    ].merge(overview.drop(columns=["label", "heading"], errors="ignore"), on="theme_id", how="left")
    themes["keywords"] = [", ".join(k) if k is not None else "" for k in themes["keywords"]]
    if redactor is not None and not themes.empty:
        # Keywords and generated descriptions come from the passages' words, names and all.
        themes["keywords"] = redactor.redact_many(themes["keywords"].tolist())
        themes["description"] = redactor.redact_many(themes["description"].fillna("").tolist())
    themes["sparkline"] = [
        " ".join(map(str, s)) if isinstance(s, list) else "" for s in themes.get("sparkline", [])
    ]
    documents = queries.sources(con, filters).drop(columns=["inferred_fields"])
    tables = {
        "passages": passages,
        "themes": themes.sort_values("theme_id"),
        "documents": documents,
    }
    for level, name in (("region", "region"), ("police_force", "police_force"), ("area", "area")):
        counts = apply_codebook(
            queries.theme_counts(con, filters, level=level, period="year"), book
        )
        tables[f"counts_by_{name}_year"] = counts
    return {name: frame.reset_index(drop=True) for name, frame in tables.items()}


def write_tables(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    book: Codebook,
    fmt: TableFormat = "csv",
    filters: Filters = Filters(),
    redactor: Redactor | None = None,
) -> dict[str, Path]:
    """Write each table as `<name>.csv` or `<name>.parquet` into a folder (redacted with one)."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in export_tables(con, book, filters, redactor).items():
        path = out / f"{name}.{fmt}"
        partial = path.with_name(f".{path.name}.partial")
        if fmt == "csv":
            frame.to_csv(partial, index=False, lineterminator="\n")
        else:
            frame.to_parquet(partial, index=False)
        partial.replace(path)
        written[name] = path
    return written
