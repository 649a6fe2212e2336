"""What the CLI tests share: a runner, the tree of `findings` commands, untrusted text."""

from __future__ import annotations

import re

import typer
from hypothesis import strategies as st
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


# Text from outside Findings as it might come: words in any script, console markup, terminal
# controls and escape sequences, line breaks. Drawn as (text, what the terminal should show).
SHOWN_AS_WRITTEN = st.one_of(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=12),
    st.sampled_from(["[", "]", "[/]", "[bold]", "[/bold]", "[red on]", "[link=x]", ":warning:"]),
)
# Each sequence whole: a lone ESC takes the character after it along (ESC c resets a terminal).
LEFT_OUT = st.sampled_from(
    ["\x1b[31m", "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x1b]8;;http://x.example\x1b\\", "\r",
     "\x07", "\x08", "\x00", "\x7f", "\x9b", "\x1bc", "\x1b7"]
)  # fmt: skip


@st.composite
def untrusted_text(draw: st.DrawFn, *, line_breaks: bool = True) -> tuple[str, str]:
    """Some untrusted text and what a terminal should show of it (the same, less controls)."""
    kinds = [SHOWN_AS_WRITTEN.map(lambda t: (t, t)), LEFT_OUT.map(lambda t: (t, ""))]
    if line_breaks:
        kinds.append(st.just(("\n", "\n")))
    pieces = draw(st.lists(st.one_of(*kinds), min_size=1, max_size=10))
    return "".join(text for text, _ in pieces), "".join(shown for _, shown in pieces)


def shows(output: str, expected: str) -> bool:
    """Whether each line of `expected` is in `output`, runs of white space aside.

    (Rich pads table cells and a cell's lines sit between borders on separate lines.)
    """
    flat = " ".join(output.split())
    return all(" ".join(line.split()) in flat for line in expected.splitlines())


def controls_in(output: str) -> list[str]:
    """Terminal controls in `output` (none belong in text rich wrote without colour)."""
    return re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", output)
