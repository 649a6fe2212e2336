"""Theme identity across runs: pure decisions over vectors and typed records.

Nothing here reads or writes the warehouse or loads a model: storage hands in `KnownTheme`
records and vectors, a fit hands in `FittedThemes`, and what comes back (`Placement`, and the
`ThemeRecord` and `PassageCode` records of pipeline/records.py) is what storage writes. That
keeps the rules testable alone:
- **update**: earlier passages keep their themes exactly; a new passage joins the nearest
  theme centroid when similar enough, and is otherwise left for the search for new themes.
- **refit**: fitted themes are matched to earlier ones (optimal one-to-one above a threshold);
  matched themes keep their id, the others get the next ids.
- themes that lose all their passages become dormant, and a codebook curation always wins over
  a generated label or description.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from pipeline.records import KnownTheme, PassageCode, ThemeRecord
from pipeline.themes.codebook import Codebook, Curation
from pipeline.themes.describe import ThemeText
from pipeline.themes.fit import OUTLIER, FittedThemes, ThemeParams, centroids, label_for

MATCH_THRESHOLD = 0.80  # centroid cosine similarity for "the same theme" across refits
CODE_THRESHOLD = 0.30  # passage-to-guided-theme similarity for a codebook relation
REFIT_GROWTH = 0.5  # refit when new passages exceed this share of the earlier ones
N_QUOTES = 5


@dataclass(frozen=True, eq=False)
class Placement:
    """Each passage's theme (OUTLIER for none), its similarity, and the themes' keywords."""

    theme_of: np.ndarray
    similarity: np.ndarray
    keywords: dict[int, list[str]]
    next_id: int


# A fit of the unassigned pool: given the pool's row indices and parameters, the fitted themes.
PoolFit = Callable[[np.ndarray, ThemeParams], FittedThemes]


def choose_mode(
    passage_ids: Sequence[str], earlier: Mapping[str, int], *, refit_requested: bool
) -> str:
    """'update' when there is an earlier run and it grew by at most REFIT_GROWTH, else 'refit'."""
    n_new = sum(1 for passage_id in passage_ids if passage_id not in earlier)
    if earlier and not refit_requested and n_new <= REFIT_GROWTH * len(earlier):
        return "update"
    return "refit"


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


def active_centroids(known: Mapping[int, KnownTheme]) -> dict[int, np.ndarray]:
    """Centroids of the earlier themes a refit may match: not dormant, with a centroid."""
    return {
        theme_id: theme.centroid
        for theme_id, theme in known.items()
        if not theme.is_dormant and theme.centroid is not None
    }


def refit_theme_ids(
    theme_indices: Sequence[int], matched: Mapping[int, int], next_id: int
) -> tuple[dict[int, int], int]:
    """Theme id for each fitted index: its match's id, else the next unused id, in index order.

    Returns the mapping and the next id still unused.
    """
    mapping: dict[int, int] = {}
    for index in theme_indices:
        if index in matched:
            mapping[index] = matched[index]
        else:
            mapping[index] = next_id
            next_id += 1
    return mapping, next_id


def refit_placement(
    fitted: FittedThemes, vectors: np.ndarray, known: Mapping[int, KnownTheme], next_id: int
) -> Placement:
    """A full fit's assignments under theme ids: matched themes keep theirs, the rest are new."""
    current = centroids(vectors, fitted.assignments)
    matched = match_themes(active_centroids(known), current, MATCH_THRESHOLD)
    mapping, next_id = refit_theme_ids(fitted.theme_indices, matched, next_id)
    theme_of = np.array([mapping.get(int(t), OUTLIER) for t in fitted.assignments])
    keywords = {mapping[i]: words for i, words in fitted.keywords.items()}
    return Placement(theme_of, fitted.probabilities, keywords, next_id)


def place_new_passages(
    passage_ids: Sequence[str], vectors: np.ndarray, earlier: Mapping[str, int], threshold: float
) -> np.ndarray:
    """Earlier passages keep their theme; a new one joins the nearest centroid if close enough.

    Centroids are those of the earlier passages' themes; a new passage below `threshold` from
    every one of them stays OUTLIER.
    """
    theme_of = np.array([earlier.get(i, OUTLIER) for i in passage_ids], dtype=np.int64)
    existing = centroids(vectors, theme_of)
    is_new = new_passage_mask(passage_ids, earlier)
    if existing and is_new.any():
        theme_ids = np.array(list(existing))
        matrix = np.stack([existing[t] for t in theme_ids])
        sims = vectors[is_new] @ matrix.T
        best = sims.argmax(axis=1)
        close = sims[np.arange(len(best)), best] >= threshold
        placed = np.full(len(best), OUTLIER)
        placed[close] = theme_ids[best[close]]
        theme_of[is_new] = placed
    return theme_of


def new_passage_mask(passage_ids: Sequence[str], earlier: Mapping[str, int]) -> np.ndarray:
    """True for each passage the earlier run did not assign."""
    return np.array([i not in earlier for i in passage_ids])


def should_search_pool(any_new: bool, pool_size: int, min_cluster_size: int) -> bool:
    """Look for new themes only when new passages arrived and the pool can hold two themes.

    With nothing new, a rerun must reproduce the earlier assignments exactly.
    """
    return any_new and pool_size >= 2 * min_cluster_size and pool_size >= 10


def similarity_to_own_centroid(vectors: np.ndarray, theme_of: np.ndarray) -> np.ndarray:
    """Each passage's cosine similarity to its theme's centroid (0 for unassigned passages)."""
    similarity = np.zeros(len(theme_of), dtype=np.float32)
    for theme, centroid in centroids(vectors, theme_of).items():
        mask = theme_of == theme
        similarity[mask] = vectors[mask] @ centroid
    return similarity


