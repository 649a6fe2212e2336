from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.embed import embed_passages, load_embedder, passage_vectors
from pipeline.ingest import Ingester
from tests.test_ingest import TRANSCRIPT


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
