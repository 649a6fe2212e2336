"""The canonical document text: blocks joined once, so every later offset has one meaning."""

from __future__ import annotations

from pipeline.records import Block, CanonicalText

BLOCK_SEPARATOR = "\n\n"


def render_canonical(blocks: list[Block]) -> CanonicalText:
    """Join blocks (each with its prefix) into the canonical text and record content spans."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for index, block in enumerate(blocks):
        if index:
            parts.append(BLOCK_SEPARATOR)
            position += len(BLOCK_SEPARATOR)
        parts.append(block.prefix + block.text)
        start = position + len(block.prefix)
        position = start + len(block.text)
        spans.append((start, position))
    return CanonicalText("".join(parts), list(blocks), spans)
