"""Agreement between people and the machine on which themes a passage raises.

Researchers check the machine by coding a sample of passages blind (see `validation_sample`);
this module measures how far they agree with the machine and with each other. Every figure comes
with a bootstrap 95% interval and the number of passages behind it, and a figure that cannot be
computed is `None` with the reason, never a 0 or a 1 that only looks like a measurement.

The statistics come from maintained packages: Cohen's kappa from statsmodels
(`statsmodels.stats.inter_rater.cohens_kappa`), Krippendorff's alpha from `krippendorff`
(nominal level, missing codings allowed), for every figure reported. The bootstrap alone writes
the two formulas out, to compute a thousand resamples in one numpy pass (`kappa_of_tables`,
`nominal_alpha_of_resamples`); the tests hold both equal to the packages on every resample.

**What a coding is.** A `Coding` is one coder's set of themes for one passage; the empty set says
"none of these themes". The machine is a coder like any other, named `MACHINE` unless told.

**Per theme** every coding becomes a yes/no decision (is the theme in the set?), so a passage
coded with several themes counts, for each of them, as a yes. Cohen's kappa and percent agreement
are then taken over the passages both coders coded.

**Overall** the category of a passage is its whole set of themes (the empty set is the category
"none"). A passage one coder gives {A, B} and the other {A} is a disagreement. Why the exact set
rather than pooling the per-theme yes/no decisions into one table:
- each passage stays one unit, as it is in the sample, in the bootstrap and in Krippendorff's
  alpha, so the overall kappa and alpha measure the same thing;
- pooled yes/no decisions are mostly agreed "no"s whose number grows with the size of the
  codebook, so the pooled figure would change when themes are added that nobody uses;
- the machine gives one theme per passage, so a second theme from a person is a real difference
  in reading, not noise to average away. The per-theme kappas give the partial credit the exact
  set withholds, and the report counts the passages that carry several themes so a reader can
  judge how often the strict reading applies.

**Theme checks** ("checked by people: κ 0.72 (95% CI …), n = 31") pool every person's yes/no
decision on a theme against the machine's decision on the same passage, so one figure per theme
summarises all the people who checked it; n counts passages, and the bootstrap resamples passages
with all their decisions, so a passage checked by three people is not counted as three
independent units.

**Bootstrap.** Percentile intervals from `DEFAULT_RESAMPLES` resamples of passages with
replacement, drawn with numpy's seeded `Generator`. Each comparison draws from its own stream,
derived from the seed and the comparison's name (coders in sorted order, theme), so a figure does
not change when other themes or coders join the report, and comparing a with b resamples exactly as
comparing b with a. Resamples in which the statistic is undefined (every resampled passage in
one and the same category for both coders) are skipped and counted in `Interval.skipped`; the
interval is taken over the rest. Krippendorff's own bootstrap (Hayes and Krippendorff 2007)
resamples pairs of values; resampling passages instead keeps one resampling scheme for every
figure here.

Fleiss' kappa is not offered: it needs every passage coded by the same number of coders, which a
validation round rarely achieves, and alpha covers the many-coder case with missing codings.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa

from pipeline.errors import CodingError

MACHINE = "machine"
DEFAULT_RESAMPLES = 1000
KAPPA_THRESHOLD = 0.6  # below this a theme is named as one the machine and people disagree on
CONFIDENCE = 0.95

_YES, _NO = 1, 0
_DECISIONS = (_NO, _YES)


@dataclass(frozen=True)
class Coding:
    """One coder's themes for one passage; an empty set means "none of these themes"."""

    passage_id: str
    coder: str
    themes: frozenset[str]


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval and how it was obtained."""

    low: float
    high: float
    confidence: float
    resamples: int  # resamples drawn
    skipped: int  # resamples in which the statistic was undefined, left out of the interval


@dataclass(frozen=True)
class Statistic:
    """A measured value with its interval, or `None` and the reason it cannot be measured."""

    value: float | None
    reason: str | None  # set exactly when value is None
    interval: Interval | None  # None when value is None or no resample was defined

    @property
    def defined(self) -> bool:
        """Whether there is a value to show."""
        return self.value is not None

    def shown(self, *, ci: str = "95% CI ") -> str:
        """'0.72 (95% CI 0.55–0.86)', '0.72' without an interval, or '—' when undefined."""
        if self.value is None:
            return "—"
        if self.interval is None:
            return f"{self.value:.2f}"
        return f"{self.value:.2f} ({ci}{self.interval.low:.2f}–{self.interval.high:.2f})"


@dataclass(frozen=True)
class Agreement:
    """Agreement on one decision (a theme's yes/no, or the whole set of themes)."""

    n: int  # passages behind the figures
    decisions: int  # decisions compared: n for two coders, more when several people are pooled
    percent: Statistic  # share of decisions on which the two sides agree, 0..1
    kappa: Statistic  # Cohen's kappa


@dataclass(frozen=True)
class ThemeAgreement:
    """Agreement on whether a passage raises one theme."""

    theme: str
    agreement: Agreement


@dataclass(frozen=True)
class PairAgreement:
    """Two coders compared over the passages both coded: overall and theme by theme."""

    coder_a: str
    coder_b: str
    overall: Agreement  # the exact set of themes as the category
    themes: tuple[ThemeAgreement, ...]


@dataclass(frozen=True)
class Reliability:
    """Krippendorff's alpha (nominal, exact set of themes) across several coders."""

    coders: tuple[str, ...]
    n: int  # passages coded by at least two of the coders (the pairable ones)
    alpha: Statistic


@dataclass(frozen=True)
class AgreementReport:
    """Everything `findings validate report` shows, for the people and the machine."""

    machine: str
    people: tuple[str, ...]
    themes: tuple[str, ...]
    threshold: float
    resamples: int
    seed: int
    with_machine: tuple[PairAgreement, ...]  # each person against the machine
    between_people: tuple[PairAgreement, ...]  # each pair of people
    theme_checks: tuple[ThemeAgreement, ...]  # all people pooled against the machine, per theme
    alpha_people: Reliability
    alpha_all: Reliability  # the people and the machine together
    below_threshold: tuple[str, ...]  # themes whose check kappa is below `threshold`
    unmeasured: tuple[str, ...]  # themes whose check kappa is undefined
    multi_theme_passages: int  # passages some coder gave more than one theme


def agreement_report(
    codings: Iterable[Coding],
    *,
    themes: Iterable[str] = (),
    machine: str = MACHINE,
    threshold: float = KAPPA_THRESHOLD,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> AgreementReport:
    """Agreement of each person with the machine, between people, per theme and overall.

    Args:
        codings: every coding of the validation round, the machine's included.
        themes: the codebook's themes; themes nobody used are reported as unmeasured rather than
            dropped. Themes that appear in the codings are always included.
        machine: the coder name the machine's codings carry.
        threshold: theme checks with kappa below this are named in `below_threshold`.
        resamples: bootstrap resamples per figure.
        seed: seed for the bootstrap.

    Returns:
        The report; undefined figures are `None` with a reason.

    Raises:
        CodingError: a coder coded a passage twice, or a name is empty.
    """
    by_coder = index_codings(codings)
    all_themes = tuple(
        sorted(set(themes).union(*(c.themes for cs in by_coder.values() for c in cs.values())))
    )
    people = tuple(sorted(coder for coder in by_coder if coder != machine))
    bootstrap = _Bootstrap(resamples=resamples, seed=seed)
    with_machine = tuple(
        _compare_coders(by_coder, person, machine, all_themes, bootstrap)
        for person in people
        if machine in by_coder
    )
    between = tuple(
        _compare_coders(by_coder, a, b, all_themes, bootstrap)
        for a, b in itertools.combinations(people, 2)
    )
    checks = tuple(
        _check_theme(by_coder, theme, people, machine, bootstrap) for theme in all_themes
    )
    below = tuple(
        check.theme
        for check in checks
        if check.agreement.kappa.value is not None and check.agreement.kappa.value < threshold
    )
    unmeasured = tuple(check.theme for check in checks if check.agreement.kappa.value is None)
    multi = {
        passage
        for coded in by_coder.values()
        for passage, coding in coded.items()
        if len(coding.themes) > 1
    }
    return AgreementReport(
        machine=machine,
        people=people,
        themes=all_themes,
        threshold=threshold,
        resamples=resamples,
        seed=seed,
        with_machine=with_machine,
        between_people=between,
        theme_checks=checks,
        alpha_people=_measure_reliability(by_coder, people, bootstrap),
        alpha_all=_measure_reliability(by_coder, tuple(sorted(by_coder)), bootstrap),
        below_threshold=below,
        unmeasured=unmeasured,
        multi_theme_passages=len(multi),
    )


def compare_coders(
    codings: Iterable[Coding],
    coder_a: str,
    coder_b: str,
    themes: Sequence[str] = (),
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> PairAgreement:
    """Two coders over the passages both coded: the exact set overall, and each theme's yes/no.

    Raises:
        CodingError: a coder coded a passage twice, or a name is empty.
    """
    return _compare_coders(
        index_codings(codings), coder_a, coder_b, themes, _Bootstrap(resamples, seed)
    )


def check_theme(
    codings: Iterable[Coding],
    theme: str,
    *,
    machine: str = MACHINE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> ThemeAgreement:
    """Every person's yes/no on `theme` against the machine's on the same passage, pooled.

    Raises:
        CodingError: a coder coded a passage twice, or a name is empty.
    """
    by_coder = index_codings(codings)
    people = sorted(coder for coder in by_coder if coder != machine)
    return _check_theme(by_coder, theme, people, machine, _Bootstrap(resamples, seed))


def measure_reliability(
    codings: Iterable[Coding],
    coders: Sequence[str],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Reliability:
    """Krippendorff's alpha (nominal) over the exact sets of themes, missing codings allowed.

    Raises:
        CodingError: a coder coded a passage twice, or a name is empty.
    """
    return _measure_reliability(index_codings(codings), coders, _Bootstrap(resamples, seed))


_CodingIndex = dict[str, dict[str, Coding]]  # coder -> passage_id -> coding


def index_codings(codings: Iterable[Coding]) -> _CodingIndex:
    """Codings by coder and passage, refusing a passage coded twice by one coder.

    Raises:
        CodingError: a duplicate coding, or an empty coder name or passage id.
    """
    index: _CodingIndex = {}
    for coding in codings:
        if not coding.coder.strip():
            raise CodingError(f"coding of passage {coding.passage_id!r} has no coder name")
        if not coding.passage_id.strip():
            raise CodingError(f"a coding by {coding.coder!r} has no passage id")
        coded = index.setdefault(coding.coder, {})
        if coding.passage_id in coded:
            raise CodingError(
                f"{coding.coder!r} coded passage {coding.passage_id!r} twice; keep one coding"
            )
        coded[coding.passage_id] = coding
    return index


@dataclass(frozen=True)
class _Bootstrap:
    resamples: int
    seed: int

    def rng(self, *key: str) -> np.random.Generator:
        """A stream of its own for each comparison: crc32 of its name, stable across runs."""
        name = "\x1f".join(key).encode("utf-8")
        return np.random.default_rng([self.seed, zlib.crc32(name)])


def _compare_coders(
    by_coder: _CodingIndex,
    coder_a: str,
    coder_b: str,
    themes: Sequence[str],
    bootstrap: _Bootstrap,
) -> PairAgreement:
    first, second = by_coder.get(coder_a, {}), by_coder.get(coder_b, {})
    shared = sorted(first.keys() & second.keys())
    pair = sorted((coder_a, coder_b))
    sets_a = [first[p].themes for p in shared]
    sets_b = [second[p].themes for p in shared]
    who = f"{coder_a} and {coder_b}"
    overall = _pair_agreement(
        sets_a, sets_b, _Reasons(who, None), bootstrap.rng("overall", *pair), bootstrap.resamples
    )
    by_theme = tuple(
        ThemeAgreement(
            theme,
            _pair_agreement(
                [theme in s for s in sets_a],
                [theme in s for s in sets_b],
                _Reasons(who, theme),
                bootstrap.rng("theme", theme, *pair),
                bootstrap.resamples,
            ),
        )
        for theme in themes
    )
    return PairAgreement(coder_a, coder_b, overall, by_theme)


def _check_theme(
    by_coder: _CodingIndex,
    theme: str,
    people: Sequence[str],
    machine: str,
    bootstrap: _Bootstrap,
) -> ThemeAgreement:
    machine_codes = by_coder.get(machine, {})
    rows: dict[str, list[tuple[bool, bool]]] = {}
    for person in people:
        for passage, coding in by_coder.get(person, {}).items():
            if passage in machine_codes:
                rows.setdefault(passage, []).append(
                    (theme in coding.themes, theme in machine_codes[passage].themes)
                )
    units = np.zeros((len(rows), 2, 2), dtype=np.int64)
    for unit, passage in enumerate(sorted(rows)):
        for person_says, machine_says in rows[passage]:
            units[unit, int(person_says), int(machine_says)] += 1
    reasons = _Reasons(f"the people and {machine}", theme)
    rng = bootstrap.rng("check", theme)
    return ThemeAgreement(
        theme, _agreement_from_units(units, _DECISIONS, reasons, rng, bootstrap.resamples)
    )


def _measure_reliability(
    by_coder: _CodingIndex, coders: Sequence[str], bootstrap: _Bootstrap
) -> Reliability:
    coders = tuple(coders)
    if len(coders) < 2:
        reason = f"alpha needs two or more coders; there {'is' if coders else 'are'} {len(coders)}"
        return Reliability(coders, 0, Statistic(None, reason, None))
    passages = sorted(set().union(*(by_coder.get(c, {}).keys() for c in coders)))
    categories = _categories(
        [by_coder[c][p].themes for c in coders for p in passages if p in by_coder.get(c, {})]
    )
    value_counts = np.zeros((len(passages), len(categories)), dtype=np.int64)
    for unit, passage in enumerate(passages):
        for coder in coders:
            coding = by_coder.get(coder, {}).get(passage)
            if coding is not None:
                value_counts[unit, categories[coding.themes]] += 1
    pairable = value_counts[value_counts.sum(axis=1) >= 2]
    value, reason = _alpha(pairable)
    if value is None:
        return Reliability(coders, len(pairable), Statistic(None, reason, None))
    rng = bootstrap.rng("alpha", *sorted(coders))
    draws = nominal_alpha_of_resamples(
        pairable, _resample_weights(rng, len(pairable), bootstrap.resamples)
    )
    interval = _interval(draws[~np.isnan(draws)], bootstrap.resamples)
    return Reliability(coders, len(pairable), Statistic(value, None, interval))


@dataclass(frozen=True)
class _Reasons:
    """Why a kappa has no value, in words a researcher can act on."""

    who: str  # "ann and machine", "the people and machine"
    theme: str | None  # None for the overall (exact set) comparison

    def no_passages(self) -> str:
        return f"no passage was coded by both {self.who}"

    def one_category(self, category: Hashable, n: int) -> str:
        if self.theme is None:
            did = f"gave every one of the {n} passages the same coding ({_describe(category)})"
        elif category == _YES:
            did = f"marked {self.theme!r} on every one of the {n} passages"
        else:
            did = f"left {self.theme!r} off every one of the {n} passages"
        return f"kappa is undefined: {self.who} {did}, so chance alone explains their agreement"


def _describe(category: Hashable) -> str:
    if isinstance(category, frozenset):
        return ", ".join(sorted(category)) if category else "no theme"
    return str(category)


def _pair_agreement(
    first: Sequence[Hashable],
    second: Sequence[Hashable],
    reasons: _Reasons,
    rng: np.random.Generator,
    resamples: int,
) -> Agreement:
    """Two coders' categories for the same passages, in the same order."""
    labels = _categories([*first, *second])
    units = np.zeros((len(first), len(labels), len(labels)), dtype=np.int64)
    for unit, (a, b) in enumerate(zip(first, second, strict=True)):
        units[unit, labels[a], labels[b]] = 1
    return _agreement_from_units(units, tuple(labels), reasons, rng, resamples)


def _agreement_from_units(
    units: np.ndarray,
    labels: Sequence[Hashable],
    reasons: _Reasons,
    rng: np.random.Generator,
    resamples: int,
) -> Agreement:
    """Percent agreement and kappa from per-passage contingency tables (passage x a x b).

    Resampling passages with replacement gives each passage a count of draws, so a resampled
    table is those counts times the per-passage tables, summed.
    """
    n = len(units)
    table = units.sum(axis=0)
    decisions = int(table.sum())
    if n == 0 or decisions == 0:
        missing = Statistic(None, reasons.no_passages(), None)
        return Agreement(0, 0, missing, missing)
    # Every figure is linear in the passages' counts, so a resample's agreed decisions and both
    # coders' margins are one matrix product each (in floating point, so it runs in BLAS; counts
    # this small are exact in a double), and no resample x category x category array is built.
    weights = _resample_weights(rng, n, resamples).astype(float)
    agreed = weights @ units.diagonal(axis1=1, axis2=2).sum(axis=1).astype(float)
    rows = weights @ units.sum(axis=2).astype(float)
    columns = weights @ units.sum(axis=1).astype(float)
    percent_draws = agreed / rows.sum(axis=1)
    percent = Statistic(_percent(table), None, _interval(percent_draws, resamples))
    value, category = _kappa(table)
    if value is None:
        reason = reasons.one_category(labels[category], n)
        return Agreement(n, decisions, percent, Statistic(None, reason, None))
    draws = _kappa_of_margins(agreed, rows, columns)
    kappa_draws = draws[~np.isnan(draws)]
    return Agreement(
        n, decisions, percent, Statistic(value, None, _interval(kappa_draws, resamples))
    )


def _percent(table: np.ndarray) -> float:
    return float(np.trace(table) / table.sum())


def _kappa(table: np.ndarray) -> tuple[float | None, int]:
    """Cohen's kappa, or None and the one category both coders used throughout.

    Kappa is (p_o - p_e) / (1 - p_e); it is 0/0 exactly when both coders put every passage in
    the same single category (p_e = 1). That is checked on the integer margins, not on a float
    p_e that rounding could leave a hair below 1.
    """
    total = table.sum()
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    full = np.flatnonzero((rows == total) & (columns == total))
    if full.size:
        return None, int(full[0])
    return float(cohens_kappa(table, return_results=False)), -1


def kappa_of_tables(tables: np.ndarray) -> np.ndarray:
    """Cohen's kappa of many contingency tables (resample x a x b) at once; nan where undefined.

    The same formula as statsmodels' simple kappa, in one numpy pass over the tables' margins,
    which is how the bootstrap computes its resamples: a thousand resamples of every theme for
    every pair of coders, one call each, spent most of a report's time in call overhead. The
    tests check this against statsmodels.
    """
    tables = np.asarray(tables, dtype=float)
    return _kappa_of_margins(
        tables.diagonal(axis1=1, axis2=2).sum(axis=1), tables.sum(axis=2), tables.sum(axis=1)
    )


def _kappa_of_margins(agreed: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Kappa from each table's agreed count and margins (resample x category); nan if undefined."""
    totals = rows.sum(axis=1)
    undefined = ((rows == totals[:, None]) & (columns == totals[:, None])).any(axis=1)
    safe = np.where(undefined, 1.0, totals)
    observed = agreed / safe
    expected = (rows * columns).sum(axis=1) / safe**2
    denominator = np.where(undefined, 1.0, 1.0 - expected)
    return np.where(undefined, np.nan, (observed - expected) / denominator)


def _alpha(value_counts: np.ndarray) -> tuple[float | None, str | None]:
    """Nominal alpha over pairable passages (value counts per passage), or None and why."""
    if len(value_counts) == 0:
        return None, "no passage was coded by two or more of the coders"
    used = np.flatnonzero(value_counts.sum(axis=0))
    if used.size < 2:
        return None, (
            "alpha is undefined: every coding of the passages coded twice or more is the same, "
            "so there is no disagreement to expect by chance"
        )
    value = krippendorff.alpha(value_counts=value_counts[:, used], level_of_measurement="nominal")
    return float(value), None


def nominal_alpha_of_resamples(value_counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Nominal alpha of many resamples at once; nan where undefined.

    `value_counts` is passage x category (how many coders put the passage in each category),
    `weights` is resample x passage (how often each passage is drawn). For nominal data alpha
    reduces to 1 - (n - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2),
    with m_u the codings of passage u and n_c the pairable codings in category c; each term is a
    weighted sum over passages, so every resample is one matrix product. The krippendorff
    package builds a category x category matrix per passage, which with a category for every
    combination of themes made a thousand resamples take seconds. The tests hold this equal to
    the package on every resample.
    """
    value_counts = np.asarray(value_counts, dtype=float)
    weights = np.asarray(weights, dtype=float)
    codings = value_counts.sum(axis=1)
    pairable = codings >= 2
    within = np.zeros(len(value_counts))
    within[pairable] = (codings[pairable] ** 2 - (value_counts[pairable] ** 2).sum(axis=1)) / (
        codings[pairable] - 1
    )
    masked = weights * pairable
    total = masked @ codings
    by_category = masked @ value_counts
    spread = total**2 - (by_category**2).sum(axis=1)
    undefined = spread <= 0
    safe = np.where(undefined, 1.0, spread)
    return np.where(undefined, np.nan, 1.0 - (total - 1) * (masked @ within) / safe)


def _resample_weights(rng: np.random.Generator, n: int, resamples: int) -> np.ndarray:
    """How often each of n passages is drawn in each resample (n draws with replacement)."""
    # Drawn as indices and counted: numpy's multinomial is ten times slower at this size.
    drawn = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    return np.bincount(drawn.ravel(), minlength=resamples * n).reshape(resamples, n)


def _interval(draws: Sequence[float] | np.ndarray, resamples: int) -> Interval | None:
    if len(draws) == 0:
        return None
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(np.asarray(draws, dtype=float), [tail, 100 - tail])
    return Interval(float(low), float(high), CONFIDENCE, resamples, resamples - len(draws))


def _categories(values: Iterable[Hashable]) -> dict[Hashable, int]:
    """Categories in a fixed order (so the same data always gives the same table)."""
    distinct = set(values)
    return {value: code for code, value in enumerate(sorted(distinct, key=_sort_key))}


def _sort_key(value: Hashable) -> tuple[int, tuple[str, ...] | int | str]:
    if isinstance(value, frozenset):
        return len(value), tuple(sorted(value))
    if isinstance(value, bool | int):
        return 0, int(value)
    return 0, str(value)
