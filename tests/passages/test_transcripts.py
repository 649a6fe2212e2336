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
        # Shapes a new user brought, each once read as no speaker at all:
        ("[00:12:31] Speaker 2: The return home interviews are weak.", "Speaker 2"),
        ("00:00:01 Interviewer: Welcome.", "Interviewer"),
        ("Tom Brennan, Housing: We flagged eleven addresses.", "Tom Brennan, Housing"),
        ("In Luton, Bedford and Dunstable: lines run from London.", None),
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
        ("Interviewer (JS)", "interviewer"),  # initials in brackets say nothing: the label does
        ("INT", "interviewer"),
        ("Participant (Social worker, Ynys Môn)", "social care"),
        ("R1", "participant"),
        ("Tom Brennan, Housing", "housing"),
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


def turns(*texts: str, heading: int | None = None) -> list[Block]:
    blocks = [Block("heading" if i == heading else "paragraph", t) for i, t in enumerate(texts)]
    return mark_speaker_turns(blocks)


def test_a_label_on_a_line_of_its_own_labels_the_paragraph_after_it() -> None:
    marked = turns(
        "Facilitator:", "What is the biggest change?", "Kelly Barnes (early help):",
        "Families often know before we do.", "Respondent", "Fear of the threats.",
    )  # fmt: skip
    assert [(b.kind, b.speaker, b.prefix, b.text) for b in marked] == [
        ("turn", "Facilitator", "Facilitator:\n", "What is the biggest change?"),
        ("turn", "Kelly Barnes (early help)", "Kelly Barnes (early help):\n",
         "Families often know before we do."),
        ("turn", "Respondent", "Respondent\n", "Fear of the threats."),
    ]  # fmt: skip


def test_a_short_question_read_as_a_heading_still_follows_its_label() -> None:
    marked = turns("Interviewer", "And what stops them?", heading=1)
    assert [(b.kind, b.speaker, b.text) for b in marked] == [
        ("turn", "Interviewer", "And what stops them?")
    ]


def test_a_heading_alone_on_its_line_is_no_speaker() -> None:
    marked = turns("Background:", "The review was asked for in 2018.")
    assert [b.kind for b in marked] == ["paragraph", "paragraph"]


def test_labels_on_lines_of_their_own_make_a_transcript() -> None:
    blocks = [Block("paragraph", t) for t in ("Q:", "How?", "A:", "By train.", "Q:", "Who?",
                                               "A:", "Older boys.")]  # fmt: skip
    assert looks_like_transcript(blocks)
