from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import MetadataError
from pipeline.gazetteer import PlaceMention, default_gazetteer
from pipeline.ingest.ingester import Ingester
from pipeline.ingest.metadata import (
    NATIONAL_AREA,
    PartialMetadata,
    infer_area,
    infer_review_date,
    infer_title,
    merge_sources,
    parse_doc_type,
    parse_review_date,
    read_manifest,
    read_sidecar,
    resolve_area,
)
from pipeline.ingest.prepare import IngestOptions
from pipeline.records import Block
from tests.conftest import CORPUS, DOCUMENTS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Locality review\n12 March 2017\nVenue: town hall", (dt.date(2017, 3, 12), "day")),
        ("Held on 3rd Oct. 2018 at the civic centre", (dt.date(2018, 10, 3), "day")),
        ("Review date: 2019-06-11", (dt.date(2019, 6, 11), "day")),
        ("Visit 14/01/2016", (dt.date(2016, 1, 14), "day")),
        ("Notes from November 2019", (dt.date(2019, 11, 1), "month")),
        ("No date at all here", None),
    ],
)
def test_infer_review_date_finds_the_first_date(text: str, expected: object) -> None:
    assert infer_review_date(text) == expected


def test_parse_review_date_accepts_month_precision() -> None:
    assert parse_review_date("2018-04", "x") == (dt.date(2018, 4, 1), "month")


def test_parse_review_date_names_the_source_of_a_bad_date() -> None:
    with pytest.raises(MetadataError, match=r"manifest.csv line 3: review_date '2017-13-01'"):
        parse_review_date("2017-13-01", "manifest.csv line 3")


@pytest.mark.parametrize("value", ["Focus group", "focus-group", "FOCUS_GROUP"])
def test_parse_doc_type_normalises(value: str) -> None:
    assert parse_doc_type(value, "x") == "focus_group"


def test_parse_doc_type_refuses_unknown_types() -> None:
    with pytest.raises(MetadataError, match="one of report, transcript"):
        parse_doc_type("minutes", "x")


def test_merge_sources_takes_each_field_from_the_first_source_that_gives_it() -> None:
    manifest = PartialMetadata(area="Torbay", source="manifest")
    sidecar = PartialMetadata(area="Exeter", review_date="2017-05-09", source="sidecar")
    options = PartialMetadata(doc_type="notes", review_date="2010-01", source="options")
    merged = merge_sources([manifest, sidecar, None, options])
    assert merged == {
        "area": ("Torbay", "manifest"),
        "review_date": ("2017-05-09", "sidecar"),
        "doc_type": ("notes", "options"),
    }


