"""The codebook file: reading it, and recording decisions made in the viewer."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from pipeline.errors import CodebookError
from pipeline.themes.codebook import (
    MAX_CODEBOOK_BYTES,
    PEOPLES_FIRST_THEME_ID,
    Codebook,
    Curation,
    CurationChange,
    add_split_themes,
    load_codebook,
    remove_split_themes,
    update_curation,
    update_curations,
)
from tests.conftest import REPO


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", path)
    return path


def test_a_rename_is_stored_and_read_back(codebook_file: Path) -> None:
    update_curation(codebook_file, 3, label="Holiday lets", description="Seaside cuckooing.")
    curation = load_codebook(codebook_file).curations[3]
    assert (curation.label, curation.description) == ("Holiday lets", "Seaside cuckooing.")


def test_updates_change_only_the_fields_given(codebook_file: Path) -> None:
    update_curation(codebook_file, 3, label="Holiday lets")
    update_curation(codebook_file, 3, not_relevant=True)
    curation = load_codebook(codebook_file).curations[3]
    assert curation.label == "Holiday lets" and curation.not_relevant


def test_clearing_every_decision_removes_the_theme(codebook_file: Path) -> None:
    update_curation(codebook_file, 3, label="Holiday lets", merge_into=4)
    update_curation(codebook_file, 3, label=None, merge_into=None)
    assert 3 not in load_codebook(codebook_file).curations


def test_guided_themes_and_the_header_comment_survive(codebook_file: Path) -> None:
    before = load_codebook(codebook_file).guided
    header = codebook_file.read_text().splitlines()[0]
    update_curation(codebook_file, 5, label="Knives")
    assert load_codebook(codebook_file).guided == before
    assert codebook_file.read_text().splitlines()[0] == header


def test_a_theme_cannot_merge_into_itself(codebook_file: Path) -> None:
    with pytest.raises(CodebookError, match="itself"):
        update_curation(codebook_file, 3, merge_into=3)


def test_concurrent_saves_lose_nothing(codebook_file: Path) -> None:
    def save(theme_id: int) -> None:
        update_curation(codebook_file, theme_id, label=f"Theme {theme_id}")

    threads = [threading.Thread(target=save, args=(t,)) for t in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    labels = {t: c.label for t, c in load_codebook(codebook_file).curations.items()}
    assert labels == {t: f"Theme {t}" for t in range(20)}
    assert not list(codebook_file.parent.glob(".codebook.yaml.*.tmp"))


def test_a_merge_chain_ends_at_its_last_theme_and_a_cycle_stops() -> None:
    chain = Codebook(curations={1: Curation(merge_into=2), 2: Curation(merge_into=3)})
    assert [chain.merge_target(t) for t in (1, 2, 3, 4)] == [3, 3, 3, 4]
    cycle = Codebook(curations={1: Curation(merge_into=2), 2: Curation(merge_into=1)})
    assert cycle.merge_target(1) == 2 and cycle.merge_target(2) == 1


# Files that are not codebooks, and a word the refusal must give as the reason.
NOT_CODEBOOKS = {
    "python object": (b"guided: !!python/object/apply:os.system ['echo owned']\n", "constructor"),
    "billion laughs": (
        b'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        b"guided: [{name: laughs, description: *c}]\n",
        "aliases",
    ),
    "merge key": (b"base: &base {label: x}\nthemes:\n  3:\n    <<: *base\n", "aliases"),
    "a list": (b"- one\n- two\n", "mapping"),
    "themes as a list": (b"themes: [1, 2]\n", "themes"),
    "a theme as a list": (b"themes:\n  3: [1, 2]\n", "themes.3"),
    "a theme id that is a word": (b"themes:\n  cuckooing: {label: x}\n", "themes.cuckooing"),
    "a merge into a word": (b"themes:\n  3: {merge_into: abc}\n", "merge_into"),
    "a guided theme without a name": (b"guided:\n  - description: x\n", "name"),
    "a name that is a mapping": (b"guided:\n  - name: {a: 1}\n", "name"),
    "unclosed": (b"guided: [\n", "line 2"),
    "nested deeper than a parser goes": (b"guided: " + b"[" * 50_000 + b"]" * 50_000, "nested"),
    "not UTF-8": (b"guided:\n  - name: caf\xe9\n", "not UTF-8"),
    "huge": (b"# " + b"x" * MAX_CODEBOOK_BYTES + b"\n", "bytes"),
}


@pytest.mark.parametrize(("content", "reason"), NOT_CODEBOOKS.values(), ids=NOT_CODEBOOKS)
def test_a_file_that_is_no_codebook_is_refused_in_one_line(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes(content)
    with pytest.raises(CodebookError) as refused:
        load_codebook(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and reason in message.removeprefix(f"{path}: ")
    assert "\n" not in message and len(message) < 300


@pytest.mark.parametrize(("content", "reason"), NOT_CODEBOOKS.values(), ids=NOT_CODEBOOKS)
def test_a_decision_is_not_written_into_a_file_that_is_no_codebook(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes(content)
    with pytest.raises(CodebookError, match=re.escape(reason)):
        update_curation(path, 3, label="Holiday lets")
    assert path.read_bytes() == content


def test_numbers_where_names_go_are_read_as_names(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("guided:\n  - name: 2019\nthemes:\n  '3': {label: 42, merge_into: '4'}\n")
    book = load_codebook(path)
    assert book.guided[0].name == "2019"
    assert (book.curations[3].label, book.curations[3].merge_into) == ("42", 4)


def test_several_changes_are_one_write(
    codebook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.themes import codebook as module

    writes: list[Path] = []
    write = module._atomic_write
    monkeypatch.setattr(module, "_atomic_write", lambda p, t: (writes.append(p), write(p, t)))
    update_curations(
        codebook_file,
        [
            CurationChange(3, {"label": "Holiday lets", "not_relevant": True}),
            CurationChange(4, {"merge_into": 5}),
        ],
    )
    curations = load_codebook(codebook_file).curations
    assert writes == [codebook_file]
    assert (curations[3].label, curations[3].not_relevant, curations[4].merge_into) == (
        "Holiday lets", True, 5,
    )  # fmt: skip


def test_a_batch_with_one_bad_change_writes_nothing(codebook_file: Path) -> None:
    update_curation(codebook_file, 4, merge_into=3)
    before = codebook_file.read_bytes()
    with pytest.raises(CodebookError, match="merge into each other"):
        update_curations(
            codebook_file,
            [CurationChange(5, {"label": "Knives"}), CurationChange(3, {"merge_into": 4})],
        )
    assert codebook_file.read_bytes() == before


def test_a_merge_into_a_merged_theme_follows_it(codebook_file: Path) -> None:
    update_curation(codebook_file, 4, merge_into=5)
    book = update_curations(codebook_file, [CurationChange(3, {"merge_into": 4})])
    assert book.curations[3].merge_into == 5


def test_merges_saved_together_follow_each_other(codebook_file: Path) -> None:
    book = update_curations(
        codebook_file,
        [CurationChange(3, {"merge_into": 4}), CurationChange(4, {"merge_into": 5})],
    )
    assert (book.curations[3].merge_into, book.curations[4].merge_into) == (5, 5)


def test_a_theme_changed_twice_in_one_save_is_refused(codebook_file: Path) -> None:
    with pytest.raises(CodebookError, match="changed twice"):
        update_curations(
            codebook_file, [CurationChange(3, {"label": "A"}), CurationChange(3, {"label": "B"})]
        )


def test_a_change_names_only_decisions_a_codebook_has() -> None:
    with pytest.raises(CodebookError, match="no decision called colour"):
        CurationChange(3, {"colour": "red"})


def test_split_ids_are_allocated_inside_the_lock(codebook_file: Path) -> None:
    asked_while_locked: list[bool] = []

    def highest() -> int:
        other = FileLock(str(codebook_file) + ".lock")
        try:
            other.acquire(timeout=0)
        except Timeout:
            asked_while_locked.append(True)
        else:
            other.release()
            asked_while_locked.append(False)
        return PEOPLES_FIRST_THEME_ID + 19  # people's themes up to here are in the warehouse

    first = PEOPLES_FIRST_THEME_ID + 20
    assert add_split_themes(codebook_file, 3, ["Part two", None], highest) == [first, first + 1]
    assert asked_while_locked == [True]
    assert load_codebook(codebook_file).split_theme_ids == {first, first + 1}


def test_splits_at_once_never_share_an_id(codebook_file: Path) -> None:
    made: list[int] = []

    def split(theme_id: int) -> None:
        made.extend(add_split_themes(codebook_file, theme_id, [None], lambda: 10))

    threads = [threading.Thread(target=split, args=(t,)) for t in range(1, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = range(PEOPLES_FIRST_THEME_ID, PEOPLES_FIRST_THEME_ID + 10)
    assert sorted(made) == list(ids)
    assert load_codebook(codebook_file).split_theme_ids == set(ids)


def test_a_split_whose_moves_failed_is_taken_back_out(codebook_file: Path) -> None:
    update_curation(codebook_file, 3, label="Kept")
    ids = add_split_themes(codebook_file, 3, ["Part two"], lambda: 10)
    remove_split_themes(codebook_file, [*ids, 3])  # 3 is no split theme: it stays
    assert set(load_codebook(codebook_file).curations) == {3}
