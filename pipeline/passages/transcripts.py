"""Speaker turns in transcripts and focus-group notes, and the role behind each speaker label."""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.records import Block

# A recording's time before a label: "[00:12:31] Speaker 2:", "00:00:01 Interviewer:".
_TIMESTAMP = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\])]?[ \t]+)?"
# A label's words: "YOT worker", "P3", "DS Patel (Police)", "Tom Brennan, Housing".
_LABEL = r"(?:[A-Z][\w'’.&/-]*|P\d{1,2})(?:,?[ \t]+(?:[\w'’.&/-]+|\([^)]{1,40}\))){0,5}"
# A speaker label at the start of a line, then what they said.
SPEAKER_LABEL = re.compile(rf"^{_TIMESTAMP}(?P<label>{_LABEL})[ \t]*:[ \t]+(?P<rest>\S.*)$")
# A speaker label on a line of its own, what they said on the next ("Facilitator:", "P1:").
_LABEL_ALONE = re.compile(rf"^{_TIMESTAMP}(?P<label>{_LABEL})[ \t]*(?P<colon>:?)$")
# Labels that name a speaker even without a colon ("Interviewer" above the question).
_GENERIC_SPEAKER = re.compile(
    r"^(?:interviewer|int|facilitator|moderator|respondent|interviewee|participant|"
    r"speaker\s*\d{1,2}|[PR]\d{1,2}|Q|A)$",
    re.IGNORECASE,
)
# Labels that look like speakers but introduce metadata or structure.
_NOT_SPEAKERS = {
    "date",
    "venue",
    "location",
    "time",
    "title",
    "participants",
    "present",
    "attendees",
    "note",
    "notes",
    "interview",
    "session",
    "re",
    "subject",
    "area",
    "review",
    "review date",
    "recommendation",
    "recommendations",
    "action",
    "actions",
    "source",
    "contact",
    "e.g",
    "nb",
    "key finding",
    "finding",
    "summary",
    "theme",
    "themes",
    "example",
    "for example",
}
# Words that mark a label as the start of a sentence ("The problem is this: ...").
_PROSE_WORDS = {
    "is",
    "are",
    "was",
    "were",
    "this",
    "that",
    "these",
    "those",
    "we",
    "they",
    "it",
    "i",
    "our",
    "there",
    "be",
    "has",
    "have",
    "had",
    "will",
    "would",
    "should",
    "can",
    "not",
    "said",
    "says",
    "told",
    "what",
    "why",
    "how",
    "when",
    "where",
    "which",
    "who",
    "my",
    "your",
    "their",
}
_DOCUMENT_WORDS = re.compile(
    r"\b(interviews|review|notes|focus group|transcript|minutes|report|findings|agenda)\b",
    re.IGNORECASE,
)
_PARTICIPANT = re.compile(r"\b(?P<id>P\d{1,2})\s*[–—:=-]\s*(?P<role>[^;,\n()]+)")
# Role keywords, in order of precedence ("school nurse" is health, "school DSL" education).
_ROLE_KEYS: tuple[tuple[str, str], ...] = (
    ("interviewer", "interviewer|int|facilitator|moderator|reviewer|q"),
    ("youth offending", "yot|youth offending|youth justice|yos"),
    ("police", "police|pc|ds|dc|di|dci|ps|sergeant|pcso|inspector|detective|constable"),
    (
        "health",
        "nurse|health|a&e|gp|doctor|consultant|camhs|drug and alcohol|substance|"
        "paramedic|midwife|treatment",
    ),
    (
        "education",
        "school|teacher|dsl|head|headteacher|pru|college|education|safeguarding lead|exclusions",
    ),
    (
        "social care",
        "social worker|social care|children's services|children’s services|mash|"
        "early help|adult services|safeguarding",
    ),
    ("housing", "housing|tenancy|landlord|homeless"),
    ("probation", "probation|crc|offender manager"),
    ("community safety", "csp|community safety|council|asb|manager|commissioner"),
    ("voluntary sector", "youth worker|outreach|voluntary|charity|mentor|vcs"),
    ("participant", "a|participant|respondent|interviewee"),
)
_ROLE_WORDS = tuple((role, tuple(keys.split("|"))) for role, keys in _ROLE_KEYS)


def speaker_label(line: str) -> tuple[str, str] | None:
    """Split 'YOT worker: text' into (label, text) when the label plausibly names a speaker."""
    match = SPEAKER_LABEL.match(line)
    if not match:
        return None
    label = match["label"].strip()
    if label.lower().rstrip(".") in _NOT_SPEAKERS or len(label) > 48:
        return None
    outside_brackets = re.sub(r"\([^)]*\)", " ", label).lower()
    if _PROSE_WORDS & set(re.findall(r"[a-z']+", outside_brackets)):
        return None
    if re.match(r"^(interview|session|part|section)\s+\d", label, re.IGNORECASE):
        return None
    if _DOCUMENT_WORDS.search(label):
        return None  # "Practitioner interviews: Blackpool" is a title, not a speaker
    if "," in outside_brackets and speaker_role(label.rsplit(",", 1)[1]) in (
        "other",
        "participant",
    ):
        return None  # "In Luton, Bedford and Dunstable: …" lists places; "Tom Brennan, Housing"
    return label, match["rest"]


