"""Prefect flows run for real under prefect_test_harness (a temporary local API)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CORPUS


def test_refresh_flow_ingests_embeds_themes_and_publishes(tmp_path: Path) -> None:
    from pipeline.flows import refresh_flow
    from pipeline.publish import current_snapshot

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (
        "02_bedford_practitioner_interviews.txt",
        "19_lincoln_practitioner_interviews.txt",
    ):
        shutil.copy(CORPUS / name, corpus / name)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / "24_derby_practitioner_interviews.txt", inbox)
    db = tmp_path / "data" / "findings.duckdb"
    first = refresh_flow(corpus=str(corpus), inbox=str(inbox), db=str(db))
    assert first["documents_added"] == 3
    # identical passage texts (e.g. a repeated question) are embedded once
    assert 30 < first["passages_embedded"] <= first["passages_added"]
    assert current_snapshot(db) == Path(first["snapshot"])
    again = refresh_flow(corpus=str(corpus), inbox=str(inbox), db=str(db))
    assert (again["documents_added"], again["passages_embedded"], again["new_themes"]) == (0, 0, 0)
