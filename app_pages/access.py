"""Access: the access list, edited by an admin; a list that does not validate is not saved."""

from __future__ import annotations

import streamlit as st

from pipeline.access.access_list import (
    AccessList,
    access_changes,
    load_access_list,
    save_access_list,
)
from pipeline.access.audit import AuditAction
from pipeline.access.roles import Action, Role
from pipeline.errors import AccessListError
from pipeline.viewer.context import page_context
from pipeline.viewer.literal import code, md
from pipeline.viewer.team import record

context = page_context(Action.edit_access)
settings = context.settings
path = settings.access_list

st.title("Access")
st.caption(
    f"Who may sign in, and as what, from {code(path)}: e-mail addresses under `people:`, "
    f"groups from the sign-in's `groups` claim under `groups:`. Roles: "
    f"{md(', '.join(role.value for role in Role))}. A person's own entry wins over their groups'; "
    "among groups the role with the fewest permissions wins."
)
try:
    before = load_access_list(path)
    text = path.read_text(encoding="utf-8")
except AccessListError as exc:
    st.warning(f"The list as it is cannot be used: {md(exc)}")
    before, text = AccessList(), path.read_text(encoding="utf-8") if path.is_file() else ""
with st.form("access_list", enter_to_submit=False):
    edited = st.text_area("access.yaml", value=text, height=320, key="access_text")
    saved = st.form_submit_button("Save")
if saved:
    try:
        after = save_access_list(path, edited)
    except (AccessListError, OSError, TimeoutError) as exc:
        st.error(f"Not saved: {md(exc)}")
    else:
        changes = access_changes(before, after)
        record(
            settings, context.person, AuditAction.changed_access, "; ".join(changes) or "no change"
        )
        st.success(f"Saved: {len(changes)} change{'' if len(changes) == 1 else 's'}.")
