from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import EmptyDocumentError
from pipeline.gazetteer import PlaceFinder, default_gazetteer
from pipeline.ingest.metadata import PartialMetadata
from pipeline.ingest.prepare import IngestOptions, passage_id, prepare_extracted
from pipeline.ingest.readers import extract_document
from pipeline.passages.segment import SegmentationOptions, load_nlp
from pipeline.records import PreparedDocument
from pipeline.settings import Settings
from tests.ingest.test_ingester import TRANSCRIPT


@pytest.fixture(scope="module")
def language() -> dict[str, object]:
    settings = Settings()
    nlp = load_nlp(settings.spacy_model)
    gazetteer = default_gazetteer()
    return {
        "nlp": nlp,
        "finder": PlaceFinder(nlp, gazetteer),
        "gazetteer": gazetteer,
        "segmentation": SegmentationOptions(
            max_words=settings.passage_max_words,
            max_sentences=settings.passage_max_sentences,
            min_words=settings.passage_min_words,
        ),
    }


def prepare(
    path: Path, language: dict[str, object], manifest_row: PartialMetadata | None = None
) -> PreparedDocument:
    return prepare_extracted(
        path,
        extract_document(path, path.read_bytes()),
        "sha",
        IngestOptions(),
        manifest_row=manifest_row,
        **language,  # type: ignore[arg-type]
    )


def test_a_file_becomes_a_document_without_a_database(
    tmp_path: Path, language: dict[str, object]
) -> None:
    path = tmp_path / "blackpool.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    prepared = prepare(path, language)
    assert prepared.metadata.area == "Blackpool"
    assert (prepared.region, prepared.police_force) == ("North West", "Lancashire")
    assert all(prepared.text[p.char_start : p.char_end] == p.text for p in prepared.passages)
    ids = {passage_id(prepared.doc_id, p) for p in prepared.passages}
    assert len(ids) == len(prepared.passages)


def test_the_manifest_row_comes_before_what_the_text_says(
    tmp_path: Path, language: dict[str, object]
) -> None:
    path = tmp_path / "blackpool.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    row = PartialMetadata(area="Derby", title="Given", source="manifest.csv line 2")
    prepared = prepare(path, language, row)
    assert (prepared.metadata.area, prepared.metadata.title) == ("Derby", "Given")
    assert "area" not in prepared.metadata.inferred


def test_preparing_twice_gives_the_same_document(
    tmp_path: Path, language: dict[str, object]
) -> None:
    path = tmp_path / "blackpool.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    assert prepare(path, language) == prepare(path, language)


def test_a_file_with_no_text_raises_instead_of_preparing(
    tmp_path: Path, language: dict[str, object]
) -> None:
    path = tmp_path / "blank.md"
    path.write_text("# Only a heading\n", encoding="utf-8")
    with pytest.raises(EmptyDocumentError):
        prepare(path, language)
