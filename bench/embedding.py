"""Embedding throughput: `findings embed` (read, batch, encode, write to DuckDB) vs the raw model.

Both sides embed the same texts with the same loaded model in the same process, alternating
runs so that machine noise hits both; the figure is the ratio of their medians (goal >= 0.90).

Then the faster CPU backends sentence-transformers offers, on the same texts against the
default torch model: its ONNX backend (needs optimum, which does not install beside this
transformers; the reason is recorded) and int8 dynamic quantisation of the linear layers. Each
is reported with its speed ratio and the cosine agreement of its vectors with the default's
(goal >= 0.99 to be usable without re-embedding the warehouse).

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

from pipeline.embed.missing import embed_passages
from pipeline.embed.models import SentenceTransformerEmbedder
from pipeline.storage import open_warehouse

REPO = Path(__file__).resolve().parents[1]


def bench_texts(count: int) -> list[str]:
    """Real passage texts from the sample corpus, repeated with a marker to reach `count`."""
    with tempfile.TemporaryDirectory() as tmp:
        from pipeline.ingest.ingester import Ingester
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


def backends(embedder: SentenceTransformerEmbedder, texts: list[str]) -> dict[str, object]:
    """Speed and agreement of the other CPU backends against the default model."""
    import warnings

    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from pipeline.embed.models import DEFAULT_MODEL, resolve_model_path

    path = str(resolve_model_path(DEFAULT_MODEL))

    def timed(model: SentenceTransformer) -> tuple[np.ndarray, float]:
        model.encode(texts[:64], batch_size=embedder.batch_size)  # warm-up
        started = time.perf_counter()
        vectors = model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True)
        return vectors, len(texts) / (time.perf_counter() - started)

    reference, default_speed = timed(embedder.model)
    found: dict[str, object] = {}
    candidates = {
        "onnx": lambda: SentenceTransformer(path, device="cpu", backend="onnx"),
        "torch int8 dynamic": lambda: torch.ao.quantization.quantize_dynamic(
            SentenceTransformer(path, device="cpu"), {torch.nn.Linear}, dtype=torch.qint8
        ),
    }
    for name, build in candidates.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                vectors, speed = timed(build())
        except Exception as exc:  # noqa: BLE001 - a backend that cannot load is a result too
            found[name] = {"available": False, "reason": f"{type(exc).__name__}: {exc}"[:300]}
            print(f"backend {name}: unavailable ({found[name]['reason'][:120]})")
            continue
        cosine = (vectors * reference).sum(axis=1)
        found[name] = {
            "available": True, "passages_per_s": speed, "speed_ratio": speed / default_speed,
            "cosine_min": float(cosine.min()), "cosine_mean": float(cosine.mean()),
        }  # fmt: skip
        print(
            f"backend {name}: {speed:.1f}/s, {speed / default_speed:.2f}x the default; cosine "
            f"with the default's vectors mean {cosine.mean():.3f}, min {cosine.min():.3f} "
            f"({'usable' if cosine.min() >= 0.99 else 'below the 0.99 needed'})"
        )
    return {"default_passages_per_s": default_speed, "backends": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-backends", action="store_true", help="skip the backend comparison")
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
    if args.device == "cpu" and not args.no_backends:
        result["cpu_backends"] = backends(embedder, texts[:1000])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
