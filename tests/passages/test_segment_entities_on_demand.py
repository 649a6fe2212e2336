"""Reading documents lean (no unheard tok2vec, entities only where a place needs them) gives
exactly the passages and places of the whole pipeline, on the sample corpus and the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.gazetteer import PlaceFinder, default_gazetteer
from pipeline.ingest.canonical import render_canonical
from pipeline.ingest.readers import extract_document
from pipeline.passages.segment import SegmentedDocument, load_nlp, split_into_passages
from pipeline.passages.transcripts import looks_like_transcript, mark_speaker_turns
from pipeline.settings import Settings
from tests.conftest import CORPUS, SEED

MODEL = Settings().spacy_model


class EveryDocFinder(PlaceFinder):
    """The real finder, asking for entities in every doc: the whole pipeline's behaviour."""

    def needs_entities(self, doc: Doc) -> bool:
        return True


def whole_pipeline() -> Language:
    nlp = spacy.load(MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger"])
    nlp.enable_pipe("senter")
    return nlp


def segment(path: Path, nlp: Language, finder: PlaceFinder) -> SegmentedDocument:
    blocks = extract_document(path, path.read_bytes()).blocks
    if looks_like_transcript(blocks):
        blocks = mark_speaker_turns(blocks)
    return split_into_passages(render_canonical(blocks), nlp, finder)


DOCUMENTS = [*sorted(p for p in CORPUS.iterdir() if p.suffix in {".txt", ".md", ".html"}), SEED]


@pytest.fixture(scope="module")
def readers() -> tuple[tuple[Language, PlaceFinder], tuple[Language, PlaceFinder]]:
    lean = load_nlp(MODEL)
    whole = whole_pipeline()
    gazetteer = default_gazetteer()
    return (lean, PlaceFinder(lean, gazetteer)), (whole, EveryDocFinder(whole, gazetteer))


def test_the_lean_pipeline_runs_no_shared_tok2vec(readers) -> None:
    (lean, _), (whole, _) = readers
    assert "tok2vec" in whole.pipe_names
    assert lean.pipe_names == ["senter", "ner"]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name[:24])
def test_passages_and_places_equal_the_whole_pipelines(path: Path, readers) -> None:
    (lean, lean_finder), (whole, whole_finder) = readers
    fast, full = segment(path, lean, lean_finder), segment(path, whole, whole_finder)
    assert fast.passages == full.passages
    assert fast.mentions == full.mentions


def test_an_ambiguous_place_still_needs_its_entities(readers) -> None:
    (lean, finder), _ = readers
    # "Reading" is a town and a word; "Leeds" is only a place.
    assert finder.needs_entities(lean.make_doc("Lines come in from Reading every week."))
    assert not finder.needs_entities(lean.make_doc("Lines come in from Leeds every week."))
