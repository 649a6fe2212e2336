from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa

from pipeline.analysis.agreement import (
    Coding,
    CodingError,
    agreement_report,
    check_theme,
    compare_coders,
    kappa_of_tables,
    measure_reliability,
    nominal_alpha_of_resamples,
)

# Property tests resample less than the report does: the properties hold for any number.
RESAMPLES = 200
THEMES = ("county lines", "cuckooing", "exclusion")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def coded(coder: str, themes_by_passage: list[frozenset[str] | None]) -> list[Coding]:
    """One coder's codings of passages p0, p1, ...; None leaves a passage uncoded."""
    return [
        Coding(f"p{i}", coder, themes)
        for i, themes in enumerate(themes_by_passage)
        if themes is not None
    ]


def yes_no(theme: str, answers: list[bool]) -> list[frozenset[str] | None]:
    return [frozenset({theme}) if answer else frozenset() for answer in answers]


def wikipedia_two_by_two() -> list[Coding]:
    """Wikipedia, "Cohen's kappa", worked example: 50 proposals, A and B both yes on 20, A yes and
    B no on 5, A no and B yes on 10, both no on 15; p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    a = [True] * 20 + [True] * 5 + [False] * 10 + [False] * 15
    b = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
    return coded("A", yes_no("grant", a)) + coded("B", yes_no("grant", b))


def krippendorff_2011_nominal() -> list[Coding]:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data,
    4 observers, 12 units, missing values; alpha = 0.743. The same table (values as words) is the
    nominal doctest of the krippendorff package, which also gives 0.743."""
    table = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    return [
        coding
        for observer, row in zip("ABCD", table, strict=True)
        for coding in coded(observer, [None if v is None else frozenset({str(v)}) for v in row])
    ]


# Published worked examples


def test_cohen_kappa_matches_the_wikipedia_two_by_two_example() -> None:
    pair = compare_coders(wikipedia_two_by_two(), "A", "B", ["grant"], resamples=RESAMPLES)
    theme = pair.themes[0].agreement
    assert theme.kappa.value == pytest.approx(0.40, abs=1e-12)
    assert theme.percent.value == pytest.approx(0.70, abs=1e-12)
    assert theme.n == 50


def test_overall_kappa_of_single_theme_passages_is_the_nominal_kappa() -> None:
    # With one theme or none per passage the exact set is the nominal category: same 0.40.
    pair = compare_coders(wikipedia_two_by_two(), "A", "B", resamples=RESAMPLES)
    assert pair.overall.kappa.value == pytest.approx(0.40, abs=1e-12)


def test_alpha_matches_krippendorff_2011_nominal_example() -> None:
    reliability = measure_reliability(
        krippendorff_2011_nominal(), ["A", "B", "C", "D"], resamples=RESAMPLES
    )
    assert round(reliability.alpha.value, 3) == 0.743
    assert reliability.n == 11  # unit 12 has one value only, so it is not pairable


def test_bootstrap_interval_is_close_to_the_asymptotic_interval() -> None:
    # Independent check of the resampling: statsmodels' large-sample standard error of kappa
    # for the Wikipedia table (0.4 +- 1.96 * 0.1283 = 0.149 .. 0.651).
    result = cohens_kappa(np.array([[20, 5], [10, 15]]))
    pair = compare_coders(wikipedia_two_by_two(), "A", "B", ["grant"], resamples=4000)
    interval = pair.themes[0].agreement.kappa.interval
    assert interval.low == pytest.approx(0.4 - 1.96 * result.std_kappa, abs=0.05)
    assert interval.high == pytest.approx(0.4 + 1.96 * result.std_kappa, abs=0.05)
    assert (interval.resamples, interval.skipped, interval.confidence) == (4000, 0, 0.95)


