"""Peak memory and stage times of a full `findings run` at 100k passages, against the sample corpus.

The large corpus is the sample corpus plus generated reviews (sentences of the sample corpus,
fixed seed; see incremental.py) until about `--passages` passages. Each run is a fresh
`findings run --json` in its own process tree, as a user would start it; the bench samples the
resident memory of the whole tree (the run and the temporary Prefect API it starts) every
0.2 s and notes when each stage finishes from its log line. The baseline is the
same command on the bundled sample corpus in the same bench run: the figures are given as
ratios to it as well (memory growth, seconds per passage).

The floor: the raw model encoding the large run's distinct passage texts, in a process of its
own, timed after the model is loaded (the embedder's `encode`, its own batch size, one call). The
full run's wall time over that is the pipeline's cost over its physical floor (issue 18's goal:
at most 1.5). `--workers N` runs the large corpus again with `findings run --workers N`
(reading, segmenting and embedding on N processes), in the same bench run.

`--nightly` then adds one generated review and reruns on the large warehouse twice: as it is,
and from a copy whose labeller's parse cache (passage_terms) was emptied, which is what a rerun
cost before the cache.

Tried and not kept (2026-12-01, 5,043 passages, 58 themes): the labeller reading fewer central
passages per theme (describe.MAX_PASSAGES_PER_THEME, 120): 60 saved 3.2 s of its 20.5 s and
changed 9 of 58 labels, several for the worse ("Rough sleepers" became "Girl collapse in a
corridor", "Fake Xanax bars" "Pupils collapse in school"); 40 saved 5.8 s and changed 12.

Run: .venv/bin/python bench/full_run.py [--passages 100000] [--workers 2] [--nightly]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
FINDINGS = Path(sys.executable).with_name("findings")
PASSAGES_PER_REVIEW = 18  # generate_reviews writes 14-22 paragraphs, about one passage each
# The stages' own closing log lines (Prefect's task names are not printed without a terminal).
STAGE_DONE = {
    "ingest": re.compile(r"^INFO\s+ingested \d+ documents"),
    "embed": re.compile(r"^INFO\s+(embedded \d+ passages at|nothing new to embed)"),
    "themes": re.compile(r"^INFO\s+theme run "),
}


def big_corpus(folder: Path, passages: int) -> Path:
    """The sample corpus and enough generated reviews to reach about `passages` passages."""
    from incremental import generate_reviews

    shutil.copytree(REPO / "corpus", folder, ignore=shutil.ignore_patterns("inbox"))
    rows = generate_reviews(folder, max(1, passages // PASSAGES_PER_REVIEW - 24))
    with (folder / "manifest.csv").open("a", newline="", encoding="utf-8") as manifest:
        csv.DictWriter(manifest, fieldnames=list(rows[0])).writerows(rows)
    return folder


def add_late_review(corpus: Path) -> None:
    """One more generated review, as a nightly rerun finds one (another seed, its own name)."""
    from incremental import generate_reviews

    with tempfile.TemporaryDirectory() as tmp:
        (row,) = generate_reviews(Path(tmp), 1, seed=97)
        shutil.copy(Path(tmp) / row["path"], corpus / "late_review.txt")
    row["path"] = "late_review.txt"
    with (corpus / "manifest.csv").open("a", newline="", encoding="utf-8") as manifest:
        csv.DictWriter(manifest, fieldnames=list(row)).writerow(row)


def nightly_reruns(corpus: Path, big: Path, tmp: Path) -> dict[str, dict[str, object]]:
    """A rerun after one new review: as it is, and with the labeller's parse cache emptied.

    The emptied copy is what a rerun cost before the cache (every theme's central passages
    parsed again); both start from the same warehouse, codebook and Prefect home.
    """
    import duckdb

    add_late_review(corpus)
    cold = tmp / "cold"
    shutil.copytree(big, cold)
    with duckdb.connect(str(cold / "findings.duckdb")) as con:
        emptied = con.execute("SELECT count(*) FROM passage_terms").fetchone()[0]
        con.execute("DELETE FROM passage_terms")
    warm = measured_run(corpus, big)
    print(describe("nightly rerun, one new review", warm), flush=True)
    cold_run = measured_run(corpus, cold)
    print(describe(f"the same, {emptied} cached parses emptied first", cold_run), flush=True)
    return {"warm": warm, "cache_emptied": cold_run | {"cached_parses_emptied": emptied}}


def tree_rss(process: psutil.Process) -> tuple[int, int]:
    """Resident bytes of a process and its descendants: the sum, and the largest one."""
    sizes = []
    for member in [process, *process.children(recursive=True)]:
        try:
            sizes.append(member.memory_info().rss)
        except psutil.Error:  # it ended between listing and reading
            continue
    return sum(sizes), max(sizes, default=0)


def measured_run(corpus: Path, workdir: Path, workers: int = 1) -> dict[str, object]:
    """`findings run` on `corpus` with a fresh database; its time, stages and peak memory."""
    env = os.environ | {
        "PREFECT_HOME": str(workdir / "prefect"),  # Prefect's other settings: pipeline/flows.py
        "HF_HUB_OFFLINE": "1",
        "FINDINGS_CODEBOOK": str(workdir / "codebook.yaml"),
    }
    # --verbose: the stages' own log lines, which the bench times, are quiet by default.
    command = [str(FINDINGS), "--verbose", "run", "--corpus", str(corpus),
               "--db", str(workdir / "findings.duckdb"), "--workers", str(workers),
               "--json"]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=workdir, env=env
    )
    stages: dict[str, float] = {}
    output: list[str] = []

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            output.append(line)
            for stage, pattern in STAGE_DONE.items():
                if stage not in stages and pattern.search(line):
                    stages[stage] = time.perf_counter() - started

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    watched = psutil.Process(child.pid)
    peak_total = peak_single = 0
    while child.poll() is None:
        total, single = tree_rss(watched)
        peak_total, peak_single = max(peak_total, total), max(peak_single, single)
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    reader.join()
    if child.returncode:
        sys.exit(f"findings run failed ({child.returncode}):\n{''.join(output[-30:])}")
    printed = "".join(output)
    summary, _ = json.JSONDecoder().raw_decode(printed[printed.rindex('{\n  "run_id"') :])
    return {
        "seconds": seconds,
        "stage_done_at_s": stages,
        "peak_tree_rss_mb": peak_total / 2**20,
        "peak_process_rss_mb": peak_single / 2**20,
        "documents": summary["documents_added"],
        "passages": summary["passages_added"],
        "themes": summary["themes"],
        "workers": workers,
    }


RAW_ENCODE = """
import json, sys, time
import duckdb
from pipeline.embed.models import load_embedder
from pipeline.settings import Settings

