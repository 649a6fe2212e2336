"""Validation samples and coders' answers in the team store.

A sample is drawn from one theme run and keeps the machine's theme for each passage as it was
then: the reference people are compared with, fixed even after later runs. Coders' answers are
added, never changed; a coder's latest answer for a passage is the one that counts.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from pipeline.analysis.agreement import MACHINE, Coding, ThemeAgreement, check_theme
from pipeline.errors import ValidationError
from pipeline.storage.team import now_text, team_queries, write_transaction


@dataclass(frozen=True)
class OfferedTheme:
    """A theme coders were offered when the sample was drawn."""

    theme_id: int
    label: str


@dataclass(frozen=True)
class SampleInfo:
    """A drawn validation sample."""

    sample_id: str
    created_at: dt.datetime
    created_by: str
    seed: int
    requested: int
    run_id: str
    themes: tuple[OfferedTheme, ...]


@dataclass(frozen=True)
class SampleItem:
    """One passage of a sample, in coding order, with the machine's theme at the draw."""

    position: int
    passage_id: str
    machine_theme_id: int | None
    region: str | None


@dataclass(frozen=True)
class Answer:
    """A coder's latest answer for a passage: the themes they chose (empty: none of these)."""

    passage_id: str
    coder: str
    theme_ids: frozenset[int]
    answered_at: dt.datetime


def _sql(name: str) -> str:
    return team_queries("validation")[name]


def save_sample(
    con: sqlite3.Connection,
    info: SampleInfo,
    items: Sequence[SampleItem],
) -> None:
    """Store a drawn sample and its passages in one transaction."""
    with write_transaction(con):
        con.execute(
            _sql("insert_sample"),
            {
                "sample_id": info.sample_id,
                "created_at": info.created_at.isoformat(timespec="microseconds"),
                "created_by": info.created_by,
                "seed": info.seed,
                "requested": info.requested,
                "run_id": info.run_id,
                "themes": json.dumps([[t.theme_id, t.label] for t in info.themes]),
            },
        )
        for item in items:
            con.execute(_sql("insert_item"), {"sample_id": info.sample_id} | item.__dict__)


def _info(row: sqlite3.Row | tuple) -> SampleInfo:
    sample_id, created_at, created_by, seed, requested, run_id, themes = row
    return SampleInfo(
        sample_id=sample_id,
        created_at=dt.datetime.fromisoformat(created_at),
        created_by=created_by,
        seed=seed,
        requested=requested,
        run_id=run_id,
        themes=tuple(OfferedTheme(theme_id, label) for theme_id, label in json.loads(themes)),
    )


def samples(con: sqlite3.Connection) -> list[SampleInfo]:
    """Every sample, newest first."""
    return [_info(row) for row in con.execute(_sql("samples"))]


def find_sample(con: sqlite3.Connection, sample_id: str | None) -> SampleInfo:
    """The sample asked for by id (or its unique start), or the newest when none is asked for."""
    known = samples(con)
    if not known:
        raise ValidationError("no validation sample yet: draw one with `findings validate sample`")
    if sample_id is None:
        return known[0]
    matches = [info for info in known if info.sample_id.startswith(sample_id)]
    if len(matches) != 1:
        names = ", ".join(info.sample_id for info in known[:5])
        what = "no" if not matches else "more than one"
        raise ValidationError(f"{what} validation sample starts with {sample_id!r} ({names})")
    return matches[0]


def sample_items(con: sqlite3.Connection, sample_id: str) -> list[SampleItem]:
    """A sample's passages in coding order."""
    return [
        SampleItem(position, passage_id, machine_theme_id, region)
        for _, position, passage_id, machine_theme_id, region in con.execute(
            _sql("items"), {"sample_id": sample_id}
        )
    ]


def record_answers(
    con: sqlite3.Connection,
    info: SampleInfo,
    coder: str,
    answers: Iterable[tuple[str, frozenset[int]]],
) -> int:
    """Add a coder's answers (passage id, chosen theme ids) in one transaction; how many.

    Raises:
        ValidationError: a passage not in the sample, or a theme the sample did not offer.
    """
    in_sample = {item.passage_id for item in sample_items(con, info.sample_id)}
    offered = {theme.theme_id for theme in info.themes}
    rows = []
    for passage_id, theme_ids in answers:
        if passage_id not in in_sample:
            raise ValidationError(f"passage {passage_id[:12]} is not in sample {info.sample_id}")
        if unknown := sorted(theme_ids - offered):
            raise ValidationError(
                f"passage {passage_id[:12]}: theme {', '.join(map(str, unknown))} was not offered "
                f"in sample {info.sample_id}"
            )
        rows.append(
            {
                "sample_id": info.sample_id,
                "passage_id": passage_id,
                "coder": coder,
                "theme_ids": json.dumps(sorted(theme_ids)),
                "answered_at": now_text(),
            }
        )
    with write_transaction(con):
        con.executemany(_sql("insert_answer"), rows)
    return len(rows)


