"""Incremental refresh: a rerun with nothing new against the first run, in the same process.

The temporary Prefect API is started first by a trivial flow, so both figures are the refresh
flow's own time; `findings run` from a shell adds ~3 s of imports and ~3-6 s of API start-up to
each (reported separately by timing the CLI).

Run: .venv/bin/python bench/incremental.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect import flow

    from pipeline.flows import refresh_flow

    @flow
    def warm_up() -> int:
        return 1

    warm_up()
    corpus = REPO / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "findings.duckdb")
        started = time.perf_counter()
        first = refresh_flow(corpus=str(corpus), inbox=str(corpus / "inbox"), db=db)
        middle = time.perf_counter()
        again = refresh_flow(corpus=str(corpus), inbox=str(corpus / "inbox"), db=db)
        ended = time.perf_counter()
    full, rerun = middle - started, ended - middle
    print(
        f"first refresh: {full:.1f} s ({first['documents_added']} documents, "
        f"{first['passages_embedded']} passages embedded)"
    )
    print(
        f"rerun, nothing new: {rerun:.2f} s ({again['documents_added']} documents, "
        f"{again['passages_embedded']} embedded); ratio {rerun / full:.3f} (goal <= 0.10)"
    )


if __name__ == "__main__":
    main()
