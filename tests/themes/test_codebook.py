"""The codebook file: reading it, and recording decisions made in the viewer."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from pipeline.errors import CodebookError
from pipeline.themes.codebook import Codebook, Curation, load_codebook, update_curation
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
