"""A copy of a text as it read before extraction mangled it, with each character's source span.

Names hide behind two faults of extracted text: mojibake, UTF-8 read as Windows-1252
("Oâ€™Neill", "WÃ³jcik"), and OCR's zero for the letter O ("J0SHUA", "0'Sullivan"). The redactor
reads the repaired copy and replaces spans of the original: every repair is local, so each
character of the copy maps back to the characters it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy

# A UTF-8 lead byte read as Windows-1252 (Â-ß for two bytes, à-ï for three), then continuation
# bytes read the same way (0x80-0xBF: Windows-1252's punctuation and Latin-1's symbols).
_CONTINUATION = "\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
MOJIBAKE = re.compile(f"(?:[Â-ï][{_CONTINUATION}]{{1,2}})+")
# A zero between letters, or opening an O' surname: OCR read the letter O as a digit.
OCR_ZERO = re.compile(r"(?<=[^\W\d_])0(?=[^\W\d_])|(?<![\w'’])0(?=['’][A-Z][a-z])")


@dataclass(frozen=True)
class Repaired:
    """The repaired text; `sources[i]` is the (start, end) in the original of its character i."""

    text: str
    sources: tuple[tuple[int, int], ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the repaired span [start, end) came from."""
        if start >= end:
            at = self.sources[start][0] if start < len(self.sources) else self._length()
            return at, at
        return self.sources[start][0], self.sources[end - 1][1]

    def _length(self) -> int:
        return self.sources[-1][1] if self.sources else 0


def repaired(text: str) -> Repaired:
    """The text with mojibake decoded and OCR zeros read as letters; unchanged if it has neither."""
    edits = sorted(_mojibake_edits(text) + _ocr_zero_edits(text))
    pieces: list[str] = []
    sources: list[tuple[int, int]] = []
    at = 0
    for start, end, replacement in edits:
        if start < at:
            continue  # overlaps an earlier edit: the first one wins
        pieces.append(text[at:start])
        sources.extend((i, i + 1) for i in range(at, start))
        pieces.append(replacement)
        sources.extend((start, end) for _ in replacement)
        at = end
    pieces.append(text[at:])
    sources.extend((i, i + 1) for i in range(at, len(text)))
    return Repaired("".join(pieces), tuple(sources))


def _mojibake_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for match in MOJIBAKE.finditer(text):
        fixed = _decoded(match.group())
        if fixed != match.group() and fixed:
            edits.append((match.start(), match.end(), fixed))
    return edits


def _decoded(run: str) -> str:
    """The run as UTF-8 read back from Windows-1252, or as ftfy mends it.

    A run that decodes exactly is taken as it decodes: ftfy weighs whole texts and leaves a short
    run ("Ã¥" in a name) alone. ftfy mends what does not decode exactly (bytes Windows-1252
    leaves undefined: "Ł" read as "Å" and the byte 0x81).
    """
    try:
        return run.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return ftfy.fix_encoding(run)


def _ocr_zero_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for match in OCR_ZERO.finditer(text):
        after = text[match.end() : match.end() + 1]
        before = text[match.start() - 1 : match.start()]
        lower = after.islower() and (not before or before.islower())
        edits.append((match.start(), match.end(), "o" if lower else "O"))
    return edits
