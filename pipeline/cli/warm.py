"""The embedding model, loaded beside the rest of a command's work.

A first search by meaning spends most of its time importing torch and sentence-transformers and
reading the model. `ModelLoad` starts that in a thread as soon as the command knows it will need
the model, so that importing the query layer, opening the warehouse and reading the vectors run
meanwhile. It is itself an `Embedder`: its name is known at once (the vector cache is keyed by
it), and `embed_batch` waits for the model only when a text is first embedded.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from pipeline.embed.models import SentenceTransformerEmbedder


class ModelLoad:
    """The embedding model `model`, loading in a background thread from construction on."""

    def __init__(self, model: str) -> None:
        from pipeline.embed.models import model_name

        self.name = model_name(model)
        self._model = model
        self._embedder: SentenceTransformerEmbedder | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._load, name="findings-model-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        from pipeline.embed.models import load_embedder

        try:
            self._embedder = load_embedder(self._model)
        # Not swallowed: kept for `result`, which raises it in the command's own thread.
        except Exception as exc:  # noqa: BLE001
            self._error = exc

    def result(self) -> SentenceTransformerEmbedder:
        """The loaded model, once the load is done; the load's error, if it failed."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._embedder is not None  # set whenever no error was
        return self._embedder

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts` (see `Embedder`), once the model has loaded."""
        return self.result().embed_batch(texts)
