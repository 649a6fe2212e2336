"""Who is using the viewer: sign-in, the access list's role, and the audit of what they do.

app.py calls `person_at_the_door` before anything else: with sign-in configured (an `[auth]`
section in the secrets), a visitor who has not signed in sees only the sign-in, and one the
access list does not name sees only "no access". Without sign-in the viewer serves this machine
alone (loopback), and its operator has the role `FINDINGS_LOCAL_ROLE` gives.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping

import streamlit as st

from pipeline.access.access_list import load_access_list
from pipeline.access.audit import AuditAction, audit
from pipeline.access.signin import (
    Person,
    auth_problem,
    is_loopback,
    person_from_claims,
    request_is_local,
)
from pipeline.errors import AccessListError, TeamStoreError
from pipeline.settings import Settings
from pipeline.viewer.literal import code, md

_SIGNED_IN_KEY = "findings_audited_sign_in"
_SEEN_KEY = "findings_audited_unredacted"
UNREDACTED_KEY = "findings_show_unredacted"


def auth_section() -> Mapping[str, object] | None:
    """The `[auth]` section of the secrets Streamlit loaded; None when there is none."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all (Streamlit's error is one)
        return None
    return dict(section) if isinstance(section, Mapping) else None


def record(settings: Settings, person: Person, action: AuditAction, detail: str = "") -> None:
    """Append to the audit trail; if it cannot be written, the page stops rather than go on."""
    try:
        audit(settings.team_db, person.email, person.role, action, detail)
    except TeamStoreError as exc:
        st.error(f"The audit trail cannot be written, so this cannot go on: {md(exc)}")
        st.stop()


def local_operator(settings: Settings) -> Person:
    """The operator of a viewer on this machine with no sign-in."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "local"
    return Person(f"{user} (this machine)", settings.local_role, signed_in=False)


def refuse(message: str) -> None:
    """Show only `message` and stop the page: nothing of the findings is drawn."""
    st.title("Findings")
    st.error(message)
    st.stop()


def person_at_the_door(settings: Settings) -> Person:
    """Who this session belongs to, or the page stops at sign-in, "no access" or a refusal."""
    auth = auth_section()
    if auth is None:
        address = str(st.get_option("server.address") or "")
        if not is_loopback(address) or not request_is_local(dict(st.context.headers)):
            refuse(
                f"This viewer is served on {code(address or 'every address')} with no sign-in, "
                "so it shows nothing. Configure sign-in (an [auth] section in "
                ".streamlit/secrets.toml and an access list, see docs/deploying.md), or serve "
                "it on 127.0.0.1 with `findings viewer`."
            )
        return local_operator(settings)
    problem = auth_problem(auth)
    if problem is not None:
        refuse(f"Sign-in is not configured correctly ({md(problem)}); nobody can be let in.")
    if not st.user.is_logged_in:
        st.title("Findings")
        st.write(
            "This viewer holds evidence about children and is open to the unit's staff only. "
            "Sign in with your work account."
        )
        st.button("Sign in", on_click=st.login, type="primary", key="sign_in")
        st.stop()
    try:
        access = load_access_list(settings.access_list)
    except AccessListError as exc:
        refuse(f"The access list cannot be read, so nobody can be let in: {md(exc)}")
    person = person_from_claims(st.user.to_dict(), access)
    if person.role is None:
        if not st.session_state.get(_SIGNED_IN_KEY):
            record(settings, person, AuditAction.refused_access)
            st.session_state[_SIGNED_IN_KEY] = True
        st.title("No access")
        st.write(
            f"You are signed in as {md(person.email)}, but the unit's access list does not "
            "name you or any of your groups. Ask the person who keeps the list to add you."
        )
        st.button("Sign out", on_click=st.logout, key="sign_out_no_access")
        st.stop()
    if not st.session_state.get(_SIGNED_IN_KEY):
        record(settings, person, AuditAction.signed_in)
        st.session_state[_SIGNED_IN_KEY] = True
    return person


def record_unredacted_view(settings: Settings, person: Person, page: str, scope: str) -> None:
    """Record, once per session, page and filters, that `person` read quotes as written."""
    seen: set[tuple[str, str]] = st.session_state.setdefault(_SEEN_KEY, set())
    if (page, scope) in seen:
        return
    record(settings, person, AuditAction.read_unredacted, f"{page} page ({scope})")
    seen.add((page, scope))
