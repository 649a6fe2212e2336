"""Memos in the viewer: shown beside the theme, document or passage they are about, written there.

A memo's words go through `st.text`, which parses nothing, never through Markdown: memos often
paste a quote, and document text is data; a memo holding `![x](https://…)`, `$5 to $10` or
`# h` shows those characters, as the drafted report's appendix prints them. They are redacted as
the reader's quotes are (the appendix redacts them too): a pasted quote would otherwise show a
director the names that its quote card hides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from pipeline.access.memos import Memo, MemoError, MemoTarget, save_memo
from pipeline.access.roles import Action
from pipeline.errors import TeamStoreError
from pipeline.viewer import data
from pipeline.viewer.context import PageContext
from pipeline.viewer.literal import md

MEMO_HELP = (
    "Kept in the team store with your name and the time, shown here to everyone who reads the "
    "findings, exported in the .qdpx and the drafted report's appendix. Memos are added, never "
    "changed; shown as plain text."
)
WRITERS = "researchers, analysts and admins"


def show_memos(
    context: PageContext, memos: Sequence[Memo], about: Callable[[Memo], str] | None = None
) -> None:
    """Each memo in a box: its words as plain text, then who wrote it, when (and `about`: what).

    `about` says in plain words what a memo is about (shown escaped, so a title stays a title).
    """
    texts = data.redact([memo.text for memo in memos], context.settings, context.source)
    for memo, text in zip(memos, texts, strict=True):
        box = st.container(border=True)
        box.text(text)
        what = about(memo) if about is not None else ""
        box.caption(
            f"Memo by {md(memo.author)} · {memo.written_at:%d %b %Y %H:%M} UTC"
            + (f" · {md(what)}" if what else "")
        )


def write_memo(context: PageContext, target: MemoTarget, target_id: str, text: str) -> None:
    """Save a memo by the person reading, if their role allows it now, then show the page again."""
    if not context.may(Action.write_memos):  # checked again: a role can change after the form
        st.error(f"Your role does not allow writing memos; {WRITERS} write them.")
        return
    try:
        save_memo(context.settings.team_db, target, target_id, text, context.person.email)
    except MemoError as exc:
        st.warning(f"Not saved: {md(exc)}.")
        return
    except TeamStoreError as exc:
        st.error(f"The memo could not be saved: {md(exc)}")
        return
    st.rerun()  # the memo shows at once (the cached reads follow the store's version)


def memo_form(context: PageContext, target: MemoTarget, target_id: str, key: str) -> None:
    """A box to write a memo on one theme, document or passage (only for those who may)."""
    if not context.may(Action.write_memos):
        return
    with st.form(key, clear_on_submit=True, border=False):
        text = st.text_area("New memo", key=f"{key}_text", help=MEMO_HELP)
        if st.form_submit_button("Save memo", key=f"{key}_save"):
            write_memo(context, target, target_id, text)


def memo_section(context: PageContext, target: MemoTarget, target_id: str, key: str) -> None:
    """The memos on one theme, document or passage, oldest first, and a box to add one."""
    memos = data.memos_on(context.settings, target, context.source).get(target_id, [])
    if memos:
        show_memos(context, memos)
    else:
        st.caption(f"No memos on this {md(target.value)} yet.")
    if context.may(Action.write_memos):
        memo_form(context, target, target_id, key)
    else:
        st.caption(f"Memos are written by {WRITERS}.")


def passage_memos(
    context: PageContext, passage_id: str, memos: Sequence[Memo], section: str = ""
) -> None:
    """A quote's memos beneath it, and (for those who may) a popover to write one.

    `section` tells apart the forms of one passage quoted twice on a page.
    """
    if memos:
        show_memos(context, memos)
    if context.may(Action.write_memos):
        with st.popover("Memo on this passage"):
            memo_form(context, MemoTarget.passage, passage_id, f"memo_{section}{passage_id}")
