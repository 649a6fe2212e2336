"""Decoding bytes to text and normalising it once, at ingest."""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from pipeline.errors import CorruptDocumentError

# Bullet glyphs that PDF extraction leaves in the Private Use Area (Symbol/Wingdings fonts).
_PUA_BULLETS = re.compile("[\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8\uf06e\uf0e0\uf071]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile("[\u00a0\u2007\u202f\t]")


def decode_bytes(data: bytes) -> str:
    """Decode file bytes: a BOM, then UTF-8, then cp1252 (UK council documents), then detection."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec)
    if b"\x00" in data[:4096]:
        raise CorruptDocumentError("binary data, not text (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise CorruptDocumentError("text in an unknown encoding (not UTF-8 or cp1252)")
    return str(best)


def normalise_text(text: str) -> str:
    """Unify newlines, apply Unicode NFC, and turn layout artefacts into plain characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _PUA_BULLETS.sub("•", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def collapse_whitespace(text: str) -> str:
    """Single spaces, no newlines, trimmed."""
    return " ".join(text.split())
