"""Theme quality: Findings' theme fit against BERTopic's defaults and scikit-learn LDA.

All see the same passages (the seed report and the bundled sample corpus); Findings and
"bertopic defaults" get the same MiniLM vectors, while "bertopic end-to-end" is given only the
texts and embeds them itself, as BERTopic's README shows it used, so its time is end to end;
the others' end-to-end time adds the `findings embed` time over the same passages. Quality
is judged on `bench/data/labelled_passages.csv`, the seed report's passages, each given a theme
by hand by a careful reader (see `bench/data/README.md`), and on everything fitted:
- NMI and ARI against the hand labels (unassigned passages count as one more cluster, so hiding
  passages as outliers is not free);
- outlier share (passages left unassigned, over the whole corpus);
- topic diversity (share of unique words among all themes' top-10 words);
- NPMI coherence of each theme's top-10 words over the corpus passages (mean over themes).

"findings" is what a theme run stores: keywords from `pipeline.themes.describe` (content words,
lemmas merged, re-ranked for coherence); "findings c-TF-IDF" is the fit's own part-of-speech
filtered c-TF-IDF words, which runs stored before. Both share one fit, so they differ only in
the words, and are the fit as it was before issue 15's grouping work. "findings in context" (the
grouping after that work, and how a theme run fits since 2026-12-01) reads each passage with its
neighbours in its document (`fit_themes(places=...)`, see docs/theme-grouping.md). The seed report's
headings are never part of a passage's text, so no row sees the hand labels' sections.
`--source` fits one corpus (e.g. only the seed report, or only corpus/); NMI and ARI need the
seed report's hand-labelled passages and are blank without them.

Run: .venv/bin/python bench/theme_quality.py  (about a minute on 2 cores)
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from pipeline.embed.missing import embed_passages
from pipeline.embed.models import load_embedder
from pipeline.ingest.ingester import Ingester
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.storage.embeddings import passage_vectors
from pipeline.themes.describe import Evidence, describe_themes, load_labelling_nlp
from pipeline.themes.fit import OUTLIER, FittedThemes, PassagePlace, ThemeParams, fit_themes
from pipeline.themes.labels import is_informative

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_39d88d9572103bf9.txt"
LABELS = REPO / "bench" / "data" / "labelled_passages.csv"
TOKEN = re.compile(r"[a-z][a-z-]+")


def corpus_passages(
    sources: list[Path],
) -> tuple[list[str], np.ndarray, float, list[PassagePlace]]:
    """The passages' texts, vectors and places, and the seconds `embed_passages` took."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with open_warehouse(db) as con:
            Ingester(con, Settings(db=db)).ingest(sources)
            embedder = load_embedder()
            embedder.embed_batch(["warm-up"])
            embed_seconds = embed_passages(con, embedder).seconds
            ids, vectors = passage_vectors(con, embedder.name)
            # The same evidence the theme runs use: interviewers' questions are left out.
            rows = con.execute(
                "SELECT passage_id, text, doc_id, ordinal FROM passages "
                "WHERE speaker_role IS DISTINCT FROM 'interviewer'"
            ).fetchall()
    texts = {passage_id: text for passage_id, text, _, _ in rows}
    places = {passage_id: PassagePlace(doc, ordinal) for passage_id, _, doc, ordinal in rows}
    keep = [row for row, passage_id in enumerate(ids) if passage_id in texts]
    return (
        [texts[ids[row]] for row in keep],
        vectors[keep],
        embed_seconds,
        [places[ids[row]] for row in keep],
    )


def ours(
    texts: list[str], vectors: np.ndarray, keybert: bool = False
) -> tuple[np.ndarray, dict[int, list[str]]]:
    params = ThemeParams.for_corpus(len(texts))
    if keybert:
        model = load_embedder().model
        fitted = fit_themes(texts, vectors, params, "keybert", embedding_model=model)
    else:
        fitted = fit_themes(texts, vectors, params)
    return fitted.assignments, fitted.keywords


