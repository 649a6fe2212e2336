"""Theme identity across runs: pure decisions over vectors and typed records.

Nothing here reads or writes the warehouse or loads a model: storage hands in `KnownTheme`
records and vectors, a fit hands in `FittedThemes`, and what comes back (`Placement`, and the
`ThemeRecord`, `ThemeLineage` and `PassageCode` records of pipeline/records.py) is what storage
writes. That keeps the rules testable alone.

**Update** (the usual rerun): earlier passages keep their themes exactly. A new passage joins
the theme whose centroid it is nearest only when it is as close to it as that theme's own
passages typically are: each theme's threshold is the lower quartile (PLACEMENT_PERCENTILE) of its
members' similarity to its centroid, never below the fit's outlier threshold, all measured in
the vectors the themes were found in (each passage read in its place). A tight theme
("fake Xanax among teenagers") then takes only passages about that, and a broad one takes more;
a passage close to none stays unassigned, for the search for new themes in the pool.

**Refit** (first run, `--refit`, or growth by more than REFIT_GROWTH): a full fit regroups every
passage, and identity is carried over by what people bookmarked: passages. The fit is told each
earlier passage's theme (UMAP's partial target, pipeline/themes/fit.py; not when the last full
fit saw exactly these passages), so it regroups what is new rather than reshuffling what was
read; this is what moved the measure below from 74% to 87% on average over five UMAP seeds
(worst 65% to 85%). A fitted theme takes the id of the earlier theme whose passages it holds
(one-to-one, an optimal assignment over the counts of shared earlier passages, accepted when it
holds at least MATCH_SHARE of that theme's passages);
a fitted theme holding no earlier passages may still take the id of an unmatched earlier theme
whose centroid it matches (cosine >= MATCH_THRESHOLD), as when the earlier documents were
replaced. The others get the next ids.

Then stability wins where the evidence allows it: an earlier passage whose earlier theme lives on
(its id is in this run) stays on it when the fit put it elsewhere (the split-off part, a
neighbouring theme, or unassigned) but is still related to that theme as the fit itself judges
relatedness: cosine similarity to the theme's new centroid at least the fit's outlier threshold.
A person who bookmarked theme 4 finds the same passages under 4; what the fit split off is a new
theme of the passages no longer related to 4, mostly new ones. A passage that is no longer
related to its old theme follows the fit, and that move is lineage. The bar is deliberately
lower than a new passage's (a theme's lower quartile): an earlier passage has a standing claim
(bookmarks, trends, codebook notes), a new one has none. Measured (bench/theme_identity.py and
the replay in the commit message), before the fit took a target: the seed report then the sample
corpus (4.5x), 49% of the seed's passages keep their id by the match alone, 69% with the
new-passage bar, 81% with this one (UMAP seed 42); the mean similarity of earlier passages to
their theme drops from 0.665 to 0.659.

**Lineage** is read off where earlier passages went (after codebook merges, in either mode): an
earlier theme whose passages now lie, each part at least LINEAGE_SHARE of it and LINEAGE_MIN
passages, under two or more themes split; a theme that now holds such parts of two or more
earlier themes is a merge of them (a codebook merge is one). A plain update moves no earlier
passage, so it records none, and a refit with nothing new reproduces every id and records none.

Themes that lose all their passages become dormant, and a codebook curation always wins over a
generated label or description.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from pipeline.records import KnownTheme, PassageCode, ThemeLineage, ThemeRecord
from pipeline.themes.codebook import Codebook, Curation
from pipeline.themes.describe import ThemeText
from pipeline.themes.fit import OUTLIER, FittedThemes, ThemeParams, centroids, label_for

MATCH_THRESHOLD = 0.80  # centroid cosine similarity for "the same theme" across refits
# A fitted theme keeps an earlier id when it holds at least this share of that theme's earlier
# passages (the rest of them may go back to it, see keep_earlier_themes). Low, so that a broad
# early theme the grown corpus splits many ways lives on in its largest part: 0.30 lost the id
# of a theme holding half of five reviews (its largest part held 17%); see bench/theme_identity.
MATCH_SHARE = 0.10
# A new passage must be as close to a theme as its own passages typically are: at least the
# lower quartile of their similarity to its centroid (10th percentile placed 46% of the seed
# report's passages on the sample's themes, many plainly wrong; 25th: 21%).
PLACEMENT_PERCENTILE = 25.0
# With fewer members than this a percentile says little: the floor alone applies.
MIN_MEMBERS_TO_CALIBRATE = 5
LINEAGE_SHARE = 0.10  # a part of an earlier theme that counts as a split or merge ...
LINEAGE_MIN = 3  # ... and holds at least this many passages
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


def match_by_overlap(fitted_of: np.ndarray, previous: np.ndarray) -> dict[int, int]:
    """Map fitted theme indices to earlier theme ids by the earlier passages they share.

    `fitted_of` and `previous` give each passage's fitted index and earlier theme (OUTLIER for
    none, or for a passage the earlier run did not have). One-to-one, maximising the passages
    kept (Hungarian); a pair is kept when the fitted theme holds at least MATCH_SHARE of the
    earlier theme's passages.
    """
    both = (fitted_of != OUTLIER) & (previous != OUTLIER)
    if not both.any():
        return {}
    new_ids = sorted(set(fitted_of[both].tolist()))
    old_ids = sorted(set(previous[both].tolist()))
    overlap = np.zeros((len(new_ids), len(old_ids)))
    row_of = {t: i for i, t in enumerate(new_ids)}
    col_of = {t: i for i, t in enumerate(old_ids)}
    for fitted_index, earlier_id in zip(fitted_of[both], previous[both], strict=True):
        overlap[row_of[int(fitted_index)], col_of[int(earlier_id)]] += 1
    # An earlier theme's size counts its passages still here, wherever the fit put them.
    sizes = Counter(previous[previous != OUTLIER].tolist())
    rows, cols = linear_sum_assignment(-overlap)
    return {
        new_ids[r]: old_ids[c]
        for r, c in zip(rows, cols, strict=True)
        if overlap[r, c] > 0 and overlap[r, c] >= MATCH_SHARE * sizes[old_ids[c]]
    }


def keep_earlier_themes(
    theme_of: np.ndarray, previous: np.ndarray, vectors: np.ndarray, floor: float
) -> np.ndarray:
    """Earlier passages go back to their earlier theme where it lives on and is still close.

    A passage moves back when its earlier theme has passages in `theme_of` and the passage's
    cosine similarity to that theme's centroid (as it is now) is at least `floor`, the bar the
    fit itself sets for taking a passage into a theme. Returns a new array.
    """
    result = theme_of.copy()
    alive = set(theme_of.tolist()) - {OUTLIER}
    moved = np.array(
        [p != OUTLIER and p in alive and p != t for p, t in zip(previous, theme_of, strict=True)],
        dtype=bool,
    )
    if not moved.any():
        return result
    existing = centroids(vectors, theme_of)
    for row in np.where(moved)[0]:
        earlier_theme = int(previous[row])
        if float(vectors[row] @ existing[earlier_theme]) >= floor:
            result[row] = earlier_theme
    return result


def refit_placement(
    fitted: FittedThemes,
    vectors: np.ndarray,
    known: Mapping[int, KnownTheme],
    next_id: int,
    previous: np.ndarray | None = None,
    floor: float = 0.45,
) -> Placement:
    """A full fit's assignments under theme ids that follow the earlier passages.

    `previous` is each passage's earlier theme (OUTLIER for a new passage; None for no earlier
    run). Fitted themes are matched by shared passages (match_by_overlap), then unmatched ones
    by centroid to earlier themes none matched; the rest get new ids. Earlier passages still
    close to their earlier theme then return to it (keep_earlier_themes, with `floor`).
    """
    if previous is None:
        previous = np.full(len(fitted.assignments), OUTLIER, dtype=np.int64)
    matched = match_by_overlap(fitted.assignments, previous)
    current = centroids(vectors, fitted.assignments)
    taken = set(matched.values())
    by_centroid = match_themes(
        {t: c for t, c in active_centroids(known).items() if t not in taken},
        {i: c for i, c in current.items() if i not in matched},
        MATCH_THRESHOLD,
    )
    mapping, next_id = refit_theme_ids(fitted.theme_indices, matched | by_centroid, next_id)
    theme_of = np.array([mapping.get(int(t), OUTLIER) for t in fitted.assignments], dtype=np.int64)
    kept = keep_earlier_themes(theme_of, previous, vectors, floor)
    # Each passage's similarity to its theme, in the passages' own vectors as an update run
    # gives it (quotes are ranked on it): the fit's own figures are in the space it clustered
    # in (passages read in context), and a passage moved back to its theme has none.
    similarity = similarity_to_own_centroid(vectors, kept)
    present = set(kept.tolist())
    keywords = {mapping[i]: words for i, words in fitted.keywords.items() if mapping[i] in present}
    return Placement(kept, similarity, keywords, next_id)


def theme_lineage(previous: np.ndarray, theme_of: np.ndarray) -> list[ThemeLineage]:
    """The splits and merges between each passage's earlier theme and its theme now.

    A part of an earlier theme is the passages that went from it to one theme; a part counts
    when it holds at least LINEAGE_SHARE of the earlier theme's passages and LINEAGE_MIN
    passages. An earlier theme with two or more parts split into their themes; a theme holding
    parts of two or more earlier themes is their merge. Passages new in this run, or unassigned
    before or now, take no part.
    """
    both = (previous != OUTLIER) & (theme_of != OUTLIER)
    flows = Counter(zip(previous[both].tolist(), theme_of[both].tolist(), strict=True))
    sizes = Counter(previous[previous != OUTLIER].tolist())
    parts = [
        (source, target, n)
        for (source, target), n in flows.items()
        if n >= LINEAGE_MIN and n >= LINEAGE_SHARE * sizes[source]
    ]
    events: list[ThemeLineage] = []
    for source in sorted({s for s, _, _ in parts}):
        went = sorted(
            ((t, n) for s, t, n in parts if s == source),
            key=lambda part: (part[0] != source, part[0]),
        )
        if len(went) >= 2:
            events.append(
                ThemeLineage(
                    "split",
                    (source,),
                    tuple(t for t, _ in went),
                    sum(n for t, n in went if t != source),
                )
            )
    for target in sorted({t for _, t, _ in parts}):
        came = sorted((s, n) for s, t, n in parts if t == target)
        if len(came) >= 2:
            events.append(
                ThemeLineage(
                    "merge",
                    tuple(s for s, _ in came),
                    (target,),
                    sum(n for s, n in came if s != target),
                )
            )
    return events


def previous_themes(passage_ids: Sequence[str], earlier: Mapping[str, int]) -> np.ndarray:
    """Each passage's theme in the earlier run (OUTLIER when it had none or was not there)."""
    return np.array([earlier.get(i, OUTLIER) for i in passage_ids], dtype=np.int64)


