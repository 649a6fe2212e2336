"""Small helpers shared by tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    """Run a read-only query against a warehouse file."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def unprivileged(command: list[str]) -> list[str]:
    """`command` run so that file permissions bind it, as they bind a user.

    As root (as in CI containers) `chmod 000` stops nothing: the command then runs without the
    two capabilities that override file permissions, keeping root's own files as its owner's.
    """
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")  # util-linux (essential in Debian 12, as here)
    if setpriv is None:
        pytest.fail("running as root, a permission test needs setpriv (util-linux) to drop root")
    dropped = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={dropped}", f"--inh-caps={dropped}", "--", *command]
