"""Theme fit scaling: fit time and peak memory at 1k, 10k and 100k passages, and the exponent.

Synthetic passages are 2-4 sentences drawn (fixed seed) from the sample corpus's sentences;
each passage's vector is the normalised mean of its sentences' MiniLM vectors, so 100k
passages need only the ~700 sentences embedded. Each size is fitted in its own process (the
same `fit_themes` the theme runs use) so its peak RSS is its own, after a small warm-up fit in
that process so numba's one-off compilation is not timed (`--one-process`, for the quick bench,
fits all sizes after one warm-up). The exponent b of
time = a * n^b is fitted over the sizes (b = 1 is linear).

Run: .venv/bin/python bench/theme_scaling.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def sentences() -> tuple[list[str], np.ndarray]:
    """The sample corpus's sentences and their vectors (embedded once for every size)."""
    from incremental import sentence_pool

    from pipeline.embed.models import load_embedder

    pool = sentence_pool()
    return pool, load_embedder().embed_batch(pool)


def synthetic(
    size: int, pool: list[str], sentence_vectors: np.ndarray, folder: Path, seed: int = 5
) -> tuple[Path, Path]:
    """Texts (JSON) and vectors (.npy) for `size` passages."""
    rng = random.Random(seed)
    texts, vectors = [], np.zeros((size, sentence_vectors.shape[1]), dtype=np.float32)
    for row in range(size):
        picked = rng.sample(range(len(pool)), rng.randint(2, 4))
        texts.append(" ".join(pool[i] for i in picked))
        mean = sentence_vectors[picked].mean(axis=0)
        vectors[row] = mean / np.linalg.norm(mean)
    text_path, vector_path = folder / f"texts-{size}.json", folder / f"vectors-{size}.npy"
    text_path.write_text(json.dumps(texts))
    np.save(vector_path, vectors)
    return text_path, vector_path


def fit_sizes(paths: list[Path]) -> None:
    """In a child process: fit each (texts, vectors) pair once, print each one's figures as JSON."""
    from pipeline.themes.fit import ThemeParams, fit_themes

    # numba compiles UMAP's and HDBSCAN's kernels once per process (tens of seconds here): fit a
    # few hundred passages first so the timed fit is the fit, at every size alike.
    warm_up = json.loads(paths[0].read_text())[:300], np.load(paths[1])[:300]
    fit_themes(*warm_up, ThemeParams.for_corpus(300))
    for text_path, vector_path in zip(paths[::2], paths[1::2], strict=True):
        texts = json.loads(text_path.read_text())
        vectors = np.load(vector_path)
        started = time.perf_counter()
        fitted = fit_themes(texts, vectors, ThemeParams.for_corpus(len(texts)))
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figure = {
            "passages": len(texts),
            "seconds": seconds,
            "peak_rss_mb": peak_mb,
            "themes": len(fitted.keywords),
            "unassigned": float((fitted.assignments == -1).mean()),
            "timings": fitted.timings,
        }
        print(json.dumps(figure), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--fit", nargs="+", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--one-process",
        action="store_true",
        help="fit every size in one process after one warm-up (quicker; peak RSS is then the "
        "largest so far, not each size's own)",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "theme_scaling.json"
    )
    args = parser.parse_args()
    if args.fit:
        fit_sizes(args.fit)
        return
    pool, sentence_vectors = sentences()
    with tempfile.TemporaryDirectory() as tmp:
        paths = [synthetic(size, pool, sentence_vectors, Path(tmp)) for size in args.sizes]
        groups = [paths] if args.one_process else [[pair] for pair in paths]
        results = []
        for group in groups:
            done = subprocess.run(
                [sys.executable, __file__, "--fit", *(str(p) for pair in group for p in pair)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            for line in done.stdout.strip().splitlines()[-len(group) :]:
                figure = json.loads(line)
                results.append(figure)
                print(
                    f"{figure['passages']:>7} passages: fit {figure['seconds']:.1f} s, peak RSS "
                    f"{figure['peak_rss_mb']:.0f} MB, {figure['themes']} themes, "
                    f"{figure['unassigned']:.1%} unassigned",
                    flush=True,
                )
    if args.one_process:
        print("(all sizes fitted in one process: peak RSS is the largest so far)")
    sizes = np.log([r["passages"] for r in results])
    times = np.log([r["seconds"] for r in results])
    exponent = float(np.polyfit(sizes, times, 1)[0]) if len(results) > 1 else float("nan")
    print(f"time ~ n^{exponent:.2f} over {[r['passages'] for r in results]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sizes": results, "exponent": exponent}, indent=2))


if __name__ == "__main__":
    main()
