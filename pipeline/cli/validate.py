"""`findings validate`: check the machine's coding against people's, on a blind random sample.

`sample` draws passages stratified by theme and region (unassigned ones too) from the latest
run and stores them in the team store with the machine's theme at the draw; `export` writes
them for coding blind (no machine theme in the file) with the themes to choose from; `import`
reads a coder's answers back; `report` measures agreement between each coder and the machine
and between coders, with bootstrap intervals.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.console import Shown as Col
from pipeline.cli.console import err, literal, out, print_json, table_of
from pipeline.cli.options import DbOption, JsonOption, open_readable, settings_for
from pipeline.cli.redaction import RedactOption, record_unredacted, redacted

SampleOption = Annotated[
    str | None,
    typer.Option("--sample", help="A sample id (or its start); default: the newest sample."),
]
NONE_OF_THESE = "none"


def sample(
    n: Annotated[int, typer.Option("--n", min=1, help="How many passages to draw.")] = 100,
    seed: Annotated[
        int, typer.Option(help="Seed of the random draw (same seed, same sample).")
    ] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draw a stratified random sample of coded passages for people to code blind."""
    import datetime as dt

    from pipeline.access.audit import cli_person
    from pipeline.access.validation import OfferedTheme, SampleInfo, SampleItem, save_sample
    from pipeline.analysis.validation_sample import draw_validation_sample
    from pipeline.queries.runs import latest_run_id
    from pipeline.queries.validation import theme_choices, validation_candidates
    from pipeline.storage.team import open_team_store

    settings = settings_for(db)
    with open_readable(settings) as con:
        run_id = latest_run_id(con)
        candidates = validation_candidates(con)
        choices = theme_choices(con)
    if run_id is None or not candidates:
        raise typer.BadParameter("no theme run yet: run `findings run` first", param_hint="--db")
    drawn = draw_validation_sample(candidates, n, seed)
    now = dt.datetime.now(dt.UTC)
    info = SampleInfo(
        sample_id=f"{now:%Y%m%d-%H%M%S-%f}-n{len(drawn.passages)}-s{seed}",
        created_at=now,
        created_by=cli_person(),
        seed=seed,
        requested=n,
        run_id=str(run_id),
        themes=tuple(OfferedTheme(choice.theme_id, choice.label) for choice in choices),
    )
    items = [
        SampleItem(position, passage.passage_id, passage.theme_id, passage.region)
        for position, passage in enumerate(drawn.passages, start=1)
    ]
    with closing(open_team_store(settings.team_db)) as store:
        save_sample(store, info, items)
    unassigned = sum(1 for item in items if item.machine_theme_id is None)
    if as_json:
        print_json(json.dumps({"sample_id": info.sample_id, "passages": len(items)}))
        return
    out.print(
        literal(
            f"sample {info.sample_id}: {len(items)} passages from {len(drawn.strata)} strata "
            f"(theme × region), {unassigned} of them in no theme. Code them blind: "
            f"`findings validate export --out FILE.csv`, fill the themes column, then "
            f"`findings validate import FILE.csv --coder NAME`."
        ),
        soft_wrap=False,
    )


def export(
    out_path: Annotated[Path, typer.Option("--out", help="CSV to write for a coder.")],
    sample_id: SampleOption = None,
    db: DbOption = None,
    redact: RedactOption = True,
) -> None:
    """Write a sample for coding blind: passages, and beside them the themes to choose from.

    The file never holds the machine's theme. Fill each row's `themes` with theme ids separated
    by ';', or 'none'.
    """
    from pipeline.access.validation import find_sample, sample_items
    from pipeline.queries.validation import passage_texts, theme_choices
    from pipeline.storage.team import open_team_store

    settings = settings_for(db)
    with closing(open_team_store(settings.team_db)) as store:
        info = find_sample(store, sample_id)
        items = sample_items(store, info.sample_id)
    with open_readable(settings) as con:
        texts = passage_texts(con, [item.passage_id for item in items])
        described = {choice.theme_id: choice.description for choice in theme_choices(con)}
        shown = [texts.get(item.passage_id, "") for item in items]
        if redact:
            shown = redacted(con, settings, shown)
    if not redact:
        record_unredacted(settings, f"findings validate export {info.sample_id} to {out_path}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["position", "passage", "text", "themes"])
        for item, text in zip(items, shown, strict=True):
            writer.writerow([item.position, item.passage_id[:12], text, ""])
    themes_path = out_path.with_name(f"{out_path.stem}-themes.csv")
    with themes_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["theme_id", "label", "description"])
        for theme in info.themes:
            writer.writerow([theme.theme_id, theme.label, described.get(theme.theme_id) or ""])
    out.print(
        literal(
            f"wrote {len(items)} passages to {out_path} and the {len(info.themes)} themes to "
            f"choose from to {themes_path}"
        ),
        soft_wrap=True,
    )


def _chosen(raw: str, row_number: int, path: Path) -> frozenset[int]:
    text = raw.strip().lower()
    if text in {NONE_OF_THESE, "-", "0 themes"}:
        return frozenset()
    if not text:
        raise typer.BadParameter(f"{path} row {row_number}: no answer (theme ids, or 'none')")
    try:
        return frozenset(int(part.strip().lstrip("#")) for part in text.split(";") if part.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{path} row {row_number}: {raw!r} is not theme ids separated by ';' (or 'none')"
        ) from None


