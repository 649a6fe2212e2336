"""Theme fit scaling: fit time and peak memory by corpus size, the exponent, and a sampled fit.

Synthetic passages are 2-4 sentences drawn (fixed seed) from the sample corpus's sentences;
each passage's vector is the normalised mean of its sentences' MiniLM vectors, so 1M passages
need only the ~700 sentences embedded. Each size is fitted in its own process (the same
`fit_themes` the theme runs use) so its peak RSS is its own, after a small warm-up fit in that
process so numba's one-off compilation is not timed (`--one-process`, for the quick bench,
fits all sizes after one warm-up). The exponent b of time = a * n^b is fitted over the sizes
(b = 1 is linear), and again over the sizes fitted on a sample (above `--fit-sample`).

`--compare N` fits N passages twice, each in its own process: in full (UMAP and HDBSCAN over
all N) and on a sample of `--fit-sample` with the rest placed by nearest theme centroid (what
`fit_themes` does above `ThemeParams.fit_sample`); `--transform` adds a third fit on the same
sample that places the rest by UMAP `transform` + HDBSCAN `approximate_predict` instead. Each
sampled fit is compared with the full one: the share of passages whose theme differs after the
best one-to-one matching of themes (Hungarian on the contingency table; unassigned matches only
unassigned), ARI and NMI, and each one's time and peak RSS.

Run: .venv/bin/python bench/theme_scaling.py [--sizes 1000 10000 100000]
Issue 18's figures: .venv/bin/python bench/theme_scaling.py --compare 100000 --transform \\
    --sizes 200000 500000 1000000
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
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUTLIER = -1


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


def place_by_transform(texts: list[str], vectors: np.ndarray, params: object) -> np.ndarray:
    """The alternative to nearest centroid: UMAP and HDBSCAN fitted on the same sample as
    `fit_themes`, the rest embedded by UMAP `transform` and placed by `approximate_predict`,
    then outliers reassigned by centroid as `fit_themes` does."""
    from hdbscan import HDBSCAN, approximate_predict
    from umap import UMAP

    from pipeline.themes.compiled import keep_compiled_code
    from pipeline.themes.fit import reassign_outliers, sample_params, sample_rows

    keep_compiled_code()
    rows = sample_rows(len(texts), params.fit_sample, params.seed)
    fit = sample_params(params)
    umap_model = UMAP(
        n_neighbors=fit.n_neighbors, n_components=fit.n_components, min_dist=0.0,
        metric="cosine", random_state=fit.seed, low_memory=True,
    ).fit(vectors[rows])  # fmt: skip
    clusterer = HDBSCAN(
        min_cluster_size=fit.min_cluster_size, min_samples=fit.min_samples,
        metric="euclidean", cluster_selection_method=fit.selection, prediction_data=True,
    ).fit(umap_model.embedding_)  # fmt: skip
    rest = np.setdiff1d(np.arange(len(texts)), rows)
    assignments = np.full(len(texts), OUTLIER, dtype=np.int64)
    assignments[rows] = clusterer.labels_
    for start in range(0, len(rest), 50_000):
        chunk = rest[start : start + 50_000]
        labels, _ = approximate_predict(clusterer, umap_model.transform(vectors[chunk]))
        assignments[chunk] = labels
    return reassign_outliers(vectors, assignments, params.outlier_threshold)[0]


def peak_rss_mb() -> float:
    """This process's own peak resident memory, in MB.

    Linux's getrusage keeps the larger of the process's peak and its parent's resident memory
    when it forked: a child of this script, which holds the synthetic corpus it generated, would
    report the parent's size as its own floor (3.0 GB for a full and a sampled fit of 100k alike,
    once a 1M corpus had been generated). /proc's VmHWM is the peak of the process's own memory.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fit_sizes(
    paths: list[Path], fit_sample: int | None, method: str, save: Path | None, seed: int
) -> None:
    """In a child process: fit each (texts, vectors) pair once, print each one's figures as JSON."""
    from dataclasses import replace

    from pipeline.themes.fit import ThemeParams, fit_themes

    # numba compiles UMAP's and HDBSCAN's kernels once per process (tens of seconds here): fit a
    # few hundred passages first so the timed fit is the fit, at every size alike.
    warm_up = json.loads(paths[0].read_text())[:300], np.load(paths[1])[:300]
    fit_themes(*warm_up, ThemeParams.for_corpus(300))
    for text_path, vector_path in zip(paths[::2], paths[1::2], strict=True):
        texts = json.loads(text_path.read_text())
        vectors = np.load(vector_path)
        params = ThemeParams.for_corpus(len(texts), seed=seed)
        if fit_sample is not None:
            params = replace(params, fit_sample=fit_sample)
        started = time.perf_counter()
        timings: dict[str, float] = {}
        if method == "transform":
            assignments = place_by_transform(texts, vectors, params)
            themes = len(set(assignments.tolist()) - {OUTLIER})
        else:
            fitted = fit_themes(texts, vectors, params)
            assignments, themes, timings = fitted.assignments, len(fitted.keywords), fitted.timings
        seconds = time.perf_counter() - started
        peak_mb = peak_rss_mb()
        if save is not None:
            np.save(save / f"assignments-{method}-{params.fit_sample}-{seed}.npy", assignments)
        figure = {
            "passages": len(texts),
            "seconds": seconds,
            "peak_rss_mb": peak_mb,
            "themes": themes,
            "unassigned": float((assignments == OUTLIER).mean()),
            "timings": timings,
            "fit_sample": params.fit_sample,
            "sampled": len(texts) > params.fit_sample,
            "method": method,
            "seed": seed,
        }
        print(json.dumps(figure), flush=True)


