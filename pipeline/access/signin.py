"""Whether the viewer may serve an address: loopback always, anything else only with sign-in.

Sign-in is Streamlit's own (`st.login`, OpenID Connect), configured in the `[auth]` section of
`.streamlit/secrets.toml`; these functions only read that section to see it is complete.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.access.access_list import AccessList
from pipeline.access.roles import Role

# What Streamlit needs for its default provider (`st.login()` with no name).
# The cookie that carries a sign-in is signed with this; a short secret can be guessed.
MIN_COOKIE_SECRET = 32
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]")
    if name.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a host name, or '' (every interface): not known to be local
        return False


# Headers a reverse proxy adds: a request carrying one came from beyond this machine.
FORWARDED_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def request_is_local(headers: Mapping[str, str]) -> bool:
    """Whether a request to a viewer on loopback came from this machine, not through a proxy.

    A viewer bound to 127.0.0.1 but published by a reverse proxy is on the network all the
    same: a forwarding header, or a Host that is not a loopback name, gives the proxy away.
    """
    names = {name.casefold(): value for name, value in headers.items()}
    if any(name in names for name in FORWARDED_HEADERS):
        return False
    host = names.get("host")
    if host is None:
        return True  # no HTTP request at all (a script run in tests)
    if host.startswith("[") and "]" in host:  # [::1]:8501
        name = host[1 : host.index("]")]
    elif host.count(":") == 1:  # 127.0.0.1:8501, localhost:8501
        name = host.split(":")[0]
    else:  # a bare name or address
        name = host
    return is_loopback(name)


def default_secrets_files(project: Path) -> list[Path]:
    """Where Streamlit looks for secrets by default: the user's, then the project's (it wins)."""
    return [Path.home() / ".streamlit" / "secrets.toml", project / ".streamlit" / "secrets.toml"]


def read_auth_section(files: Iterable[Path]) -> tuple[dict[str, object] | None, str | None]:
    """The `[auth]` section merged over `files` (later files win), and a problem reading one."""
    merged: dict[str, object] | None = None
    for path in files:
        if not path.is_file():
            continue
        try:
            section = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return None, f"{path} cannot be read: {exc}"
        if isinstance(section, dict):
            merged = (merged or {}) | section
    return merged, None


def auth_problem(auth: Mapping[str, object] | None) -> str | None:
    """What is missing from an `[auth]` section for sign-in to work; None when nothing is."""
    if auth is None:
        return "no [auth] section in .streamlit/secrets.toml"
    missing = [key for key in AUTH_KEYS if not str(auth.get(key) or "").strip()]
    if missing:
        return f"the [auth] section lacks {', '.join(missing)}"
    placeholders = [key for key in AUTH_KEYS if "REPLACE" in str(auth[key])]
    if placeholders:
        return (
            f"the [auth] section still holds the example's placeholders: {', '.join(placeholders)}"
        )
    if len(str(auth["cookie_secret"])) < MIN_COOKIE_SECRET:
        return f"[auth] cookie_secret is shorter than {MIN_COOKIE_SECRET} characters"
    redirect = str(auth["redirect_uri"])
    if not redirect.endswith("/oauth2callback"):
        return f"[auth] redirect_uri {redirect!r} must end with /oauth2callback"
    return None


def sign_in_problem(files: Sequence[Path]) -> str | None:
    """Why sign-in is not configured in these secrets files; None when it is."""
    auth, unreadable = read_auth_section(files)
    return unreadable or auth_problem(auth)


@dataclass(frozen=True)
class Person:
    """Who is using the viewer, and as what role (None: signed in but not on the list)."""

    email: str
    role: Role | None
    signed_in: bool  # False for the operator of a viewer on loopback with no sign-in


def claimed_groups(claims: Mapping[str, object]) -> list[str]:
    """The groups an ID token names: a `groups` claim (Entra ID, Keycloak), list or one string."""
    groups = claims.get("groups")
    if isinstance(groups, str):
        return [groups]
    if isinstance(groups, list | tuple):
        return [str(group) for group in groups]
    return []


def claimed_email(claims: Mapping[str, object]) -> str | None:
    """The address a person signed in with: `email`, else Entra's `preferred_username`."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return None


def person_from_claims(claims: Mapping[str, object], access: AccessList) -> Person:
    """The signed-in person an ID token's claims describe, with the role the access list gives."""
    email = claimed_email(claims)
    shown = email or str(claims.get("sub") or "unknown")
    return Person(shown, access.role_for(email, claimed_groups(claims)), signed_in=True)
