"""The Codebook page: one table of every theme edited in place, bulk edits, and splits.

The pure part (the table, the changes its edits make, bulk actions) is tested directly; the page
runs as a browser load would (AppTest) on the themed sample corpus, with a codebook and team
store of its own. AppTest cannot type into `st.data_editor`, so edits are given as the editor's
own state (`edited_rows`) before a run, as a browser sends them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from pipeline.access.audit import AuditAction, load_events
from pipeline.access.codings import load_decisions
from pipeline.cli import app as cli
from pipeline.errors import CodebookError
from pipeline.themes import codebook as codebook_module
from pipeline.themes.codebook import Codebook, CurationChange, load_codebook
from pipeline.viewer.codebook_table import (
    EDITABLE,
    MERGE_INTO,
    NAME,
    NOT_RELEVANT,
    THEME,
    BulkAction,
    bulk_changes,
    codebook_table,
    table_changes,
    theme_option,
)
from tests.cli.commands import runner
from tests.conftest import REPO, run_app

TABLE_KEY = "codebook_table"

# The pure part.

THEME_IDS = [1, 2, 3, 4, 5]
CATALOGUE = pd.DataFrame(
    {
        "theme_id": THEME_IDS,
        "label": [f"Generated {t}" for t in THEME_IDS],
        "description": [f"About {t}." for t in THEME_IDS],
        "heading": ["Prevention"] * len(THEME_IDS),
        "lifecycle": ["new"] * len(THEME_IDS),
    }
)
OVERVIEW = pd.DataFrame(
    {"theme_id": THEME_IDS[:3], "n_documents": [9, 5, 2], "status": ["stable"] * 3}
)

names = st.one_of(st.none(), st.text(min_size=1, max_size=12).filter(str.strip))


@st.composite
def codebooks(draw: st.DrawFn) -> Codebook:
    """Any codebook over THEME_IDS: names, descriptions, headings, merges, set-asides."""
    from pipeline.themes.codebook import Curation

    curations = {}
    for theme_id in draw(st.lists(st.sampled_from(THEME_IDS), unique=True)):
        others = [t for t in THEME_IDS if t != theme_id]
        curations[theme_id] = Curation(
            label=draw(names),
            description=draw(names),
            heading=draw(names),
            merge_into=draw(st.one_of(st.none(), st.sampled_from(others))),
            not_relevant=draw(st.booleans()),
        )
    return Codebook((), curations)


def table_of(book: Codebook) -> pd.DataFrame:
    return codebook_table(CATALOGUE, OVERVIEW, book, list(CATALOGUE["description"]))


@settings(max_examples=60, deadline=None)
@given(codebooks())
def test_an_unchanged_table_makes_no_change(book: Codebook) -> None:
    table = table_of(book)
    assert table_changes(table, table.copy()) == []


@settings(max_examples=60, deadline=None)
@given(codebooks(), st.data())
def test_each_edited_cell_becomes_a_change_of_its_theme_and_nothing_else(
    book: Codebook, draw: st.DataObject
) -> None:
    table = table_of(book)
    edited = table.copy()
    expected: dict[int, dict[str, object]] = {}
    for row in draw.draw(st.lists(st.sampled_from(range(len(table))), unique=True)):
        theme_id = int(table.at[row, THEME])
        column = draw.draw(st.sampled_from([NAME, NOT_RELEVANT, MERGE_INTO]))
        if column == NAME:
            new: object = draw.draw(st.text(alphabet="abc ", max_size=5))
            value = " ".join(str(new).split()) or None
            before = table.at[row, NAME] or None
        elif column == NOT_RELEVANT:
            new = value = not table.at[row, NOT_RELEVANT]
            before = None
        else:
            into = draw.draw(st.sampled_from([t for t in THEME_IDS if t != theme_id]))
            new, value = theme_option(into, "any label"), into
            before = book.curations[theme_id].merge_into if theme_id in book.curations else None
        edited.at[row, column] = new
        if value != before:
            expected[theme_id] = {EDITABLE[column]: value}
    changes = table_changes(table, edited)
    assert {c.theme_id: c.values for c in changes} == expected


def test_text_edited_to_the_same_words_is_no_change() -> None:
    table = table_of(Codebook((), {}))
    edited = table.copy()
    edited.at[0, NAME] = "   "
    assert table_changes(table, edited) == []
    edited.at[1, NAME] = "  Knife   crime "
    assert table_changes(table, edited) == [CurationChange(2, {"label": "Knife crime"})]


def test_merging_a_row_into_itself_is_refused() -> None:
    table = table_of(Codebook((), {}))
    edited = table.copy()
    edited.at[0, MERGE_INTO] = theme_option(1, "Generated 1")
    with pytest.raises(CodebookError, match="theme 1 cannot be merged into itself"):
        table_changes(table, edited)


def test_the_table_has_a_row_for_a_split_theme_no_run_has_made_yet() -> None:
    from pipeline.themes.codebook import Curation

    table = table_of(Codebook((), {9: Curation(label="Part two", split_from=2)}))
    row = table[table[THEME] == 9].iloc[0]
    assert row[NAME] == "Part two" and "split from #2" in row["Status"]
    assert pd.isna(row["Reviews"]) and list(table[THEME]) == [*THEME_IDS, 9]


@pytest.mark.parametrize(
    ("action", "into", "says"),
    [
        (BulkAction.merge, 2, "theme 2 is among the themes chosen"),
        (BulkAction.merge, None, "choose the theme to merge them into"),
    ],
)
def test_a_bulk_merge_that_means_nothing_is_refused(
    action: BulkAction, into: int | None, says: str
) -> None:
    with pytest.raises(CodebookError, match=says):
        bulk_changes(action, [1, 2], into)


def test_a_bulk_action_with_no_theme_is_refused() -> None:
    with pytest.raises(CodebookError, match="choose at least one theme"):
        bulk_changes(BulkAction.not_relevant, [])


@pytest.mark.parametrize(
    ("action", "values"),
    [
        (BulkAction.not_relevant, {"not_relevant": True}),
        (BulkAction.relevant, {"not_relevant": False}),
        (BulkAction.clear_names, {"label": None}),
        (BulkAction.merge, {"merge_into": 5}),
    ],
)
def test_a_bulk_action_changes_each_chosen_theme_once(
    action: BulkAction, values: dict[str, object]
) -> None:
    changes = bulk_changes(action, [3, 1, 3], 5)
    assert changes == [CurationChange(3, values), CurationChange(1, values)]


# The page.


@pytest.fixture
def book(codebook_file: Path) -> Path:
    """The page's codebook: conftest's copy of the bundled one."""
    return codebook_file


@pytest.fixture
def start(themed_db: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], AppTest]:
    monkeypatch.setenv("FINDINGS_DB", str(themed_db))
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(book))

    def run(role: str) -> AppTest:
        monkeypatch.setenv("FINDINGS_LOCAL_ROLE", role)
        return run_app("codebook")

    return run


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every atomic write of a codebook, in order (the real write still happens)."""
    done: list[Path] = []
    write = codebook_module._atomic_write

    def counted(path: Path, text: str) -> None:
        done.append(path)
        write(path, text)

    monkeypatch.setattr(codebook_module, "_atomic_write", counted)
    return done


