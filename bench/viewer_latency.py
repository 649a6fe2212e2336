"""Render time of every viewer page, on the sample corpus and on a synthetic 100k corpus.

Each page is rendered with Streamlit's AppTest (the same script run a browser load triggers,
without the network and drawing). "cold" clears the query cache first (a page's first load after
a new run is published); "warm" is a reload with the cache filled. The spaCy model used for
redaction is loaded once per process, as in the served app, before timing starts.

Run: .venv/bin/python bench/viewer_latency.py [--passages 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import streamlit as st
from query_latency import build_sample, build_synthetic
from streamlit.testing.v1 import AppTest

from pipeline.storage.publish import publish_snapshot

REPO = Path(__file__).resolve().parents[1]
PAGES = ["national", "theme", "regions", "search", "matrix", "sources", "codebook"]


def render(page: str, cold: bool) -> float:
    """Seconds to render one page in a fresh session (a new browser tab)."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    if page == "search":
        app.session_state["search_query"] = "holiday lets caravan"
    if page == "national":
        if cold:
            st.cache_data.clear()
        started = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - started
    else:
        app.run()  # the landing page first, as a browser would
        app.switch_page(f"app_pages/{page}.py")
        if cold:
            st.cache_data.clear()
        started = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception[0].value}")
    return elapsed


def time_pages(db: Path, codebook: Path, repeat: int) -> dict[str, dict[str, float]]:
    os.environ["FINDINGS_DB"] = str(db)
    os.environ["FINDINGS_CODEBOOK"] = str(codebook)
    for page in PAGES:  # load models and caches once, as a running server has
        render(page, cold=False)
    results = {}
    for page in PAGES:
        cold = sorted(render(page, cold=True) for _ in range(repeat))
        warm = sorted(render(page, cold=False) for _ in range(repeat))
        results[page] = {
            "cold_p50_s": statistics.median(cold),
            "cold_max_s": cold[-1],
            "warm_p50_s": statistics.median(warm),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    default_out = REPO / "bench" / "results" / "viewer_latency.json"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # A folder each: the viewer reads the snapshot published beside its warehouse.
        sample = Path(tmp) / "sample" / "sample.duckdb"
        big = Path(tmp) / "synthetic" / "synthetic.duckdb"
        sample.parent.mkdir()
        big.parent.mkdir()
        codebook = Path(tmp) / "codebook.yaml"
        shutil.copy(REPO / "models" / "codebook.yaml", codebook)
        build_sample(sample)
        n_big = build_synthetic(sample, big, args.passages)
        publish_snapshot(sample, "bench")
        publish_snapshot(big, "bench")
        small = time_pages(sample, codebook, args.repeat)
        large = time_pages(big, codebook, args.repeat)
    print(f"page render seconds (AppTest), sample corpus vs synthetic {n_big:,} passages")
    print(f"{'page':<10}{'sample cold':>12}{'warm':>7}{'100k cold':>11}{'max':>7}{'warm':>7}")
    for page in PAGES:
        s, b = small[page], large[page]
        print(
            f"{page:<10}{s['cold_p50_s']:>12.2f}{s['warm_p50_s']:>7.2f}"
            f"{b['cold_p50_s']:>11.2f}{b['cold_max_s']:>7.2f}{b['warm_p50_s']:>7.2f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"sample": small, "synthetic": large, "synthetic_passages": n_big}, indent=2)
    )


if __name__ == "__main__":
    main()
