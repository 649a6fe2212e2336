"""Embedding throughput: `findings embed` (read, batch, encode, write to DuckDB) vs the raw model.

Both sides embed the same texts with the same loaded model in the same process, alternating
runs so that machine noise hits both; the figure is the ratio of their medians (goal >= 0.90).

Run: .venv/bin/python bench/embedding.py [--texts 2000] [--repeat 3] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from pipeline.embed import SentenceTransformerEmbedder, embed_passages
from pipeline.storage import open_warehouse

REPO = Path(__file__).resolve().parents[1]


def bench_texts(count: int) -> list[str]:
    """Real passage texts from the sample corpus, repeated with a marker to reach `count`."""
    with tempfile.TemporaryDirectory() as tmp:
        from pipeline.ingest import Ingester
        from pipeline.settings import Settings

        db = Path(tmp) / "texts.duckdb"
        with open_warehouse(db) as con:
            Ingester(con, Settings(db=db, spacy_model="blank")).ingest([REPO / "corpus"])
            rows = con.execute("SELECT DISTINCT text FROM passages ORDER BY 1").fetchall()
            base = [t for (t,) in rows]
    texts = []
    for round_ in range(count // len(base) + 1):
        texts += [t if round_ == 0 else f"{t} ({round_})" for t in base]
    return texts[:count]


def load_passages(db: Path, texts: list[str]) -> None:
    with open_warehouse(db) as con:
        rows = [
            (f"p{i}", "d", i, t, hashlib.sha256(t.encode()).hexdigest(), 0, len(t), len(t.split()))
            for i, t in enumerate(texts)
        ]
        con.executemany(
            "INSERT INTO passages (passage_id, doc_id, ordinal, text, text_sha, char_start, "
            "char_end, places, n_words) VALUES (?, ?, ?, ?, ?, ?, ?, [], ?)",
            rows,
        )


def raw_encode(embedder: SentenceTransformerEmbedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.model.encode(
        texts, batch_size=embedder.batch_size, normalize_embeddings=True,
        convert_to_numpy=True, show_progress_bar=False,
    )  # fmt: skip
    return len(texts) / (time.perf_counter() - started)


def pipeline_embed(embedder: SentenceTransformerEmbedder, texts: list[str], folder: Path) -> float:
    db = folder / f"embed-{time.monotonic_ns()}.duckdb"
    load_passages(db, texts)
    with duckdb.connect(str(db)) as con:
        started = time.perf_counter()
        report = embed_passages(con, embedder)
        seconds = time.perf_counter() - started
    assert report.embedded == len(set(texts))
    return report.embedded / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "embedding.json")
    args = parser.parse_args()
    texts = bench_texts(args.texts)
    embedder = SentenceTransformerEmbedder(device=args.device)
    raw_encode(embedder, texts[:128])  # warm-up
    raw, piped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            raw.append(raw_encode(embedder, texts))
            piped.append(pipeline_embed(embedder, texts, Path(tmp)))
    result = {
        "device": args.device,
        "texts": len(texts),
        "raw_passages_per_s": statistics.median(raw),
        "pipeline_passages_per_s": statistics.median(piped),
        "ratio": statistics.median(piped) / statistics.median(raw),
        "runs": {"raw": raw, "pipeline": piped},
    }
    print(
        f"embedding {len(texts)} passages on {args.device}: "
        f"raw model {result['raw_passages_per_s']:.1f}/s, "
        f"findings embed {result['pipeline_passages_per_s']:.1f}/s, "
        f"ratio {result['ratio']:.3f} (goal >= 0.90)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