def described(
    texts: list[str], vectors: np.ndarray, fitted: FittedThemes
) -> tuple[np.ndarray, dict[int, list[str]]]:
    """The keywords a theme run stores for a fit (pipeline.themes.describe)."""
    evidence = [Evidence(text, str(row)) for row, text in enumerate(texts)]
    themes = describe_themes(evidence, vectors, fitted.assignments)
    return fitted.assignments, {t: theme.keywords for t, theme in themes.items()}


def bertopic_defaults(texts: list[str], vectors: np.ndarray) -> tuple[np.ndarray, dict]:
    from bertopic import BERTopic

    model = BERTopic()  # every component at its default; only the vectors are given
    topics, _ = model.fit_transform(texts, vectors)
    words = {t: [w for w, _ in model.get_topic(t) or []] for t in set(topics) if t != OUTLIER}
    return np.asarray(topics), words


def bertopic_end_to_end(texts: list[str]) -> tuple[np.ndarray, dict]:
    """BERTopic as its README shows it: given texts only, it embeds them itself.

    Its default embedding model is all-MiniLM-L6-v2 from the Hugging Face hub; offline, the same
    model comes from the packaged copy Findings uses, so the two differ only in the pipeline.
    """
    from bertopic import BERTopic

    model = BERTopic(embedding_model=load_embedder().model)
    topics, _ = model.fit_transform(texts)
    words = {t: [w for w, _ in model.get_topic(t) or []] for t in set(topics) if t != OUTLIER}
    return np.asarray(topics), words


def lda(texts: list[str], n_topics: int, seed: int = 42) -> tuple[np.ndarray, dict]:
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words="english", min_df=2)
    counts = vectorizer.fit_transform(texts)
    model = LatentDirichletAllocation(n_components=n_topics, random_state=seed)
    doc_topics = model.fit_transform(counts)
    vocab = vectorizer.get_feature_names_out()
    words = {
        t: [vocab[i] for i in model.components_[t].argsort()[::-1][:10]] for t in range(n_topics)
    }
    return doc_topics.argmax(axis=1), words


