"""Pieces several pages share: quotes with their provenance, status badges, a shaded matrix.

A quote's words go through `st.text`, which parses nothing: a passage holding `![](http://…)`,
`$5 to $10` or `# …` shows those characters, and the page fetches nothing and draws no heading.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit.delta_generator import DeltaGenerator

from pipeline.access.codings import save_decisions
from pipeline.access.memos import MemoTarget
from pipeline.access.roles import Action
from pipeline.queries import source_kind
from pipeline.review_dates import shown_review_date
from pipeline.themes.decisions import CodingAction, PassageDecisions
from pipeline.viewer import data
from pipeline.viewer.context import DOC_TYPES, PageContext
from pipeline.viewer.literal import md
from pipeline.viewer.memos import passage_memos

STATUS_TEXT = {
    "new": "🆕 new",
    "emerging": "↗ emerging",
    "spreading": "⇶ spreading",
    "stable": "→ stable",
    "fading": "↘ fading",
    "dormant": "◌ dormant",
}
# Widths in pixels for tables that must read without scrolling sideways: the main column of the
# wide layout is about 940 px at a 1,400 px window with the sidebar open (measured in Chromium),
# less the row-selection column.
TABLE_WIDTH = 900
CHAR_WIDTH = 7  # px per character of the 14 px table font, generously
CELL_PADDING = 24


def text_width(values: pd.Series, header: str) -> int:
    """Pixels a text column needs to show its longest value (or its header) in full."""
    longest = max([len(header), *(len(str(v)) for v in values.dropna())])
    return longest * CHAR_WIDTH + CELL_PADDING


def fit_widths(fixed: dict[str, int], flexible: dict[str, int]) -> dict[str, int]:
    """Column widths within `TABLE_WIDTH`: `fixed` as given, `flexible` as needed or shrunk.

    When the flexible columns need more than is left, each gets a share of what is left in
    proportion to its need, so the longest texts are cut first and every column stays visible.
    """
    left = TABLE_WIDTH - sum(fixed.values())
    need = sum(flexible.values())
    scale = min(1.0, left / need) if need else 1.0
    return fixed | {name: int(width * scale) for name, width in flexible.items()}


STATUS_HELP = (
    "new: first seen in the latest run · emerging: rising significantly over time · "
    "spreading: reaching more regions · fading: falling significantly · stable: none of these"
)


def _shown(value: object) -> str | None:
    """A field as display text; None for a missing one (None, NaN, pd.NA, NaT or blank)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return str(value).strip() or None


def provenance(row: object) -> str:
    """'Title · Area, Region · 01 May 2016 · transcript · speaker role'; missing fields left out.

    A national document's passage opens with its kind ('National report', or 'Mentioned in a
    national report' when a place filter found it), so nobody reads it as a locality review.
    """
    review_date = getattr(row, "review_date", None)  # 'May 2016' when only the month is known
    doc_type = _shown(getattr(row, "doc_type", None))
    place = [_shown(getattr(row, name, None)) for name in ("area", "region")]
    kind = source_kind(getattr(row, "scope", None), getattr(row, "via_mention", None))
    parts = [
        kind.capitalize() if kind else None,
        _shown(getattr(row, "title", None)),
        ", ".join(p for p in place if p) or None,
        shown_review_date(review_date, getattr(row, "review_date_precision", None)),
        DOC_TYPES.get(doc_type) if doc_type else None,
        _shown(getattr(row, "speaker_role", None)),
    ]
    return " · ".join(p for p in parts if p)


def quote_card(text: str, about: str) -> DeltaGenerator:
    """A bordered box: the quote's words as plain text, then `about` (Markdown) beneath them."""
    box = st.container(border=True)
    box.text(text)
    box.caption(about)
    return box


ACTION_NAMES = {"move": "Move to", "add": "Also put under", "remove": "Take off"}


def coding_line(decisions: PassageDecisions | None, labels: dict[int, str]) -> str | None:
    """People's current decisions on a passage, in words (None when nobody has coded it)."""
    if decisions is None or not decisions.themes:
        return None
    verbs = {"primary": "moved to", "added": "also on", "removed": "taken off"}
    parts = [
        f"{verbs[d.state.value]} “{labels.get(d.theme_id, f'#{d.theme_id}')}” by {d.coder}"
        + (f" ({d.why})" if d.why else "")
        for d in sorted(decisions.themes.values(), key=lambda d: d.decided_at)
    ]
    return "Coded by people: " + "; ".join(parts) + " (counts follow at the next run)"


