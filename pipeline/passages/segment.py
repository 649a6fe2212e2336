"""Splitting canonical text into passages: one coherent point each, with exact offsets.

A passage is 1-4 sentences (up to about 120 words) from one block: it never crosses a heading, a
paragraph or a speaker turn. Sentence boundaries come from spaCy; long paragraphs are cut into
chunks of similar size rather than a full chunk and a stub, and a sentence longer than a
passage is cut between words.

spaCy refuses texts over a million characters and needs memory in proportion to what it is
given at once, so a long block goes through it in pieces cut at a line break, a sentence end or
a space, with each piece's offsets added back: every offset still points into the block.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.gazetteer import PlaceFinder, PlaceMention
from pipeline.passages.transcripts import participant_roles, speaker_role
from pipeline.records import Block, CanonicalText, Passage


@dataclass(frozen=True)
class SegmentationOptions:
    """Passage size limits."""

    max_words: int = 120
    max_sentences: int = 4
    min_words: int = 4
    # At most this many characters go through spaCy at once, as one piece or a batch of them:
    # the small model needs ~330 MB for 100,000 characters at once (1.2 GB for 400,000), and
    # spaCy refuses a text of over 1,000,000.
    chunk_chars: int = 100_000


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
    drop_unheard_tok2vec(nlp)
    return nlp


def drop_unheard_tok2vec(nlp: Language) -> None:
    """Remove a shared tok2vec no remaining component listens to.

    In the small English model the senter and ner embed tokens themselves; the shared tok2vec
    serves the tagger and parser, which are excluded, so running it is a quarter of the cost of
    reading a document for nothing.
    """
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")


@dataclass(frozen=True)
class SegmentedDocument:
    """Passages and every place mention (for inferring a document's area)."""

    passages: list[Passage]
    mentions: list[PlaceMention]


@dataclass(frozen=True)
class Piece:
    """A stretch of a block's text, by character offsets into it."""

    start: int
    end: int


@dataclass(frozen=True)
class _Sentence:
    """A sentence (or a passage-sized part of a longer one) within a block, space trimmed."""

    start: int
    end: int
    words: int


@dataclass(frozen=True)
class _ReadBlock:
    """A block's sentences (a list for each piece spaCy saw) and place mentions.

    Offsets are within the block. Passages are made within a piece, so none is longer than
    spaCy is given at once (the redactor runs it over a quote again).
    """

    sentences_by_piece: list[list[_Sentence]]
    mentions: list[PlaceMention]


# A sentence end: closing punctuation, any closing quotes or brackets, then space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_WORD = re.compile(r"\S+")


def pieces(text: str, max_chars: int) -> list[Piece]:
    """Cut text into pieces of at most `max_chars`, joined they are the text again.

    Each cut is at the last line break, else sentence end, else space in the second half of the
    allowed length; a text with none there (one 5 MB "word") is cut at the limit.
    """
    out: list[Piece] = []
    start = 0
    while len(text) - start > max_chars:
        end = _cut(text, start, start + max_chars)
        out.append(Piece(start, end))
        start = end
    out.append(Piece(start, len(text)))
    return out


def _cut(text: str, start: int, limit: int) -> int:
    """Where a piece from `start` ends: after a boundary in the second half, else at `limit`."""
    # Looking in the second half only keeps pieces at least half the allowed length.
    floor = start + (limit - start) // 2
    window = text[floor:limit]
    line_break = window.rfind("\n")
    if line_break >= 0:
        return floor + line_break + 1
    sentence_ends = list(_SENTENCE_END.finditer(window))
    if sentence_ends:
        return floor + sentence_ends[-1].end()
    for index in range(len(window) - 1, -1, -1):
        if window[index].isspace():
            return floor + index + 1
    return limit


def _pipe(
    nlp: Language, texts: Iterable[str], max_chars: int, finder: PlaceFinder
) -> Iterator[Doc]:
    """Docs for texts, run in batches of at most `max_chars` (or one longer text).

    Entities are found only in the docs whose places need them (`PlaceFinder.needs_entities`),
    in a second pass over those: the ner is most of the model's cost, and a doc's entities do
    not depend on the other docs in its batch.
    """
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and size + len(text) > max_chars:
            yield from _annotate(nlp, batch, finder)
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield from _annotate(nlp, batch, finder)


def _annotate(nlp: Language, batch: list[str], finder: PlaceFinder) -> list[Doc]:
    if "ner" not in nlp.pipe_names:
        return list(nlp.pipe(batch, batch_size=len(batch)))
    docs = list(nlp.pipe(batch, batch_size=len(batch), disable=["ner"]))
    wanted = [doc for doc in docs if finder.needs_entities(doc)]
    if wanted:
        # ner.pipe sets each doc's entities in place.
        for _ in nlp.get_pipe("ner").pipe(wanted, batch_size=len(wanted)):
            pass
    return docs


def _sentences(doc: Doc, offset: int, max_words: int) -> Iterator[_Sentence]:
    """A doc's sentences, space trimmed, offset, and cut between words when over `max_words`."""
    text = doc.text
    for sent in doc.sents:
        words = list(_WORD.finditer(text, sent.start_char, sent.end_char))
        if not words:
            continue
        # A sentence too long for one passage (an unpunctuated transcript) becomes even parts.
        size = math.ceil(len(words) / math.ceil(len(words) / max_words))
        for first in range(0, len(words), size):
            part = words[first : first + size]
            yield _Sentence(offset + part[0].start(), offset + part[-1].end(), len(part))


def _read_blocks(
    blocks: list[Block], nlp: Language, finder: PlaceFinder, options: SegmentationOptions
) -> Iterator[_ReadBlock]:
    """Each block's sentences and place mentions, its text run through spaCy in pieces."""
    cut = [pieces(block.text, options.chunk_chars) for block in blocks]
    texts = (
        block.text[piece.start : piece.end]
        for block, block_pieces in zip(blocks, cut, strict=True)
        for piece in block_pieces
    )
    docs = _pipe(nlp, texts, options.chunk_chars, finder)
    for block_pieces in cut:
        sentences: list[list[_Sentence]] = []
        mentions: list[PlaceMention] = []
        for piece in block_pieces:
            doc = next(docs)
            sentences.append(list(_sentences(doc, piece.start, options.max_words)))
            mentions.extend(
                PlaceMention(m.place, m.start + piece.start, m.end + piece.start)
                for m in finder.find(doc)
            )
        yield _ReadBlock(sentences, mentions)


def _chunks(sentences: list[_Sentence], options: SegmentationOptions) -> Iterator[Piece]:
    """Group sentences into balanced chunks within the word and sentence limits."""
    if not sentences:
        return
    total = sum(s.words for s in sentences)
    wanted = max(
        math.ceil(len(sentences) / options.max_sentences),
        math.ceil(total / options.max_words),
    )
    target = total / wanted
    first = sentences[0]
    start, end, words, count = first.start, first.end, first.words, 1
    for sentence in sentences[1:]:
        too_many = count >= options.max_sentences or words + sentence.words > options.max_words
        # Closing at the target keeps chunks even; but never leave a chunk of one short sentence.
        if too_many or (words >= target and words + sentence.words / 2 > target):
            yield Piece(start, end)
            start, end, words, count = sentence.start, sentence.end, sentence.words, 1
        else:
            end, words, count = sentence.end, words + sentence.words, count + 1
    yield Piece(start, end)


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
    read = _read_blocks(canonical.blocks, nlp, finder, options)
    for block, found, (offset, _) in zip(canonical.blocks, read, canonical.spans, strict=True):
        mentions.extend(
            PlaceMention(m.place, m.start + offset, m.end + offset) for m in found.mentions
        )
        if block.kind == "heading":
            # A heading names what follows ("Wrexham", "South Birmingham"): its places apply
            # to the passages of its section.
            section = block.text
            section_places = tuple(dict.fromkeys(m.place.name for m in found.mentions))
            continue
        role = speaker_role(block.speaker, participants) if block.speaker else None
        if role in ("participant", "other") and section:
            # "A:" under "Interview 2: Youth Offending Service" is the YOT practitioner.
            from_section = speaker_role(section)
            role = from_section if from_section not in ("participant", "other") else role
        chunks = (chunk for run in found.sentences_by_piece for chunk in _chunks(run, options))
        for chunk in chunks:
            text = block.text[chunk.start : chunk.end]
            if len(text.split()) < options.min_words:
                continue
            own = (
                m.place.name for m in found.mentions if m.start < chunk.end and m.end > chunk.start
            )
            passages.append(
                Passage(
                    ordinal=len(passages),
                    text=text,
                    char_start=offset + chunk.start,
                    char_end=offset + chunk.end,
                    section=section,
                    speaker=block.speaker,
                    speaker_role=role,
                    places=tuple(dict.fromkeys((*section_places, *own))),
                    in_table=block.kind == "table",
                )
            )
    return SegmentedDocument(passages, mentions)
