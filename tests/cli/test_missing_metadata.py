"""Every command that reads findings answers whatever metadata the documents lack.

Hypothesis draws which documents have no area, region, police force, date, speaker or title in a
copy of the sample corpus with the seed report; every read command must exit 0 and print no
traceback and no placeholder (nan, NaT, None, <NA>) where a value is missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from pipeline.cli import app
from tests.cli.commands import runner
from tests.gaps import BARE_SEED, METADATA_GAPS, NOTHING_KNOWN, Gaps, with_gaps

PLACEHOLDER = re.compile(r"(?<![\w<])(nan|NaT|None|<NA>)(?![\w>])")


def read_commands(db: Path, out: Path, themes: list[int]) -> dict[str, list[str]]:
    """Every read command over `db`, by name; exports write under `out`."""
    commands = {
        "status": ["status"],
        "query themes": ["query", "themes"],
        "query matrix by area": ["query", "matrix", "--by", "area"],
        "query matrix by review": ["query", "matrix", "--by", "review"],
        "export csv": ["export", "csv", "--out", str(out / "csv")],
        "export parquet": ["export", "parquet", "--out", str(out / "parquet")],
        "export report": ["export", "report", "--out", str(out / "report.md")],
        "export qdpx": ["export", "qdpx", "--out", str(out / "findings.qdpx")],
        "export codebook": ["export", "codebook", "--out", str(out / "codebook.qdc")],
        # A blind sample draws from strata of (theme, region): a document with no region too.
        "validate sample": ["validate", "sample", "--n", "20"],
        "validate export": ["validate", "export", "--out", str(out / "sheet.csv")],
    }
    for words in ("cuckooing", "Xanax"):
        commands[f"search {words}"] = ["search", words]
        commands[f"search {words} --semantic"] = ["search", words, "--semantic"]
    for theme in themes:
        commands[f"query quotes {theme}"] = ["query", "quotes", "--theme", str(theme)]
    for by in ("region", "area", "force"):
        commands[f"query trends {themes[0]} by {by}"] = [
            "query", "trends", "--theme", str(themes[0]), "--by", by,
        ]  # fmt: skip
    return {name: [*args, "--db", str(db)] for name, args in commands.items()}


def problems(name: str, args: list[str]) -> list[str]:
    """What one command got wrong: its exit code, a traceback, a placeholder in its output."""
    result = runner.invoke(app, args)
    found = []
    if result.exit_code:
        found.append(f"{name}: exit {result.exit_code}: {result.output[-300:]!r}")
    if "Traceback" in result.output:
        found.append(f"{name}: printed a traceback")
    found += [f"{name}: shows {m[0]!r}" for m in PLACEHOLDER.finditer(result.output)]
    return found


@given(gaps=METADATA_GAPS)
@example(gaps=NOTHING_KNOWN)
@example(gaps=BARE_SEED)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_read_command_answers_any_combination_of_missing_metadata(
    seeded: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, gaps: Gaps
) -> None:
    folder = tmp_path_factory.mktemp("gaps")
    db = with_gaps(seeded["inferred"], folder / "warehouse", gaps)
    listed = runner.invoke(app, ["query", "themes", "--db", str(db), "--json"])
    assert listed.exit_code == 0, listed.output
    themes = [int(row["theme_id"]) for row in json.loads(listed.stdout)]
    assert themes
    found = []
    for name, args in read_commands(db, folder / "out", themes).items():
        found += problems(name, args)
    report = (folder / "out" / "report.md").read_text(encoding="utf-8")
    found += [f"report: shows {m[0]!r}" for m in PLACEHOLDER.finditer(report)]
    assert found == []
