"""Run mutmut on one or more targets in a scratch copy and print the mutation score.

Each target is a `mutation/NAME.cfg` file: a `[mutmut]` section (copied into the scratch copy as
its `setup.cfg`) and, optionally, a `[report]` section naming the functions that count towards
the score. The copy keeps the working tree untouched while other people run tests in it, and
mutmut's own `mutants/` folder never lands beside the code.

    .venv/bin/python mutation/run.py                      # every target, working tree
    .venv/bin/python mutation/run.py trends redact        # some targets
    .venv/bin/python mutation/run.py --ref HEAD trends    # the code and tests of a commit
"""

from __future__ import annotations

import argparse
import configparser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# What the tests import or read; the rest of the repository (bench data, docs) is not needed.
COPIED = ("pipeline", "tests", "models", "corpus", "pyproject.toml")
MUTMUT = str(Path(sys.executable).parent / "mutmut")
# Tests load models from installed packages only; nothing is downloaded during a run.
ENV = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
MUTANT = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")


@dataclass(frozen=True)
class Score:
    """Outcome of one target's run, restricted to the functions that count."""

    target: str
    counts: dict[str, int]
    survivors: list[str]

    @property
    def total(self) -> int:
        """Every mutant of the functions that count; one no selected test reaches is not killed."""
        return sum(self.counts.values())

    @property
    def killed(self) -> int:
        """Mutants a test caught; a timeout is a catch too (the mutant looped)."""
        return self.counts.get("killed", 0) + self.counts.get("timeout", 0)


def function_of(mutant: str) -> str:
    """The function a mutant is in: `Class.method` or `function`.

    mutmut names mutants `pipeline.m.xǁClassǁmethod__mutmut_3` and `pipeline.m.x_f__mutmut_1`.
    """
    last = mutant.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    if last.startswith("xǁ"):
        return last[2:].replace("ǁ", ".")
    return last.removeprefix("x_")


def read_target(name: str) -> tuple[configparser.ConfigParser, list[str]]:
    """The target's config and the functions that count (empty: all of them)."""
    parser = configparser.ConfigParser()
    if not parser.read(HERE / f"{name}.cfg"):
        sys.exit(f"no target mutation/{name}.cfg")
    functions = parser.get("report", "functions", fallback="").split()
    return parser, functions


def copy_tree(destination: Path, ref: str | None) -> None:
    """Copy the code and tests of the working tree (or of commit `ref`) into `destination`."""
    if ref is not None:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref, *COPIED],
            cwd=REPO,
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(destination, filter="data")
    else:
        listed = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z", "--", *COPIED],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for relative in filter(None, listed.split("\0")):
            source = REPO / relative
            if source.is_file():  # listed but deleted in the working tree
                (destination / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination / relative)
    # The runner's own files come from the working tree even for an older commit.
    shutil.copytree(HERE, destination / "mutation", ignore=shutil.ignore_patterns("__pycache__"))
    # tests/conftest.py finds the seed report beside the checkout; mutmut runs from `mutants/`.
    shared = REPO.parent / "shared"
    if shared.is_dir():
        (destination / "shared").symlink_to(shared)


def write_setup_cfg(parser: configparser.ConfigParser, destination: Path) -> None:
    """The target's [mutmut] section as the copy's setup.cfg, without test files it lacks.

    Dropping absent test files lets `--ref` measure the score before a test file existed.
    """
    selection = parser.get("mutmut", "pytest_add_cli_args_test_selection").split()
    present = [t for t in selection if (destination / t.split("::")[0]).is_file()]
    if not present:
        sys.exit(f"none of the selected tests exist: {selection}")
    out = configparser.ConfigParser()
    out["mutmut"] = dict(parser["mutmut"])
    out["mutmut"]["pytest_add_cli_args_test_selection"] = "\n" + "\n".join(present)
    with (destination / "setup.cfg").open("w") as handle:
        out.write(handle)


def run_target(name: str, base: Path, ref: str | None, max_children: int) -> None:
    """Run mutmut for one target in a fresh copy at `base/name`."""
    parser, _ = read_target(name)
    workdir = base / name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    copy_tree(workdir, ref)
    write_setup_cfg(parser, workdir)
    with (workdir / "mutmut.log").open("w") as log:
        subprocess.run(
            [MUTMUT, "run", "--max-children", str(max_children)],
            cwd=workdir,
            env=ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )


def score_target(name: str, base: Path) -> Score:
    """Score the finished run of one target in `base/name`."""
    _, functions = read_target(name)
    workdir = base / name
    listing = subprocess.run(
        [MUTMUT, "results", "--all", "true"],
        cwd=workdir,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    counts: Counter[str] = Counter()
    survivors: list[str] = []
    for line in listing.splitlines():
        match = MUTANT.match(line)
        if not match or (functions and function_of(match["name"]) not in functions):
            continue
        counts[match["status"]] += 1
        if match["status"] == "survived":
            survivors.append(match["name"])
    score = Score(name, dict(counts), survivors)
    (workdir / "score.json").write_text(
        json.dumps({"counts": score.counts, "survivors": score.survivors}, indent=2)
    )
    return score


def main() -> None:
    """Parse arguments, run each target, print a table of scores."""
    targets = sorted(p.stem for p in HERE.glob("*.cfg"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"some of {', '.join(targets)} (default: all)")
    parser.add_argument("--ref", help="score the code and tests of this commit instead")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "findings-mutation",
        help="scratch folder for the copies (default: %(default)s)",
    )
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument(
        "--score-only", action="store_true", help="score the runs already in --workdir"
    )
    args = parser.parse_args()
    unknown = set(args.targets) - set(targets)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; there are {targets}")
    print("| target | killed | total | score | survived | not reached by a test |")
    print("|---|---|---|---|---|---|")
    for name in args.targets or targets:
        if not args.score_only:
            run_target(name, args.workdir, args.ref, args.max_children)
        score = score_target(name, args.workdir)
        share = score.killed / score.total if score.total else 0.0
        print(
            f"| {name} | {score.killed} | {score.total} | {share:.0%} | {len(score.survivors)} "
            f"| {score.counts.get('no tests', 0)} |",
            flush=True,
        )
    print(f"\nsurvivors: `mutmut show NAME` in {args.workdir}/TARGET")


if __name__ == "__main__":
    main()