def update_placement(
    passage_ids: Sequence[str],
    vectors: np.ndarray,
    earlier: Mapping[str, int],
    known: Mapping[int, KnownTheme],
    params: ThemeParams,
    next_id: int,
    fit_pool: PoolFit,
) -> Placement:
    """Keep every earlier assignment, place new passages, and fit new themes in what is left.

    `fit_pool` fits the unassigned passages (row indices) and is called only when new passages
    arrived and enough are unassigned; its themes smaller than `params.min_cluster_size` are
    dropped, the others get the next ids.
    """
    theme_of = place_new_passages(passage_ids, vectors, earlier, params.outlier_threshold)
    keywords = {t: list(known[t].keywords) for t in set(theme_of.tolist()) if t in known}
    pool = np.where(theme_of == OUTLIER)[0]
    any_new = bool(new_passage_mask(passage_ids, earlier).any())
    if should_search_pool(any_new, len(pool), params.min_cluster_size):
        fitted = fit_pool(pool, ThemeParams.for_corpus(len(pool), seed=params.seed))
        for index in fitted.theme_indices:
            members = pool[fitted.assignments == index]
            if len(members) < params.min_cluster_size:
                continue
            theme_of[members] = next_id
            keywords[next_id] = fitted.keywords.get(index, [])
            next_id += 1
    return Placement(theme_of, similarity_to_own_centroid(vectors, theme_of), keywords, next_id)


def apply_merges(theme_of: np.ndarray, codebook: Codebook) -> np.ndarray:
    """Move passages of themes the codebook merges into their target themes."""
    return np.array([codebook.merge_target(int(t)) if t != OUTLIER else OUTLIER for t in theme_of])


def dormant_theme_ids(known: Mapping[int, KnownTheme], current: Collection[int]) -> list[int]:
    """Earlier themes, not yet dormant, that have no passages in this run."""
    return [t for t, theme in known.items() if t not in current and not theme.is_dormant]


def code_relations(
    passage_ids: Sequence[str], code_sims: np.ndarray, code_ids: Sequence[str]
) -> list[PassageCode]:
    """Every (passage, guided theme) pair at least CODE_THRESHOLD similar, passage by passage."""
    return [
        PassageCode(passage_ids[row], code_ids[col], float(code_sims[row, col]))
        for row, col in zip(*np.nonzero(code_sims >= CODE_THRESHOLD), strict=True)
    ]


def headings(
    theme_of: np.ndarray, code_sims: np.ndarray | None, guided_names: Sequence[str]
) -> dict[int, str]:
    """Each theme's broad heading: the guided theme most of its passages are closest to."""
    themes = sorted(set(theme_of.tolist()) - {OUTLIER})
    if code_sims is None:
        return dict.fromkeys(themes, "Themes")
    nearest = code_sims.argmax(axis=1)
    result: dict[int, str] = {}
    for theme in themes:
        votes = np.bincount(nearest[theme_of == theme], minlength=len(guided_names))
        result[theme] = guided_names[int(votes.argmax())]
    return result


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


def describe(keywords: list[str], n_passages: int) -> str:
    """The generated description of a theme from its keywords."""
    if not keywords:
        return f"{n_passages} passages with no distinctive vocabulary."
    shown = keywords[:4]
    listed = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return f"Passages about {listed} ({n_passages} passages)."


def theme_status(first_run_id: str, run_id: str, curation: Curation | None) -> str:
    """'not_relevant' when curated so, 'new' in the run that found it, else 'active'."""
    if curation and curation.not_relevant:
        return "not_relevant"
    return "new" if first_run_id == run_id else "active"


@dataclass(frozen=True)
class RunContext:
    """What every theme record of one run shares."""

    run_id: str
    model: str
    passage_ids: list[str]
    areas: list[str | None]
    vectors: np.ndarray


def theme_records(
    run: RunContext,
    theme_of: np.ndarray,
    keywords: Mapping[int, list[str]],
    known: Mapping[int, KnownTheme],
    curations: Mapping[int, Curation],
    theme_headings: Mapping[int, str],
    generated: Mapping[int, ThemeText] | None = None,
) -> list[ThemeRecord]:
    """Each theme with passages in this run, in theme id order, as it should be stored.

    Label, keywords and description come from `generated` (pipeline.themes.describe) when
    given, else from the keywords; a curated label or description wins over either; a theme
    keeps the run that first found it.
    """
    counts = Counter(theme_of.tolist())
    records: list[ThemeRecord] = []
    for theme_id, centroid in centroids(run.vectors, theme_of).items():
        mask = theme_of == theme_id
        member_ids = [i for i, m in zip(run.passage_ids, mask, strict=True) if m]
        member_areas = [a for a, m in zip(run.areas, mask, strict=True) if m]
        text = (generated or {}).get(theme_id)
        words = text.keywords if text else keywords.get(theme_id) or []
        label = text.label if text else label_for(words)
        description = text.description if text else describe(words, counts[theme_id])
        curation = curations.get(theme_id)
        earlier = known.get(theme_id)
        first_run_id = earlier.first_run_id if earlier else run.run_id
        records.append(
            ThemeRecord(
                theme_id=theme_id,
                label=curation.label if curation and curation.label else label,
                keywords=words,
                description=(
                    curation.description if curation and curation.description else description
                ),
                status=theme_status(first_run_id, run.run_id, curation),
                first_run_id=first_run_id,
                last_run_id=run.run_id,
                centroid=centroid,
                heading=theme_headings.get(theme_id),
                generated_label=label,
                quote_passage_ids=representative_quotes(
                    run.vectors[mask], centroid, member_ids, member_areas
                ),
                n_passages=counts[theme_id],
                model=run.model,
                curated=curation is not None,
            )
        )
    return records
