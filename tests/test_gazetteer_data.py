"""The bundled gazetteer's own invariants, and its agreement with the ONS reference lookups."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.conftest import SHARED, require_shared

GAZETTEER = Path(__file__).parents[1] / "pipeline" / "data" / "gazetteer.csv"
ONS = SHARED / "reference" / "ons"

COLUMNS = [
    "name",
    "kind",
    "local_authority",
    "county",
    "police_force",
    "region",
    "nation",
    "aliases",
    "ambiguous",
    "status",
]
KINDS = {"nation", "region", "police_force", "county", "local_authority", "town", "informal"}
FORCES = {
    "Avon and Somerset",
    "Bedfordshire",
    "Cambridgeshire",
    "Cheshire",
    "City of London",
    "Cleveland",
    "Cumbria",
    "Derbyshire",
    "Devon and Cornwall",
    "Dorset",
    "Durham",
    "Dyfed-Powys",
    "Essex",
    "Gloucestershire",
    "Greater Manchester",
    "Gwent",
    "Hampshire",
    "Hertfordshire",
    "Humberside",
    "Kent",
    "Lancashire",
    "Leicestershire",
    "Lincolnshire",
    "Merseyside",
    "Metropolitan Police",
    "Norfolk",
    "North Wales",
    "North Yorkshire",
    "Northamptonshire",
    "Northumbria",
    "Nottinghamshire",
    "South Wales",
    "South Yorkshire",
    "Staffordshire",
    "Suffolk",
    "Surrey",
    "Sussex",
    "Thames Valley",
    "Warwickshire",
    "West Mercia",
    "West Midlands",
    "West Yorkshire",
    "Wiltshire",
    "Police Scotland",
    "Police Service of Northern Ireland",
}
ENGLISH_REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}
NATIONS = {"England", "Wales", "Scotland", "Northern Ireland"}
REGIONS = ENGLISH_REGIONS | (NATIONS - {"England"})
NEW_UNITARIES = {
    "Buckinghamshire",
    "North Northamptonshire",
    "West Northamptonshire",
    "Cumberland",
    "Westmorland and Furness",
    "North Yorkshire",
    "Somerset",
}
# ONS spellings that differ from the gazetteer's canonical names (beyond "&" for "and").
ONS_NAMES = {
    "Bristol, City of": "Bristol",
    "Herefordshire, County of": "Herefordshire",
    "Kingston upon Hull, City of": "Kingston upon Hull",
    "St. Helens": "St Helens",
    "London, City of": "City of London",
}
# ONS statistical "counties" for London; the gazetteer's districts say Greater London.
LONDON_HALVES = {"Inner London", "Outer London"}


def canonical(ons_name: str) -> str:
    name = ONS_NAMES.get(ons_name, ons_name)
    return name.replace(" & ", " and ")


def surfaces(row: dict[str, str]) -> list[str]:
    return [row["name"], *(a for a in row["aliases"].split("|") if a)]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with GAZETTEER.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def authorities(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["name"]: r for r in rows if r["kind"] == "local_authority"}


def read_ons(name: str) -> list[dict[str, str]]:
    path = require_shared(ONS / name)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_header_is_the_documented_columns() -> None:
    """The CSV's columns are exactly the ten the loader reads, in order."""
    with GAZETTEER.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS


def test_every_row_has_a_known_kind(rows: list[dict[str, str]]) -> None:
    """Kinds are the seven the place finder ranks."""
    assert {r["kind"] for r in rows} <= KINDS


def test_name_and_kind_pairs_are_unique(rows: list[dict[str, str]]) -> None:
    """No place is listed twice under the same kind."""
    counts = Counter((r["name"], r["kind"]) for r in rows)
    assert [pair for pair, n in counts.items() if n > 1] == []


def test_police_force_values_are_territorial_forces(rows: list[dict[str, str]]) -> None:
    """Every force named is one of the 43 territorial forces, Police Scotland or the PSNI."""
    assert {r["police_force"] for r in rows if r["police_force"]} <= FORCES


