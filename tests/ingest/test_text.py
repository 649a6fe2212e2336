from __future__ import annotations

import pytest

from pipeline.errors import CorruptDocumentError
from pipeline.ingest.text import decode_bytes, normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Costs £40 a day at the café".encode(), "Costs £40 a day at the café"),
        ("Costs £40 a day at the café".encode("cp1252"), "Costs £40 a day at the café"),
        ("“Trap house” – he said".encode("cp1252"), "“Trap house” – he said"),
        ("\ufeffWith a BOM".encode(), "With a BOM"),
        ("UTF-16 text £".encode("utf-16"), "UTF-16 text £"),
    ],
)
def test_decode_bytes_reads_utf8_then_cp1252(raw: bytes, expected: str) -> None:
    assert decode_bytes(raw) == expected


def test_decode_bytes_refuses_binary() -> None:
    with pytest.raises(CorruptDocumentError, match="binary"):
        decode_bytes(b"\x00\x01\x02PK\x03\x04")


def test_normalise_text_unifies_newlines_and_composes_unicode() -> None:
    decomposed = "cafe\u0301\r\nnext\rline"
    assert normalise_text(decomposed) == "caf\u00e9\nnext\nline"


def test_normalise_text_turns_private_use_bullets_into_bullets() -> None:
    assert normalise_text("\uf0b7 enable rapid assessment") == "• enable rapid assessment"