def test_read_manifest_keys_rows_by_path(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text(
        "path,title,area,review_date,doc_type\na.txt,A,Derby,2019-11-12,transcript\n"
    )
    rows = read_manifest(tmp_path).rows
    assert rows["a.txt"].area == "Derby"
    assert rows["a.txt"].source == "manifest.csv line 2"


def test_read_sidecar_reads_name_meta_yaml(tmp_path: Path) -> None:
    document = tmp_path / "review.pdf"
    document.write_bytes(b"%PDF")
    (tmp_path / "review.meta.yaml").write_text("area: Hastings\nreview_date: 2019-06-11\n")
    sidecar = read_sidecar(document)
    assert sidecar is not None
    assert (sidecar.area, sidecar.review_date) == ("Hastings", "2019-06-11")


def mentions_of(*names: str) -> list[PlaceMention]:
    gazetteer = default_gazetteer()
    return [
        PlaceMention(gazetteer.resolve(name), start, start + len(name))
        for start, name in enumerate(names)
    ]


def test_infer_area_takes_the_most_mentioned_authority() -> None:
    mentions = mentions_of("Blackpool", "Liverpool", "Blackpool", "Manchester", "Blackpool")
    assert infer_area(mentions, default_gazetteer()) == "Blackpool"


def test_infer_area_breaks_a_tie_by_the_first_mention() -> None:
    mentions = mentions_of("Torbay", "Exeter", "Exeter", "Torbay")
    assert infer_area(mentions, default_gazetteer()) == "Torbay"


def test_places_spread_over_many_regions_make_a_national_document() -> None:
    # Gloucester is named most, but no region holds 40% of the mentions across six regions.
    mentions = mentions_of(
        "Gloucester", "Gloucester", "Leeds", "Norwich", "Cardiff", "Croydon", "Birmingham",
        "Gloucester", "Newcastle upon Tyne", "Liverpool",
    )  # fmt: skip
    assert infer_area(mentions, default_gazetteer()) == NATIONAL_AREA


def test_a_review_naming_places_in_neighbouring_regions_stays_local() -> None:
    # Four regions, as a Middlesbrough review that names where its lines come from does, but
    # its own region holds nearly half of the mentions.
    mentions = mentions_of(
        "Middlesbrough", "Middlesbrough", "Stockton-on-Tees", "Hartlepool", "Leeds", "Leeds",
        "Bradford", "Liverpool", "Cardiff",
    )  # fmt: skip
    assert infer_area(mentions, default_gazetteer()) == "Middlesbrough"


def test_no_local_authority_mentioned_infers_no_area() -> None:
    assert infer_area(mentions_of("England", "North West"), default_gazetteer()) is None


def heading(text: str) -> Block:
    return Block(kind="heading", text=text)


@pytest.mark.parametrize(
    "opening", ["1. Introduction", "Contents", "Executive summary", "2 Background"]
)
def test_a_document_opening_on_a_section_heading_takes_its_file_name(opening: str) -> None:
    blocks = [heading(opening), heading("Gangs/ Race/Culture")]
    assert infer_title(Path("locality_review_hastings.pdf"), None, blocks) == (
        "Locality review hastings"
    )


def test_a_file_named_by_a_hash_takes_its_opening_words() -> None:
    blocks = [
        heading("1. Introduction"),
        Block(kind="paragraph", text="This review looks at county lines into Torbay and the "
              "response of partners in 2019."),
    ]  # fmt: skip
    assert infer_title(Path("000_39d88d9572103bf9.txt"), None, blocks) == (
        "This review looks at county lines into Torbay and the…"
    )
    assert infer_title(Path("review_7f3a.txt"), None, blocks) == "Review 7f3a"


def test_the_first_heading_names_a_document() -> None:
    blocks = [heading("Locality review: Torbay"), heading("1. Introduction")]
    assert infer_title(Path("x.md"), None, blocks) == "Locality review: Torbay"


def test_a_declared_title_beats_the_headings() -> None:
    blocks = [heading("Locality review: Torbay")]
    assert infer_title(Path("x.pdf"), "Torbay review 2019", blocks) == "Torbay review 2019"


def test_the_seed_report_without_a_manifest_is_a_national_document(
    ingester: Ingester, seed_path: Path
) -> None:
    prepared = ingester.prepare(seed_path, seed_path.read_bytes(), "sha", IngestOptions())
    meta = prepared.metadata
    assert meta.area == NATIONAL_AREA
    assert (prepared.region, prepared.nation, prepared.police_force) == (None, None, None)
    assert meta.title != "1. Introduction"
    assert meta.review_date is None
    assert {"area", "title"} <= set(meta.inferred)
    assert not any("area" in warning for warning in prepared.warnings)


def test_a_national_briefing_is_national_and_titled_by_its_heading(
    ingester: Ingester,
) -> None:
    path = DOCUMENTS / "national_briefing.md"
    prepared = ingester.prepare(path, path.read_bytes(), "sha", IngestOptions())
    assert prepared.metadata.area == NATIONAL_AREA
    assert prepared.metadata.title.startswith("County lines: what practitioners told us")


def test_every_sample_review_without_its_manifest_is_inferred_local(
    ingester: Ingester, tmp_path: Path
) -> None:
    with (CORPUS / "manifest.csv").open() as handle:
        listed = {row["path"]: row["area"] for row in csv.DictReader(handle)}
    inferred = {}
    for name in listed:
        copy = tmp_path / name
        copy.write_bytes((CORPUS / name).read_bytes())  # no manifest beside it
        prepared = ingester.prepare(copy, copy.read_bytes(), "sha", IngestOptions())
        inferred[name] = prepared.metadata.area
    assert NATIONAL_AREA not in inferred.values()
    right = sum(inferred[name] == area for name, area in listed.items())
    assert right >= len(listed) - 2, {n: a for n, a in inferred.items() if a != listed[n]}


@pytest.mark.parametrize(
    ("given", "area", "region", "nation", "police_force", "warning"),
    [
        ("Blackpool", "Blackpool", "North West", "England", "Lancashire", None),
        # A town is stored as its local authority, with the town's own region and force.
        ("Dagenham", "Barking and Dagenham", "London", "England", "Metropolitan Police", None),
        (NATIONAL_AREA, NATIONAL_AREA, None, None, None, None),
        ("Atlantis", "Atlantis", None, None, None, "not in the gazetteer"),
        (None, None, None, None, None, "no area given"),
    ],
)
def test_an_area_resolves_to_its_authority_region_nation_and_force(
    given: str | None,
    area: str | None,
    region: str | None,
    nation: str | None,
    police_force: str | None,
    warning: str | None,
) -> None:
    placed = resolve_area(given, default_gazetteer())
    assert (placed.area, placed.region, placed.nation, placed.police_force) == (
        area,
        region,
        nation,
        police_force,
    )
    if warning is None:
        assert placed.warning is None
    else:
        assert placed.warning is not None and warning in placed.warning


def test_a_pdf_opening_on_a_section_heading_takes_its_title_from_its_metadata(
    tmp_path: Path,
) -> None:
    from fpdf import FPDF

    from pipeline.gazetteer import Gazetteer
    from pipeline.ingest.metadata import resolve_metadata
    from pipeline.ingest.readers import extract_document

    pdf = FPDF(format="A4")
    pdf.set_title("County lines: a national picture")
    pdf.set_creation_date(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.multi_cell(0, 7, "1. Introduction", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Practitioners describe lines run from the cities into coastal towns.")
    path = tmp_path / "000_39d88d95.pdf"
    extracted = extract_document(path, bytes(pdf.output()))
    meta = resolve_metadata(
        {},
        path=path,
        text="",
        blocks=extracted.blocks,
        extracted_title=extracted.title,
        mentions=[],
        gazetteer=Gazetteer.build([]),
    )
    assert meta.title == "County lines: a national picture" and "title" in meta.inferred


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2019-02-11", (dt.date(2019, 2, 11), "day")),
        ("2019-02", (dt.date(2019, 2, 1), "month")),
        ("11/02/2019", (dt.date(2019, 2, 11), "day")),  # day first, as the UK writes it
        ("11 February 2019", (dt.date(2019, 2, 11), "day")),
        ("Feb 2019", (dt.date(2019, 2, 1), "month")),
    ],
)
def test_a_given_date_may_be_written_as_people_write_dates(given: str, expected: tuple) -> None:
    # "11/02/2019" in a manifest refused the whole review.
    assert parse_review_date(given, "manifest.csv line 2") == expected


@pytest.mark.parametrize("given", ["31/02/2019", "sometime in 2019", "2019/13/01"])
def test_a_date_that_is_no_date_is_still_refused_by_its_line(given: str) -> None:
    with pytest.raises(MetadataError, match=r"manifest\.csv line 2: review_date"):
        parse_review_date(given, "manifest.csv line 2")


def test_a_manifest_names_its_repeated_rows_and_rows_for_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "manifest.csv").write_text("path,area\na.txt,Derby\nb.txt,Leeds\na.txt,Hull\n")
    manifest = read_manifest(tmp_path)
    assert manifest.rows["a.txt"].area == "Hull"  # the later row applies, and it is said
    assert manifest.warnings == (
        "line 4 lists a.txt again (first on line 2): line 4 applies",
        "line 3: b.txt is not in the folder (a file renamed or not copied?)",
    )


def test_sources_that_say_the_same_in_other_words_do_not_disagree() -> None:
    from pipeline.ingest.metadata import PartialMetadata, source_conflicts

    same = [
        PartialMetadata(review_date="2019-02", doc_type="Focus group", source="manifest.csv"),
        PartialMetadata(review_date="Feb 2019", doc_type="focus_group", source="a.meta.yaml"),
    ]
    assert source_conflicts(same) == []
    other = [*same, PartialMetadata(review_date="2019-03", source="front matter")]
    assert [c.split(":")[0] for c in source_conflicts(other)] == ["review_date"]