def test_every_force_has_its_own_row(rows: list[dict[str, str]]) -> None:
    """There is one police_force row per force, naming itself as its force."""
    forces = [r for r in rows if r["kind"] == "police_force"]
    assert {r["name"] for r in forces} == FORCES
    assert all(r["police_force"] == r["name"] and not r["local_authority"] for r in forces)


def test_region_values_are_the_twelve_regions(rows: list[dict[str, str]]) -> None:
    """Regions are the nine English regions, Wales, Scotland or Northern Ireland."""
    assert {r["region"] for r in rows if r["region"]} <= REGIONS


def test_nation_values_are_the_four_nations(rows: list[dict[str, str]]) -> None:
    """Nations are England, Wales, Scotland or Northern Ireland."""
    assert {r["nation"] for r in rows if r["nation"]} <= NATIONS


def test_region_is_empty_only_for_places_spanning_regions(rows: list[dict[str, str]]) -> None:
    """Only nations and informal names may leave the region empty."""
    missing = [(r["name"], r["kind"]) for r in rows if not r["region"]]
    assert [m for m in missing if m[1] not in {"nation", "informal"}] == []


def test_force_is_empty_only_for_places_spanning_forces(rows: list[dict[str, str]]) -> None:
    """Only regions, nations and informal names may leave the police force empty."""
    missing = [(r["name"], r["kind"]) for r in rows if not r["police_force"]]
    assert [m for m in missing if m[1] not in {"region", "nation", "informal"}] == []


def test_ambiguous_is_a_flag(rows: list[dict[str, str]]) -> None:
    """The ambiguous column is 0 or 1."""
    assert {r["ambiguous"] for r in rows} <= {"0", "1"}


def test_only_local_authorities_are_former(rows: list[dict[str, str]]) -> None:
    """Status is current or former, and only abolished local authorities are former."""
    assert {r["status"] for r in rows} <= {"current", "former"}
    assert {r["kind"] for r in rows if r["status"] == "former"} <= {"local_authority"}


def test_local_authority_rows_name_themselves(authorities: dict[str, dict[str, str]]) -> None:
    """A local authority's local_authority column is its own name."""
    assert [n for n, r in authorities.items() if r["local_authority"] != n] == []


def test_areas_above_districts_have_no_local_authority(rows: list[dict[str, str]]) -> None:
    """Counties, forces, regions and nations are not inside one local authority."""
    above = {"county", "police_force", "region", "nation"}
    assert [r["name"] for r in rows if r["kind"] in above and r["local_authority"]] == []


def test_towns_and_informal_names_point_at_local_authority_rows(
    rows: list[dict[str, str]], authorities: dict[str, dict[str, str]]
) -> None:
    """A town's or informal name's local authority is itself a local_authority row."""
    pointing = [r for r in rows if r["kind"] in {"town", "informal"} and r["local_authority"]]
    assert [r["name"] for r in pointing if r["local_authority"] not in authorities] == []


def test_every_town_has_a_local_authority(rows: list[dict[str, str]]) -> None:
    """Towns always say which local authority they lie in."""
    assert [r["name"] for r in rows if r["kind"] == "town" and not r["local_authority"]] == []


def test_towns_share_their_authority_s_geography(
    rows: list[dict[str, str]], authorities: dict[str, dict[str, str]]
) -> None:
    """A place inside a local authority has that authority's county, force, region and nation."""
    fields = ("county", "police_force", "region", "nation")
    inside = [r for r in rows if r["kind"] in {"town", "informal"} and r["local_authority"]]
    inside = [r for r in inside if r["local_authority"] in authorities]
    mismatched = [
        r["name"]
        for r in inside
        if any(r[f] != authorities[r["local_authority"]][f] for f in fields)
    ]
    assert mismatched == []


def test_counties_named_are_county_rows(rows: list[dict[str, str]]) -> None:
    """Every county value is the name of a county row."""
    counties = {r["name"] for r in rows if r["kind"] == "county"}
    assert {r["county"] for r in rows if r["county"]} - counties == set()


