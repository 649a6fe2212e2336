"""The repaired reading of extracted text that redaction looks for names in."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.passages.repair import repaired

# Letters whose UTF-8 bytes all decode as Windows-1252 (Á, Ł and ” hold bytes it leaves undefined).
ACCENTED = "éèáóúíñçöüäøåÉÓÚôâêîûß’‘“–—"


def mojibake(text: str) -> str:
    """The text as a tool that read UTF-8 as Windows-1252 wrote it."""
    return text.encode("utf-8").decode("cp1252")


def test_a_text_with_no_fault_is_its_own_reading() -> None:
    text = "Mrs O'Neill met DS Harwood at 10:30 on the M60 (SW10 0AB); ring 07700 900123."
    reading = repaired(text)
    assert reading.text == text
    assert [reading.original(i, i + 1) for i in range(len(text))] == [
        (i, i + 1) for i in range(len(text))
    ]


def test_mojibake_reads_as_the_letters_that_were_written() -> None:
    text = f"The aunt, Siobhan {mojibake('O’Neill')}, and {mojibake('Zoë')} were seen."
    reading = repaired(text)
    assert reading.text == "The aunt, Siobhan O’Neill, and Zoë were seen."
    start = reading.text.index("O’Neill")
    assert text[slice(*reading.original(start, start + len("O’Neill")))] == mojibake("O’Neill")


def test_ocr_zeros_inside_words_read_as_the_letter_o() -> None:
    reading = repaired("J0SHUA and Mrs 0'Sullivan and r0bert, not A10 or 07700 or 2020s")
    assert reading.text == "JOSHUA and Mrs O'Sullivan and robert, not A10 or 07700 or 2020s"


@given(
    before=st.text(max_size=40),
    word=st.text(alphabet=ACCENTED + "abcdefXYZ", min_size=1, max_size=12),
    after=st.text(max_size=40),
)
@settings(max_examples=300, deadline=None)
def test_every_span_of_the_reading_maps_inside_the_original_in_order(
    before: str, word: str, after: str
) -> None:
    text = before + mojibake(word) + after
    reading = repaired(text)
    spans = [reading.original(i, i + 1) for i in range(len(reading.text))]
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in itertools.pairwise(spans))
    assert reading.original(0, len(reading.text)) == ((0, len(text)) if text else (0, 0))


@given(name=st.text(alphabet=ACCENTED + "abcdefghijklmnop", min_size=2, max_size=15))
@settings(max_examples=300, deadline=None)
def test_a_name_written_as_mojibake_is_read_back_whole(name: str) -> None:
    text = f"Her name was {mojibake(name)} ."
    reading = repaired(text)
    assert reading.text == f"Her name was {name} ."
    start = reading.text.index(name, len("Her name was "))
    span = reading.original(start, start + len(name))
    assert text[span[0] : span[1]] == mojibake(name)