def edit(app: AppTest, rows: dict[int, dict[str, object]]) -> AppTest:
    """Edit the table's cells (row position -> column -> value) as a browser would, and run."""
    app.session_state[TABLE_KEY] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return app.run()


def theme_ids(app: AppTest) -> list[int]:
    return [int(t) for t in app.data_editor(key=TABLE_KEY).value[THEME]]


def changed_codebook(store: Path) -> list[str]:
    return [e.detail for e in load_events(store, action=AuditAction.changed_codebook)]


def test_two_rows_edited_are_saved_in_one_write_with_an_audit_row_each(
    start: Callable[[str], AppTest], book: Path, writes: list[Path], team_store_in_tmp: Path
) -> None:
    app = start("researcher")
    first, second = theme_ids(app)[:2]
    edit(app, {0: {"Name": "Tenants taken over", "Description": "Cuckooing."}, 1: {
        "Not relevant": True}})  # fmt: skip
    assert "2 themes changed, not saved yet." in [c.value for c in app.caption]
    assert not writes  # nothing is written before Save
    app.button(key="codebook_save").click().run()
    assert not app.exception and not app.error
    assert writes == [book]
    saved = load_codebook(book).curations
    assert (saved[first].label, saved[first].description) == ("Tenants taken over", "Cuckooing.")
    assert saved[second].not_relevant and not saved[first].not_relevant
    assert changed_codebook(team_store_in_tmp) == [
        f"theme {first}: label 'Tenants taken over', description 'Cuckooing.'",
        f"theme {second}: not relevant",
    ]
    # The saved values come back as the table's own: nothing left to save.
    shown = app.data_editor(key=TABLE_KEY).value
    assert shown.at[0, NAME] == "Tenants taken over" and bool(shown.at[1, NOT_RELEVANT])
    assert app.button(key="codebook_save").disabled