def test_names_and_aliases_are_capitalised(rows: list[dict[str, str]]) -> None:
    """Surfaces start with a capital, since the finder drops matches that start in lower case."""
    lower = [s for r in rows for s in surfaces(r) if not s[:1].isupper()]
    assert lower == []


def test_aliases_do_not_name_other_places(rows: list[dict[str, str]]) -> None:
    """An alias is never another place's canonical name."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_name[r["name"].lower()].add(r["name"])
    clashes = [
        (alias, r["name"])
        for r in rows
        for alias in surfaces(r)[1:]
        if by_name.get(alias.lower(), set()) - {r["name"]}
    ]
    assert clashes == []


def test_no_alias_is_shared_by_two_places(rows: list[dict[str, str]]) -> None:
    """Each alias leads to one place name only."""
    owners: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for alias in surfaces(r)[1:]:
            owners[alias.lower()].add(r["name"])
    assert {a: names for a, names in owners.items() if len(names) > 1} == {}


def test_post_2019_unitaries_are_current(authorities: dict[str, dict[str, str]]) -> None:
    """The unitaries created since 2019 are current local authorities."""
    assert all(authorities[name]["status"] == "current" for name in NEW_UNITARIES)


def test_scotland_and_northern_ireland_have_every_council(
    authorities: dict[str, dict[str, str]],
) -> None:
    """All 32 Scottish council areas and 11 Northern Ireland districts are present."""
    nations = Counter(r["nation"] for r in authorities.values())
    assert (nations["Scotland"], nations["Northern Ireland"]) == (32, 11)


def test_every_lad19_district_is_a_local_authority(
    authorities: dict[str, dict[str, str]],
) -> None:
    """Every December 2019 district of England and Wales has a local_authority row."""
    districts = {canonical(r["LAD19NM"]) for r in read_ons("lad19_csp19_pfa19_england_wales.csv")}
    assert districts - set(authorities) == set()


def test_lad19_districts_have_the_ons_police_force(
    authorities: dict[str, dict[str, str]],
) -> None:
    """Each 2019 district lies in the police force area the ONS gives it."""
    wrong = {
        canonical(r["LAD19NM"]): r["PFA19NM"]
        for r in read_ons("lad19_csp19_pfa19_england_wales.csv")
        if authorities.get(canonical(r["LAD19NM"]), {}).get("police_force")
        != canonical(r["PFA19NM"])
    }
    assert wrong == {}


def test_english_districts_have_the_ons_region(rows: list[dict[str, str]]) -> None:
    """Each 2018 English district (or the town it became) is in the region the ONS gives it."""
    places = {r["name"]: r for r in rows if r["kind"] in {"local_authority", "town"}}
    wrong = {
        canonical(r["LAD18NM"]): r["RGN18NM"]
        for r in read_ons("lad18_rgn18_england.csv")
        if places.get(canonical(r["LAD18NM"]), {}).get("region") != r["RGN18NM"]
    }
    assert wrong == {}


def test_every_ons_county_is_a_county_row(rows: list[dict[str, str]]) -> None:
    """Every county in the ONS 2020 district-to-county lookup has a county row."""
    counties = {r["name"] for r in rows if r["kind"] == "county"}
    assert {r["CTY20NM"] for r in read_ons("lad20_cty20_england.csv")} - counties == set()


def test_two_tier_and_metropolitan_districts_have_the_ons_county(
    authorities: dict[str, dict[str, str]],
) -> None:
    """Districts in the 2020 county lookup carry that county (Greater London for London)."""
    wrong = {}
    for r in read_ons("lad20_cty20_england.csv"):
        county = "Greater London" if r["CTY20NM"] in LONDON_HALVES else r["CTY20NM"]
        name = canonical(r["LAD20NM"])
        if authorities.get(name, {}).get("county") != county:
            wrong[name] = county
    assert wrong == {}