def import_answers(
    path: Annotated[Path, typer.Argument(help="A coded CSV written by `validate export`.")],
    coder: Annotated[str, typer.Option(help="Who coded it (shown in the report).")],
    sample_id: SampleOption = None,
    db: DbOption = None,
) -> None:
    """Read a coder's answers; rows left blank are skipped (coded later, or not at all)."""
    from pipeline.access.validation import find_sample, record_answers, sample_items
    from pipeline.storage.team import open_team_store

    settings = settings_for(db)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with closing(open_team_store(settings.team_db)) as store:
        info = find_sample(store, sample_id)
        by_prefix = {
            item.passage_id[:12]: item.passage_id for item in sample_items(store, info.sample_id)
        }
        answers = []
        skipped = 0
        for number, row in enumerate(rows, start=2):
            if not (row.get("themes") or "").strip():
                skipped += 1
                continue
            passage = by_prefix.get((row.get("passage") or "").strip()[:12])
            if passage is None:
                raise typer.BadParameter(
                    f"{path} row {number}: passage {row.get('passage')!r} is not in sample "
                    f"{info.sample_id}"
                )
            answers.append((passage, _chosen(row["themes"], number, path)))
        recorded = record_answers(store, info, coder, answers)
    out.print(
        literal(
            f"recorded {recorded} answers by {coder} for sample {info.sample_id}; {skipped} blank"
        ),
        soft_wrap=True,
    )


def report(
    sample_id: SampleOption = None,
    db: DbOption = None,
    resamples: Annotated[int, typer.Option(min=100, help="Bootstrap resamples.")] = 1000,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Name the themes whose κ is below this.")
    ] = 0.6,
    as_json: JsonOption = False,
) -> None:
    """Agreement between each coder and the machine, and between coders, with 95% intervals."""
    from pipeline.access.validation import find_sample, sample_codings
    from pipeline.analysis.agreement import agreement_report
    from pipeline.storage.team import open_team_store

    settings = settings_for(db)
    with closing(open_team_store(settings.team_db)) as store:
        info = find_sample(store, sample_id)
        codings = sample_codings(store, info.sample_id)
    labels = {str(theme.theme_id): theme.label for theme in info.themes}
    result = agreement_report(
        codings, themes=list(labels), threshold=threshold, resamples=resamples, seed=info.seed
    )
    if as_json:
        print_json(
            json.dumps({"sample_id": info.sample_id} | dataclasses.asdict(result), default=str)
        )
        return
    if not result.people:
        err.print(literal(f"nobody has coded sample {info.sample_id} yet"), soft_wrap=True)
        raise typer.Exit(1)
    out.print(
        literal(
            f"sample {info.sample_id} (run {info.run_id}): {len(result.people)} coder(s) against "
            f"the machine; figures with bootstrap 95% intervals ({result.resamples} resamples)"
        ),
        soft_wrap=False,
    )
    pairs = [
        {
            "pair": f"{pair.coder_a} vs {pair.coder_b}",
            "n": pair.overall.n,
            "agreement": pair.overall.percent.shown(ci=""),
            "kappa": pair.overall.kappa.shown(ci=""),
        }
        for pair in (*result.with_machine, *result.between_people)
    ]
    out.print(
        table_of(
            pairs,
            "Overall (the exact set of themes per passage)",
            [Col("coders", lambda r: r["pair"], wrap=True), Col("n", lambda r: r["n"]),
             Col("agreement", lambda r: r["agreement"]), Col("Cohen's κ", lambda r: r["kappa"])],
        )
    )  # fmt: skip
    checks = [
        {
            "theme": labels.get(check.theme, check.theme),
            "id": check.theme,
            "n": check.agreement.n,
            "kappa": check.agreement.kappa.shown(ci=""),
            "value": check.agreement.kappa.value,
            "agreement": check.agreement.percent.shown(ci=""),
        }
        for check in result.theme_checks
    ]
    checks.sort(key=lambda row: (row["value"] is None, row["value"] or 0.0))
    out.print(
        table_of(
            checks,
            "Each theme, people against the machine (lowest κ first)",
            [Col("theme", lambda r: f"{r['theme']} #{r['id']}", wrap=True),
             Col("κ", lambda r: r["kappa"]), Col("agreement", lambda r: r["agreement"])],
        )
    )  # fmt: skip
    alpha = result.alpha_people if len(result.people) > 1 else result.alpha_all
    who = "between people" if len(result.people) > 1 else "people and the machine"
    out.print(literal(f"Krippendorff's α ({who}, n = {alpha.n}): {alpha.alpha.shown(ci='')}"))
    if result.below_threshold:
        named = ", ".join(f"{labels.get(t, t)} #{t}" for t in result.below_threshold)
        out.print(literal(f"below κ {result.threshold}: {named}"), soft_wrap=False)
    if result.unmeasured:
        out.print(
            literal(
                f"{len(result.unmeasured)} themes not measurable on this sample (too few "
                f"passages either way): " + ", ".join(labels.get(t, t) for t in result.unmeasured)
            ),
            soft_wrap=False,
        )
