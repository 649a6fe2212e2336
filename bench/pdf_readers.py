"""Which PDF library should Findings read with? Speed and text quality, measured in one run.

The bench typesets the real seed report (../shared/seed) into a 12+ page PDF with fpdf2 (running
header, page numbers, justified wrapped paragraphs, bullets), then extracts it with each library.
Quality is judged against the words that went in:
- recall: share of the source's words (as a multiset) that come back out;
- junk per 1k: extracted tokens that are not words of the source (glued or split words);
- paragraphs: share of source paragraphs that Findings' reader rebuilds exactly (pypdfium2 only,
  the reader Findings ships).
Speed is the median of repeated extractions, and each library's time is divided by the fastest
library's time in this run (ratios, because these machines are shared and noisy).

Run: .venv/bin/python bench/pdf_readers.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from fpdf import FPDF

from pipeline.ingest.layout import lines_to_blocks
from pipeline.ingest.readers import read_pdf
from pipeline.ingest.text import decode_bytes, normalise_text

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_39d88d9572103bf9.txt"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def seed_blocks() -> list[tuple[str, str]]:
    text = normalise_text(decode_bytes(SEED.read_bytes()))
    blocks = lines_to_blocks([text.split("\n")])
    return [(b.kind, b.text) for b in blocks]


def typeset(blocks: list[tuple[str, str]]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2019, 6, 1, tzinfo=dt.UTC))
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=20)

    def header() -> None:
        pdf.set_font("DejaVu", size=8)
        pdf.cell(
            0,
            6,
            "County lines: emerging findings — national synthesis",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)

    def footer() -> None:
        pdf.set_y(-15)
        pdf.set_font("DejaVu", size=8)
        pdf.cell(0, 8, str(pdf.page_no()), align="C")

    pdf.header = header  # type: ignore[method-assign]
    pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    for kind, text in blocks:
        if kind == "heading":
            pdf.set_font("DejaVu", "B", 12)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("DejaVu", size=10.5)
            shown = f"• {text}" if kind == "bullet" else text
            pdf.multi_cell(0, 5.5, shown, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def with_pypdfium2(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    return text


def with_pypdf(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(data)).pages)


def with_pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(BytesIO(data))


def with_pymupdf(data: bytes) -> str:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return "\n".join(page.get_text() for page in doc)


LIBRARIES: dict[str, Callable[[bytes], str]] = {
    "pypdfium2": with_pypdfium2,
    "pypdf": with_pypdf,
    "pdfminer.six": with_pdfminer,
    "pymupdf (AGPL)": with_pymupdf,
}


def quality(source_words: Counter[str], extracted: str) -> tuple[float, float]:
    words = Counter(w.lower() for w in WORD.findall(extracted))
    recalled = sum(min(n, words[w]) for w, n in source_words.items())
    junk = sum(n for w, n in words.items() if w not in source_words)
    return recalled / sum(source_words.values()), 1000 * junk / max(1, sum(words.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "pdf_readers.json")
    args = parser.parse_args()

    blocks = seed_blocks()
    data = typeset(blocks)
    source_text = " ".join(text for _, text in blocks)
    source_words = Counter(w.lower() for w in WORD.findall(source_text))
    results = []
    for name, extract in LIBRARIES.items():
        extract(data)  # warm-up: imports and first-call costs are not the steady state
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            text = extract(data)
            times.append(time.perf_counter() - started)
        recall, junk = quality(source_words, text)
        results.append(
            {
                "library": name,
                "seconds": statistics.median(times),
                "recall": recall,
                "junk_per_1k": junk,
            }
        )
    fastest = min(r["seconds"] for r in results)
    reader_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        rebuilt = {b.text for b in read_pdf(data).blocks}
        reader_times.append(time.perf_counter() - started)
    reader_seconds = statistics.median(reader_times)
    paragraphs = [text for kind, text in blocks if kind == "paragraph"]
    exact = sum(p in rebuilt for p in paragraphs) / len(paragraphs)

    pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
    print(f"PDF: {len(data) / 1024:.0f} KiB, ~{pages} pages, {sum(source_words.values())} words")
    print(f"{'library':<16}{'median s':>10}{'x fastest':>11}{'recall':>9}{'junk/1k':>9}")
    for r in results:
        r["ratio_to_fastest"] = r["seconds"] / fastest
        print(
            f"{r['library']:<16}{r['seconds']:>10.4f}{r['ratio_to_fastest']:>11.2f}"
            f"{r['recall']:>9.4f}{r['junk_per_1k']:>9.2f}"
        )
    print(
        f"Findings' PDF reader (pypdfium2 + paragraph rebuild): {exact:.1%} of "
        f"{len(paragraphs)} source paragraphs rebuilt exactly, in {reader_seconds:.4f} s "
        f"({reader_seconds / fastest:.2f} x the fastest bare extraction)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"libraries": results, "paragraphs_exact": exact, "reader_seconds": reader_seconds},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
