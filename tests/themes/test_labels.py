from __future__ import annotations

import pytest

from pipeline.themes.labels import analyse, is_informative, label_from_keywords


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("young people", False),
        ("the young people said", False),
        ("county lines", False),
        ("holiday lets", True),
        ("cuckooing", True),
        ("", False),
    ],
)
def test_is_informative_rejects_stop_word_phrases(phrase: str, expected: bool) -> None:
    assert is_informative(phrase) is expected


def test_label_prefers_phrases_and_never_repeats_a_word() -> None:
    keywords = ["cuckooing", "holiday", "holiday lets", "vulnerable adults", "lets"]
    assert label_from_keywords(keywords) == "Cuckooing and holiday lets"


def test_label_skips_uninformative_keywords() -> None:
    assert label_from_keywords(["young people", "xanax", "said", "exams"]) == "Xanax and exams"


def test_label_without_informative_keywords_says_so() -> None:
    assert label_from_keywords(["young people", "said"]) == "Unlabelled theme"


def test_analyse_never_joins_words_across_a_stop_word() -> None:
    terms = analyse("Victims and offenders use holiday lets")
    assert "victims offenders" not in terms
    assert {"victims", "offenders", "holiday lets"} <= set(terms)


def test_label_treats_plurals_as_the_same_word() -> None:
    assert label_from_keywords(["drug markets", "drugs", "cuckooing"]) == (
        "Drug markets and cuckooing"
    )
