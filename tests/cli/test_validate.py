"""`findings validate`: a blind sample from a real themed warehouse, answers, agreement."""

from __future__ import annotations

import csv
import json
from contextlib import closing
from pathlib import Path

from pipeline.access.validation import find_sample, sample_items, samples
from pipeline.cli import app
from pipeline.storage.team import open_team_store
from tests.cli.commands import runner


def draw(db: Path, n: int = 20, seed: int = 3) -> str:
    result = runner.invoke(
        app, ["validate", "sample", "--n", str(n), "--seed", str(seed), "--db", str(db), "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["sample_id"]


def write_answers(path: Path, answers: dict[str, str], coder: str = "coded") -> Path:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        row["themes"] = answers.get(row["passage"], "")
    coded = path.with_name(f"{path.stem}-{coder}.csv")
    with coded.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return coded


def machine_answers(team: Path) -> dict[str, str]:
    with closing(open_team_store(team)) as store:
        items = sample_items(store, find_sample(store, None).sample_id)
    return {
        item.passage_id[:12]: "none"
        if item.machine_theme_id is None
        else str(item.machine_theme_id)
        for item in items
    }


def test_the_export_is_blind_and_lists_the_choices(
    themed_db: Path, tmp_path: Path, team_store_in_tmp: Path
) -> None:
    draw(themed_db)
    out = tmp_path / "sheet.csv"
    result = runner.invoke(app, ["validate", "export", "--out", str(out), "--db", str(themed_db)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 20
    assert list(rows[0]) == ["position", "passage", "text", "themes"]
    assert all(row["themes"] == "" and row["text"] for row in rows)
    assert [int(row["position"]) for row in rows] == list(range(1, 21))
    choices = list(csv.DictReader((tmp_path / "sheet-themes.csv").open(encoding="utf-8")))
    with closing(open_team_store(team_store_in_tmp)) as store:
        offered = find_sample(store, None).themes
    assert [int(choice["theme_id"]) for choice in choices] == [t.theme_id for t in offered]


def test_a_coder_who_agrees_with_the_machine_scores_kappa_one_and_one_who_does_not_is_named(
    themed_db: Path, tmp_path: Path, team_store_in_tmp: Path
) -> None:
    draw(themed_db, n=30)
    sheet = tmp_path / "sheet.csv"
    runner.invoke(app, ["validate", "export", "--out", str(sheet), "--db", str(themed_db)])
    agreeing = write_answers(sheet, machine_answers(team_store_in_tmp), "ana")
    contrary = write_answers(
        sheet, {passage: "none" for passage in machine_answers(team_store_in_tmp)}, "ben"
    )
    for coded, coder in ((agreeing, "ana"), (contrary, "ben")):
        result = runner.invoke(
            app, ["validate", "import", str(coded), "--coder", coder, "--db", str(themed_db)]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["validate", "report", "--db", str(themed_db), "--json", "--resamples", "200"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    overall = {
        pair["coder_a"] + "/" + pair["coder_b"]: pair["overall"] for pair in report["with_machine"]
    }
    ana = next(v for k, v in overall.items() if "ana" in k)
    ben = next(v for k, v in overall.items() if "ben" in k)
    assert ana["kappa"]["value"] == 1.0 and ana["n"] == 30
    assert ben["kappa"]["value"] is not None and ben["kappa"]["value"] < 0.2
    # Pooled, one coder who agrees and one who never does leave each measurable theme near 0.65.
    assert report["below_threshold"] == []
    assert report["between_people"] and report["alpha_people"]["alpha"]["value"] is not None
    strict = runner.invoke(
        app,
        ["validate", "report", "--db", str(themed_db), "--resamples", "200", "--threshold", "0.7"],
    )
    assert "below κ 0.7" in strict.stdout and "Krippendorff" in strict.stdout


def test_an_answer_naming_no_theme_id_is_refused_in_one_line_naming_the_row(
    themed_db: Path, tmp_path: Path
) -> None:
    draw(themed_db, n=5)
    sheet = tmp_path / "sheet.csv"
    runner.invoke(app, ["validate", "export", "--out", str(sheet), "--db", str(themed_db)])
    first = next(csv.DictReader(sheet.open(encoding="utf-8")))["passage"]
    coded = write_answers(sheet, {first: "cuckooing"})
    result = runner.invoke(
        app, ["validate", "import", str(coded), "--coder", "ana", "--db", str(themed_db)]
    )
    assert result.exit_code == 2
    assert "row 2" in result.output and "'cuckooing'" in result.output
    assert "Traceback" not in result.output


def test_report_before_anyone_has_coded_says_so(themed_db: Path) -> None:
    draw(themed_db, n=5)
    result = runner.invoke(app, ["validate", "report", "--db", str(themed_db)])
    assert result.exit_code == 1
    assert "nobody has coded sample" in result.output


def test_the_drafted_reports_method_note_states_the_check_and_its_size(
    themed_db: Path, tmp_path: Path, team_store_in_tmp: Path
) -> None:
    unchecked = tmp_path / "before.md"
    runner.invoke(app, ["export", "report", "--out", str(unchecked), "--db", str(themed_db)])
    assert "has not yet been checked against people's" in unchecked.read_text(encoding="utf-8")
    draw(themed_db, n=12)
    sheet = tmp_path / "sheet.csv"
    runner.invoke(app, ["validate", "export", "--out", str(sheet), "--db", str(themed_db)])
    coded = write_answers(sheet, machine_answers(team_store_in_tmp), "ana")
    runner.invoke(app, ["validate", "import", str(coded), "--coder", "ana", "--db", str(themed_db)])
    checked = tmp_path / "after.md"
    result = runner.invoke(app, ["export", "report", "--out", str(checked), "--db", str(themed_db)])
    assert result.exit_code == 0, result.output
    note = checked.read_text(encoding="utf-8")
    assert "blind stratified sample of 12 passages" in note
    assert "ana: agreement 1.00" in note and "Cohen's κ 1.00" in note


def test_two_samples_drawn_at_once_are_both_kept(themed_db: Path, team_store_in_tmp: Path) -> None:
    first, second = draw(themed_db, n=3), draw(themed_db, n=3)
    assert first != second
    with closing(open_team_store(team_store_in_tmp)) as store:
        assert {info.sample_id for info in samples(store)} == {first, second}
