from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import MetadataError
from pipeline.metadata import (
    PartialMetadata,
    infer_review_date,
    merge_sources,
    parse_doc_type,
    parse_review_date,
    read_manifest,
    read_sidecar,
)


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
    rows = read_manifest(tmp_path)
    assert rows["a.txt"].area == "Derby"
    assert rows["a.txt"].source == "manifest.csv line 2"


def test_read_sidecar_reads_name_meta_yaml(tmp_path: Path) -> None:
    document = tmp_path / "review.pdf"
    document.write_bytes(b"%PDF")
    (tmp_path / "review.meta.yaml").write_text("area: Hastings\nreview_date: 2019-06-11\n")
    sidecar = read_sidecar(document)
    assert sidecar is not None
    assert (sidecar.area, sidecar.review_date) == ("Hastings", "2019-06-11")