def latest_answers(con: sqlite3.Connection, sample_id: str) -> list[Answer]:
    """Each coder's latest answer for each passage they coded."""
    return [
        Answer(passage_id, coder, frozenset(json.loads(theme_ids)), dt.datetime.fromisoformat(at))
        for _, passage_id, coder, theme_ids, at in con.execute(
            _sql("latest_answers"), {"sample_id": sample_id}
        )
    ]


def sample_codings(con: sqlite3.Connection, sample_id: str) -> list[Coding]:
    """The machine's coding at the draw and every coder's latest answers, as statistics take them.

    Theme ids become text; the machine is the coder "machine".
    """
    machine = [
        Coding(
            item.passage_id,
            MACHINE,
            frozenset({str(item.machine_theme_id)})
            if item.machine_theme_id is not None
            else frozenset(),
        )
        for item in sample_items(con, sample_id)
    ]
    people = [
        Coding(answer.passage_id, answer.coder, frozenset(str(t) for t in answer.theme_ids))
        for answer in latest_answers(con, sample_id)
    ]
    return machine + people


@dataclass(frozen=True)
class ThemeCheck:
    """How far people's coding of a theme agrees with the machine's, on the latest sample."""

    sample_id: str
    agreement: ThemeAgreement

    def describe(self) -> str:
        """'checked by people: κ 0.72 (95% CI 0.55–0.86), n = 31', or why it cannot say."""
        kappa = self.agreement.agreement.kappa
        n = self.agreement.agreement.n
        if kappa.value is None:
            passages = "passage" if n == 1 else "passages"
            return f"checked by people on {n} {passages}, but κ cannot be computed: {kappa.reason}"
        return f"checked by people: κ {kappa.shown()}, n = {n}"


NOT_CHECKED = "not yet checked by people"


def latest_coded_sample(con: sqlite3.Connection) -> SampleInfo | None:
    """The newest sample someone has answered for (None before anyone has)."""
    for info in samples(con):
        if latest_answers(con, info.sample_id):
            return info
    return None


def theme_check(con: sqlite3.Connection, theme_id: int, resamples: int = 500) -> ThemeCheck | None:
    """People against the machine on one theme, on the latest coded sample (None: not checked).

    A theme the sample did not offer (found by a later run) has not been checked.
    """
    info = latest_coded_sample(con)
    if info is None or theme_id not in {theme.theme_id for theme in info.themes}:
        return None
    codings = sample_codings(con, info.sample_id)
    return ThemeCheck(
        info.sample_id, check_theme(codings, str(theme_id), resamples=resamples, seed=info.seed)
    )


def agreement_statement(store: Path, resamples: int = 1000) -> str:
    """The drafted report's sentence on how far people checked the machine's coding."""
    from pipeline.analysis.agreement import agreement_report
    from pipeline.storage.team import open_team_store

    unchecked = (
        "The machine's coding has not yet been checked against people's: `findings validate` "
        "draws a blind sample to code."
    )
    if not store.exists():
        return unchecked
    with closing(open_team_store(store)) as con:
        info = latest_coded_sample(con)
        if info is None:
            return unchecked
        codings = sample_codings(con, info.sample_id)
        drawn = len(sample_items(con, info.sample_id))
    result = agreement_report(
        codings, themes=[str(t.theme_id) for t in info.themes], resamples=resamples, seed=info.seed
    )
    pairs = [
        f"{pair.coder_a if pair.coder_b == MACHINE else pair.coder_b}: agreement "
        f"{pair.overall.percent.shown()}, Cohen's κ "
        + (
            pair.overall.kappa.shown()
            if pair.overall.kappa.defined
            else f"not computable ({pair.overall.kappa.reason})"
        )
        + f" (n = {pair.overall.n})"
        for pair in result.with_machine
    ]
    below = ", ".join(f"#{theme}" for theme in result.below_threshold) or "none"
    return (
        f"People checked the machine's coding on a blind stratified sample of {drawn} "
        f"passages (sample {info.sample_id}, theme run {info.run_id}); against the machine, "
        + "; ".join(pairs)
        + f". Themes below κ {result.threshold}: {below}. Intervals are bootstrap 95% over "
        f"passages ({result.resamples} resamples)."
    )
