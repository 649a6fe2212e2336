"""End-to-end checks over the bundled sample corpus and the real seed report."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.conftest import CORPUS
from tests.helpers import rows


def test_sample_corpus_ingests_every_document(corpus_db: Path) -> None:
    with (CORPUS / "manifest.csv").open() as handle:
        listed = list(csv.DictReader(handle))
    documents = rows(corpus_db, "SELECT path, area, review_date, doc_type FROM documents")
    assert len(documents) == len(listed) >= 24
    formats = {r[0] for r in rows(corpus_db, "SELECT DISTINCT format FROM documents")}
    assert formats == {"txt", "md", "html", "docx", "pdf"}


def test_sample_corpus_covers_areas_regions_and_years(corpus_db: Path) -> None:
    areas, regions, years = rows(
        corpus_db,
        "SELECT count(DISTINCT area), count(DISTINCT region), "
        "count(DISTINCT year(review_date)) FROM documents",
    )[0]
    assert areas >= 12 and regions >= 6 and years == 4
    assert rows(corpus_db, "SELECT count(*) FROM documents WHERE region IS NULL") == [(0,)]


def test_manifest_metadata_is_used_not_inferred(corpus_db: Path) -> None:
    assert rows(corpus_db, "SELECT count(*) FROM documents WHERE len(inferred_fields) > 0") == [
        (0,)
    ]


def test_every_passage_is_an_exact_span_of_its_document(corpus_db: Path) -> None:
    bad = rows(
        corpus_db,
        "SELECT p.passage_id FROM passages p JOIN documents d USING (doc_id) "
        "WHERE substr(d.text, p.char_start + 1, p.char_end - p.char_start) <> p.text",
    )
    assert bad == []
    assert rows(corpus_db, "SELECT count(*) FROM passages")[0][0] > 300


def test_transcript_passages_have_speakers(corpus_db: Path) -> None:
    shares = rows(
        corpus_db,
        "SELECT d.path, avg((p.speaker IS NOT NULL)::INT) FROM passages p JOIN documents d "
        "USING (doc_id) WHERE d.doc_type IN ('transcript', 'focus_group') GROUP BY 1",
    )
    # Header lines and agreed actions in a transcript have no speaker; turns do.
    assert len(shares) >= 12 and all(share > 0.75 for _, share in shares), shares


def test_a_passage_after_a_speaker_label_belongs_to_that_speaker(corpus_db: Path) -> None:
    labelled = rows(
        corpus_db,
        "SELECT p.speaker, substr(d.text, p.char_start - length(p.speaker) - 1, "
        "length(p.speaker) + 2) FROM passages p JOIN documents d USING (doc_id) "
        "WHERE p.speaker IS NOT NULL AND p.char_start > length(p.speaker) + 2 "
        "AND substr(d.text, p.char_start - 1, 2) = ': '",
    )
    assert len(labelled) > 150
    assert all(before == f"{speaker}: " for speaker, before in labelled)


def test_no_passage_contains_two_speaker_labels(corpus_db: Path) -> None:
    texts = rows(corpus_db, "SELECT text FROM passages WHERE speaker IS NOT NULL")
    label = re.compile(r"(?:^|\n)(?:Interviewer|Facilitator|Q|A|P\d+):\s")
    assert not [t for (t,) in texts if label.search(t)]


def test_cp1252_document_is_decoded(corpus_db: Path) -> None:
    text = rows(
        corpus_db, "SELECT text FROM documents WHERE path LIKE '%03_southend_focus_group.txt'"
    )[0][0]
    assert "£" in text and "é" in text and "\ufffd" not in text


def test_seed_passages_have_no_page_number_lines(seed_db: Path) -> None:
    texts = [t for (t,) in rows(seed_db, "SELECT text FROM passages")]
    assert len(texts) > 100
    assert not [t for t in texts if re.search(r"(^|\s{2,})\d{1,2}(\s{2,}|$)", t)]
    assert not [t for t in texts if "\n" in t]


def test_seed_paragraphs_are_rebuilt_across_lines_and_pages(seed_db: Path) -> None:
    texts = " ".join(t for (t,) in rows(seed_db, "SELECT text FROM passages"))
    assert "often although not exclusively divided along gender lines" in texts
    assert "provide policy makers and practitioners with an overview of the findings" in texts


def test_seed_places_include_the_areas_it_names_with_their_regions(seed_db: Path) -> None:
    found = dict(
        rows(
            seed_db,
            "WITH named AS (SELECT DISTINCT unnest(places) AS name FROM passages) "
            "SELECT p.name, p.region FROM places p JOIN named USING (name)",
        )
    )
    expected = {
        "Brighton": "South East",
        "Rotherham": "Yorkshire and The Humber",
        "Southend-on-Sea": "East of England",
        "Wrexham": "Wales",
        "Swansea": "Wales",
        "Croydon": "London",
        "Westminster": "London",
        "Gloucester": "South West",
        "Rhyl": "Wales",
        "Grimsby": "Yorkshire and The Humber",
        "Bognor Regis": "South East",
        "Worcester": "West Midlands",
        "South Birmingham": "West Midlands",
        "Merseyside": "North West",
    }
    assert {name: found.get(name) for name in expected} == expected


def test_seed_sections_are_kept(seed_db: Path) -> None:
    sections = {s for (s,) in rows(seed_db, "SELECT DISTINCT section FROM passages")}
    assert {"1. Introduction", "(iii)The Secure Estate", "(viii) Drug markets"} <= sections
