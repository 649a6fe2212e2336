"""Framework matrix: areas (or reviews) by themes; a cell counts reviews and opens its quotes."""

from __future__ import annotations

import streamlit as st

from pipeline.viewer import data, widgets
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md
from pipeline.viewer.widgets import show_quotes, text_width

context = page_context()
source, filters = context.source, context.filters
labels = context.labels

st.title("Framework matrix")
by = (
    st.segmented_control(
        "Rows",
        ["area", "review"],
        default="area",
        key="matrix_by",
        format_func=lambda v: "areas" if v == "area" else "reviews",
    )
    or "area"
)
cells = data.matrix(source, filters, by)
cells = cells[cells["theme_id"].isin(labels)]
if cells.empty:
    st.info("No coded passages under these filters.")
    st.stop()
names = {t: label for t, label in labels.items()}
for t, label in labels.items():  # two themes may share a name; columns must not
    if list(labels.values()).count(label) > 1:
        names[t] = f"{label} (#{t})"
# A review with no area (a national report) still has passages: give its row a name.
unnamed = "(no area)" if by == "area" else "(untitled)"
row_name = "Area" if by == "area" else "Review"
cells = cells.assign(
    row_label=cells["row_label"].fillna(unnamed), theme=cells["theme_id"].map(names)
)
order = (
    cells.groupby("theme")[["n_documents", "n_passages"]]
    .sum()
    .sort_values(["n_documents", "n_passages"], ascending=False)
    .index
)
reviews, passages = (
    cells.pivot_table(
        index="row_label", columns="theme", values=value, aggfunc="sum", fill_value=0
    )[order].rename_axis(index=row_name, columns=None)
    for value in ("n_documents", "n_passages")
)
st.caption(
    f"Reviews per {md(by)} and theme, passages in brackets · {describe(filters)}. Shaded by "
    "reviews. Select a cell to read its passages."
)
picked = st.dataframe(
    widgets.matrix_styler(reviews, passages),
    width="stretch",
    on_select="rerun",
    selection_mode="single-cell",
    key="matrix_grid",
    # the row names in full (up to a long review title's worth), not cut at the default width
    column_config={
        "_index": st.column_config.TextColumn(
            width=min(360, text_width(reviews.index.to_series(), row_name))
        )
    },
)
st.download_button(
    "Download the matrix (CSV)",
    cells.rename(
        columns={"row_label": row_name.lower(), "n_documents": "reviews", "n_passages": "passages"}
    )[[row_name.lower(), "theme", "reviews", "passages"]]
    .to_csv(index=False)
    .encode("utf-8"),
    file_name=f"findings-matrix-by-{by}.csv",
    mime="text/csv",
)

selected = picked.selection.cells if picked else []
row_names, themes = list(reviews.index), list(reviews.columns)
biggest = cells.sort_values(["n_documents", "n_passages"]).iloc[-1]
default_row, default_theme = biggest["row_label"], biggest["theme"]
if selected:
    row_index, column = selected[0]
    default_row, default_theme = row_names[row_index], column
left, right = st.columns(2)
row_label = left.selectbox(
    md(row_name), row_names, index=row_names.index(default_row), key="matrix_row"
)
theme = right.selectbox("Theme", themes, index=themes.index(default_theme), key="matrix_theme")
theme_id = next(t for t, name in names.items() if name == theme)
cell = cells[(cells["row_label"] == row_label) & (cells["theme"] == theme)]
st.subheader(f"{md(row_label)} × {md(theme)}")
if cell.empty:
    st.caption("No passages in this cell.")
else:
    quotes = data.quotes(source, theme_id, filters, 200)
    key = "area" if by == "area" else "title"
    show_quotes(context, quotes[quotes[key].fillna(unnamed) == row_label].head(10))
    reviews_in, passages_in = int(cell["n_documents"].sum()), int(cell["n_passages"].sum())
    st.caption(
        f"{int(reviews_in)} review{'s' if reviews_in != 1 else ''}, {int(passages_in)} "
        f"passage{'s' if passages_in != 1 else ''} in this cell (up to 10 passages shown)."
    )