def test_a_rename_shows_on_the_front_page(start: Callable[[str], AppTest], book: Path) -> None:
    app = start("analyst")
    edit(app, {2: {"Name": "Money mules"}})
    app.button(key="codebook_save").click().run()
    assert load_codebook(book).curations[theme_ids(app)[2]].label == "Money mules"
    front = run_app()  # a fresh load of the front page
    assert "Money mules" in list(front.dataframe[0].value["Theme"])


def test_a_bulk_mark_sets_several_themes_aside_in_one_write(
    start: Callable[[str], AppTest], book: Path, writes: list[Path], team_store_in_tmp: Path
) -> None:
    app = start("researcher")
    chosen = theme_ids(app)[1:4]
    labels = set(app.data_editor(key=TABLE_KEY).value["Generated label"][1:4])
    app.multiselect(key="bulk_themes").set_value(chosen)
    app.radio(key="bulk_action").set_value(BulkAction.not_relevant).run()
    app.button(key="bulk_apply").click().run()
    assert not app.exception and not app.error
    assert writes == [book]
    assert {t for t, c in load_codebook(book).curations.items() if c.not_relevant} == set(chosen)
    assert changed_codebook(team_store_in_tmp) == [f"theme {t}: not relevant" for t in chosen]
    front = run_app()
    assert not labels & set(front.dataframe[0].value["Theme"])


def test_a_bulk_merge_into_one_of_the_chosen_is_refused_and_nothing_written(
    start: Callable[[str], AppTest], book: Path, writes: list[Path]
) -> None:
    app = start("researcher")
    chosen = theme_ids(app)[:2]
    app.multiselect(key="bulk_themes").set_value(chosen)
    app.radio(key="bulk_action").set_value(BulkAction.merge).run()
    app.selectbox(key="bulk_into").set_value(chosen[1])
    app.button(key="bulk_apply").click().run()
    assert f"theme {chosen[1]} is among the themes chosen" in " ".join(
        e.value.replace("\\", "") for e in app.error
    )
    assert writes == [] and load_codebook(book).curations == {}


def test_a_bulk_merge_into_a_merged_theme_follows_its_merge_and_says_so(
    start: Callable[[str], AppTest], book: Path
) -> None:
    app = start("researcher")
    a, b, c = theme_ids(app)[:3]
    codebook_module.update_curation(book, b, merge_into=c)
    app.run()
    app.multiselect(key="bulk_themes").set_value([a])
    app.radio(key="bulk_action").set_value(BulkAction.merge).run()
    app.selectbox(key="bulk_into").set_value(b)
    app.button(key="bulk_apply").click().run()
    assert load_codebook(book).curations[a].merge_into == c
    said = " ".join(s.value.replace("\\", "") for s in app.success)
    assert f"theme #{a} went to #{c}" in said


def test_a_director_reads_the_table_and_cannot_save(
    start: Callable[[str], AppTest],
    book: Path,
    writes: list[Path],
    team_store_in_tmp: Path,
    themed_db: Path,
) -> None:
    app = start("director")
    assert not app.data_editor  # the table is shown, not editable
    table = app.dataframe[0].value
    with duckdb.connect(str(themed_db), read_only=True) as con:
        (n_themes,) = con.execute("SELECT count(*) FROM themes").fetchone()
    assert len(table) == n_themes and NAME in table
    assert app.button(key="codebook_save").disabled
    assert [b.key for b in app.button] == ["codebook_save"]  # no bulk edits, no split
    # A browser can be made to send a click on a disabled button: sent anyway, it saves nothing
    # (Streamlit drops it, and the page checks the role again before any write).
    save = app.button(key="codebook_save")
    save.proto.disabled = False  # what a forged click amounts to; AppTest refuses it otherwise
    save.click().run()
    assert not app.exception
    assert writes == [] and load_codebook(book).curations == {}
    assert changed_codebook(team_store_in_tmp) == []


def largest_theme(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT theme_id FROM current_passage_themes GROUP BY 1 ORDER BY count(*) DESC, 1 "
            "LIMIT 1"
        ).fetchone()[0]