settings = Settings()
with duckdb.connect(sys.argv[1], read_only=True) as con:
    texts = [row[0] for row in con.execute("SELECT DISTINCT text FROM passages").fetchall()]
embedder = load_embedder(settings.embedding_model)
embedder.embed_batch(texts[:64])  # warm up
started = time.perf_counter()
embedder.embed_batch(texts)
print(json.dumps({"texts": len(texts), "seconds": time.perf_counter() - started}))
"""


def raw_encode(db: Path) -> dict[str, float]:
    """The model alone encoding the distinct passage texts of `db`, in a fresh process."""
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", RAW_ENCODE, str(db)],
        capture_output=True, text=True, check=True, cwd=REPO, env=env,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(name: str, run: dict[str, object]) -> str:
    stages = ", ".join(f"{k} done {v:.0f} s" for k, v in run["stage_done_at_s"].items())
    return (
        f"{name}: {run['documents']} documents, {run['passages']} passages, {run['themes']} "
        f"themes in {run['seconds']:.0f} s ({stages}); peak RSS {run['peak_tree_rss_mb']:.0f} MB "
        f"(largest process {run['peak_process_rss_mb']:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="also run with this many")
    parser.add_argument(
        "--nightly", action="store_true", help="then rerun after one new review, cache vs none"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "full_run.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "sample").mkdir()
        sample = measured_run(REPO / "corpus", Path(tmp) / "sample")
        print(describe("sample corpus", sample), flush=True)
        corpus = big_corpus(Path(tmp) / "corpus", args.passages)
        (Path(tmp) / "big").mkdir()
        big = measured_run(corpus, Path(tmp) / "big")
        print(describe("large corpus", big), flush=True)
        floor = raw_encode(Path(tmp) / "big" / "findings.duckdb")
        spread = None
        if args.workers > 1:
            (Path(tmp) / "spread").mkdir()
            spread = measured_run(corpus, Path(tmp) / "spread", args.workers)
            print(describe(f"large corpus, --workers {args.workers}", spread))
        nightly = nightly_reruns(corpus, Path(tmp) / "big", Path(tmp)) if args.nightly else None
    over_floor = big["seconds"] / floor["seconds"]
    print(
        f"raw model encode of the same {floor['texts']} texts: {floor['seconds']:.0f} s; "
        f"full run / raw encode {over_floor:.2f} (goal <= 1.5)"
        + (
            f", with --workers {args.workers} {spread['seconds'] / floor['seconds']:.2f}"
            if spread
            else ""
        )
    )
    memory_ratio = big["peak_tree_rss_mb"] / sample["peak_tree_rss_mb"]
    per_passage = (big["seconds"] / big["passages"]) / (sample["seconds"] / sample["passages"])
    print(
        f"peak RSS {big['peak_tree_rss_mb'] / 1024:.2f} GiB at {big['passages']} passages "
        f"(goal: comfortably under 8 GiB), {memory_ratio:.1f}x the sample run's; "
        f"seconds per passage {per_passage:.2f}x the sample run's"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {"sample": sample, "large": big, "memory_ratio": memory_ratio,
              "seconds_per_passage_ratio": per_passage, "raw_encode": floor,
              "full_run_over_raw_encode": over_floor}  # fmt: skip
    if nightly:
        warm, cold = nightly["warm"]["seconds"], nightly["cache_emptied"]["seconds"]
        print(
            f"nightly rerun: {warm:.0f} s with the parse cache, {cold:.0f} s without "
            f"({warm / cold:.2f}); {warm / big['seconds']:.2f} of the first build"
        )
        result["nightly"] = nightly
    if spread:
        result["large_workers"] = spread
        result["full_run_over_raw_encode_workers"] = spread["seconds"] / floor["seconds"]
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
