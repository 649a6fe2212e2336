from __future__ import annotations

import pytest

from pipeline.passages.transcripts import (
    looks_like_transcript,
    mark_speaker_turns,
    participant_roles,
    speaker_label,
    speaker_role,
)
from pipeline.records import Block


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Q: What are you seeing?", "Q"),
        ("Interviewer: What are you seeing?", "Interviewer"),
        ("YOT worker: Lines from London.", "YOT worker"),
        ("P1: It started last year.", "P1"),
        ("DS Patel (Police): We closed two trap houses.", "DS Patel (Police)"),
        ("Date: 12 March 2017", None),
        ("Interview 2: Youth Offending Team", None),
        ("The problem is this: nobody shares data.", None),
    ],
)
def test_speaker_label_recognises_turns_and_ignores_metadata(line: str, label: str | None) -> None:
    found = speaker_label(line)
    assert (found[0] if found else None) == label


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Interviewer", "interviewer"),
        ("Q", "interviewer"),
        ("YOT worker", "youth offending"),
        ("DS Patel (Police)", "police"),
        ("School DSL", "education"),
        ("Housing officer", "housing"),
        ("A&E consultant", "health"),
        ("P1 (school nurse)", "health"),
        ("Social worker", "social care"),
    ],
)
def test_speaker_role_maps_labels_to_roles(label: str, role: str) -> None:
    assert speaker_role(label) == role


def test_participant_list_gives_roles_to_numbered_speakers() -> None:
    blocks = [
        Block("paragraph", "Participants: P1 – school nurse; P2 – PCSO; P3 – housing officer")
    ]
    roles = participant_roles(blocks)
    assert speaker_role("P2", roles) == "police"
    assert speaker_role("P3", roles) == "housing"


def test_unlabelled_paragraph_continues_the_previous_speaker_until_a_heading() -> None:
    blocks = [
        Block("heading", "Interview 1: Police"),
        Block("paragraph", "Interviewer: What changed?"),
        Block("paragraph", "PC Jones: Lines arrived from Liverpool."),
        Block("paragraph", "They use the train."),
        Block("heading", "Interview 2: Schools"),
        Block("paragraph", "An unattributed note."),
    ]
    marked = mark_speaker_turns(blocks)
    assert [(b.kind, b.speaker) for b in marked] == [
        ("heading", None),
        ("turn", "Interviewer"),
        ("turn", "PC Jones"),
        ("turn", "PC Jones"),
        ("heading", None),
        ("paragraph", None),
    ]
    assert marked[2].prefix == "PC Jones: " and marked[2].text == "Lines arrived from Liverpool."
    assert marked[3].prefix == ""


def test_looks_like_transcript_needs_several_labelled_paragraphs() -> None:
    report = [Block("paragraph", "Recommendation: share data.")] + [
        Block("paragraph", "Plain prose paragraph.")
    ] * 5
    transcript = [Block("paragraph", f"P{n}: point {n}.") for n in range(1, 5)]
    assert not looks_like_transcript(report)
    assert looks_like_transcript(transcript)
