"""Codebook: every theme in one table to name, describe, merge or set aside; bulk edits; splits."""

from __future__ import annotations

import streamlit as st

from pipeline.access.audit import AuditAction
from pipeline.access.codings import load_decisions
from pipeline.access.roles import Action
from pipeline.errors import CodebookError, TeamStoreError
from pipeline.queries import NO_FILTERS
from pipeline.queries.validation import passage_texts
from pipeline.themes.codebook import CurationChange, update_curations
from pipeline.themes.split import SplitError, SubTheme
from pipeline.themes.splitting import propose_theme_split, split_theme
from pipeline.viewer import data
from pipeline.viewer.codebook_table import (
    DESCRIPTION,
    GENERATED_DESCRIPTION,
    GENERATED_LABEL,
    GUIDED_HEADING,
    HEADING,
    MERGE_INTO,
    NAME,
    NOT_RELEVANT,
    READ_ONLY,
    REVIEWS,
    STATUS,
    THEME,
    BulkAction,
    bulk_changes,
    codebook_table,
    followed_merges,
    table_changes,
    theme_option,
)
from pipeline.viewer.context import page_context
from pipeline.viewer.literal import code, md
from pipeline.viewer.team import record

TABLE_KEY = "codebook_table"
PROPOSAL_KEY = "codebook_split_proposal"
NOTICE_KEY = "codebook_notice"
EXAMPLES = 3  # quotes shown for each proposed sub-theme

context = page_context()
source, book = context.source, context.codebook
path = context.settings.codebook
editor = context.may(Action.edit_codebook)


def save(changes: list[CurationChange], done: str, from_table: bool = False) -> None:
    """Write `changes` in one atomic codebook write, audit each theme, and show the page again.

    The role is checked here too: a disabled button is no guard on its own. Saved from the
    table, its edits are dropped once written: the saved values come back as the table's own.
    """
    if not editor:
        st.error("Your role reads the codebook; it cannot change it.")
        return
    try:
        saved = update_curations(path, changes)
    except (CodebookError, OSError, TimeoutError) as exc:
        st.error(f"Could not save the codebook: {md(exc)}")
        return
    for change in changes:
        record(context.settings, context.person, AuditAction.changed_codebook, change.describe())
    if from_table:
        del st.session_state[TABLE_KEY]
    followed = followed_merges(changes, saved)
    notes = [
        f"theme #{theme} went to #{into}, where the theme it was merged into is merged"
        for theme, into in followed.items()
    ]
    st.session_state[NOTICE_KEY] = " ".join([done, *notes])
    st.rerun()


st.title("Codebook")
st.caption(
    f"Decisions are saved to {code(path)} and applied at once here; the next theme run applies "
    "them to the warehouse (merges move passages then). Theme ids stay stable across runs."
)
if notice := st.session_state.pop(NOTICE_KEY, None):
    st.success(md(notice))
if not editor:
    st.info("Your role reads the codebook; researchers and analysts change it.")

catalogue = data.catalogue(source)
# A generated description quotes the passages: redacted as they are for this reader.
described = data.redact([str(d or "") for d in catalogue["description"]], context.settings, source)
table = codebook_table(catalogue, data.overview(source, NO_FILTERS), book, described)
# Each theme by the name people see (as `codebook_table` names merge targets, so they match).
options = [
    theme_option(t, n or g or f"theme {t}")
    for t, n, g in table[[THEME, NAME, GENERATED_LABEL]].itertuples(index=False)
]
columns = {
    THEME: st.column_config.NumberColumn(THEME, format="#%d", width="small"),
    NAME: st.column_config.TextColumn(NAME, help="Empty: the generated label shows."),
    DESCRIPTION: st.column_config.TextColumn(
        DESCRIPTION, help="Empty: the generated description shows."
    ),
    GENERATED_DESCRIPTION: st.column_config.TextColumn(GENERATED_DESCRIPTION, width="medium"),
    HEADING: st.column_config.TextColumn(
        HEADING, help="Shown above the theme; empty: the nearest guided theme's name."
    ),
    GUIDED_HEADING: st.column_config.TextColumn(GUIDED_HEADING),
    REVIEWS: st.column_config.NumberColumn(
        REVIEWS, help="Reviews raising the theme, in the whole corpus."
    ),
    STATUS: st.column_config.TextColumn(STATUS),
    MERGE_INTO: st.column_config.SelectboxColumn(
        MERGE_INTO, options=options, help="Its passages move there at the next run."
    ),
    NOT_RELEVANT: st.column_config.CheckboxColumn(
        NOT_RELEVANT, help="Hidden from the findings; its passages keep their theme."
    ),
}
st.subheader("Every theme")
if editor:
    st.caption("Edit the cells in place, then save: every changed theme is saved in one write.")
    edited = st.data_editor(
        table,
        key=TABLE_KEY,
        column_config=columns,
        disabled=READ_ONLY,
        hide_index=True,
        num_rows="fixed",
        width="stretch",
    )
else:
    st.dataframe(table, column_config=columns, hide_index=True, width="stretch")
    edited = table
try:
    changes = table_changes(table, edited)
except CodebookError as exc:
    st.error(md(exc))
    changes = []
if changes:
    st.caption(
        f"{len(changes)} {'theme' if len(changes) == 1 else 'themes'} changed, not saved yet."
    )
