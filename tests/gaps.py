"""Warehouses with holes in their metadata, for the viewer's and the CLI's property tests.

A review may name no area, region, force, date or speaker, and a file may have no title: every
page and command must still answer. Hypothesis draws, per field, which documents lack it: none,
the seed report, all of them, or some (picked by position, so examples need no warehouse).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from hypothesis import strategies

from pipeline.storage.publish import publish_snapshot

# field -> the statement that removes it from one document (speaker: from all its passages)
REMOVALS = {
    "area": "UPDATE documents SET area = NULL WHERE doc_id = ?",
    "region": "UPDATE documents SET region = NULL WHERE doc_id = ?",
    "police_force": "UPDATE documents SET police_force = NULL WHERE doc_id = ?",
    "review_date": (
        "UPDATE documents SET review_date = NULL, review_date_precision = NULL WHERE doc_id = ?"
    ),
    "title": "UPDATE documents SET title = NULL WHERE doc_id = ?",
    "speaker": "UPDATE passages SET speaker = NULL, speaker_role = NULL WHERE doc_id = ?",
}
Which = str | frozenset[int]  # "none", "seed", "all", or positions in the documents' order
Gaps = dict[str, Which]

WHICH = strategies.one_of(
    strategies.sampled_from(["none", "seed", "all"]),
    strategies.frozensets(strategies.integers(0, 63), min_size=1, max_size=12),
)
METADATA_GAPS = strategies.fixed_dictionaries({field: WHICH for field in REMOVALS})
NOTHING_KNOWN = dict.fromkeys(REMOVALS, "all")  # no document has any of the fields
BARE_SEED = dict.fromkeys(REMOVALS, "seed")  # the seed report alone has none


def documents(db: Path) -> tuple[list[str], str]:
    """Every doc_id in a warehouse, and the seed report's."""
    with duckdb.connect(str(db), read_only=True) as con:
        ids = [d for (d,) in con.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()]
        (seed,) = con.execute(
            "SELECT doc_id FROM documents WHERE path LIKE '%000_39d88d9572103bf9%'"
        ).fetchone()
    return ids, seed


def chosen(which: Which, ids: list[str], seed: str) -> list[str]:
    """The documents `which` names."""
    if which == "none":
        return []
    if which == "seed":
        return [seed]
    if which == "all":
        return ids
    return sorted({ids[position % len(ids)] for position in which})


def with_gaps(base: Path, folder: Path, gaps: Gaps) -> Path:
    """A copy of `base` in `folder` with the drawn fields removed, published for readers."""
    ids, seed = documents(base)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "findings.duckdb"
    shutil.copy(base, db)
    with duckdb.connect(str(db)) as con:
        for field, which in gaps.items():
            for doc_id in chosen(which, ids, seed):
                con.execute(REMOVALS[field], [doc_id])
        # A quote may say "None of the lists match" (the sample corpus's Northampton review
        # does): worded otherwise here, so that a placeholder the checks find is one a missing
        # value put there, never a document's own word.
        con.execute(
            "UPDATE passages SET text = regexp_replace(text, $words, 'No one', 'g') "
            "WHERE regexp_matches(text, $words)",
            {"words": r"\b(None|nan|NaT)\b"},
        )
    publish_snapshot(db, "gaps")
    return db
