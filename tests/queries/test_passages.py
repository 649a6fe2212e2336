"""What a passage or document id people hung something on is now, after edits and withdrawals."""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest.ingester import Ingester
from pipeline.queries.passages import current_document_ids, current_passage_ids
from pipeline.storage.documents import document_by_source_path, withdraw_document
from tests.ingest.test_ingester import TRANSCRIPT, write
from tests.ingest.test_versions import EDITED

CHANGED = "The debt never goes away, whatever they do."


def _ids(ingester: Ingester) -> tuple[str, dict[str, str]]:
    """The document's id and its passages' ids by text."""
    (doc_id,) = ingester.con.execute("SELECT doc_id FROM documents").fetchone()
    rows = ingester.con.execute("SELECT passage_id, text FROM passages").fetchall()
    return doc_id, {text: passage_id for passage_id, text in rows}


def test_an_edit_leads_each_unchanged_passage_to_its_new_id_and_drops_the_changed_one(
    ingester: Ingester, tmp_path: Path
) -> None:
    ingester.ingest([write(tmp_path, "blackpool.txt", TRANSCRIPT)])
    _, before = _ids(ingester)
    ingester.ingest([write(tmp_path, "blackpool.txt", EDITED)])
    _, after = _ids(ingester)
    now = current_passage_ids(ingester.con, [*before.values(), *after.values()])
    changed = next(passage_id for text, passage_id in before.items() if CHANGED in text)
    assert changed not in now
    assert {now[before[text]] for text in before if text in after} == {
        after[text] for text in before if text in after
    }
    assert all(now[passage_id] == passage_id for passage_id in after.values())


def test_an_earlier_version_of_a_document_leads_to_its_current_one(
    ingester: Ingester, tmp_path: Path
) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    first, _ = _ids(ingester)
    ingester.ingest([write(tmp_path, "blackpool.txt", EDITED)])
    second, _ = _ids(ingester)
    assert current_document_ids(ingester.con, [first, second, "no-such-document"]) == {
        first: second,
        second: second,
    }


def test_a_withdrawn_reviews_ids_lead_nowhere(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    doc_id, passages = _ids(ingester)
    (source_path,) = ingester.con.execute("SELECT source_path FROM documents").fetchone()
    stored = document_by_source_path(ingester.con, source_path)
    withdraw_document(ingester.con, stored, source_path, "sent by mistake")
    assert current_passage_ids(ingester.con, list(passages.values())) == {}
    assert current_document_ids(ingester.con, [doc_id]) == {}


def test_the_seed_report_edited_leads_its_unchanged_passages_to_their_new_ids(
    ingester: Ingester, tmp_path: Path, seed_path: Path
) -> None:
    # The real report, no manifest, no date: a paragraph added at its end.
    text = seed_path.read_text(encoding="utf-8")
    ingester.ingest([write(tmp_path, "national.txt", text)])
    _, before = _ids(ingester)
    added = "\n\nAddendum: the unit met again in the autumn and agreed a revised plan.\n"
    ingester.ingest([write(tmp_path, "national.txt", text + added)])
    _, after = _ids(ingester)
    now = current_passage_ids(ingester.con, list(before.values()))
    kept = [t for t in before if t in after]
    assert len(kept) >= 0.95 * len(before)
    assert all(now[before[t]] == after[t] for t in kept)