def placement_thresholds(
    vectors: np.ndarray, theme_of: np.ndarray, floor: float
) -> dict[int, float]:
    """Each theme's bar for taking a passage: how close its own passages typically are.

    The PLACEMENT_PERCENTILE-th percentile of its members' cosine similarity to its centroid,
    and never below `floor` (the fit's outlier threshold); a theme with fewer than
    MIN_MEMBERS_TO_CALIBRATE members has the floor.
    """
    thresholds: dict[int, float] = {}
    for theme, centroid in centroids(vectors, theme_of).items():
        members = vectors[theme_of == theme]
        if len(members) < MIN_MEMBERS_TO_CALIBRATE:
            thresholds[theme] = floor
            continue
        typical = float(np.percentile(members @ centroid, PLACEMENT_PERCENTILE))
        thresholds[theme] = max(floor, typical)
    return thresholds


def nearest_close_theme(
    vectors: np.ndarray, theme_of: np.ndarray, rows: np.ndarray, floor: float
) -> np.ndarray:
    """Each of `rows`' nearest theme of `theme_of`, or OUTLIER when it is not close enough.

    Close enough: at least that theme's threshold (placement_thresholds, never below `floor`).
    """
    placed = np.full(len(rows), OUTLIER, dtype=np.int64)
    existing = centroids(vectors, theme_of)
    if not existing or not len(rows):
        return placed
    thresholds = placement_thresholds(vectors, theme_of, floor)
    theme_ids = np.array(list(existing))
    sims = vectors[rows] @ np.stack([existing[t] for t in theme_ids]).T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(best)), best]
    bars = np.array([thresholds[int(t)] for t in theme_ids])[best]
    close = best_sim >= bars
    placed[close] = theme_ids[best[close]]
    return placed