def test_a_split_from_the_page_does_what_the_cli_does(
    start: Callable[[str], AppTest],
    book: Path,
    themed_db: Path,
    team_store_in_tmp: Path,
    tmp_path: Path,
) -> None:
    theme_id = largest_theme(themed_db)
    app = start("researcher")
    app.selectbox(key="split_theme").set_value(theme_id)
    app.number_input(key="split_parts").set_value(3).run()
    app.button(key="split_propose").click().run()
    assert not app.exception and not app.error
    shown = [m.value for m in app.markdown if m.value.startswith("**Sub-theme")]
    assert len(shown) == 3 and len(app.text) >= 6  # example quotes, as text
    app.checkbox(key="split_keep_2").uncheck()
    app.text_input(key="split_name_3").input("Split-off part")
    app.button(key="split_apply").click().run()
    assert not app.exception and not app.error

    cli_book = tmp_path / "cli" / "codebook.yaml"
    cli_book.parent.mkdir()
    shutil.copy(REPO / "models" / "codebook.yaml", cli_book)
    cli_store = tmp_path / "cli" / "team.sqlite"
    env = {"FINDINGS_CODEBOOK": str(cli_book), "FINDINGS_TEAM_DB": str(cli_store)}
    done = runner.invoke(
        cli, ["codebook", "split", str(theme_id), "--parts", "3", "--keep", "1", "--keep", "3",
              "--label", "Split-off part", "--json", "--db", str(themed_db)], env=env,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (new_id,) = json.loads(done.stdout)["new_theme_ids"]

    page_entries = load_codebook(book).curations
    assert page_entries == load_codebook(cli_book).curations
    assert page_entries[new_id].split_from == theme_id
    assert page_entries[new_id].label == "Split-off part"

    def decided(store: Path) -> set[tuple[str, int, str, str]]:
        return {(d.passage_id, d.theme_id, d.action.value, d.why) for d in load_decisions(store)}

    assert decided(team_store_in_tmp) == decided(cli_store) != set()
    assert {d.via for d in load_decisions(team_store_in_tmp)} == {"viewer"}
    assert changed_codebook(team_store_in_tmp) == [f"theme {new_id}: split from theme {theme_id}"]
    said = " ".join(s.value.replace("\\", "") for s in app.success)
    assert f"#{new_id}" in said


def test_a_split_proposed_before_someone_coded_the_theme_is_refused(
    start: Callable[[str], AppTest], book: Path, themed_db: Path, team_store_in_tmp: Path
) -> None:
    from pipeline.access.codings import save_decisions
    from pipeline.themes.decisions import CodingAction

    theme_id = largest_theme(themed_db)
    app = start("researcher")
    app.selectbox(key="split_theme").set_value(theme_id).run()
    app.button(key="split_propose").click().run()
    with duckdb.connect(str(themed_db), read_only=True) as con:
        (passage_id,) = con.execute(
            "SELECT min(passage_id) FROM current_passage_themes WHERE theme_id = ?", [theme_id]
        ).fetchone()
    save_decisions(team_store_in_tmp, [(passage_id, theme_id, CodingAction.remove, "")], "ann")
    app.button(key="split_apply").click().run()
    assert "propose it again" in " ".join(e.value.replace("\\", "") for e in app.error)
    assert load_codebook(book).curations == {}
    assert len(load_decisions(team_store_in_tmp)) == 1


# What the named transcript holds that redaction hides.
PERSONAL = ("Tyrone", "Kelly O'Brien", "Sam Okafor", "07700 900123", "dsl.office@example.org")


@pytest.mark.parametrize(("role", "hidden"), [("researcher", True), ("analyst", False)])
def test_generated_text_and_example_quotes_are_redacted_as_the_role_reads(
    named_themed_db: Path,
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    hidden: bool,
) -> None:
    monkeypatch.setenv("FINDINGS_DB", str(named_themed_db))
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(book))
    monkeypatch.setenv("FINDINGS_LOCAL_ROLE", role)
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")  # as written, for a role that may
    app = run_app("codebook")
    table = app.data_editor(key=TABLE_KEY).value
    shown = [" ".join(str(v) for v in table.to_numpy().ravel())]
    for theme_id in table[THEME]:
        app.selectbox(key="split_theme").set_value(int(theme_id)).run()
        app.button(key="split_propose").click().run()
        shown += [t.value for t in app.text] + [c.value.replace("\\", "") for c in app.caption]
    personal = {item for item in PERSONAL if item in " ".join(shown)}
    assert (personal == set()) is hidden, personal
