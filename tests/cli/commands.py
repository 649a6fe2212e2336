"""What the CLI tests share: a runner and the tree of `findings` commands."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def command_tree() -> dict[str, typer.core.TyperCommand]:
    """Every command and subcommand of `findings`, by its full name ("query themes")."""
    root = typer.main.get_command(app)
    found: dict[str, typer.core.TyperCommand] = {}

    def walk(group: typer.core.TyperGroup, prefix: str) -> None:
        for name, command in group.commands.items():
            found[f"{prefix}{name}"] = command
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")

    walk(root, "")
    return found


def options_of(command: typer.core.TyperCommand) -> list[str]:
    """A command's option names, in the order its help lists them."""
    return [opt for param in command.params for opt in getattr(param, "opts", [])]