def agreement(full: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """How far `other`'s themes are from `full`'s: differing share after matching, ARI, NMI.

    Themes are matched one to one to maximise the passages they share (Hungarian on the
    contingency table); unassigned (-1) matches only unassigned. A passage differs when its
    theme in `other` is not the match of its theme in `full`.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    a_ids, b_ids = np.unique(full[full != OUTLIER]), np.unique(other[other != OUTLIER])
    both = (full != OUTLIER) & (other != OUTLIER)
    table = np.zeros((len(a_ids), len(b_ids)), dtype=np.int64)
    np.add.at(table, (np.searchsorted(a_ids, full[both]), np.searchsorted(b_ids, other[both])), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    agreeing = int(table[rows, cols].sum()) + int(((full == OUTLIER) & (other == OUTLIER)).sum())
    return {
        "differing_share": 1 - agreeing / len(full),
        "ari": float(adjusted_rand_score(full, other)),
        "nmi": float(normalized_mutual_info_score(full, other)),
        "themes_full": len(a_ids),
        "themes_other": len(b_ids),
        "themes_matched": int((table[rows, cols] > 0).sum()),
    }


def run_children(
    groups: list[list[tuple[Path, Path]]],
    fit_sample: int | None,
    method: str = "centroid",
    save: Path | None = None,
    seed: int = 42,
) -> list[dict[str, object]]:
    """Fit each group in its own process; the figures each printed."""
    results = []
    for group in groups:
        command = [sys.executable, __file__, "--fit", *(str(p) for pair in group for p in pair)]
        command += ["--method", method, "--seed", str(seed)]
        if fit_sample is not None:
            command += ["--fit-sample", str(fit_sample)]
        if save is not None:
            command += ["--save", str(save)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        for line in done.stdout.strip().splitlines()[-len(group) :]:
            figure = json.loads(line)
            results.append(figure)
            how = (
                f"sample {figure['fit_sample']} + {figure['method']}"
                if figure["sampled"]
                else f"full, seed {figure['seed']}"
            )
            print(
                f"{figure['passages']:>8} passages ({how}): fit {figure['seconds']:.1f} s, peak "
                f"RSS {figure['peak_rss_mb']:.0f} MB, {figure['themes']} themes, "
                f"{figure['unassigned']:.1%} unassigned",
                flush=True,
            )
    return results


def exponent(
    results: list[dict[str, object]], seconds: Callable[[dict], float] | None = None
) -> float:
    """b of time = a * n^b over these fits (nan for fewer than two sizes)."""
    if len({r["passages"] for r in results}) < 2:
        return float("nan")
    sizes = np.log([r["passages"] for r in results])
    times = np.log([r["seconds"] if seconds is None else seconds(r) for r in results])
    return float(np.polyfit(sizes, times, 1)[0])


def compare(
    size: int,
    fit_sample: int,
    transform: bool,
    pool: list[str],
    sentence_vectors: np.ndarray,
    folder: Path,
    write: Callable[[], None],
    output: dict[str, object],
) -> None:
    """Full fit vs sampled fits of `size` passages (and a full fit with another UMAP seed)."""
    pair = synthetic(size, pool, sentence_vectors, folder)
    comparison: dict[str, object] = {"passages": size}
    output["comparison"] = comparison
    comparison["full"] = run_children([[pair]], size, save=folder)[0]
    write()
    reference = np.load(folder / f"assignments-centroid-{size}-42.npy")
    # A second full fit, UMAP seeded differently: how far two full fits already differ.
    runs = [("centroid", fit_sample, 42), ("full_other_seed", size, 43)]
    runs += [("transform", fit_sample, 42)] if transform else []
    for name, sample, seed in runs:
        method = "transform" if name == "transform" else "centroid"
        figure = run_children([[pair]], sample, method, folder, seed)[0]
        other = np.load(folder / f"assignments-{method}-{sample}-{seed}.npy")
        figure["agreement"] = agreement(reference, other)
        comparison[name] = figure
        print(
            f"  {name} vs full: {figure['agreement']['differing_share']:.1%} of passages differ "
            f"after matching themes, ARI {figure['agreement']['ari']:.3f}, NMI "
            f"{figure['agreement']['nmi']:.3f}",
            flush=True,
        )
        write()


def scaling(output: dict[str, object], results: list[dict[str, object]]) -> None:
    """The sizes fitted (the compared sampled fit among them) and the time exponents."""
    compared = output.get("comparison", {}).get("centroid")
    if compared is not None:
        results = [*results, {k: v for k, v in compared.items() if k != "agreement"}]
    results = sorted(results, key=lambda r: r["passages"])
    output["sizes"] = results
    output["exponent"] = exponent(results)
    sampled = [r for r in results if r["sampled"]]
    output["exponent_beyond_sample"] = exponent(sampled)
    # A sampled fit is the sample's fit (the same work at every size) plus the placing of the
    # rest, which is what grows with the corpus.
    output["exponent_placing"] = exponent(sampled, lambda r: r["timings"]["place_s"])


def table(output: dict[str, object]) -> None:
    """Every fit in one table; the compared fits with their distance from the full fit."""
    print(f"{'passages':>9} {'fit':<24} {'seconds':>8} {'peak MB':>8} {'themes':>6} "
          f"{'unassigned':>10} {'differ':>7} {'ARI':>6} {'NMI':>6}")  # fmt: skip
    comparison = output.get("comparison", {})
    # The compared sampled fit is also among the sizes: shown once, with its agreement.
    rows = [(f, "") for f in output["sizes"] if f["passages"] != comparison.get("passages")]
    rows += [(f, name) for name, f in comparison.items() if isinstance(f, dict)]
    for figure, name in sorted(rows, key=lambda row: (row[0]["passages"], row[1])):
        how = f"sample {figure['fit_sample']}, {figure['method']}" if figure["sampled"] else "full"
        if name == "full_other_seed":
            how = "full, UMAP seed 43"
        agree = figure.get("agreement")
        close = (
            f"{agree['differing_share']:>7.1%} {agree['ari']:>6.3f} {agree['nmi']:>6.3f}"
            if agree
            else f"{'':>7} {'':>6} {'':>6}"
        )
        print(
            f"{figure['passages']:>9} {how:<24} {figure['seconds']:>8.1f} "
            f"{figure['peak_rss_mb']:>8.0f} {figure['themes']:>6} {figure['unassigned']:>10.1%} "
            + close
        )


def main() -> None:
    from pipeline.themes.fit import FIT_SAMPLE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--fit", nargs="+", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--method", default="centroid", help=argparse.SUPPRESS)
    parser.add_argument("--save", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=42, help=argparse.SUPPRESS)
    parser.add_argument(
        "--fit-sample",
        type=int,
        default=None,
        help=f"sample size above which a fit is sampled (default: fit_themes's, {FIT_SAMPLE})",
    )
    parser.add_argument(
        "--compare",
        type=int,
        metavar="N",
        help="fit N passages in full (twice: two UMAP seeds) and on a sample; how far they differ",
    )
    parser.add_argument(
        "--transform",
        action="store_true",
        help="with --compare: also place the rest by UMAP transform + HDBSCAN approximate_predict",
    )
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
        fit_sizes(args.fit, args.fit_sample, args.method, args.save, args.seed)
        return
    fit_sample = args.fit_sample or FIT_SAMPLE
    output: dict[str, object] = {"fit_sample": fit_sample, "sizes": [], "exponent": float("nan")}
    results: list[dict[str, object]] = []

    def write() -> None:
        # After every fit, so that a run stopped part way keeps what it measured.
        scaling(output, results)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(output, indent=2))

    pool, sentence_vectors = sentences()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.one_process and args.sizes:
            paths = [synthetic(size, pool, sentence_vectors, folder) for size in args.sizes]
            results += run_children([paths], args.fit_sample)
            print("(all sizes fitted in one process: peak RSS is the largest so far)")
        else:
            for size in args.sizes:
                # Written just before its fit and removed after: 1M passages' texts are ~0.5 GB.
                pair = synthetic(size, pool, sentence_vectors, folder)
                results += run_children([[pair]], args.fit_sample)
                for path in pair:
                    path.unlink()
                write()
        if args.compare:
            compare(
                args.compare, fit_sample, args.transform, pool, sentence_vectors, folder,
                write, output,
            )  # fmt: skip
    write()
    table(output)
    print(f"time ~ n^{output['exponent']:.2f} over {[r['passages'] for r in output['sizes']]}")
    beyond = [r["passages"] for r in output["sizes"] if r["sampled"]]
    if len(beyond) > 1:
        print(f"time ~ n^{output['exponent_beyond_sample']:.2f} over the sampled fits {beyond}")
        print(f"placing beyond the sample ~ n^{output['exponent_placing']:.2f} over {beyond}")


if __name__ == "__main__":
    main()