@given(
    st.lists(
        st.lists(st.integers(0, 30), min_size=9, max_size=9).map(
            lambda cells: np.array(cells).reshape(3, 3)
        ),
        min_size=1,
        max_size=20,
    )
)
@PROPERTY
def test_vectorised_resample_kappa_equals_statsmodels(tables: list[np.ndarray]) -> None:
    kappas = kappa_of_tables(np.stack(tables))
    for table, kappa in zip(tables, kappas, strict=True):
        total = table.sum()
        one_category = any(
            table.sum(axis=1)[i] == total and table.sum(axis=0)[i] == total for i in range(3)
        )
        if one_category:
            assert math.isnan(kappa)
        else:
            assert kappa == pytest.approx(cohens_kappa(table, return_results=False), abs=1e-12)


@given(
    st.integers(1, 12).flatmap(
        lambda units: st.tuples(
            st.lists(
                st.lists(st.integers(0, 3), min_size=3, max_size=3),
                min_size=units,
                max_size=units,
            ),
            st.lists(
                st.lists(st.integers(0, 3), min_size=units, max_size=units),
                min_size=1,
                max_size=10,
            ),
        )
    )
)
@PROPERTY
def test_vectorised_resample_alpha_equals_the_krippendorff_package(
    data: tuple[list[list[int]], list[list[int]]],
) -> None:
    counts, weights = np.array(data[0]), np.array(data[1])
    alphas = nominal_alpha_of_resamples(counts, weights)
    for draw, alpha in zip(weights, alphas, strict=True):
        resample = np.repeat(counts, draw, axis=0)  # each passage as often as it was drawn
        pairable = resample[resample.sum(axis=1) >= 2]
        if len(pairable) == 0 or np.count_nonzero(pairable.sum(axis=0)) < 2:
            assert math.isnan(alpha)
        else:
            expected = krippendorff.alpha(value_counts=pairable, level_of_measurement="nominal")
            assert alpha == pytest.approx(expected, abs=1e-9)


# Properties over any codings

codes = st.frozensets(st.sampled_from(THEMES), max_size=2)
two_coders = st.integers(5, 30).flatmap(
    lambda n: st.tuples(
        st.lists(codes, min_size=n, max_size=n), st.lists(codes, min_size=n, max_size=n)
    )
)


@given(st.lists(codes, min_size=2, max_size=30))
@PROPERTY
def test_kappa_of_a_coder_with_itself_is_one_when_defined(themes: list[frozenset[str]]) -> None:
    codings = coded("A", list(themes)) + coded("B", list(themes))
    pair = compare_coders(codings, "A", "B", THEMES, resamples=RESAMPLES)
    for agreement in (pair.overall, *(t.agreement for t in pair.themes)):
        assert agreement.kappa.value is None or agreement.kappa.value == pytest.approx(1.0)
        assert agreement.percent.value == 1.0


@given(two_coders)
@PROPERTY
def test_kappa_is_symmetric_in_the_two_coders(
    sets: tuple[list[frozenset[str]], list[frozenset[str]]],
) -> None:
    first, second = sets
    codings = coded("A", list(first)) + coded("B", list(second))
    ab = compare_coders(codings, "A", "B", THEMES, resamples=RESAMPLES)
    ba = compare_coders(codings, "B", "A", THEMES, resamples=RESAMPLES)
    for one, other in zip(
        (ab.overall, *(t.agreement for t in ab.themes)),
        (ba.overall, *(t.agreement for t in ba.themes)),
        strict=True,
    ):
        assert one.kappa.reason is None or other.kappa.reason is not None
        if one.kappa.value is None:
            assert other.kappa.value is None
        else:
            assert one.kappa.value == pytest.approx(other.kappa.value, abs=1e-12)
            assert one.kappa.interval.low == pytest.approx(other.kappa.interval.low, abs=1e-12)


@given(two_coders)
@PROPERTY
def test_percent_agreement_and_its_interval_lie_within_zero_and_one(
    sets: tuple[list[frozenset[str]], list[frozenset[str]]],
) -> None:
    first, second = sets
    codings = coded("A", list(first)) + coded("B", list(second))
    pair = compare_coders(codings, "A", "B", THEMES, resamples=RESAMPLES)
    for agreement in (pair.overall, *(t.agreement for t in pair.themes)):
        percent = agreement.percent
        assert 0.0 <= percent.interval.low <= percent.value <= percent.interval.high <= 1.0