def label_alone(text: str) -> str | None:
    """The label of a line that is only a speaker's label ('Facilitator:', 'Interviewer')."""
    match = _LABEL_ALONE.match(text)
    if not match:
        return None
    label = match["label"].strip()
    if not _GENERIC_SPEAKER.match(label) and (not match["colon"] or speaker_role(label) == "other"):
        # Alone on a line, a word could be a heading ("Background:"): only a speaker's kind
        # ("Respondent"), or with a colon a role ("Kelly Barnes (early help):"), is a label.
        return None
    return label if speaker_label(f"{label}: said") else None


def participant_roles(blocks: list[Block]) -> dict[str, str]:
    """Roles from a participant list such as 'P1 – school nurse; P2 – PCSO'."""
    roles: dict[str, str] = {}
    for block in blocks:
        if speaker_label(block.text) and not block.text.lower().startswith("participants"):
            continue
        for match in _PARTICIPANT.finditer(block.text):
            roles.setdefault(match["id"], match["role"].strip())
    return roles


def speaker_role(label: str, participants: dict[str, str] | None = None) -> str:
    """A coarse role for a speaker label: police, youth offending, education, health, ..."""
    participants = participants or {}
    pid = re.match(r"^([PR]\d{1,2})\b", label)
    described = [label]
    if pid and pid[1] in participants:
        described = [participants[pid[1]]]
    paren = re.search(r"\(([^)]+)\)", label)
    if paren:
        # What the brackets say first ("Participant (Social worker)"), else the label outside
        # them ("Interviewer (JS)": initials say nothing).
        described = [paren[1], label[: paren.start()]]
    for text in described:
        if (role := _role_named(text)) is not None:
            return role
    return "participant" if pid else "other"


def _role_named(text: str) -> str | None:
    """The first role whose keywords `text` holds, if any."""
    lowered = text.lower()
    words = set(re.findall(r"[a-z&']+", lowered))
    for role, keys in _ROLE_WORDS:
        for key in keys:
            if (" " in key or "&" in key or "'" in key or "’" in key) and key in lowered:
                return role
            if key in words:
                return role
    return None


def _labels_a_paragraph(blocks: list[Block], index: int) -> str | None:
    """The label of blocks[index] when it is a label alone and a paragraph follows it."""
    block = blocks[index]
    if block.kind not in ("paragraph", "heading") or index + 1 >= len(blocks):
        return None
    following = blocks[index + 1]
    # What is said may be short enough to read as a heading ("And what stops them?").
    said = following.kind == "paragraph" or (
        following.kind == "heading" and following.text.rstrip().endswith(("?", ".", "!"))
    )
    if not said or label_alone(following.text):
        return None
    return label_alone(block.text)


def looks_like_transcript(blocks: list[Block]) -> bool:
    """True when several paragraphs open with speaker labels (or follow a label alone)."""
    labelled = sum(1 for b in blocks if b.kind == "paragraph" and speaker_label(b.text))
    labelled += sum(1 for i in range(len(blocks)) if _labels_a_paragraph(blocks, i))
    return labelled >= 3 and labelled >= 0.2 * sum(1 for b in blocks if b.kind == "paragraph")


def mark_speaker_turns(blocks: list[Block]) -> list[Block]:
    """Turn labelled paragraphs into speaker turns; unlabelled paragraphs continue the last turn.

    A label on a line of its own labels the paragraph after it (the label stays in the text,
    before the turn's words). A heading ends the current speaker (a new interview starts with
    its own turns).
    """
    out: list[Block] = []
    speaker: str | None = None
    skip = False
    for index, block in enumerate(blocks):
        if skip:
            skip = False
            continue
        if (alone := _labels_a_paragraph(blocks, index)) is not None:
            speaker, said = alone, blocks[index + 1]
            out.append(Block("turn", said.text, speaker=speaker, prefix=f"{block.text}\n"))
            skip = True
            continue
        if block.kind in ("heading", "table"):
            speaker = None  # a table is nobody's turn, and what follows it is no one's yet
            out.append(block)
            continue
        split = speaker_label(block.text) if block.kind == "paragraph" else None
        if split:
            speaker, text = split
            prefix = block.text[: len(block.text) - len(text)]
            out.append(Block("turn", text, speaker=speaker, prefix=prefix))
        elif speaker is not None and block.kind == "paragraph":
            out.append(replace(block, kind="turn", speaker=speaker))
        else:
            out.append(block)
    return out
