"""The vocabulary of search: how it ranks, and where interviewers' questions go.

Kept apart from `pipeline.queries.search` so that the CLI can offer the choices without loading
DuckDB, pandas or NumPy for `--help`.
"""

from __future__ import annotations

from enum import StrEnum


class SearchMode(StrEnum):
    """How a search ranks: by words (BM25), by meaning (embeddings), or both fused."""

    hybrid = "hybrid"
    keyword = "keyword"
    semantic = "semantic"


class Questions(StrEnum):
    """Where interviewers' questions go: they are context, not evidence.

    `last` ranks them after every answer, `hide` leaves them out, `show` ranks them as any passage.
    """

    last = "last"
    show = "show"
    hide = "hide"


SEARCH_MODES = tuple(SearchMode)
QUESTION_PLACEMENTS = tuple(Questions)