@given(two_coders)
@PROPERTY
def test_kappa_interval_contains_the_estimate_when_kappa_is_defined(
    sets: tuple[list[frozenset[str]], list[frozenset[str]]],
) -> None:
    first, second = sets
    codings = coded("A", list(first)) + coded("B", list(second))
    pair = compare_coders(codings, "A", "B", THEMES, resamples=RESAMPLES)
    for agreement in (pair.overall, *(t.agreement for t in pair.themes)):
        kappa = agreement.kappa
        if kappa.value is not None:
            assert kappa.interval.low - 1e-12 <= kappa.value <= kappa.interval.high + 1e-12


@given(two_coders)
@PROPERTY
def test_an_undefined_figure_always_carries_a_reason(
    sets: tuple[list[frozenset[str]], list[frozenset[str]]],
) -> None:
    first, second = sets
    codings = coded("A", list(first)) + coded("B", list(second)) + coded("machine", list(first))
    report = agreement_report(codings, resamples=RESAMPLES)
    statistics = [report.alpha_people.alpha, report.alpha_all.alpha]
    for pair in (*report.with_machine, *report.between_people):
        for agreement in (pair.overall, *(t.agreement for t in pair.themes)):
            statistics += [agreement.kappa, agreement.percent]
    statistics += [check.agreement.kappa for check in report.theme_checks]
    for statistic in statistics:
        assert (statistic.value is None) == (statistic.reason is not None)
        assert statistic.value is not None or statistic.interval is None


# Undefined figures are None with a reason, never a 0 or 1 by accident


def test_a_theme_nobody_used_has_no_kappa_and_says_why() -> None:
    codings = coded("A", yes_no("grant", [True, False, True])) + coded(
        "B", yes_no("grant", [True, False, False])
    )
    pair = compare_coders(codings, "A", "B", ["grant", "unused"], resamples=RESAMPLES)
    unused = pair.themes[1].agreement
    assert unused.kappa.value is None
    assert unused.kappa.interval is None
    assert unused.kappa.reason == (
        "kappa is undefined: A and B left 'unused' off every one of the 3 passages, "
        "so chance alone explains their agreement"
    )


def test_two_coders_who_mark_a_theme_everywhere_have_no_kappa() -> None:
    codings = coded("A", yes_no("grant", [True] * 4)) + coded("B", yes_no("grant", [True] * 4))
    kappa = compare_coders(codings, "A", "B", ["grant"], resamples=RESAMPLES).themes[0]
    assert kappa.agreement.kappa.value is None
    assert "marked 'grant' on every one of the 4 passages" in kappa.agreement.kappa.reason


def test_one_shared_category_throughout_leaves_overall_kappa_undefined() -> None:
    same = [frozenset({"grant", "loan"})] * 5
    pair = compare_coders(coded("A", same) + coded("B", same), "A", "B", resamples=RESAMPLES)
    assert pair.overall.kappa.value is None
    assert "same coding (grant, loan)" in pair.overall.kappa.reason
    assert pair.overall.percent.value == 1.0


def test_coders_with_no_passage_in_common_have_no_figures() -> None:
    codings = [Coding("p1", "A", frozenset({"x"})), Coding("p2", "B", frozenset({"x"}))]
    pair = compare_coders(codings, "A", "B", ["x"], resamples=RESAMPLES)
    assert pair.overall.n == 0
    assert pair.overall.kappa.reason == "no passage was coded by both A and B"
    assert pair.overall.percent.value is None


def test_alpha_with_one_coder_is_undefined() -> None:
    reliability = measure_reliability(coded("A", yes_no("x", [True, False])), ["A"])
    assert reliability.alpha.value is None
    assert reliability.alpha.reason == "alpha needs two or more coders; there is 1"