def coding_control(context: PageContext, passage_id: str, section: str = "") -> None:
    """Move the passage to a theme, give it another, or take it off one (coders only)."""
    labels = context.labels
    key = f"code_{section}{passage_id}"
    with st.popover("Code this passage"):
        action = st.radio(
            "Decision",
            [CodingAction.move, CodingAction.add, CodingAction.remove],
            format_func=lambda a: ACTION_NAMES[a.value],
            key=f"{key}_action",
            horizontal=True,
        )
        theme = st.selectbox(
            "Theme",
            sorted(labels, key=lambda t: labels[t]),
            format_func=lambda t: f"{labels[t]} (#{t})",
            key=f"{key}_theme",
        )
        why = st.text_input("Why (kept with the decision)", key=f"{key}_why")
        if st.button("Save", key=f"{key}_save", type="primary"):
            save_decisions(
                context.settings.team_db,
                [(passage_id, int(theme), action, why)],
                coder=context.person.email,
                role=context.person.role,
                via="viewer",
            )
            st.rerun()


def show_quotes(
    context: PageContext, quotes: pd.DataFrame, with_context: bool = True, section: str = ""
) -> None:
    """Each quote (redacted for display) with where it comes from, and its surroundings.

    People's decisions and memos on a passage show under it at once; coders may code it and
    write a memo from here. A page quoting in several places names each `section`: one passage
    may be quoted in two (a changing theme that is also the one picked), and its forms must
    not share keys.
    """
    if quotes.empty:
        st.caption("No passages under these filters.")
        return
    texts = data.redact(quotes["text"].tolist(), context.settings, context.source)
    decisions = data.passage_decisions(context.settings, context.source)
    memos = data.memos_on(context.settings, MemoTarget.passage, context.source)
    codes = context.may(Action.edit_codebook)
    for row, text in zip(quotes.itertuples(), texts, strict=True):
        box = quote_card(text, md(provenance(row)))
        coded = coding_line(decisions.get(row.passage_id), context.labels)
        if coded is not None:
            box.caption(md(coded))
        with box:
            passage_memos(context, row.passage_id, memos.get(row.passage_id, []), section)
        if codes:
            with box:
                coding_control(context, row.passage_id, section)
        if with_context:
            with box, st.expander("Context in the document"):
                around = data.context(context.source, row.passage_id)
                shown = data.redact(around["text"].tolist(), context.settings, context.source)
                for near, near_text in zip(around.itertuples(), shown, strict=True):
                    # the quote itself framed among its neighbours (text, so never bold markup)
                    (st.container(border=True) if near.is_quote else st.container()).text(near_text)


def matrix_cell(reviews: int, passages: int) -> str:
    """A matrix cell as text: '3 (12)' for 3 reviews and 12 passages; blank when empty."""
    return f"{reviews} ({passages})" if reviews else ""


def _shade(reviews: int, most: int) -> str:
    """CSS for a cell: a grey from pale to mid as its reviews go to the largest cell's.

    Never darker than mid-grey, so the black figures stay readable in every cell.
    """
    if not reviews:
        return ""
    grey = round(235 - 85 * reviews / most)
    return f"background-color: rgb({grey}, {grey}, {grey})"


def matrix_styler(reviews: pd.DataFrame, passages: pd.DataFrame) -> Styler:
    """Cells reading 'reviews (passages)', shaded by reviews (same index and columns in both).

    The cells are text so each carries both numbers; the shade is computed from the reviews,
    so the most-reviewed cells stand out whatever their number of passages.
    """
    text = pd.DataFrame(
        [
            [matrix_cell(int(r), int(p)) for r, p in zip(rr, pp, strict=True)]
            for rr, pp in zip(reviews.to_numpy(), passages.to_numpy(), strict=True)
        ],
        index=reviews.index,
        columns=reviews.columns,
    )
    most = max(int(reviews.to_numpy().max()), 1) if reviews.size else 1
    shades = reviews.map(lambda n: _shade(int(n), most))
    shades.index, shades.columns = text.index, text.columns
    return text.style.apply(lambda _: shades, axis=None)