def npmi(topic_words: dict[int, list[str]], texts: list[str]) -> float:
    """Mean NPMI over each theme's top-10 terms; a phrase occurs where its words appear in order."""
    documents = [" ".join(TOKEN.findall(t.lower())) for t in texts]
    n = len(documents)

    def occurs(term: str) -> np.ndarray:
        pattern = re.compile(r"\b" + re.escape(term.lower()) + r"\b")
        return np.array([bool(pattern.search(d)) for d in documents])

    scores = []
    for words in topic_words.values():
        present = {w: occurs(w) for w in words[:10]}
        pair_scores = []
        for a, b in itertools.combinations(present, 2):
            pa, pb = present[a].mean(), present[b].mean()
            pab = (present[a] & present[b]).sum() / n
            if pa == 0 or pb == 0:
                continue
            if pab == 0:
                pair_scores.append(-1.0)
            elif pab == 1:
                pair_scores.append(1.0)
            else:
                pair_scores.append(math.log(pab / (pa * pb)) / -math.log(pab))
        if pair_scores:
            scores.append(float(np.mean(pair_scores)))
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topic_words: dict[int, list[str]]) -> float:
    words = [w for ws in topic_words.values() for w in ws[:10]]
    return len(set(words)) / len(words) if words else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        action="append",
        help="files or folders to fit on (default: the seed report and corpus/)",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "theme_quality.json"
    )
    args = parser.parse_args()

    sources = args.source or [SEED, REPO / "corpus"]
    texts, vectors, embed_seconds, places = corpus_passages(sources)
    with LABELS.open(newline="", encoding="utf-8") as handle:
        hand = {row["text"]: row["theme"] for row in csv.DictReader(handle)}
    index = {t: i for i, t in enumerate(texts)}
    labelled = [(index[t], label) for t, label in hand.items() if t in index]
    missing = len(hand) - len(labelled)
    rows = [i for i, _ in labelled]
    truth = [label for _, label in labelled]
    n_labels = len(set(truth))
    print(
        f"{len(texts)} passages; {len(labelled)} hand-labelled in {n_labels} themes"
        + (f" ({missing} labels no longer match a passage)" if missing else "")
    )

    # numba compiles UMAP's and HDBSCAN's kernels on the first fit in a process (tens of seconds
    # here): pay that before timing, so no method is charged for it.
    fit_themes(texts[:300], vectors[:300], ThemeParams.for_corpus(300))
    load_labelling_nlp()
    started = time.perf_counter()
    fitted = fit_themes(texts, vectors, ThemeParams.for_corpus(len(texts)))
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    in_context = fit_themes(
        texts, vectors, ThemeParams.for_corpus(len(texts), in_context=True), places=places
    )
    context_seconds = time.perf_counter() - started
    results = []
    # name, fit, seconds of embedding to add for the end-to-end time (0: none or its own);
    # the two findings rows share one fit, whose time is added to the time of their keywords.
    for name, fit, embedding in (
        ("findings", lambda: described(texts, vectors, fitted), embed_seconds),
        ("findings in context", lambda: described(texts, vectors, in_context), embed_seconds),
        (
            "findings c-TF-IDF",
            lambda: (fitted.assignments, fitted.keywords),
            embed_seconds,
        ),
        ("findings + KeyBERT", lambda: ours(texts, vectors, keybert=True), embed_seconds),
        ("bertopic defaults", lambda: bertopic_defaults(texts, vectors), embed_seconds),
        ("bertopic end-to-end", lambda: bertopic_end_to_end(texts), 0.0),
        # LDA is told the number of themes: the hand labels' where there are any, else ours.
        ("sklearn LDA", lambda: lda(texts, n_labels or len(fitted.keywords)), 0.0),
    ):
        started = time.perf_counter()
        assignments, words = fit()
        seconds = time.perf_counter() - started
        if name.startswith("findings") and "KeyBERT" not in name:
            fit_s = context_seconds if name == "findings in context" else fit_seconds
            print(f"{name}: keywords in {seconds:.2f} s after a {fit_s:.1f} s fit")
            seconds += fit_s
        predicted = assignments[rows]
        results.append(
            {
                "method": name,
                "themes": len(words),
                "nmi": normalized_mutual_info_score(truth, predicted) if rows else math.nan,
                "ari": adjusted_rand_score(truth, predicted) if rows else math.nan,
                "outlier_share": float((assignments == OUTLIER).mean()),
                "diversity": diversity(words),
                "npmi": npmi(words, texts),
                "npmi_content": npmi(
                    {t: [w for w in ws if is_informative(w)] for t, ws in words.items()}, texts
                ),
                "seconds": seconds,
                "end_to_end_seconds": seconds + embedding,
            }
        )
    header = f"{'method':<20}{'themes':>7}{'NMI':>7}{'ARI':>7}{'outliers':>10}{'diversity':>10}"
    print(header + f"{'NPMI':>8}{'NPMI*':>8}{'fit s':>7}{'total s':>9}")
    for r in results:
        print(
            f"{r['method']:<20}{r['themes']:>7}{r['nmi']:>7.3f}{r['ari']:>7.3f}"
            f"{r['outlier_share']:>10.1%}{r['diversity']:>10.3f}{r['npmi']:>8.3f}"
            f"{r['npmi_content']:>8.3f}{r['seconds']:>7.1f}{r['end_to_end_seconds']:>9.1f}"
        )
    print(
        f"fit s: theme fit only; total s: embedding ({embed_seconds:.1f} s through findings "
        "embed) plus fit; 'bertopic end-to-end' embeds the texts itself."
    )
    print("NPMI* = NPMI over each theme's content words only (stop words removed): stop words")
    print("such as 'the' and 'and' co-occur in nearly every passage and inflate plain NPMI.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
