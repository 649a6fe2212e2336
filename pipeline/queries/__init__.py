"""The one query layer: the viewer, the CLI, the flows and the exports read the warehouse here.

Every function takes an open (read-only is enough) DuckDB connection and, where it filters,
`Filters`, and returns a pandas DataFrame or a small dataclass. Counts are of reviews (documents)
first, passages second. The modules split it by what each owns:

- `filters`: the filter vocabulary (`Filters`, levels, periods, what the filters can choose from);
- `catalogue`: documents, sources, texts, coverage and place names;
- `themes`: theme statistics (overview, counts, trends, places, comparisons, co-occurrence,
  the framework matrix);
- `evidence`: quotes and the passages around one;
- `search`: keyword and semantic search, with the vector cache;
- `runs`: run history, changes since the previous run, ingest errors and the warehouse status.

Their public names are re-exported here: `from pipeline.queries import theme_overview`.
"""

from __future__ import annotations

from pipeline.queries.catalogue import (
    Coverage,
    coded_passages,
    coverage,
    coverage_of,
    document_texts,
    documents,
    place_names,
    sources,
)
from pipeline.queries.evidence import (
    MENTIONED_IN_NATIONAL,
    NATIONAL_REPORT,
    passage_context,
    quotes,
    source_kind,
)
from pipeline.queries.filters import (
    DOCUMENT_TYPE_NAMES,
    LEVEL_COLUMNS,
    NO_FILTERS,
    FilterOptions,
    Filters,
    Level,
    Period,
    filter_options,
    level_column,
    period_label,
)
from pipeline.queries.runs import (
    Changes,
    changes_since_previous_run,
    first_run_id,
    ingest_errors,
    latest_run,
    latest_run_id,
    run_history,
    warehouse_status,
    withdrawn_reviews,
)
from pipeline.queries.search import SEARCH_COLUMNS, search_keyword, search_semantic
from pipeline.queries.themes import (
    compare_place,
    cooccurrence,
    framework_matrix,
    theme_counts,
    theme_overview,
    theme_places,
    theme_summary,
    theme_trend,
    themes_catalogue,
)

__all__ = [
    "DOCUMENT_TYPE_NAMES",
    "LEVEL_COLUMNS",
    "MENTIONED_IN_NATIONAL",
    "NATIONAL_REPORT",
    "NO_FILTERS",
    "SEARCH_COLUMNS",
    "Changes",
    "Coverage",
    "FilterOptions",
    "Filters",
    "Level",
    "Period",
    "changes_since_previous_run",
    "coded_passages",
    "compare_place",
    "cooccurrence",
    "coverage",
    "coverage_of",
    "document_texts",
    "documents",
    "filter_options",
    "first_run_id",
    "framework_matrix",
    "ingest_errors",
    "latest_run",
    "latest_run_id",
    "level_column",
    "passage_context",
    "period_label",
    "place_names",
    "quotes",
    "run_history",
    "search_keyword",
    "search_semantic",
    "source_kind",
    "sources",
    "theme_counts",
    "theme_overview",
    "theme_places",
    "theme_summary",
    "theme_trend",
    "themes_catalogue",
    "warehouse_status",
    "withdrawn_reviews",
]
