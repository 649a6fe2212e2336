"""Does embedding pay to start while documents are still being read (issue 18: "where it pays")?

The same large corpus (the sample corpus and generated reviews, as full_run.py builds it) is
ingested into a fresh warehouse, in a fresh process each time, two ways, alternating:
- alone: the ingest by itself (the language pipeline loaded first, as a warm run has it);
- beside an encoder: the same ingest while a thread loads the embedding model and encodes the
  corpus's passages in batches of 64 as fast as it can, as a streaming refresh would.
It prints the ingest's wall time both ways and what the encoder got done meanwhile (its model
load and the passages it encoded), then the ratio that decides it: the seconds the ingest lost
over the seconds of embedding stage the encoder saved (the model's load as long as it takes
alone, and the passages it encoded at the rate the model encodes them alone, both measured in
the same run). Above 1, streaming costs more than it saves.

Measured on 2 cores (2026-12-01, 5,163 passages, quiet machine): ingest 7.1 s alone, 14.1 s
beside the encoder, which loaded the model (4.9 s; 3.4 s alone) and encoded 352 passages (the
model alone: 147/s) meanwhile: 7.0 s lost for 5.7 s saved, 1.22. Two earlier runs, which
counted the model's load as long as it took beside the ingest, gave 0.73 (another process busy)
and 0.89 (quiet): near 1 however it is counted, never the large saving that would justify a
second path for the embedding stage. Both stages are CPU-bound and the ingest holds the
interpreter lock for its Python work, so on two cores the encoder's threads and the ingest take
turns. Streaming is not built: it would pay only where cores stand idle during ingest (a machine
of 4 or more), which this bench would show as a ratio well under 1 there.

On a shared machine the three measures must be taken in turn (as here), or a busy minute makes
the model look slow and streaming look cheap.

Run: .venv/bin/python bench/streaming.py [--passages 5000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

ONE_RUN = """
import json, sys, tempfile, threading, time
from pathlib import Path
import duckdb
from pipeline.ingest.ingester import Ingester
from pipeline.settings import Settings
from pipeline.storage import open_warehouse

corpus, texts_from, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with duckdb.connect(texts_from, read_only=True) as con:
    texts = [row[0] for row in con.execute("SELECT DISTINCT text FROM passages").fetchall()]
stop, done, loaded = threading.Event(), [0], [0.0]

def encode():
    from pipeline.embed.models import load_embedder
    started = time.perf_counter()
    embedder = load_embedder()
    loaded[0] = time.perf_counter() - started
    while not stop.is_set() and done[0] < len(texts):
        embedder.embed_batch(texts[done[0] : done[0] + 64])
        done[0] += 64

if mode == "rate":
    from pipeline.embed.models import load_embedder
    started = time.perf_counter()
    embedder = load_embedder()
    load_s = time.perf_counter() - started
    embedder.embed_batch(texts[:64])
    started = time.perf_counter()
    embedder.embed_batch(texts[:1024])
    print(json.dumps({"per_s": 1024 / (time.perf_counter() - started), "load_s": load_s}))
    sys.exit(0)
with tempfile.TemporaryDirectory() as tmp:
    db = Path(tmp) / "w.duckdb"
    with open_warehouse(db) as con:
        ingester = Ingester(con, Settings(db=db))
        ingester.nlp  # loaded first, as in a warm run
        encoder = threading.Thread(target=encode)
        started = time.perf_counter()
        if mode == "beside":
            encoder.start()
        report = ingester.ingest([corpus])
        seconds = time.perf_counter() - started
        stop.set()
        if mode == "beside":
            encoder.join()
print(json.dumps({"seconds": seconds, "passages": report.passages, "encoded": done[0],
                  "model_load_s": loaded[0]}))
"""


def one_run(corpus: Path, texts_from: Path, mode: str) -> dict[str, float]:
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", ONE_RUN, str(corpus), str(texts_from), mode],
        capture_output=True, text=True, check=True, cwd=REPO, env=env,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "streaming.json")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "bench"))
    from full_run import big_corpus

    with tempfile.TemporaryDirectory() as tmp:
        corpus = big_corpus(Path(tmp) / "corpus", args.passages)
        texts_from = Path(tmp) / "texts.duckdb"
        from pipeline.ingest.ingester import Ingester
        from pipeline.settings import Settings
        from pipeline.storage import open_warehouse

        with open_warehouse(texts_from) as con:
            Ingester(con, Settings(db=texts_from)).ingest([corpus])
        runs: dict[str, list[dict[str, float]]] = {"alone": [], "beside": [], "rate": []}
        for _ in range(args.repeat):
            for mode in runs:  # in turn, so that a busy minute colours all three
                runs[mode].append(one_run(corpus, texts_from, mode))
    rate = statistics.median(r["per_s"] for r in runs["rate"])
    load_alone = statistics.median(r["load_s"] for r in runs["rate"])
    alone = statistics.median(r["seconds"] for r in runs["alone"])
    beside = statistics.median(r["seconds"] for r in runs["beside"])
    encoded = statistics.median(r["encoded"] for r in runs["beside"])
    load = statistics.median(r["model_load_s"] for r in runs["beside"])
    # What the embedding stage would no longer do: load the model (as long as it takes alone)
    # and encode what the encoder got through.
    saved = load_alone + encoded / rate
    lost = beside - alone
    print(
        f"ingest of {runs['alone'][0]['passages']:.0f} passages: {alone:.1f} s alone, "
        f"{beside:.1f} s beside an encoder (medians of {args.repeat})"
    )
    print(
        f"the encoder meanwhile: model loaded in {load:.1f} s ({load_alone:.1f} s alone), "
        f"{encoded:.0f} passages encoded (the model alone encodes {rate:.0f}/s here)"
    )
    print(
        f"ingest seconds lost / embedding seconds saved: {lost:.1f} / {saved:.1f} = "
        f"{lost / saved:.2f} (above 1: streaming does not pay on this machine, "
        f"{os.cpu_count()} cores)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "runs": runs,
                "encode_per_s": rate,
                "lost_s": lost,
                "saved_s": saved,
                "lost_over_saved": lost / saved,
                "cores": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
