"""Which source wins for each metadata field, and what is recorded as a guess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import MetadataError
from pipeline.gazetteer import Gazetteer, PlaceMention
from pipeline.ingest.metadata import PartialMetadata, merge_sources, resolve_metadata
from pipeline.records import Block, DocumentMetadata, Place

NO_PLACES = Gazetteer.build([])


def resolve(given: dict[str, tuple[str, str]], **overrides: object) -> DocumentMetadata:
    """resolve_metadata over a document with no places, so area inference finds nothing."""
    context: dict[str, object] = {
        "path": Path("reviews/site_visit.txt"),
        "text": "Locality review\nHeld on 12 March 2017 at the civic centre.",
        "blocks": [Block("heading", "Locality review"), Block("paragraph", "Held on ...")],
        "extracted_title": None,
        "mentions": [],
        "gazetteer": NO_PLACES,
    }
    return resolve_metadata(given, **(context | overrides))  # type: ignore[arg-type]


@pytest.mark.parametrize("blank", [None, "", "   ", "\t\n"])
def test_a_blank_value_means_the_source_does_not_say(blank: object) -> None:
    assert PartialMetadata.from_mapping({"area": blank}, "manifest").area is None


def test_values_are_stripped() -> None:
    assert PartialMetadata.from_mapping({"area": "  Torbay \n"}, "x").area == "Torbay"


def test_a_yaml_date_becomes_an_iso_string() -> None:
    picked = PartialMetadata.from_mapping({"review_date": dt.date(2019, 6, 11)}, "x")
    assert picked.review_date == "2019-06-11"


def test_a_non_string_value_is_kept_as_text() -> None:
    assert PartialMetadata.from_mapping({"title": 2019}, "x").title == "2019"


def test_unknown_keys_are_ignored_and_the_source_is_recorded() -> None:
    picked = PartialMetadata.from_mapping({"path": "a.txt", "author": "someone"}, "a.meta.yaml")
    assert picked == PartialMetadata(source="a.meta.yaml")


def test_every_field_is_read_from_the_mapping() -> None:
    values = {
        "title": "T",
        "area": "Derby",
        "review_date": "2019-11",
        "doc_type": "notes",
        "scope": "national",
    }
    picked = PartialMetadata.from_mapping(values, "manifest")
    assert picked == PartialMetadata(
        title="T",
        area="Derby",
        review_date="2019-11",
        doc_type="notes",
        scope="national",
        source="manifest",
    )


def test_a_blank_manifest_cell_lets_the_sidecar_decide() -> None:
    manifest = PartialMetadata.from_mapping({"area": " ", "doc_type": "report"}, "manifest")
    sidecar = PartialMetadata.from_mapping({"area": "Hastings"}, "sidecar")
    assert merge_sources([manifest, sidecar]) == {
        "area": ("Hastings", "sidecar"),
        "doc_type": ("report", "manifest"),
    }


@pytest.mark.parametrize(
    ("order", "winner"),
    [(["manifest", "sidecar", "front matter", "options"], "manifest"), (["options"], "options")],
)
def test_the_earliest_source_wins_a_field(order: list[str], winner: str) -> None:
    sources = [PartialMetadata(title=f"from {name}", source=name) for name in order]
    assert merge_sources(sources) == {"title": (f"from {winner}", winner)}


def test_no_sources_give_nothing() -> None:
    assert merge_sources([None, PartialMetadata(source="empty")]) == {}


def test_given_fields_are_used_and_not_marked_inferred() -> None:
    metadata = resolve(
        {
            "title": ("Torbay review", "manifest"),
            "area": ("Torbay", "manifest"),
            "review_date": ("2018-04", "sidecar"),
            "doc_type": ("Focus group", "options"),
        }
    )
    assert metadata == DocumentMetadata(
        title="Torbay review",
        area="Torbay",
        review_date=dt.date(2018, 4, 1),
        review_date_precision="month",
        doc_type="focus_group",
        inferred=(),
    )


def test_missing_fields_are_inferred_and_marked_inferred() -> None:
    metadata = resolve({})
    assert (metadata.title, metadata.doc_type, metadata.review_date) == (
        "Locality review",
        "report",
        dt.date(2017, 3, 12),
    )
    assert metadata.inferred == ("title", "doc_type", "review_date")


def test_a_date_that_cannot_be_found_is_neither_set_nor_marked() -> None:
    metadata = resolve({}, text="No date here.")
    assert metadata.review_date is None and metadata.review_date_precision is None
    assert "review_date" not in metadata.inferred


def test_an_area_nobody_gives_and_no_place_suggests_is_left_empty() -> None:
    metadata = resolve({})
    assert metadata.area is None and "area" not in metadata.inferred


@pytest.mark.parametrize(
    ("field", "value"), [("doc_type", "minutes"), ("review_date", "2017-13-01")]
)
def test_a_bad_given_value_names_the_source_it_came_from(field: str, value: str) -> None:
    with pytest.raises(MetadataError, match=r"^review\.meta\.yaml: "):
        resolve({field: (value, "review.meta.yaml")})


def test_a_given_value_overrides_what_could_be_inferred() -> None:
    metadata = resolve({"review_date": ("2010-01-05", "options")})
    assert (metadata.review_date, metadata.review_date_precision) == (dt.date(2010, 1, 5), "day")
    assert "review_date" not in metadata.inferred


def test_a_title_the_file_declares_is_inferred_before_its_headings() -> None:
    metadata = resolve({}, extracted_title="Declared in the file")
    assert metadata.title == "Declared in the file"


def test_a_file_without_title_or_heading_is_titled_by_its_name() -> None:
    assert resolve({}, blocks=[]).title == "Site visit"


def test_an_area_from_the_places_mentioned_is_marked_inferred() -> None:
    # One mention of one local authority: the plainest case of area inference.
    torbay = Place(
        "Torbay",
        "local_authority",
        None,
        "Devon",
        "Devon and Cornwall Police",
        "South West",
        "England",
        (),
        False,
        "current",
    )
    metadata = resolve(
        {},
        mentions=[PlaceMention(torbay, 0, 6)],
        gazetteer=Gazetteer.build([torbay]),
    )
    assert (metadata.area, metadata.inferred[-1]) == ("Torbay", "area")


@pytest.mark.parametrize("area", ["National", "England and Wales", "wales", " United Kingdom "])
def test_an_area_that_names_the_country_makes_a_national_document(area: str) -> None:
    metadata = resolve({"area": (area, "options")})
    assert metadata.scope == "national" and "scope" in metadata.inferred


def test_a_locality_is_local_by_default_and_not_marked_a_guess() -> None:
    metadata = resolve({"area": ("Torbay", "manifest")})
    assert metadata.scope == "local" and "scope" not in metadata.inferred


@pytest.mark.parametrize(("given", "scope"), [("Thematic", "national"), ("local", "local")])
def test_a_given_scope_wins_over_the_area(given: str, scope: str) -> None:
    metadata = resolve({"area": ("Wales", "manifest"), "scope": (given, "sidecar")})
    assert metadata.scope == scope and "scope" not in metadata.inferred


def test_an_unknown_scope_names_its_source() -> None:
    with pytest.raises(MetadataError, match="sidecar: scope 'regional'"):
        resolve({"scope": ("regional", "sidecar")})
