"""Run every benchmark and write bench/results.json and bench/RESULTS.md.

Each bench runs in its own process (so one's memory and threads do not colour another's) and
writes its own JSON; this runner adds the machine, package versions, the exact commands and
their printed figures. `--quick` (for CI: under 3 minutes on 2 cores) runs the model, theme-fit,
query and PDF benches at small sizes and writes results-quick.json / RESULTS-quick.md instead,
so it never overwrites the full figures; the benches that run whole flows or the viewer (a
minute or more each even when small) are left to the full run.

`--long` adds the full run at 100k passages (about an hour on 2 cores).

Run: .venv/bin/python bench/run.py [--quick | --long] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# name: (script, full arguments, quick arguments or None to skip in quick mode, what it measures)
BENCHES: dict[str, tuple[str, list[str], list[str] | None, str]] = {
    "embedding": (
        "embedding.py", [], ["--texts", "300", "--repeat", "1", "--no-backends"],
        "findings embed vs the raw model's encode, same texts, same process (goal >= 0.90)",
    ),
    "incremental": (
        "incremental.py", [], None,
        "rerun with one new review / full refresh of 70 reviews (goal <= 0.10)",
    ),
    "theme_scaling": (
        "theme_scaling.py", [], ["--sizes", "500", "1000", "--one-process"],
        "theme fit time and peak memory by corpus size; power-law exponent",
    ),
    "query_latency": (
        "query_latency.py", [], ["--passages", "10000", "--repeat", "3"],
        "the viewer's queries on the sample corpus and synthetic 100k and 1M passage corpora",
    ),
    "viewer_latency": (
        "viewer_latency.py", [], None,
        "every viewer page's render time, cold and warm",
    ),
    "theme_quality": (
        "theme_quality.py", [], None,
        "Findings' themes vs BERTopic defaults and LDA against hand labels",
    ),
    "full_run": (
        "full_run.py", ["--passages", "5000", "--workers", "2"], None,
        "peak memory and stage times of a full `findings run` at 5k passages vs the sample; "
        "full run / raw model encode of the same texts, one process and --workers 2",
    ),
    "full_run_100k": (
        "full_run.py", ["--passages", "100000", "--workers", "2"], None,
        "the same at 100k passages (about an hour on 2 cores: only with --long or --only)",
    ),
    "streaming": (
        "streaming.py", [], None,
        "ingest alone and beside an encoder thread (a streaming refresh): ingest seconds lost "
        "over embedding seconds saved (above 1: streaming does not pay here)",
    ),
    "pdf_readers": (
        "pdf_readers.py", [], ["--repeat", "1"],
        "PDF libraries: speed ratio to the fastest and text quality",
    ),
    "search_quality": (
        "search_quality.py", [], None,
        "success@5 and precision@5 of keyword, semantic and hybrid search on paraphrase "
        "queries (sample corpus and seed report, dev and held-out halves); hybrid/keyword latency",
    ),
    "theme_identity": (
        "theme_identity.py", ["--seeds", "5"], None,
        "theme ids kept when the seed report grows by the sample corpus (refit; at five UMAP "
        "seeds, since one fit's share can sit near the goal by chance) and on a refit with "
        "nothing new; lineage recorded; share of the seed placed by an update",
    ),
    "redaction": (
        "redaction.py", [], ["--repeat", "1"],
        "names, phones and e-mails redacted from quotes: recall and precision on a labelled "
        "set (dev, held-out, late, and five fresh sets each split into a dev and a held-out "
        "half, the third to fifth by other writers), the code before issue 14 and before the "
        "word-frequency round in the same run, ms per text; held-out parts again with their "
        "names unlisted",
    ),
}  # fmt: skip
PRINTED_KEPT = 80  # lines of a bench's output kept in RESULTS.md (redaction prints ~50)
LONG = {"full_run_100k"}  # left out of `make bench` (keep it under 30 minutes)
PACKAGES = [
    "torch", "sentence-transformers", "bertopic", "umap-learn", "hdbscan", "duckdb", "prefect",
    "streamlit", "spacy", "pandas", "numpy",
]  # fmt: skip


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: version(name) for name in PACKAGES},
    }


def run(name: str, quick: bool, folder: Path) -> dict[str, object]:
    script, full, short, what = BENCHES[name]
    out = folder / f"{name}.json"
    command = [sys.executable, str(REPO / "bench" / script), *(short if quick else full)]
    command += ["--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    printed = [line for line in done.stdout.splitlines() if line.strip()]
    print(f"[{name}] {seconds:.0f} s, exit {done.returncode}", flush=True)
    for line in printed[-20:]:
        print(f"    {line}", flush=True)
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr)
    return {
        "measures": what,
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python", f"bench/{script}", *(short if quick else full)]),
        "seconds": round(seconds, 1),
        "exit_code": done.returncode,
        "printed": printed[-PRINTED_KEPT:],
        "result": json.loads(out.read_text()) if out.is_file() else None,
    }


def markdown(results: dict[str, object]) -> str:
    """RESULTS.md: machine, versions, then each bench's command and printed figures."""
    info = results["machine"]
    lines = [
        f"# Benchmark results ({results['mode']})",
        "",
        f"Measured {results['when']} on {info['cpu']}, {info['cores']} cores, "
        f"{info['memory_gib']} GiB, Python {info['python']} ({info['platform']}).",
        "",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()) + ".",
        "",
        "Every figure is compared with a baseline measured in the same run (ratios), because "
        "these machines are shared and noisy. Regenerate with `make bench` "
        "(or `.venv/bin/python bench/run.py --quick`).",
        "",
    ]
    seconds = [b["seconds"] for n, b in results["benches"].items() if n not in LONG]
    if results["mode"] == "full" and seconds:
        lines += [
            f"The benches `make bench` runs took {sum(seconds) / 60:.0f} min in all "
            "(goal: under 30 min on 2 cores); `--long` adds " + ", ".join(sorted(LONG)) + ".",
            "",
        ]
    elif seconds:
        left_out = [n for n, bench in BENCHES.items() if bench[2] is None and n not in LONG]
        lines += [
            f"These quick benches took {sum(seconds) / 60:.1f} min in all (goal: under 3 min on "
            f"2 cores). Left to `make bench`: {', '.join(left_out)}.",
            "",
        ]
    for name, bench in results["benches"].items():
        lines += [
            f"## {name}",
            "",
            f"{bench['measures']}. `{bench['command']}` — {bench['seconds']} s"
            + (f", {bench['when']}" if "when" in bench else "")
            + ("" if bench["exit_code"] == 0 else f", **failed (exit {bench['exit_code']})**"),
            "",
            "```",
            *bench["printed"],
            "```",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--long", action="store_true", help="also the hour-long benches")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES), help="just these benches")
    args = parser.parse_args()
    names = args.only or [
        n for n in BENCHES
        if (not args.quick or BENCHES[n][2] is not None) and (args.long or n not in LONG)
    ]  # fmt: skip
    suffix = "-quick" if args.quick else ""
    folder = REPO / "bench" / ("results-quick" if args.quick else "results")
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "mode": "quick" if args.quick else "full",
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "benches": {},
    }
    target = REPO / "bench" / f"results{suffix}.json"
    for name in names:
        results["benches"][name] = run(name, args.quick, folder)
    if target.is_file():
        # Keep the last figures of benches not run; read only now, as a --long run beside this
        # one may have just written its own.
        kept = json.loads(target.read_text()).get("benches", {})
        kept = {
            name: bench for name, bench in kept.items()
            if name in BENCHES and (not args.quick or BENCHES[name][2] is not None)
        }  # fmt: skip
        results["benches"] = kept | results["benches"]
    results["benches"] = {n: results["benches"][n] for n in BENCHES if n in results["benches"]}
    target.write_text(json.dumps(results, indent=2, default=str))
    (REPO / "bench" / f"RESULTS{suffix}.md").write_text(markdown(results))
    failed = [n for n, b in results["benches"].items() if b["exit_code"]]
    print(
        f"wrote {target} and bench/RESULTS{suffix}.md" + (f"; failed: {failed}" if failed else "")
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
