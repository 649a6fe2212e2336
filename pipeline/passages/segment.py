"""Splitting canonical text into passages: one coherent point each, with exact offsets.

A passage is 1-4 sentences (up to about 120 words) from one block: it never crosses a heading, a
paragraph or a speaker turn. Sentence boundaries come from spaCy; long paragraphs are cut into
chunks of similar size rather than a full chunk and a stub.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.gazetteer import PlaceFinder, PlaceMention
from pipeline.passages.transcripts import participant_roles, speaker_role
from pipeline.records import CanonicalText, Passage


@dataclass(frozen=True)
class SegmentationOptions:
    """Passage size limits."""

    max_words: int = 120
    max_sentences: int = 4
    min_words: int = 4


@cache
def load_nlp(model: str) -> Language:
    """A spaCy pipeline with sentence boundaries and, for a statistical model, entities.

    'blank' gives a rule-based sentencizer with no model at all.
    """
    if model == "blank":
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp
    # The parser gives sentences too but costs twice as much as the senter; entities come from ner.
    nlp = spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger"])
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


@dataclass(frozen=True)
class SegmentedDocument:
    """Passages and every place mention (for inferring a document's area)."""

    passages: list[Passage]
    mentions: list[PlaceMention]


def _sentence_spans(doc: Doc) -> list[tuple[int, int, int]]:
    """(start_char, end_char, n_words) for each sentence, whitespace trimmed."""
    spans: list[tuple[int, int, int]] = []
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(text) - len(text.lstrip()))
        spans.append((start, start + len(stripped), len(stripped.split())))
    return spans


def _chunks(
    sentences: list[tuple[int, int, int]], options: SegmentationOptions
) -> Iterator[tuple[int, int]]:
    """Group sentences into balanced chunks within the word and sentence limits."""
    if not sentences:
        return
    total = sum(n for _, _, n in sentences)
    wanted = max(
        math.ceil(len(sentences) / options.max_sentences),
        math.ceil(total / options.max_words),
    )
    target = total / wanted
    start, end, words, count = sentences[0][0], sentences[0][1], sentences[0][2], 1
    for s_start, s_end, n in sentences[1:]:
        too_many = count >= options.max_sentences or words + n > options.max_words
        # Closing at the target keeps chunks even; but never leave a chunk of one short sentence.
        if too_many or (words >= target and words + n / 2 > target):
            yield start, end
            start, end, words, count = s_start, s_end, n, 1
        else:
            end, words, count = s_end, words + n, count + 1
    yield start, end


def split_into_passages(
    canonical: CanonicalText,
    nlp: Language,
    finder: PlaceFinder,
    options: SegmentationOptions | None = None,
) -> SegmentedDocument:
    """Passages of a document, each with its section, speaker and the places it mentions."""
    options = options or SegmentationOptions()
    participants = participant_roles(canonical.blocks)
    passages: list[Passage] = []
    mentions: list[PlaceMention] = []
    section: str | None = None
    section_places: tuple[str, ...] = ()
    docs = nlp.pipe(block.text for block in canonical.blocks)
    for block, doc, (offset, _) in zip(canonical.blocks, docs, canonical.spans, strict=True):
        found = finder.find(doc)
        mentions.extend(PlaceMention(m.place, m.start + offset, m.end + offset) for m in found)
        if block.kind == "heading":
            # A heading names what follows ("Wrexham", "South Birmingham"): its places apply
            # to the passages of its section.
            section = block.text
            section_places = tuple(dict.fromkeys(m.place.name for m in found))
            continue
        role = speaker_role(block.speaker, participants) if block.speaker else None
        if role in ("participant", "other") and section:
            # "A:" under "Interview 2: Youth Offending Service" is the YOT practitioner.
            from_section = speaker_role(section)
            role = from_section if from_section not in ("participant", "other") else role
        for start, end in _chunks(_sentence_spans(doc), options):
            text = block.text[start:end]
            if len(text.split()) < options.min_words:
                continue
            own = (m.place.name for m in found if m.start < end and m.end > start)
            passages.append(
                Passage(
                    ordinal=len(passages),
                    text=text,
                    char_start=offset + start,
                    char_end=offset + end,
                    section=section,
                    speaker=block.speaker,
                    speaker_role=role,
                    places=tuple(dict.fromkeys((*section_places, *own))),
                )
            )
    return SegmentedDocument(passages, mentions)
