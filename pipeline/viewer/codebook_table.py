"""The Codebook page's table of every theme, and the changes a person's edits to it make.

Pure: frames and the codebook in, a frame or change records out; the page draws the table and
saves the changes (`pipeline.themes.codebook.update_curations`, one atomic write).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

import pandas as pd

from pipeline.errors import CodebookError
from pipeline.themes.codebook import Codebook, CurationChange, CurationValue
from pipeline.viewer.literal import shown

THEME = "Theme"
NAME = "Name"
GENERATED_LABEL = "Generated label"
DESCRIPTION = "Description"
GENERATED_DESCRIPTION = "Generated description"
HEADING = "Heading"
GUIDED_HEADING = "Nearest guided heading"
REVIEWS = "Reviews"
STATUS = "Status"
MERGE_INTO = "Merge into"
NOT_RELEVANT = "Not relevant"

# The columns a person edits, and the codebook field each one is.
EDITABLE = {
    NAME: "label",
    DESCRIPTION: "description",
    HEADING: "heading",
    MERGE_INTO: "merge_into",
    NOT_RELEVANT: "not_relevant",
}
READ_ONLY = [THEME, GENERATED_LABEL, GENERATED_DESCRIPTION, GUIDED_HEADING, REVIEWS, STATUS]
COLUMNS = [
    THEME,
    NAME,
    GENERATED_LABEL,
    DESCRIPTION,
    GENERATED_DESCRIPTION,
    HEADING,
    GUIDED_HEADING,
    REVIEWS,
    STATUS,
    MERGE_INTO,
    NOT_RELEVANT,
]

_OPTION_ID = re.compile(r"#(\d+)\b")


def theme_option(theme_id: int, label: str) -> str:
    """How a theme is offered in a choice: its id first, so the choice reads back to an id."""
    return f"#{theme_id} {label}"


def option_theme_id(option: object) -> int | None:
    """The theme id of a choice made with `theme_option` (None for no choice)."""
    text = shown(option)
    if not text:
        return None
    found = _OPTION_ID.match(text)
    if found is None:
        raise CodebookError(f"{text!r} names no theme (choose one from the list)")
    return int(found[1])


def codebook_table(
    catalogue: pd.DataFrame,
    overview: pd.DataFrame,
    book: Codebook,
    generated_descriptions: Sequence[str],
) -> pd.DataFrame:
    """One row per theme: what people decided beside what the machine generated.

    `catalogue` is every theme of the snapshot (uncurated), `overview` its themes with reviews
    and status, and `generated_descriptions` the catalogue's descriptions as this person may
    read them (redacted). Themes people split off that no run has made yet have rows too.
    Editable text columns hold people's decisions only: empty means the generated one shows.
    """
    described = dict(zip(catalogue["theme_id"].astype(int), generated_descriptions, strict=True))
    reviews = dict(zip(overview["theme_id"].astype(int), overview["n_documents"], strict=True))
    status = dict(zip(overview["theme_id"].astype(int), overview["status"], strict=True))
    generated = {
        int(row.theme_id): (shown(row.label), shown(row.heading), shown(row.lifecycle))
        for row in catalogue.itertuples()
    }
    ids = sorted(set(generated) | book.split_theme_ids)
    labels = {
        t: book.curations[t].label if t in book.curations and book.curations[t].label
        else generated.get(t, ("",))[0] or f"theme {t}"
        for t in ids
    }  # fmt: skip
    rows = []
    for theme_id in ids:
        curation = book.curations.get(theme_id)
        label, heading, lifecycle = generated.get(theme_id, ("", "", ""))
        if theme_id not in generated and curation is not None:
            lifecycle = f"split from #{curation.split_from}: made at the next run"
        merge_into = curation.merge_into if curation else None
        rows.append(
            {
                THEME: theme_id,
                NAME: (curation.label if curation else None) or "",
                GENERATED_LABEL: label,
                DESCRIPTION: (curation.description if curation else None) or "",
                GENERATED_DESCRIPTION: described.get(theme_id, ""),
                HEADING: (curation.heading if curation else None) or "",
                GUIDED_HEADING: heading,
                REVIEWS: reviews.get(theme_id),
                STATUS: shown(status.get(theme_id)) or lifecycle,
                MERGE_INTO: None
                if merge_into is None
                else theme_option(merge_into, labels.get(merge_into, f"theme {merge_into}")),
                NOT_RELEVANT: bool(curation and curation.not_relevant),
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table[REVIEWS] = table[REVIEWS].astype("Int64")
    return table


def _value(column: str, cell: object) -> CurationValue:
    """A cell as the codebook field it stands for: text stripped (empty: none), an id, a flag."""
    if column == MERGE_INTO:
        return option_theme_id(cell)
    if column == NOT_RELEVANT:
        return bool(shown(cell)) and bool(cell)  # a missing cell is unticked
    return " ".join(shown(cell).split()) or None


def table_changes(original: pd.DataFrame, edited: pd.DataFrame) -> list[CurationChange]:
    """The changes `edited` makes to `original`: one record per theme with a changed cell.

    Rows are matched by theme id. Only editable columns count; a text edited to the same words
    (spacing aside) is no change.

    Raises:
        CodebookError: the edits hold no theme the table had, or a theme merged into itself.
    """
    before = original.set_index(THEME)
    after = edited.set_index(THEME)
    if unknown := sorted(set(after.index) - set(before.index)):
        raise CodebookError(f"theme {unknown[0]} is not in the codebook's table")
    changes = []
    for theme_id in before.index:
        if theme_id not in after.index:
            continue
        values: dict[str, CurationValue] = {}
        for column, field in EDITABLE.items():
            new = _value(column, after.at[theme_id, column])
            if new != _value(column, before.at[theme_id, column]):
                values[field] = new
        if values:
            changes.append(CurationChange(int(theme_id), values))
    return changes


class BulkAction(StrEnum):
    """One change applied to several themes at once."""

    not_relevant = "Mark not relevant"
    relevant = "Mark relevant"
    merge = "Merge into one theme"
    clear_names = "Clear names"


def bulk_changes(
    action: BulkAction, theme_ids: Sequence[int], into: int | None = None
) -> list[CurationChange]:
    """The changes one bulk action makes to each chosen theme.

    A merge into a theme that is itself merged away is followed when saved (see
    `update_curations`); these refuse only what cannot be meant.

    Raises:
        CodebookError: no theme chosen, a merge with no theme to merge into, or one into a theme
            among those chosen (a theme cannot be merged into itself).
    """
    chosen = list(dict.fromkeys(int(t) for t in theme_ids))
    if not chosen:
        raise CodebookError("choose at least one theme")
    if action is BulkAction.merge:
        if into is None:
            raise CodebookError("choose the theme to merge them into")
        if into in chosen:
            raise CodebookError(
                f"theme {into} is among the themes chosen, and a theme cannot be merged into "
                "itself: take it out of the choice, or merge into another theme"
            )
    values: dict[str, CurationValue] = {
        BulkAction.not_relevant: {"not_relevant": True},
        BulkAction.relevant: {"not_relevant": False},
        BulkAction.merge: {"merge_into": into},
        BulkAction.clear_names: {"label": None},
    }[action]
    return [CurationChange(theme_id, dict(values)) for theme_id in chosen]


def followed_merges(changes: Sequence[CurationChange], book: Codebook) -> dict[int, int]:
    """Themes whose merge was recorded further along a chain than asked: theme -> where it went.

    `book` is the codebook as saved (`update_curations` follows merges into merged themes).
    """
    followed = {}
    for change in changes:
        asked = change.values.get("merge_into")
        stored = book.curations.get(change.theme_id)
        if asked is not None and stored is not None and stored.merge_into != asked:
            followed[change.theme_id] = stored.merge_into
    return followed
