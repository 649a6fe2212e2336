"""Speaker turns in transcripts and focus-group notes, and the role behind each speaker label."""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.records import Block

# A speaker label at the start of a line ("YOT worker:", "P3:", "DS Patel (Police):").
SPEAKER_LABEL = re.compile(
    r"^(?P<label>(?:[A-Z][\w'’.&/-]*|P\d{1,2})(?:[ \t]+(?:[\w'’.&/-]+|\([^)]{1,40}\))){0,5})"
    r"[ \t]*:[ \t]+(?P<rest>\S.*)$"
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
    ("interviewer", "interviewer|facilitator|reviewer|q"),
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
    ("participant", "a|participant|respondent"),
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
    return label, match["rest"]


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
    pid = re.match(r"^(P\d{1,2})\b", label)
    described = label
    if pid and pid[1] in participants:
        described = participants[pid[1]]
    paren = re.search(r"\(([^)]+)\)", label)
    if paren:
        described = paren[1]
    lowered = described.lower()
    words = set(re.findall(r"[a-z&']+", lowered))
    for role, keys in _ROLE_WORDS:
        for key in keys:
            if (" " in key or "&" in key or "'" in key or "’" in key) and key in lowered:
                return role
            if key in words:
                return role
    return "participant" if pid else "other"


def looks_like_transcript(blocks: list[Block]) -> bool:
    """True when several paragraphs open with speaker labels."""
    labelled = sum(1 for b in blocks if b.kind == "paragraph" and speaker_label(b.text))
    return labelled >= 3 and labelled >= 0.2 * sum(1 for b in blocks if b.kind == "paragraph")


def mark_speaker_turns(blocks: list[Block]) -> list[Block]:
    """Turn labelled paragraphs into speaker turns; unlabelled paragraphs continue the last turn.

    A heading ends the current speaker (a new interview starts with its own turns).
    """
    out: list[Block] = []
    speaker: str | None = None
    for block in blocks:
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