if st.button("Save", key="codebook_save", type="primary", disabled=not editor or not changes):
    save(changes, f"Saved {len(changes)} theme{'s' * (len(changes) != 1)}.", from_table=True)

st.subheader("Decisions so far")
named = sum(bool(c.label) for c in book.curations.values())
merged = sum(c.merge_into is not None for c in book.curations.values())
set_aside = sum(c.not_relevant for c in book.curations.values())
split_off = len(book.split_theme_ids)
st.caption(
    f"{int(named)} named, {int(merged)} merged, {int(set_aside)} not relevant, "
    f"{int(split_off)} split off."
    if book.curations
    else "No decisions yet: every theme shows its generated label."
)

if editor:
    st.subheader("Change several themes at once")
    ids = table[THEME].astype(int).tolist()
    option_of = dict(zip(ids, options, strict=True))
    chosen = st.multiselect("Themes", ids, format_func=option_of.get, key="bulk_themes")
    action = st.radio("Do", list(BulkAction), format_func=str, key="bulk_action", horizontal=True)
    into = None
    if action is BulkAction.merge:
        into = st.selectbox(
            "Merge them into", ids, index=None, format_func=option_of.get, key="bulk_into"
        )
    if st.button("Apply to the chosen themes", key="bulk_apply", disabled=not chosen):
        try:
            bulk = bulk_changes(action, chosen, into)
        except CodebookError as exc:
            st.error(md(exc))
        else:
            save(bulk, f"{action} applied to {len(bulk)} theme{'s' * (len(bulk) != 1)}.")

    st.subheader("Split a theme")
    st.caption(
        "The hierarchy proposes the groups a theme's passages fall into; keep those you want. "
        "The largest kept group keeps the theme's id, each other kept one becomes a new theme, "
        "and the passages of groups not kept are taken off the theme (as coding decisions, "
        "which every later run keeps)."
    )
    generated = catalogue.set_index("theme_id")
    splittable = [t for t in ids if t in generated.index]
    theme_id = st.selectbox(
        "Theme to split", splittable, format_func=option_of.get, key="split_theme"
    )
    if theme_id is not None:
        keywords = generated.at[theme_id, "keywords"]
        st.caption(
            "Keywords: "
            + md(
                data.redact(
                    [", ".join(list(keywords) if keywords is not None else [])],
                    context.settings,
                    source,
                )[0]
            )
        )
    parts = st.number_input("Sub-themes", min_value=2, max_value=6, value=2, key="split_parts")
    if st.button("Propose a split", key="split_propose", disabled=theme_id is None):
        try:
            proposed = propose_theme_split(
                data.cursor(source), load_decisions(context.settings.team_db), theme_id, parts
            )
        except (SplitError, TeamStoreError) as exc:
            st.error(md(exc))
            st.session_state.pop(PROPOSAL_KEY, None)
        else:
            st.session_state[PROPOSAL_KEY] = (theme_id, parts, proposed)
    held = st.session_state.get(PROPOSAL_KEY)
    if held is not None and held[:2] == (theme_id, parts):
        proposal: list[SubTheme] = held[2]
        examples = [p for sub in proposal for p in sub.passage_ids[:EXAMPLES]]
        texts = passage_texts(data.cursor(source), examples)
        readable = dict(
            zip(
                examples,
                data.redact([texts.get(p, "") for p in examples], context.settings, source),
                strict=True,
            )
        )
        for sub in proposal:
            with st.container(border=True):
                st.markdown(f"**Sub-theme {int(sub.number)}**: {len(sub.passage_ids)} passages")
                st.checkbox("Keep", value=True, key=f"split_keep_{sub.number}")
                st.text_input(
                    "Name, if it becomes a new theme",
                    key=f"split_name_{sub.number}",
                    placeholder="Empty: the next run names it",
                )
                for passage_id in sub.passage_ids[:EXAMPLES]:
                    st.text(readable[passage_id])  # passages are data, never markup
        keep = [s.number for s in proposal if st.session_state.get(f"split_keep_{s.number}")]
        labels = [st.session_state.get(f"split_name_{n}") or None for n in keep[1:]]
        if st.button(f"Split theme #{int(theme_id)}", key="split_apply", disabled=not keep):
            try:
                done = split_theme(
                    data.cursor(source),
                    codebook=path,
                    team_db=context.settings.team_db,
                    theme_id=theme_id,
                    keep=keep,
                    labels=labels,
                    parts=parts,
                    coder=context.person.email,
                    role=context.person.role,
                    via="viewer",
                    shown=proposal,
                )
            except (SplitError, CodebookError, TeamStoreError, OSError, TimeoutError) as exc:
                st.error(f"Could not split the theme: {md(exc)}")
            else:
                for new_id in done.new_theme_ids:
                    record(
                        context.settings,
                        context.person,
                        AuditAction.changed_codebook,
                        f"theme {new_id}: split from theme {theme_id}",
                    )
                del st.session_state[PROPOSAL_KEY]
                made = ", ".join(f"#{t}" for t in done.new_theme_ids) or "no new theme"
                st.session_state[NOTICE_KEY] = (
                    f"Theme #{theme_id} split: sub-theme {done.kept_on_theme} keeps its id; "
                    f"{made}; {done.decisions} passages moved or taken off. "
                    "The next theme run shows it."
                )
                st.rerun()
