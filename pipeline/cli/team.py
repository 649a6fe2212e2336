"""Commands for a unit's team: `findings viewer` (serve the viewer) and `findings audit`.

The viewer serves loopback (127.0.0.1) as it always has, with no sign-in; any other address is
refused unless sign-in is configured (an `[auth]` section in `.streamlit/secrets.toml`) and the
access list reads, because a viewer anyone on the network can open is no place for evidence
about children.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.console import Shown, column, emit, err, literal
from pipeline.cli.options import DbOption, JsonOption, settings_for
from pipeline.errors import SignInNotConfiguredError

APP = Path(__file__).resolve().parents[2] / "app.py"

HostOption = Annotated[
    str,
    typer.Option(
        help="Address to serve on. 127.0.0.1 (this machine only) needs no sign-in; any other "
        "needs sign-in configured (docs/deploying.md)."
    ),
]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")]
SecretsOption = Annotated[
    Path | None,
    typer.Option(
        "--secrets",
        help="A secrets.toml holding the auth section (default: Streamlit's own places, "
        "~/.streamlit/secrets.toml and ./.streamlit/secrets.toml).",
    ),
]


def refusal(host: str, problem: str) -> str:
    """Why the viewer will not serve `host`, and what to do about it, in one line."""
    return (
        f"refusing to serve the viewer on {host} without sign-in: {problem}. Configure "
        "OpenID Connect sign-in in an [auth] section of .streamlit/secrets.toml (redirect_uri, "
        "cookie_secret, client_id, client_secret, server_metadata_url) and an access list, as "
        "docs/deploying.md says, or serve this machine only with --host 127.0.0.1"
    )


def viewer(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8501,
    secrets: SecretsOption = None,
    db: DbOption = None,
) -> None:
    """Serve the viewer: on 127.0.0.1 as it is; on any other address only behind sign-in."""
    from pipeline.access.access_list import load_access_list
    from pipeline.access.signin import default_secrets_files, is_loopback, sign_in_problem

    settings = settings_for(db)
    files = [secrets] if secrets is not None else default_secrets_files(Path.cwd())
    if secrets is not None and not secrets.is_file():
        raise SignInNotConfiguredError(f"{secrets}: no such secrets file")
    if not is_loopback(host):
        problem = sign_in_problem(files)
        if problem is not None:
            raise SignInNotConfiguredError(refusal(host, problem))
        load_access_list(settings.access_list)  # a list nobody can read lets nobody in: say so now
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", host, "--server.port", str(port),
        "--browser.serverAddress", host,
    ]  # fmt: skip
    if secrets is not None:
        command += ["--secrets.files", str(secrets.resolve())]
    environment = dict(os.environ)
    if db is not None:
        environment["FINDINGS_DB"] = str(db.resolve())
    err.print(literal(f"Findings viewer: http://{host}:{port}  (Ctrl-C to stop)"), soft_wrap=True)
    sys.stdout.flush()
    os.execvpe(command[0], command, environment)  # Ctrl-C reaches Streamlit itself


def since_time(value: str | None) -> dt.datetime | None:
    """--since as a time: a date (YYYY-MM-DD, from its midnight UTC) or an ISO 8601 time."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            "use a date (2026-11-30) or a time (2026-11-30T09:00)", param_hint="--since"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


AUDIT_COLUMNS = [
    Shown("when (UTC)", lambda row: f"{row['occurred_at']:%Y-%m-%d %H:%M:%S}"),
    column("person", wrap=True),
    Shown("role", lambda row: row["role"] or ""),
    column("action"),
    column("detail", wrap=True),
    column("via"),
]


def audit(
    since: Annotated[
        str | None, typer.Option(help="Only from this date or time on (UTC unless it says).")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Only this person (e-mail or account name).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The audit trail: who signed in, read quotes as written, exported or changed what, when."""
    import dataclasses

    import pandas as pd

    from pipeline.access.audit import load_events
    from pipeline.settings import Settings

    settings = Settings()
    events = load_events(settings.team_db, since_time(since), user)
    frame = pd.DataFrame(
        [dataclasses.asdict(event) for event in events],
        columns=["event_id", "occurred_at", "person", "role", "action", "detail", "via"],
    )
    if as_json:
        emit(frame.astype({"occurred_at": "object"}).assign(
            occurred_at=[event.occurred_at.isoformat() for event in events],
            role=[event.role.value if event.role else None for event in events],
            action=[event.action.value for event in events],
            via=[event.via.value for event in events],
        ), True, "")  # fmt: skip
        return
    if frame.empty:
        err.print(literal(f"No audit events in {settings.team_db} under these options."))
        return
    emit(frame, False, f"Audit trail ({settings.team_db})", AUDIT_COLUMNS)