def test_alpha_with_one_category_throughout_is_undefined() -> None:
    same = [frozenset({"x"})] * 4
    reliability = measure_reliability(coded("A", same) + coded("B", same), ["A", "B"])
    assert reliability.alpha.value is None
    assert "no disagreement to expect by chance" in reliability.alpha.reason


def test_alpha_without_a_passage_coded_twice_is_undefined() -> None:
    codings = [Coding("p1", "A", frozenset({"x"})), Coding("p2", "B", frozenset())]
    reliability = measure_reliability(codings, ["A", "B"])
    assert reliability.n == 0
    assert reliability.alpha.reason == "no passage was coded by two or more of the coders"


def test_a_coder_who_never_marks_a_theme_the_other_uses_has_kappa_zero() -> None:
    # Not undefined: p_o equals p_e, so kappa is a genuine 0 (no agreement beyond chance).
    codings = coded("A", yes_no("x", [True, False, True, False])) + coded(
        "B", yes_no("x", [False] * 4)
    )
    kappa = compare_coders(codings, "A", "B", ["x"], resamples=RESAMPLES).themes[0]
    assert kappa.agreement.kappa.value == pytest.approx(0.0, abs=1e-12)
    assert kappa.agreement.kappa.reason is None


# How multi-theme sets count


def test_a_partial_overlap_disagrees_overall_but_agrees_on_the_shared_theme() -> None:
    codings = [
        Coding("p1", "A", frozenset({"x", "y"})),
        Coding("p1", "B", frozenset({"x"})),
        Coding("p2", "A", frozenset()),
        Coding("p2", "B", frozenset()),
    ]
    pair = compare_coders(codings, "A", "B", ["x", "y"], resamples=RESAMPLES)
    by_theme = {t.theme: t.agreement for t in pair.themes}
    assert pair.overall.percent.value == 0.5
    assert by_theme["x"].percent.value == 1.0
    assert by_theme["y"].percent.value == 0.5


# Bootstrap


def test_resamples_where_kappa_is_undefined_are_skipped_and_counted() -> None:
    # The theme is on one passage of ten; a resample leaves it out with chance 0.9^10 = 0.349,
    # so about 349 of 1000 resamples have kappa undefined (binomial sd 15).
    answers = [True] + [False] * 9
    codings = coded("A", yes_no("x", answers)) + coded("B", yes_no("x", answers))
    kappa = compare_coders(codings, "A", "B", ["x"], resamples=1000).themes[0].agreement.kappa
    assert kappa.interval.resamples == 1000
    assert 280 < kappa.interval.skipped < 420


def test_the_same_seed_gives_the_same_intervals_and_another_seed_others() -> None:
    codings = wikipedia_two_by_two()
    first = compare_coders(codings, "A", "B", ["grant"], resamples=RESAMPLES, seed=7)
    again = compare_coders(codings, "A", "B", ["grant"], resamples=RESAMPLES, seed=7)
    other = compare_coders(codings, "A", "B", ["grant"], resamples=RESAMPLES, seed=8)
    assert first == again
    assert first.overall.kappa.interval != other.overall.kappa.interval


def test_alpha_interval_is_a_bootstrap_over_passages() -> None:
    reliability = measure_reliability(
        krippendorff_2011_nominal(), ["A", "B", "C", "D"], resamples=500, seed=3
    )
    interval = reliability.alpha.interval
    assert interval.low < reliability.alpha.value <= interval.high <= 1.0
    assert interval.resamples == 500


# The report


def report_codings() -> list[Coding]:
    """Machine and two people on 40 passages: the people follow the machine on cuckooing and
    differ from it on exclusion (kappa 0.2 for each of them)."""
    machine = ["cuckooing"] * 10 + ["exclusion"] * 10 + [None] * 20
    person = ["cuckooing"] * 10 + ["exclusion"] * 4 + [None] * 6 + ["exclusion"] * 6 + [None] * 14
    sets = [frozenset() if theme is None else frozenset({theme}) for theme in machine]
    people = [frozenset() if theme is None else frozenset({theme}) for theme in person]
    return coded("machine", sets) + coded("ann", people) + coded("bo", people)


