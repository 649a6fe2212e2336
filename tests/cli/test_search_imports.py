"""A search loads what it needs and nothing else (each import is seconds on a first search)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SEARCH_AND_LOADED = """
import json, sys
from pipeline.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
# The theme stage, the orchestrator and the viewer: never a search's business. The NLP pipeline
# (spaCy) is the redactor's, loaded only to redact what a search prints (as the viewer does).
NEVER = {"prefect", "bertopic", "umap", "hdbscan", "streamlit", "plotly"}
MODEL = {"torch", "transformers", "sentence_transformers"}


def loaded_by(tmp_path: Path, *args: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", SEARCH_AND_LOADED, *args],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
             "FINDINGS_TEAM_DB": str(tmp_path / "team.sqlite")},
    )  # fmt: skip
    return {name.split(".")[0] for name in json.loads(completed.stderr.splitlines()[-1])}


def test_a_keyword_search_loads_no_model(themed_db: Path, tmp_path: Path) -> None:
    loaded = loaded_by(
        tmp_path, "search", "debt", "--mode", "keyword", "--db", str(themed_db), "--json",
        "--no-redact",
    )  # fmt: skip
    assert not loaded & (NEVER | MODEL | {"spacy"})


def test_a_redacted_keyword_search_loads_the_redactor_and_no_embedding_model(
    themed_db: Path, tmp_path: Path
) -> None:
    loaded = loaded_by(tmp_path, "search", "debt", "--mode", "keyword", "--db", str(themed_db))
    assert "spacy" in loaded  # the viewer's redactor: its NER model (thinc brings torch along)
    assert not loaded & (NEVER | {"transformers", "sentence_transformers"})


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_a_search_by_meaning_loads_the_model_and_no_more(
    themed_db: Path, tmp_path: Path, mode: str
) -> None:
    loaded = loaded_by(tmp_path, "search", "debt", "--mode", mode, "--db", str(themed_db), "--json")
    assert loaded >= MODEL
    assert not loaded & NEVER