def place_new_passages(
    passage_ids: Sequence[str], vectors: np.ndarray, earlier: Mapping[str, int], floor: float
) -> np.ndarray:
    """Earlier passages keep their theme; a new one joins the nearest theme if close enough.

    Centroids and thresholds are those of the earlier passages' themes (placement_thresholds,
    never below `floor`); a new passage that does not clear its nearest theme's threshold stays
    OUTLIER.
    """
    theme_of = np.array([earlier.get(i, OUTLIER) for i in passage_ids], dtype=np.int64)
    is_new = new_passage_mask(passage_ids, earlier)
    if is_new.any():
        theme_of[is_new] = nearest_close_theme(vectors, theme_of, np.where(is_new)[0], floor)
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
    clustered: np.ndarray | None = None,
) -> Placement:
    """Keep every earlier assignment, place new passages, and fit new themes in what is left.

    New passages are compared with themes in `clustered`, the vectors themes are found in (each
    passage read in its place), when given; `vectors`, each passage's own, give the similarity
    stored. `fit_pool` fits the unassigned passages (row indices) and is called only when new
    passages arrived and enough are unassigned; its themes smaller than
    `params.min_cluster_size` are dropped, the others get the next ids.
    """
    theme_of = place_new_passages(
        passage_ids,
        vectors if clustered is None else clustered,
        earlier,
        params.outlier_threshold,
    )
    keywords = {t: list(known[t].keywords) for t in set(theme_of.tolist()) if t in known}
    pool = np.where(theme_of == OUTLIER)[0]
    any_new = bool(new_passage_mask(passage_ids, earlier).any())
    if should_search_pool(any_new, len(pool), params.min_cluster_size):
        # The pool is fitted with the corpus's cluster selection, at its own size.
        pool_params = ThemeParams.for_corpus(len(pool), seed=params.seed)
        fitted = fit_pool(pool, replace(pool_params, selection=params.selection))
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


def absorbed_theme_ids(dormant: Collection[int], lineage: Iterable[ThemeLineage]) -> list[int]:
    """The dormant themes a merge or split carried on into other themes (not faded out)."""
    went_on = {t for change in lineage for t in change.from_theme_ids}
    return sorted(set(dormant) & went_on)


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