def test_report_names_the_themes_below_the_threshold() -> None:
    report = agreement_report(report_codings(), resamples=RESAMPLES)
    checks = {check.theme: check.agreement.kappa.value for check in report.theme_checks}
    assert checks["cuckooing"] == pytest.approx(1.0)
    assert checks["exclusion"] == pytest.approx(0.2, abs=1e-12)
    assert report.below_threshold == ("exclusion",)


def test_report_threshold_is_a_parameter() -> None:
    report = agreement_report(report_codings(), threshold=0.1, resamples=RESAMPLES)
    assert report.below_threshold == ()
    assert report.threshold == 0.1


def test_report_lists_codebook_themes_nobody_used_as_unmeasured_not_below() -> None:
    report = agreement_report(report_codings(), themes=["debt bondage"], resamples=RESAMPLES)
    assert report.unmeasured == ("debt bondage",)
    assert "debt bondage" not in report.below_threshold
    assert report.themes == ("cuckooing", "debt bondage", "exclusion")


def test_report_compares_each_person_with_the_machine_and_each_pair_of_people() -> None:
    report = agreement_report(report_codings(), resamples=RESAMPLES)
    assert report.people == ("ann", "bo")
    assert [(p.coder_a, p.coder_b) for p in report.with_machine] == [
        ("ann", "machine"),
        ("bo", "machine"),
    ]
    assert [(p.coder_a, p.coder_b) for p in report.between_people] == [("ann", "bo")]
    assert report.between_people[0].overall.kappa.value == pytest.approx(1.0)


def test_theme_check_pools_people_but_counts_passages() -> None:
    check = check_theme(report_codings(), "exclusion", resamples=RESAMPLES)
    assert check.agreement.n == 40
    assert check.agreement.decisions == 80


def test_alpha_between_people_leaves_the_machine_out() -> None:
    report = agreement_report(report_codings(), resamples=RESAMPLES)
    assert report.alpha_people.coders == ("ann", "bo")
    assert report.alpha_people.alpha.value == pytest.approx(1.0)
    assert report.alpha_all.coders == ("ann", "bo", "machine")
    expected = krippendorff_alpha_of(report_codings())
    assert report.alpha_all.alpha.value == pytest.approx(expected, abs=1e-12)


def krippendorff_alpha_of(codings: list[Coding]) -> float:
    """Alpha straight from the package, from a coders x passages matrix with nan for missing."""
    coders = sorted({c.coder for c in codings})
    passages = sorted({c.passage_id for c in codings})
    categories = sorted({tuple(sorted(c.themes)) for c in codings})
    matrix = np.full((len(coders), len(passages)), np.nan)
    for c in codings:
        matrix[coders.index(c.coder), passages.index(c.passage_id)] = categories.index(
            tuple(sorted(c.themes))
        )
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def test_report_counts_passages_given_several_themes() -> None:
    codings = [
        *report_codings(),
        Coding("extra", "ann", frozenset({"cuckooing", "exclusion"})),
        Coding("extra", "machine", frozenset({"cuckooing"})),
    ]
    assert agreement_report(codings, resamples=RESAMPLES).multi_theme_passages == 1


# Bad input


def test_a_passage_coded_twice_by_one_coder_is_refused_by_name() -> None:
    codings = [Coding("p1", "ann", frozenset()), Coding("p1", "ann", frozenset({"x"}))]
    with pytest.raises(CodingError, match=r"^'ann' coded passage 'p1' twice; keep one coding$"):
        agreement_report(codings)


def test_a_coding_without_a_coder_is_refused() -> None:
    with pytest.raises(CodingError, match="has no coder name"):
        agreement_report([Coding("p1", " ", frozenset())])
