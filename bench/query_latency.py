"""Query latency of the viewer's main queries: the sample corpus and synthetic 100k and 1M corpora.

The synthetic corpus is the sample corpus replicated with a fixed seed: each replica of a review
gets a random local authority (with its region and police force) and a random date in
2016-2019, and its passages keep their text, vector and theme. So keyword and semantic search
run over real passage texts and vectors without embedding anything new.

Each query runs `--repeat` times; the bench prints p50/p95 in milliseconds for both corpora and
the ratio largest / sample measured in the same run (machines here are shared and noisy).

Run: .venv/bin/python bench/query_latency.py [--passages 100000 1000000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.embed.missing import embed_passages
from pipeline.embed.models import load_embedder
from pipeline.gazetteer import load_gazetteer
from pipeline.ingest.ingester import Ingester
from pipeline.queries import (
    Filters,
    compare_place,
    framework_matrix,
    quotes,
    search_keyword,
    search_semantic,
    theme_counts,
    theme_overview,
)
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.storage.search_index import build_search_index
from pipeline.themes.codebook import load_codebook
from pipeline.themes.run import ThemeRunner

REPO = Path(__file__).resolve().parents[1]


def build_sample(db: Path) -> None:
    with open_warehouse(db) as con:
        Ingester(con, Settings(db=db)).ingest([REPO / "corpus"])
        embedder = load_embedder()
        embed_passages(con, embedder)
        ThemeRunner(con, embedder, load_codebook(REPO / "models" / "codebook.yaml")).run()


def build_synthetic(sample: Path, db: Path, target_passages: int, seed: int = 7) -> int:
    shutil.copy(sample, db)
    rng = random.Random(seed)
    authorities = [
        p for p in load_gazetteer() if p.kind == "local_authority" and p.status == "current"
    ]
    with duckdb.connect(str(db)) as con:
        per_copy = con.execute("SELECT count(*) FROM passages").fetchone()[0]
        originals = [r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall()]
        copies = max(1, target_passages // per_copy - 1)
        rows = []
        for copy in range(copies):
            for doc_id in originals:
                place = rng.choice(authorities)
                rows.append(
                    {
                        "new_doc_id": f"{doc_id[:40]}-{copy:05d}",
                        "orig_doc_id": doc_id,
                        "area": place.name,
                        "region": place.region,
                        "nation": place.nation,
                        "police_force": place.police_force,
                        "review_date": pd.Timestamp("2016-01-01")
                        + pd.Timedelta(days=rng.randrange(4 * 365)),
                    }
                )
        replicas = pd.DataFrame(rows)
        con.register("replicas", replicas)
        # By name, every other column copied: the schema grows (scope, versions) without this.
        con.execute(
            "INSERT INTO documents BY NAME SELECT d.* REPLACE ("
            "r.new_doc_id AS doc_id, d.path || '#' || r.new_doc_id AS path, "
            "r.new_doc_id AS source_sha256, r.area AS area, r.region AS region, "
            "r.nation AS nation, r.police_force AS police_force, r.review_date AS review_date"
            ") FROM replicas r JOIN documents d ON d.doc_id = r.orig_doc_id"
        )
        con.execute(
            "CREATE TEMP TABLE passage_map AS SELECT sha256(r.new_doc_id || p.passage_id) AS "
            "new_id, p.passage_id AS old_id, r.new_doc_id FROM replicas r "
            "JOIN passages p ON p.doc_id = r.orig_doc_id"
        )
        con.execute(
            "INSERT INTO passages SELECT m.new_id, m.new_doc_id, p.ordinal, p.text, p.text_sha, "
            "p.char_start, p.char_end, p.section, p.speaker, p.speaker_role, p.places, p.n_words "
            "FROM passage_map m JOIN passages p ON p.passage_id = m.old_id"
        )
        con.execute(
            "INSERT INTO passage_themes SELECT pt.run_id, m.new_id, pt.theme_id, pt.probability "
            "FROM passage_map m JOIN passage_themes pt ON pt.passage_id = m.old_id"
        )
        # as a theme run leaves it: reviews x themes per run for the new reviews
        con.execute(
            "INSERT INTO document_theme_counts SELECT dtc.run_id, r.new_doc_id, dtc.theme_id, "
            "dtc.n_passages FROM replicas r "
            "JOIN document_theme_counts dtc ON dtc.doc_id = r.orig_doc_id"
        )
        build_search_index(con)
        return con.execute("SELECT count(*) FROM passages").fetchone()[0]


def time_queries(db: Path, repeat: int) -> dict[str, dict[str, float]]:
    embedder = load_embedder()
    results: dict[str, dict[str, float]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        theme = int(con.execute("SELECT min(theme_id) FROM current_passage_themes").fetchone()[0])
        queries: dict[str, Callable[[], object]] = {
            "national overview": lambda: theme_overview(con),
            "theme counts region x year": lambda: theme_counts(con, level="region"),
            "theme quotes": lambda: quotes(con, theme, limit=10),
            "region comparison": lambda: compare_place(con, "region", "South East"),
            "framework matrix": lambda: framework_matrix(con, Filters(region="Wales")),
            "keyword search": lambda: search_keyword(con, "holiday lets caravan", limit=10),
            "semantic top-10": lambda: search_semantic(
                con, "pills to calm nerves before exams", embedder, limit=10
            ),
        }
        for name, run in queries.items():
            run()  # warm-up
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                run()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            results[name] = {
                "p50_ms": statistics.median(times),
                "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=15)
    default_out = REPO / "bench" / "results" / "query_latency.json"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    large: dict[int, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.duckdb"
        build_sample(sample)
        small = time_queries(sample, args.repeat)
        for size in args.passages:
            big = Path(tmp) / f"synthetic-{size}.duckdb"
            started = time.perf_counter()
            n_big = build_synthetic(sample, big, size)
            seconds = time.perf_counter() - started
            print(f"synthetic corpus: {n_big} passages built in {seconds:.1f} s", flush=True)
            large[n_big] = time_queries(big, args.repeat)
            big.unlink()
    header = f"{'query (ms)':<28}{'sample p50':>11}{'p95':>7}"
    for n in large:
        header += f"{_size(n) + ' p50':>11}{'p95':>7}"
    print(header + f"{'ratio':>7}")
    biggest = max(large)
    for name in small:
        line = f"{name:<28}{small[name]['p50_ms']:>11.1f}{small[name]['p95_ms']:>7.1f}"
        for figures in large.values():
            line += f"{figures[name]['p50_ms']:>11.1f}{figures[name]['p95_ms']:>7.1f}"
        print(line + f"{large[biggest][name]['p50_ms'] / small[name]['p50_ms']:>7.1f}")
    print(f"ratio: p50 at {_size(biggest)} / p50 on the sample corpus, measured in this run")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"sample": small, "synthetic": {str(n): f for n, f in large.items()}}, indent=2)
    )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 950_000 else f"{round(n / 1000)}k"


if __name__ == "__main__":
    main()
