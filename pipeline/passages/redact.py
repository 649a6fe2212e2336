"""Redaction of displayed quotes: personal names, phone numbers and e-mail addresses.

Reviews are about children and vulnerable adults, and practitioners sometimes name them (or
themselves) or leave contact details. What the viewer and exports show is redacted unless an
authorised analyst turns it off; the warehouse keeps the original text so offsets stay exact.
Places and agencies stay: they are the point of the synthesis.

Names are found three ways, each enough on its own:
- a list of given names of many origins (pipeline/data/personal_names.txt, and spellings close to
  one), with the capitalised words beside one taken as the rest of the name ("Tyrone Walker",
  "JORDAN SMITH");
- the words around a capitalised word: a title ("Mrs Okafor"), a speaker label ("Kelly O'Brien
  (mother of Jordan):"), a form field ("NAME:"), an introduction ("known as Bugsy"), what only
  people do or are ("Snoopz was arrested", "Ludmila is a Bulgarian mother");
- the spaCy model's PERSON entities, when a model is given.
A name that is also a word or a place (Hope, Mark, May, Barry, Jordan) counts only where the words
around it show a person; one that reads as a place, a street, a line or an organisation stays.
The word lists these judgements use are in pipeline/data/redaction_words.txt.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import pytz
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Span

from pipeline.passages.repair import repaired

# The entity recogniser fine-tuned on the redaction set's dev halves, built by `make install`.
REDACTION_NER = Path(__file__).resolve().parents[1] / "data" / "redaction_ner"

EMAIL = re.compile(r"\b[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+\b")  # "kerry.o'neill@…" too
# Addresses written to dodge harvesters: "duty(at)example.org", "ref [at] example [dot] org", and
# "kelly dot obrien at example dot com", "priya underscore k at ..." (spelled out, so it must end
# in a known top-level domain).
BRACKETED_EMAIL = re.compile(
    r"\b[\w.+-]+\s*[\[(]\s*at\s*[\])]\s*[\w-]+(?:(?:\s*[\[(]\s*dot\s*[\])]\s*|\.)[\w-]+)+\b",
    re.IGNORECASE,
)
SPELLED_EMAIL = re.compile(
    r"\b[\w+-]+(?:\s+(?:dot|underscore|dash|hyphen)\s+[\w+-]+)*\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*"
    r"\s+dot\s+(?:com|org|net|uk|invalid|info|io|edu|gov|ie|eu|biz)\b",
    re.IGNORECASE,
)
# UK numbers: 0, +44, 0044 or +44 (0), then digits in groups (an area code may be bracketed),
# then an extension; checked for length after matching, so years and counts never match. Groups
# of one digit are not taken: "01.02.22 14.30" is a date and a time in a chronology.
PHONE = re.compile(
    r"(?<![\w+./])"
    r"(?:(?:\+|00)\s?44[\s.-]?(?:\(0\)[\s.-]?)?\(?|\(?0)"
    r"\d{1,5}\)?(?:[\s.-]?\d{2,6}){1,3}"
    r"(?:\s*(?:ext|extn|extension|x)\.?\s*\d{1,5})?"
    r"(?!\w)",
    re.IGNORECASE,
)
# A social media handle ("@lil.dre", "@ks_tre"): it names one person as surely as a name does.
# The @ stays, so a reader still sees a handle was there; an e-mail's @ has a word before it.
HANDLE = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])")
PHONE_EXTENSION = re.compile(r"\s*(?:ext|extn|extension|x)\.?\s*\d{1,5}$", re.IGNORECASE)
# A word as names are written: letters in any script, joined by apostrophes or hyphens.
# A word may run over a line break after a hyphen, as PDF text and OCR break them: "Ty-\nrone".
# Broken before a small letter, the hyphen was the line's ("pre-\nsented"); before a capital,
# the name's own ("Okafor-\nBrown").
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]+|-\n[ \t]*[^\W\d_]+)*")
LINE_BREAK_HYPHEN = re.compile(r"-\n[ \t]*(?=[a-z])")
LINE_BREAK = re.compile(r"\n[ \t]*")
# A capitalised word as names are written: Mick, McNally, O'Brien, Smith-Jones.
NAME_WORD = re.compile(r"[A-Z][A-Za-z]*(?:['’-][A-Za-z]+)*")
# Surnames by their shape, which no word shares: O'Donnell, McKenzie, O'SULLIVAN, MCKENZIE.
SURNAME_SHAPE = re.compile(r"(?:O['’]|Mc|MC)[A-Z][A-Za-z]+(?:-[A-Z][A-Za-z]+)?")
NAMES_FILE = "personal_names.txt"
COMMON_WORDS_FILE = "common_words.txt"  # derived by scripts/build_common_words.py
WORDS_FILE = "redaction_words.txt"


def parse_words(text: str) -> dict[str, frozenset[str]]:
    """The word lists of redaction_words.txt: "[name]" opens a list, "#" a comment."""
    lists: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = lists.setdefault(line[1:-1], set())
        elif line:
            current.update(entry.replace("_", " ") for entry in line.split())
    return {name: frozenset(entries) for name, entries in lists.items()}


@cache
def load_common_words() -> frozenset[str]:
    """English words used as words more than as names ("mark", "will"; not "tyrone")."""
    text = resources.files("pipeline").joinpath("data", COMMON_WORDS_FILE).read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


@cache
def load_words() -> dict[str, frozenset[str]]:
    """The bundled word lists."""
    text = resources.files("pipeline").joinpath("data", WORDS_FILE).read_text("utf-8")
    return parse_words(text)


# What each list is for is written beside it in pipeline/data/redaction_words.txt.
_WORDS = load_words()
COMMON_WORDS = load_common_words()
HONORIFICS = _WORDS["honorifics"]
# Titles that only ever come before a person's surname (a rank may come before a place).
SURNAME_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
# Kin written before a name, often of someone who is no relative ("Aunty B", "Uncle Dee"): the
# name and the word before it go together.
KIN_TITLES = frozenset({"aunty", "auntie", "aunt", "uncle", "cousin"})
TITLES = HONORIFICS | _WORDS["roles_before_names"]
NOT_A_PERSON = _WORDS["organisation_words"]
NOT_A_NAME = _WORDS["never_names"]
NOT_A_PERSON_AFTER = _WORDS["place_words_after"]
PLACE_PREPOSITIONS = _WORDS["place_prepositions"]
PLACE_OPENERS = _WORDS["place_openers"]
PEOPLES = _WORDS["peoples"]
CONNECTIVES = _WORDS["connectives"]
COLOURS = _WORDS["colours"]
PLACE_HEADS_BEFORE_OF = _WORDS["place_heads_before_of"]
MOTION_BEFORE_TO = _WORDS["motion_before_to"]
DETERMINERS = frozenset({"the", "a", "an"})
NOT_BEFORE_A_PERSON = PLACE_PREPOSITIONS | DETERMINERS | _WORDS["date_and_thing_words_before"]
PERSON_VERBS_AFTER = _WORDS["person_verbs_after"]
PERSON_VERBS_BEFORE = _WORDS["person_verbs_before"]
VERBS_BEFORE_TO = _WORDS["verbs_before_to"]
DONE_TO_PEOPLE_BEFORE = _WORDS["done_to_people_before"]
SUBJECT_OPENERS = _WORDS["subject_openers"]
PHRASES_BEFORE_PEOPLE = tuple(tuple(entry.split()) for entry in _WORDS["phrases_before_people"])
DONE_BY_PEOPLE = _WORDS["done_to_people"] | _WORDS["controlled_by"]
PERSON_NOUNS = _WORDS["person_nouns"]
RELATIVES = _WORDS["relatives"]
PERSON_NOUNS_AFTER_POSSESSIVE = PERSON_NOUNS | _WORDS["possessed_by_people"]
BEFORE_A_VERB = _WORDS["before_a_verb"]
DONE_TO_PEOPLE = _WORDS["done_to_people"]
FOUND = _WORDS["found"]
AUXILIARIES = _WORDS["auxiliaries"]
ADVERBS_IN_A_VERB = _WORDS["adverbs_in_a_verb"]
VERBS_AFTER_A_SUBJECT = _WORDS["verbs_after_a_subject"]
VERBS_ENDING_IN_S = _WORDS["verbs_ending_in_s"]
COLLECTIVES = _WORDS["collectives"]
NAMED_THINGS = NOT_A_PERSON | _WORDS["named_things"]
SUBJECTS = _WORDS["callers"]
NICKNAME_PREFIXES = _WORDS["nickname_prefixes"]
NICKNAME_STARTS = _WORDS["nickname_starts"]
PARTICLES = _WORDS["particles"]
LABEL_WORDS = _WORDS["label_words"]
MESSAGE_VERBS = _WORDS["message_verbs"]
MESSAGE_ADDRESSING = _WORDS["message_addressing"]
MESSAGE_NOT_PEOPLE = _WORDS["message_not_people"] | _WORDS["message_people"]
POSSESSIVES = frozenset(
    {"my", "ur", "your", "his", "her", "their", "our", "ma", "dat", "that", "this"}
)
INTRODUCERS_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _phrase in sorted(tuple(entry.split()) for entry in _WORDS["introducers"]):
    INTRODUCERS_BY_FIRST_WORD.setdefault(_phrase[0], []).append(_phrase)
MAX_NAME_WORDS = 3  # given names and a surname, for names listed beside a found name
MAX_TITLE_WORDS = 4  # capitalised words between a "name" and the organisation word it opens
MAX_SURNAME_WORDS = 2  # capitalised words after a given name taken as the rest of the name
_PERSON_NOUNS = "|".join(sorted(PERSON_NOUNS))
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})  # the model's labels for places
# "https://basecamp.com/...": the name of a site, which the text may name as a word too.
SITE_NAME = re.compile(r"(?:https?://|www\.)(?:www\.)?([\w-]+)\.", re.IGNORECASE)
# What follows a name that stands in for a real one: "Ashton (not his real name)".
PSEUDONYM_AFTER = re.compile(
    r"(?:['’]s)?\s*[(,]\s*(?:not (?:his|her|their) real name|a pseudonym|pseudonym|"
    r"name changed|names? (?:has been |have been )?changed)",
    re.IGNORECASE,
)
# An age in brackets right after a name: "Chelsea (16)", "Jaxon (aged 14)".
AGE_AFTER = re.compile(r"[ \t]*\((?:aged?\s*)?\d{1,2}(?:\s*(?:yrs?|years?(?: old)?))?\)")
MIN_TITLE_WORD = 4  # letters of each word of a title: "Safer Schools", not "Yung Tee" or "Boss Man"
MIN_LOGGED_NAME = 5  # letters of a name in a log written in capitals: "TIYANI", not "CAMHS"
MIN_NAME_VOWELS = 2
LIST_WINDOW = 6  # words either side where another place of the same kind makes a list
MIN_MESSAGE_WORDS = 3  # words on a line in lower case before it reads as a message
INITIAL_CLOSES = re.compile(
    r"[ \t]*(?:[(,;\n]|$)"
)  # after "Hollis R": a role, a list, a line's end
# What stands between a contact's name and their number: " – ", '" - ' (not a colon: "Mobile:").
CONTACT_BEFORE_PHONE = re.compile(r"[\"”’']?[ \t]*[–—-][ \t]*\Z")
# The head of a role that an English word or a people may open: "Senior Practitioner".
ROLE_HEADS = PERSON_NOUNS | frozenset(
    {"practitioner", "liaison", "advocate", "coordinator", "navigator", "guardian", "chair"}
)
INITIALS_NAME = re.compile(r"[A-Z]-?J")  # "TJ", "M-J": initials that name a person
DOTTED_INITIALS = re.compile(r"(?<![\w.])[A-Z]\.(?:[ ]?[A-Z]\.){1,2}(?![\w])")  # "R.T.", "J. P. K."
# Dotted capitals that are abbreviations, not someone's initials.
NOT_INITIALS = frozenset(
    [
        "UK",
        "US",
        "USA",
        "EU",
        "UN",
        "NB",
        "PS",
        "AM",
        "PM",
        "PE",
        "RE",
        "IT",
        "DT",
        "EG",
        "IE",
        "BC",
        "AD",
        "NI",
        "GP",
        "CV",
        "OK",
        "TV",
        "DJ",
        "MP",
    ]
)
INTRODUCED_BY = frozenset({"as", "named", "called", "by", "nicknamed"})  # "identified as R.T."
FAMILY_WORDS = frozenset({"family", "families", "household", "brothers", "sisters", "twins"})
MIN_CHAT_LINES = 2  # lines opening "name – message" before a text reads as a chat log
# A chat line's speaker in lower case (at the line's start or a quote's), a dash or a colon, and
# the message.
CHAT_SPEAKER = re.compile(
    r"(?:^[ \t]*[\"“‘']?|[\"“])[ \t]*([a-z][a-z'’-]{1,19})[ \t]*(?:[–—-]|:)[ \t]+\S", re.MULTILINE
)
MIN_NAME_IN_CAPITALS = 4  # "SANTINO (15)" is a name, "CSC (12)" a team: most acronyms are short
TABLE_OF_COUNTS = 3  # "Word (n)" items in a row, joined by commas or "and": a table
ITEM_BETWEEN = re.compile(r"\s*(?:[,;/]|\band\b)\s*(?:[^\W\d_][\w'’&-]*\s*){1,4}")
NAME_AFTER_KNOWN_AS = re.compile(r"[\"'“‘]?[A-Z]")
KNOWN_AS_AFTER = re.compile(r"[ \t,]+(?:also )?(?:known as|aka|a\.k\.a\.)\s", re.IGNORECASE)
ADDRESS_PARTS = re.compile(r"[._+'-]")  # "akin.balogun", "kelly_o-brien"
CALLING = frozenset({"call", "calls", "called", "calling"})  # "a man they call the Chemist"
MAX_CALLED_OBJECT = 4  # words between "calls" and the quoted name: "the older man"
OBJECT_PRONOUNS = frozenset({"him", "her", "them", "me", "us"})
CALLERS_OF_NAMES = frozenset({"they", "he", "she", "we", "you", "i", "people", "everyone"})
SOMEONE = frozenset({"someone", "somebody", "one", "guy", "bloke", "lad", "male", "female"})
MIN_HEADING_WORDS = 4  # content words, all capitalised: a heading, not prose
MIN_HEADING_ENGLISH = 2  # or fewer, two of them English: "Child Exploitation Navigator"
NUMBER_AFTER = re.compile(r"[ \t]+\d")  # "Zone 2", "Practitioner 3": a group or a role
# A role opening a police log's sentence, its holder named after: "Driver believed to be ...".
REPORTED_AFTER = re.compile(
    r"\s+(?:believed|thought|understood|reported|alleged|attributed|suspected)\s+to\b"
)
# English endings of nouns, adjectives and participles, seldom of names: "Paediatrician",
# "Signposted", "Cuckooing" (not "-oma": "Paloma"). Checked on words longer than MIN_SUFFIXED.
WORD_ENDING = re.compile(
    r"(?:ing|tion|sion|ment|ness|ity|ance|ence|ism|ship|ies|ician|ologist|ology|itis|"
    r"ectomy|ised|ized|ated|ted|ful|less|ous|ive|able|ible)$"
)
MIN_SUFFIXED = 6
LINE_DASH = re.compile(r"[ \t]+[–—-][ \t]")  # "AALIYAH – NRM referral submitted"
ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")  # "GCSEs", "PRUs"
# Words that end as English nouns do, which open sentences as subjects ("Housing has had"):
# not taken for an unknown name on a pronoun's evidence alone.
NOUN_ENDING = re.compile(r"(?:ing|tion|sion|ment|ness|ity|ance|ence|ism|ship|ies)$")
PRONOUN_WINDOW = 8  # words after a subject's verb within which "he" or "she" refers to it
REFLEXIVES = frozenset({"herself", "himself"})
PERSONAL_PRONOUN = re.compile(r"\b(?:she|her|hers|herself|he|him|his|himself)\b", re.IGNORECASE)
# A role set beside a name: "Fitzgerald, the older brother, ran the line".
APPOSED_ROLE = re.compile(
    r",\s+(?:the|a|an|his|her|their|my|our)\s+(?:[a-z-]+\s+){0,2}?(?:" + _PERSON_NOUNS + r")\b"
)
# "her eldest, " or "his cousin (": a word for a person, someone's, just before a name.
POSSESSED_PERSON_BEFORE = re.compile(
    r"\b(?:his|her|their|my|our)\s+(?:[a-z-]+\s+)?(?:eldest|youngest|"
    + _PERSON_NOUNS
    + r")\s*[,(]\s*$",
    re.IGNORECASE,
)
# What only a person is: "Ludmila is a Bulgarian mother", "Tomek is the one who".
IS_A_PERSON = re.compile(
    r"\s+(?:is|was)\s+(?:(?:a|an|the|his|her|their|my|our)\s+(?:[A-Za-z-]+\s+){0,2}?(?:"
    + _PERSON_NOUNS
    + r")\b|the\s+one\s+who\b|(?:only\s+)?\d{1,2}\b)"
    # "Mercy and Patience are sisters"
    r"|\s+(?:are|were)\s+(?:both\s+|all\s+)?(?:[a-z-]+\s+)?"
    r"(?:sisters|brothers|twins|cousins|friends|siblings)\b"
)
# A relative clause that only follows a person: "Junior who holds the phone", "Kemi, who".
WHO = re.compile(r",?\s+who(?:'s|’s)?\s")
# A name with a relative: "Lenka and her boyfriend", "Katie-Louise and her brother".
WITH_A_RELATIVE = re.compile(r"\s+and\s+(?:his|her|their)\s+(?:" + _PERSON_NOUNS + r")\b")
# What only people do: "had a baby", "was pregnant", "turned sixteen".
ONLY_PEOPLE_DO = re.compile(
    r"\s+(?:had\s+a\s+baby|gave\s+birth|(?:is|was|got|became)\s+pregnant|"
    r"(?:went|goes|go|gone|going|had\s+gone|has\s+gone)\s+missing|ran\s+away|"
    r"(?:is|was|were|been)\s+named\s+(?:in|by|as)\b|turned\s+"
    r"(?:\d{1,2}|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen)\b|aged\s+\d)"
)
# After a line's first word, a word for a person and a colon: the line's label is a role.
ROLE_LABEL_AFTER = re.compile(r"[ \t]+(?:" + _PERSON_NOUNS + r")s?[ \t]*:")
# How reports stand a letter in for a name: "Child K", "Young Person B's", "Adult C".
ANONYMISED = re.compile(
    r"\b(?:Child|Young [Pp]erson|YP|Person|Adult|Victim|Suspect|Sibling|Parent|Pupil|Case"
    r"|Male|Female|Witness|Nominal)"
    r"\s+(?:[A-Z]|\d{1,3})(?:['’]s)?(?![\w'’])"
)
PLURAL_MARK = re.compile(r"\((?:s|es|ren)\)")  # "Sibling(s)", "Child(ren)": a field's noun
# A turn of a transcript labelled by the interviewer's role.
TRANSCRIPT_LABEL = re.compile(
    r"(?:^|\n)\s*(?:interviewer|facilitator|researcher|moderator|q)\s*:", re.IGNORECASE
)
# Form fields whose value is a person's name ("NAME: KELLY O'BRIEN", "Young person: Priya").
FIELD_LABEL = re.compile(
    r"(?:^|(?<=[\n.;]))\s*(?:full name|name(?: of (?:the )?(?:child|young person|yp|victim|"
    r"suspect|parent|carer|mother|father|subject|person|witness|interpreter|referrer))?|"
    r"child|young person|yp|signed|mother|father|mum|dad|"
    r"parent|carer|referrer|victim|suspect|missing(?: person)?|person of concern|interpreter|"
    r"social worker|key worker|officer in (?:the )?case|oic|"
    r"alias(?:es)?|aka|nicknames?|street names?|(?:known )?associates?)\s*:\s*",
    re.IGNORECASE,
)
# Fields whose value may list several people: "Associates: Pepper, K-Dot and Lil Kay".
LIST_FIELD = re.compile(r"alias|aka|nickname|street name|associate", re.IGNORECASE)
LIST_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)\s*")
# What ends a clause, or a phrase ("controlled by Dotty and Rambo"), right after a name; matched
# from a position, not on a copy of the rest of the text, which a long passage makes costly.
CLAUSE_END = re.compile(r"\s*(?:[.,;!?\n]|$)")
QUESTION_END = re.compile(r"[\"'”’]?\s*\?")
PHRASE_END = re.compile(r"\s*(?:[.,;:!?)\n]|$|(?:and|or)\s)")
# A name already redacted, right before a word.
PLACEHOLDER_BEFORE = re.compile(r"\[name\][ \t]+$")
# Characters between two words that end a sentence or a field, so the next word is capitalised
# for that reason and not because it is a name.
COLUMN_GAP = re.compile(r" {2,}|\t")  # between a flattened table's cells
SENTENCE_BREAKS = frozenset(".!?:;\n")
LIST_MARKER = re.compile(r"[ivxlc]+|[a-zA-Z]")
# Letters that Unicode does not decompose into a base letter and an accent.
FOLDED_LETTERS = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "’": "'"}
)


def fold(word: str) -> str:
    """Lower case without accents, so that "OISIN", "Oisín" and "oisin" compare equal."""
    decomposed = unicodedata.normalize("NFKD", word.translate(FOLDED_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Countries of one word ("fled Iran", "from Eritrea"): the gazetteer holds only the UK's places.
COUNTRIES = frozenset(fold(name) for name in pytz.country_names.values() if " " not in name)


@dataclass(frozen=True)
class NameList:
    """Name words, folded (see `fold`).

    `plain` are only names; `common` are also everyday words, so they need a person around
    them; `abroad` are also places outside the gazetteer ("Jordan").
    """

    plain: frozenset[str]
    common: frozenset[str]
    abroad: frozenset[str]
    variants: frozenset[str] = field(init=False)  # spelling keys of the plain names

    def __post_init__(self) -> None:
        object.__setattr__(self, "variants", frozenset(spelling_key(k) for k in self.plain))

    def __contains__(self, key: object) -> bool:
        return key in self.plain or key in self.common or key in self.abroad

    def without(self, keys: Iterable[str]) -> NameList:
        """The list less some names (the benchmark's test of names it has never seen)."""
        drop = frozenset(keys)
        return NameList(self.plain - drop, self.common - drop, self.abroad - drop)


def spelling_key(key: str) -> str:
    """One key for the spellings of a name, blind to vowels, doubled letters, c/k/q and ph/f.

    "Kieron" and "Kieran", "Deshaun" and "Deshawn", "Zubeyda" and "Zubaida" share one.
    """
    key = re.sub(r"['’-]", "", key)
    for spelt, sound in (("ph", "f"), ("ck", "k"), ("q", "k"), ("c", "k"), ("z", "s")):
        key = key.replace(spelt, sound)
    key = re.sub(r"(.)\1+", r"\1", key)
    key = re.sub(r"(?<=[aeiouyw])h$", "", key)  # "Sarah", "Sara"
    return re.sub(r"[aeiouyw]+", "*", key)


def parse_name_list(text: str) -> NameList:
    """A name list from the text of personal_names.txt (one name a line, # for comments)."""
    plain: set[str] = set()
    common: set[str] = set()
    abroad: set[str] = set()
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        key = fold(entry.rstrip("?@"))
        {"?": common, "@": abroad}.get(entry[-1], plain).add(key)
    return NameList(frozenset(plain - common - abroad), frozenset(common), frozenset(abroad))


@cache
def load_name_list() -> NameList:
    """The bundled list of given names."""
    text = resources.files("pipeline").joinpath("data", NAMES_FILE).read_text("utf-8")
    return parse_name_list(text)


@dataclass(frozen=True)
class Redaction:
    """One span of a text that was replaced."""

    start: int
    end: int
    kind: str  # 'name', 'phone' or 'email'


@dataclass(frozen=True)
class Word:
    """A word of the text being redacted, by character offsets; `key` is its folded form."""

    start: int
    end: int
    text: str
    key: str

    @cached_property
    def is_upper(self) -> bool:
        """Written in capitals (two letters or more): "JORDAN"."""
        return len(self.text) > 1 and self.text.isupper()

    @cached_property
    def is_title(self) -> bool:
        """Capitalised and not all capitals: "Jordan", "McNally", "O'Brien"."""
        return self.text[:1].isupper() and not self.is_upper

    @cached_property
    def looks_like_a_name(self) -> bool:
        """Capitalised as a name is, each hyphenated part too ("Smith-Jones", not "Non-stop")."""
        return all(part[:1].isupper() for part in self.text.split("-")) and (
            self.is_title or self.is_upper
        )


def words_of(text: str) -> list[Word]:
    """The words of a text, less redacted details ("[name]").

    A possessive 's is left outside the word ("Kwame's" -> "Kwame").
    """
    words = []
    for match in WORD.finditer(text):
        start, end = match.span()
        if text[start - 1 : end + 1] in ("[name]", "[phone]", "[email]"):
            continue  # a detail redacted already, not a word of the text
        if text[end - 2 : end].lower() in ("'s", "’s") and end - start > 3:
            end -= 2
        # The word as it was written before the line broke it: "Ty-\nrone" is "Tyrone".
        written = LINE_BREAK.sub("", LINE_BREAK_HYPHEN.sub("", text[start:end]))
        words.append(Word(start, end, written, fold(written)))
    return words


@dataclass(frozen=True)
class Candidate:
    """A run of words (indices `first` to `last`) that may be a name, and why."""

    first: int
    last: int
    sure: bool  # found by its context ("Mrs", "known as", a speaker label): no further check


@dataclass
class Redactor:
    """Finds and replaces personal details in text.

    `nlp` supplies PERSON entities (None: the name list, contexts and patterns only);
    `place_names` (lower case) are never treated as names on their own, because the small model
    often takes a town for a surname; `names` is the list of given names.
    """

    nlp: Language | None
    place_names: frozenset[str] = field(default_factory=frozenset)
    names: NameList = field(default_factory=load_name_list, repr=False)
    _long_places: dict[str, list[tuple[str, ...]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Places of two words or more by their first word, to protect "Milton Keynes" and
        # "Avon and Somerset" word by word.
        self._long_places = {}
        for place in self.place_names:
            keys = tuple(fold(w.text) for w in words_of(place))
            if len(keys) > 1:
                self._long_places.setdefault(keys[0], []).append(keys)

    def spans(self, text: str, doc: object | None = None) -> list[Redaction]:
        """The spans to replace, sorted and not overlapping (overlapping spans are joined).

        Names are looked for in the text as it read before extraction mangled it (mojibake,
        OCR's zeros); `doc`, the model's reading of `text`, is read again for a repaired text.
        """
        reading = repaired(text)
        if reading.text == text:
            return self._spans(text, doc)
        return [
            Redaction(*reading.original(span.start, span.end), span.kind)
            for span in self._spans(reading.text, None)
        ]

    def _spans(self, text: str, doc: object | None) -> list[Redaction]:
        found = [Redaction(start, end, "email") for start, end in _emails(text)]
        found += [Redaction(start, end, "phone") for start, end in _phones(text)]
        found += [Redaction(*match.span(1), "name") for match in HANDLE.finditer(text)]
        if doc is None and self.nlp is not None:
            doc = self.nlp(text)
        found += [Redaction(start, end, "name") for start, end in self._names(text, doc)]
        kept: list[Redaction] = []
        for span in sorted(found, key=lambda s: (s.start, -s.end)):
            if kept and span.start < kept[-1].end:
                last = kept[-1]
                kept[-1] = Redaction(last.start, max(last.end, span.end), last.kind)
                continue
            kept.append(span)
        return kept

    def _names(self, text: str, doc: object | None) -> list[tuple[int, int]]:
        return _NameFinder(text, words_of(text), self, doc).spans()

    def redact(self, text: str) -> str:
        """The text with each personal detail replaced by [name], [phone] or [email]."""
        return _apply(text, self.spans(text))

    def redact_many(self, texts: Iterable[str]) -> list[str]:
        """Redact several texts, running the model over them as one batch."""
        texts = list(texts)
        if self.nlp is None:
            return [self.redact(t) for t in texts]
        return [
            _apply(text, self.spans(text, doc))
            for text, doc in zip(texts, self.nlp.pipe(texts), strict=True)
        ]


class _NameFinder:
    """The names in one text: candidates from the list, contexts and entities, then checks."""

    def __init__(
        self, text: str, words: list[Word], redactor: Redactor, doc: object | None
    ) -> None:
        self.text = text
        self.words = words
        self.names = redactor.names
        self.place_names = redactor.place_names
        self.in_long_place = self._long_place_words(redactor._long_places)
        self.candidates: list[Candidate] = []
        self.entities: list[tuple[int, int]] = []
        self.places_tagged: set[int] = set()  # words the model tagged as a place
        self.other_entities: set[int] = set()  # words in the model's other entities (ORG, DATE)
        self.entity_words: set[int] = set()  # words of accepted PERSON entities
        self.entity_label: dict[int, tuple[str, int]] = {}  # word: (its entity's label, size)
        self._headings: dict[int, bool] = {}  # line start: whether the line is a heading
        self._ends = {w.end: i for i, w in enumerate(words)}  # where each word ends: its index
        self._addresses = [m.span() for m in EMAIL.finditer(text)]
        entities = list(getattr(doc, "ents", ()))
        self._note_other_entities(entities)
        self._from_the_list()
        self._after_titles()
        self._after_kin()
        self._speaker_labels()
        self._introduced()
        self._called_the()
        self._called_in_quotes()
        self._not_a_real_name()
        self._with_an_age()
        self._before_known_as()
        self._named_in_an_address()
        self._after_person_nouns()
        self._after_field_labels()
        self._after_initials()
        self._nicknames()
        self._in_lowercase_messages()
        self._chat_speakers()
        self._initials_for_names()
        self._repeated_line_openers()
        self._contact_entries()
        self._families()
        self._before_reflexives()
        self._surname_shapes()
        self._add_person_entities(entities)

    # Words and their surroundings

    def gap(self, index: int) -> str:
        """The characters between word `index - 1` and word `index`."""
        start = self.words[index - 1].end if index > 0 else 0
        return self.text[start : self.words[index].start]

    def touches(self, index: int) -> bool:
        """Whether word `index` follows the word before it with only a space or so between.

        Not across a column's gap (two spaces or a tab), where a table flattened into text, as
        PDFs and pasted tables give it, puts the next cell: "Police       Kamal stopped".
        """
        return (
            0 < index < len(self.words)
            and self.gap(index) != ""
            and self.gap(index).strip(" \t") == ""
            and COLUMN_GAP.search(self.gap(index)) is None
        )

    def capitalised_before(self, index: int) -> bool:
        """Whether a capitalised word or a redacted name comes right before word `index`.

        A redacted name counts, so that redacting a redacted text changes nothing.
        """
        if self.touches(index) and self.words[index - 1].text[:1].isupper():
            return True
        start = self.words[index].start
        return PLACEHOLDER_BEFORE.search(self.text, 0, start) is not None

    def capitalised_next(self, index: int) -> bool:
        """Whether a capitalised word follows word `index` with only spaces between."""
        return self.touches(index + 1) and self.words[index + 1].text[:1].isupper()

    def opens_sentence(self, index: int) -> bool:
        """Whether word `index` opens a sentence, line, field or list item ("(v) Early help")."""
        if index == 0 or any(c in SENTENCE_BREAKS for c in self.gap(index)):
            return True
        if COLUMN_GAP.search(self.gap(index)):
            return True  # a table's next cell
        return (
            self.gap(index).rstrip().endswith(")")
            and LIST_MARKER.fullmatch(self.words[index - 1].text) is not None
        )

    def after_initial(self, index: int) -> bool:
        """Whether word `index` follows an initial: "T. Abernethy", "J. Smith"."""
        return (
            index > 0
            and len(self.words[index - 1].text) == 1
            and self.words[index - 1].text.isupper()
            and self.gap(index) == ". "
        )

    def glued_to_digits(self, index: int) -> bool:
        """Whether digits touch word `index` ("Moscow17", "Zone2"): a brand, not a name."""
        word = self.words[index]
        return self.text[word.end : word.end + 1].isdigit() or (
            word.start > 0 and self.text[word.start - 1].isdigit()
        )

    def key(self, index: int) -> str:
        return self.words[index].key if 0 <= index < len(self.words) else ""

    def lower_before(self, index: int) -> str:
        """The word before `index` if only spaces or a comma come between, else ''."""
        if index <= 0 or self.gap(index).strip(" \t,") != "" or COLUMN_GAP.search(self.gap(index)):
            return ""
        return self.key(index - 1)

    def _long_place_words(self, long_places: dict[str, list[tuple[str, ...]]]) -> set[int]:
        covered: set[int] = set()
        keys = [w.key for w in self.words]
        for index, key in enumerate(keys):
            for place in long_places.get(key, ()):
                if (
                    tuple(keys[index : index + len(place)]) == place
                    and self.words[index].text[:1].isupper()
                ):
                    covered.update(range(index, index + len(place)))
        return covered

    def is_place(self, index: int) -> bool:
        return self.key(index) in self.place_names or index in self.in_long_place

    def is_never_a_name(self, index: int) -> bool:
        key = self.key(index)
        singular = key.removesuffix("s")
        return (
            key in NOT_A_NAME
            or singular in NOT_A_NAME
            or key in NOT_A_PERSON
            or key in TITLES
            or key in self.place_names
        )

    def can_continue_name(self, index: int, upper: bool) -> bool:
        """Whether word `index` may be part of a name beside a given name."""
        if index < 0 or index >= len(self.words):
            return False
        word = self.words[index]
        if not word.looks_like_a_name or word.is_upper != upper or word.key in TITLES:
            return False
        if word.key in NOT_A_PERSON or word.key in NOT_A_PERSON_AFTER or word.key in NOT_A_NAME:
            return False
        if index in self.in_long_place:
            return False
        if word.key in STOP_WORDS or len(word.text) == 1:
            # "Sarah May" but not "JORDAN WILL BE"
            return word.key in self.names and word.is_title
        return True

    # Candidates

    def _from_the_list(self) -> None:
        """Each listed given name, with the listed names before it and the surname after."""
        index = 0
        while index < len(self.words):
            word = self.words[index]
            if not self._is_listed(word) or index in self.in_long_place:
                index += 1
                continue
            if word.is_upper and len(word.text) < 3 and not self._beside_capitals(index):
                index += 1  # "MO" or "ED" alone is more often an abbreviation
                continue
            first, last = index, index
            while (
                self.touches(first)
                and self.can_continue_name(first - 1, word.is_upper)
                and (
                    self._is_listed(self.words[first - 1])
                    or self.key(first - 1) in NICKNAME_PREFIXES
                )
            ):
                first -= 1
            if self._may_open_a_name(first - 1, word.is_upper):
                first -= 1  # "met Tobenna Okafor": a given name the list does not know
            last = self._extend_right(last, word.is_upper)
            self.candidates.append(Candidate(first, last, sure=False))
            index = last + 1

    def _may_open_a_name(self, index: int, upper: bool) -> bool:
        """Whether an unlisted word right before a listed name starts it: "met Tobenna Okafor".

        Not where a sentence opens ("Yesterday Paul said"), nor a place, title or organisation.
        """
        if index < 0 or not self.touches(index + 1) or self.opens_sentence(index):
            return False
        if self.capitalised_before(index):
            return False  # "Mick McNally Paul Cullen": McNally ends the name before
        word = self.words[index]
        if self._is_listed(word) or not self.can_continue_name(index, upper):
            return False
        return not (
            self.is_never_a_name(index)
            or index in self.other_entities
            or self.key(index) in NICKNAME_PREFIXES
            or self.key(index) in LABEL_WORDS
        )

    def _is_listed(self, word: Word) -> bool:
        if not word.looks_like_a_name:
            return False
        return word.key in self.names or word.key.split("-")[0] in self.names

    def _an_acronym(self, index: int) -> bool:
        """Whether a name in capitals among lower-case words is an acronym before a noun.

        "the new DORIS data system" is; "said TYRONE in big letters" is a name.
        """
        word = self.words[index]
        if not word.is_upper or self._beside_capitals(index) or index + 1 >= len(self.words):
            return False
        following = self.words[index + 1]
        return (
            self.touches(index + 1)
            and following.text.islower()
            and following.key not in STOP_WORDS
            and following.key not in PERSON_VERBS_AFTER
            and not self._person_context(index, index)
        )

    def _beside_capitals(self, index: int) -> bool:
        return any(
            0 <= i < len(self.words) and self.words[i].is_upper and len(self.words[i].text) > 2
            for i in (index - 1, index + 1)
        )

    def _extend_right(self, last: int, upper: bool) -> int:
        """The last word of a name that runs on from word `last`.

        Listed names, particles and up to MAX_SURNAME_WORDS other capitalised words run on; a
        town only as the first of those ("Holly Barnes").
        """
        unlisted = 0
        index = last + 1
        while index < len(self.words) and self.touches(index):
            key = self.key(index)
            if key in PARTICLES:
                # "van der Berg", "bin Hamad", "Ó Briain": particles count only before a name
                following = index + 1
                while following < len(self.words) and self.key(following) in PARTICLES:
                    following += 1
                if following < len(self.words) and (
                    all(self.touches(i) for i in range(index + 1, following + 1))
                    and self.can_continue_name(following, upper)
                ):
                    last = following
                    index = following + 1
                    continue
                break
            if not self.can_continue_name(index, upper):
                break
            listed = self._is_listed(self.words[index])
            if unlisted and (listed or self.is_place(index)):
                # "Mick McNally Paul Cullen": a given name after a surname starts another name;
                # a town right after a given name is a surname ("Holly Barnes"), not after one
                break
            if not listed:
                unlisted += 1
                if unlisted > (1 if upper else MAX_SURNAME_WORDS):
                    break
            last = index
            index += 1
        return last

    def _after_titles(self) -> None:
        """The capitalised words after an honorific or rank: "Mrs Okafor", "DS Harwood"."""
        for index, word in enumerate(self.words):
            if word.key not in HONORIFICS or not word.text[:1].isupper():
                continue
            following = index + 1
            while following < len(self.words) and self.key(following) in HONORIFICS:
                following += 1  # "Detective Constable Lisa Grant"
            if following >= len(self.words) or self.words[following].key in HONORIFICS:
                continue
            gap = self.gap(following)
            if gap.strip(" .") != "" or "\n" in gap:
                continue
            if self.key(following) in PARTICLES:
                # "Mr van der Merwe", "Dr al-Hassan": particles, then the surname
                name = following
                while name < len(self.words) and self.key(name) in PARTICLES:
                    name += 1
                if (
                    name < len(self.words)
                    and all(self.touches(i) for i in range(following + 1, name + 1))
                    and self.words[name].looks_like_a_name
                ):
                    self.candidates.append(Candidate(following, name, sure=True))
                continue
            target = self.words[following]
            if self._an_initial(following):
                # "Mr T", "Miss P", "Mr J. Osei": the letter is the name, or opens it
                last = following
                if self.after_initial(following + 1) and self.can_continue_name(
                    following + 1, False
                ):
                    last = self._extend_right(following + 1, False)
                self.candidates.append(Candidate(following, last, sure=True))
                continue
            if not target.looks_like_a_name:
                continue
            if not self.can_continue_name(following, target.is_upper):
                if self._a_surname_after_a_title(index, following):
                    self.candidates.append(Candidate(following, following, sure=True))
                continue
            last = self._extend_right(following, target.is_upper)
            self.candidates.append(Candidate(following, last, sure=True))

    def _after_kin(self) -> None:
        """A letter or name after "Aunty", "Uncle" or "Cousin" written as a title: "Aunty B"."""
        for index, word in enumerate(self.words[:-1]):
            following = index + 1
            if word.key not in KIN_TITLES or not word.is_title or not self.touches(following):
                continue
            target = self.words[following]
            if self._an_initial(following) or (
                target.is_title
                and not self.is_never_a_name(following)
                and target.key not in STOP_WORDS
                and self.can_continue_name(following, False)
            ):
                last = self._extend_right(following, False) if len(target.text) > 1 else following
                self.candidates.append(Candidate(index, last, sure=True))

    def _an_initial(self, index: int) -> bool:
        """Whether word `index` is one capital letter standing alone or before a full stop."""
        word = self.words[index]
        after = self.text[word.end : word.end + 1]
        return len(word.text) == 1 and word.text.isupper() and after in ("", " ", ".", ",", ";")

    def _a_surname_after_a_title(self, title: int, index: int) -> bool:
        """Whether a word the name checks refuse is a surname all the same: "Ms Ward".

        After "Mr", "Mrs", "Ms", "Miss", "Mx" or "Dr", one capitalised word that no other
        capitalised word follows is a surname, even one that names things ("Ward", "Church").
        """
        word = self.words[index]
        return (
            self.key(title) in SURNAME_TITLES
            and word.is_title
            and len(word.text) > 1
            and word.key not in STOP_WORDS
            and word.key not in TITLES
            and not self.capitalised_next(index)
            and not self.glued_to_digits(index)
        )

    def _speaker_labels(self) -> None:
        """The speaker's name in a label that opens a turn; the role stays.

        "Kelly O'Brien (mother of Jordan):", "Tyrone:", "Fiona McGregor, chair:".
        """
        # In a transcript ("Interviewer: ..."), any capitalised label is a speaker's.
        in_transcript = TRANSCRIPT_LABEL.search(self.text) is not None
        position = {w.start: i for i, w in enumerate(self.words)}
        for colon in re.finditer(r":", self.text):
            end = colon.start()
            head = self.text[:end]
            # the role written after the name, in brackets or after a comma
            role = re.search(r"(?:\s*\([^()\n]*\)|,[^,:\n()]{1,40})\s*$", head)
            if role is not None and PLURAL_MARK.fullmatch(role.group()):
                continue  # "Sibling(s):" labels a form's field
            if role is not None:
                head = head[: role.start()]
            label_start = max(head.rfind("\n"), *(head.rfind(p + " ") for p in ".?!")) + 1
            label = [w for w in self.words if label_start <= w.start and w.end <= len(head)]
            if not label or len(label) > 4 or head[label_start:].strip() == "":
                continue
            if self.text[label_start : label[0].start].strip() or head[label[-1].end :].strip():
                continue
            indices = [position[w.start] for w in label]
            if not self._a_speakers_name(indices, role is not None or in_transcript):
                continue
            first = indices[0]
            while self.words[first].key in HONORIFICS and first < indices[-1]:
                first += 1
            self.candidates.append(Candidate(first, indices[-1], sure=True))

    def _a_speakers_name(self, indices: list[int], has_role: bool) -> bool:
        """Whether a label's words are a name: listed, or known to be a speaker's."""
        words = [self.words[i] for i in indices]
        if any(not w.looks_like_a_name or w.key in LABEL_WORDS for w in words):
            return False
        if any(self.is_never_a_name(i) and self.key(i) not in HONORIFICS for i in indices):
            return False
        if any(w.key in STOP_WORDS for w in words):
            return False
        return has_role or any(self._is_listed(w) for w in words)

    def _introduced(self) -> None:
        """The name after "called", "named", "known as" and the like (street names too)."""
        keys = [w.key for w in self.words]
        for index, key in enumerate(keys):
            for phrase in INTRODUCERS_BY_FIRST_WORD.get(key, ()):
                end = index + len(phrase)
                if tuple(keys[index:end]) != phrase or end >= len(self.words):
                    continue
                before = self.lower_before(index)
                if phrase == ("called",) and before in SUBJECTS:
                    continue  # "we called Childline" is a phone call
                if before in NAMED_THINGS and (before, phrase[0]) != ("street", "name"):
                    continue  # "a drill group called ..."
                if phrase[0] in ("called", "named") and any(
                    self.key(i) in NAMED_THINGS for i in range(max(0, index - 4), index)
                ):
                    continue  # "courses for young people called Impact and Empower"
                if self.words[index].text[:1].isupper():
                    continue  # "Name is" as a heading
                gap = self.gap(end)
                if gap.strip(" \"'“‘") != "" or "\n" in gap:
                    continue
                target = self.words[end]
                if not target.looks_like_a_name or target.key in STOP_WORDS:
                    continue
                last = end
                while (
                    last + 1 < len(self.words)
                    and last - end < MAX_NAME_WORDS - 1
                    and self.touches(last + 1)
                    and self.words[last + 1].looks_like_a_name
                    and self.words[last + 1].key not in STOP_WORDS
                    and self.words[last + 1].key not in NOT_A_PERSON
                ):
                    last += 1
                self.candidates.append(Candidate(end, last, sure=True))

    def _named_in_an_address(self) -> None:
        """Words that spell part of a person's e-mail address in the text: "Akin", "akin.balogun@".

        An address counts as a person's when one of its parts is not an English word: not
        "referrals.team@".
        """
        parts: set[str] = set()
        for start, end in self._addresses:
            address = self.text[start:end]
            local = [fold(part) for part in ADDRESS_PARTS.split(address.split("@")[0])]
            words = [part for part in local if len(part) > 2 and part.isalpha()]
            if len(words) > 1 and any(word not in COMMON_WORDS for word in words):
                parts.update(words)
        if not parts:
            return
        for index, word in enumerate(self.words):
            if not word.is_title or word.key not in parts or self._in_an_address(word):
                continue
            if (
                self.is_never_a_name(index)
                or word.key in PEOPLES
                or _plural_of_a_word(word.key)
                or self._opens_an_organisation_name(index)
                or self.key(index + 1) in NOT_A_PERSON_AFTER
                or self._a_role_follows(index)
                or (self.capitalised_next(index) and self.words[index + 1].is_upper)
            ):
                continue  # "hastings.yot@": "the Hastings office", "Croydon MASH", "Referrals"
            self.candidates.append(Candidate(index, index, sure=True))

    def _in_an_address(self, word: Word) -> bool:
        return any(start <= word.start < end for start, end in self._addresses)

    def _not_a_real_name(self) -> None:
        """A name said to be a pseudonym: "Ashton (not his real name)", "Maisie (a pseudonym)"."""
        for match in PSEUDONYM_AFTER.finditer(self.text):
            last = self._word_ending_at(match.start())
            if last is None or not self.words[last].looks_like_a_name:
                continue
            if (
                len(self.words[last].text) < 2
                or self.key(last) in NOT_A_NAME
                or self.key(last) in NOT_A_PERSON
                or self.key(last) in NOT_A_PERSON_AFTER
            ):
                # "Riverside Academy (name changed)", "Area A (names changed)"; a place's name
                # is not a reason to keep it: "Ashton (not his real name)" is a person
                continue
            first = last
            while (
                first > 0
                and self.touches(first)
                and self.can_continue_name(first - 1, self.words[last].is_upper)
            ):
                first -= 1
            self.candidates.append(Candidate(first, last, sure=True))

    def _about_a_person(self, index: int) -> bool:
        """Whether "call" at `index` names someone: "a man they call", "someone we called".

        A person's noun, then who calls him or her, perhaps after "who", "whom" or "that".
        """
        before = index - 1
        if self.key(before) not in CALLERS_OF_NAMES:
            return False
        before -= 1
        if self.key(before) in ("who", "whom", "that"):
            before -= 1
        return self.key(before) in PERSON_NOUNS or self.key(before) in SOMEONE

    def _with_an_age(self) -> None:
        """A name with an age in brackets after it, as chronologies and logs write it.

        "Chelsea (16)", "IP SANTINO (15)", "Kojo Ampofo (23)". Not a count in a table: three
        or more "Word (n)" in a row ("Albania (12), Vietnam (9), Eritrea (4)"), nor words that
        are countries, peoples, English words or acronyms ("CAMHS (4)", "Referrals (12)").
        """
        matches = list(AGE_AFTER.finditer(self.text))
        counts = _counts_in_tables(self.text, matches)
        for number, match in enumerate(matches):
            if number in counts:
                continue
            last = self._word_ending_at(match.start())
            if last is None:
                continue
            word = self.words[last]
            known = self._is_listed(word)
            named_like_a_place = known and word.key in self.place_names  # "Chelsea (16)"
            never = self.is_never_a_name(last) and not named_like_a_place
            if not word.looks_like_a_name or len(word.text) < 2 or never:
                continue
            if not known and (
                word.key in COMMON_WORDS
                or word.key in STOP_WORDS
                or word.key in PEOPLES
                or word.key in COUNTRIES
                or (word.is_upper and len(word.text) < MIN_NAME_IN_CAPITALS)
            ):
                continue
            first = last
            while self.touches(first) and self.can_continue_name(first - 1, word.is_upper):
                first -= 1
            self.candidates.append(Candidate(first, last, sure=True))

    def _before_known_as(self) -> None:
        """The name before "known as" or "aka": 'DESMOND known as "DEZ"'."""
        for match in KNOWN_AS_AFTER.finditer(self.text):
            last = self._word_ending_at(match.start())
            if last is None or not self.words[last].looks_like_a_name:
                continue
            if not NAME_AFTER_KNOWN_AS.match(self.text, match.end()):
                continue  # "Cuckooing, also known as home invasion": a term defined
            if self.is_never_a_name(last) or self.key(last) in STOP_WORDS:
                continue
            if self.key(last) in COMMON_WORDS and not self._is_listed(self.words[last]):
                continue  # "Male known as Pinky": the name is the one after
            first = last
            upper = self.words[last].is_upper
            while self.touches(first) and self.can_continue_name(first - 1, upper):
                first -= 1
            self.candidates.append(Candidate(first, last, sure=True))

    def _word_ending_at(self, end: int) -> int | None:
        return self._ends.get(end)

    def _an_english_word(self, index: int) -> bool:
        return self.key(index) in COMMON_WORDS and not self._is_listed(self.words[index])

    def _a_verb_in_capitals(self, index: int) -> bool:
        """Whether a word in capitals is an English past or present participle: "ATTENDED"."""
        key = self.key(index)
        return (
            key.endswith(("ed", "ing"))
            and key in COMMON_WORDS
            and not self._is_listed(self.words[index])
        )

    def _called_in_quotes(self) -> None:
        """A name in quotes after calling someone: 'calls the older man "Boss Man"'.

        The words between the verb and the quote must hold a person ("the older man", "him",
        "her cousin"), so that 'they call the flat "the Office"' or 'call it "Zone 2"' stay.
        """
        for index, word in enumerate(self.words):
            if word.key not in CALLING:
                continue
            for quoted in range(index + 2, min(index + 2 + MAX_CALLED_OBJECT, len(self.words))):
                if re.fullmatch(r"\s*[\"“‘']", self.gap(quoted)) is None:
                    continue
                between = [self.key(i) for i in range(index + 1, quoted)]
                if not any(
                    k in PERSON_NOUNS or k in SOMEONE or k in OBJECT_PRONOUNS for k in between
                ):
                    break
                last = quoted
                while last + 1 < len(self.words) and self.touches(last + 1):
                    last += 1
                run = range(quoted, last + 1)
                if (
                    last - quoted < MAX_NAME_WORDS
                    and all(self.words[i].is_title or self.words[i].is_upper for i in run)
                    and not any(self.is_never_a_name(i) for i in run)
                    and re.match(r"[\"”’']", self.text[self.words[last].end :]) is not None
                ):
                    self.candidates.append(Candidate(quoted, last, sure=True))
                break

    def _called_the(self) -> None:
        """A nickname with "the": "a man they call the Chemist", "they called the Prof"."""
        for index in range(len(self.words) - 2):
            if self.key(index) not in CALLING or self.key(index + 1) != "the":
                continue
            if not self._about_a_person(index):
                continue  # "They called the Met": a phone call
            target = index + 2
            word = self.words[target]
            if (
                not word.is_title
                or not (self.touches(index + 1) and self.touches(target))
                or self.capitalised_next(target)
                or word.key in STOP_WORDS
                or word.key in NAMED_THINGS
                or word.key in COLLECTIVES
                or word.key in self.names.common
                or self.key(target + 1) in NOT_A_PERSON_AFTER
                or self.lower_before(index) in NAMED_THINGS
                or _reads_as_plural(word.key)
                or (self.is_never_a_name(target) and word.key not in TITLES)
            ):
                # "called the Prof" is a nickname; not "called the Police", "call the
                # Samaritans", "the Home Office", "call the Bill", "called the Rocket line"
                continue
            self.candidates.append(Candidate(target, target, sure=True))

    def _after_field_labels(self) -> None:
        """The value of a form's name field: "NAME: KELLY O'BRIEN", "Child: Hamza Ali, 15"."""
        position = {w.start: i for i, w in enumerate(self.words)}
        for match in FIELD_LABEL.finditer(self.text):
            first = position.get(match.end())
            if first is None:
                continue
            last = first - 1
            while (
                last + 1 < len(self.words)
                and last + 1 - first < MAX_NAME_WORDS
                and (last + 1 == first or self.touches(last + 1) or self.after_initial(last + 1))
                and self.words[last + 1].looks_like_a_name
                and (
                    # The field's value opens with a listed name even when the word has another
                    # use: "MISSING PERSON: APRIL", "Child: May".
                    (last + 1 == first and self.words[first].key in self.names)
                    or (
                        self.words[last + 1].key not in STOP_WORDS
                        and not self.is_never_a_name(last + 1)
                    )
                )
            ):
                last += 1
            listing = LIST_FIELD.search(match.group()) is not None
            if last >= first and not listing and self._an_english_word(first):
                continue  # "YP: Older guy from Tottenham": a transcript's answer, not a name
            if last >= first:
                self.candidates.append(Candidate(first, last, sure=True))
                if listing:
                    self._listed_after(last)

    def _listed_after(self, last: int) -> None:
        """The names listed after a field's first name, one a separator: ", Pepper, K-Dot"."""
        while (
            last + 1 < len(self.words)
            and LIST_SEPARATOR.fullmatch(self.gap(last + 1))
            and self.words[last + 1].looks_like_a_name
            and self.words[last + 1].key not in STOP_WORDS
            and not self.is_never_a_name(last + 1)
        ):
            first = last = last + 1
            while (
                last + 1 - first < MAX_NAME_WORDS
                and self.touches(last + 1)
                and self.can_continue_name(last + 1, self.words[first].is_upper)
            ):
                last += 1
            self.candidates.append(Candidate(first, last, sure=True))

    def _nicknames(self) -> None:
        """Street names with a size or age before them: "Lil Rico", "Lil' D", "Big Man J"."""
        for index in range(1, len(self.words)):
            prefix = self.words[index - 1]
            shortened = prefix.key == "lil" and self.gap(index) in ("' ", "’ ")  # "Lil' D"
            if (
                prefix.key not in NICKNAME_STARTS
                or not prefix.is_title
                or not (self.touches(index) or shortened)
            ):
                continue
            word = self.words[index]
            if not word.looks_like_a_name or word.key in STOP_WORDS or self.is_never_a_name(index):
                continue
            if word.key in NOT_A_PERSON_AFTER or word.key.endswith("s"):
                continue  # "Little Venice Road", "Big Guns"
            if index in self.in_long_place:
                continue  # "Little Hulton" is a place
            last = index
            while (
                last + 1 < len(self.words)
                and self.touches(last + 1)
                and re.fullmatch("[A-Z]", self.words[last + 1].text)
            ):
                last += 1  # "Big Man J": a letter closes the name
            self.candidates.append(Candidate(index - 1, last, sure=True))

    def _in_lowercase_messages(self) -> None:
        """Names written in lower case, as texts and chats write them: "tell jay to come thru".

        Only on a line with no capitalised word at all (a message, not prose), and only a listed
        given name that is no English word ("jay", "kez", "aimee"; not "will" or "mo"), or a
        letter after a nickname's "lil" or "little" ("lil t").
        """
        breaks = [match.start() for match in re.finditer("\n", self.text)]
        lines: dict[int, list[int]] = {}  # line number: its words, in order (one pass)
        for i, word in enumerate(self.words):
            line = bisect.bisect_right(breaks, word.start)
            if line == bisect.bisect_right(breaks, word.end - 1):  # not broken over two lines
                lines.setdefault(line, []).append(i)
        for indices in lines.values():
            # "Tiana: in derby wiv ricky": a speaker's capital does not make the message prose
            spoken = (
                indices[1:] if self.text.startswith(":", self.words[indices[0]].end) else indices
            )
            if len(spoken) < MIN_MESSAGE_WORDS or any(
                self.words[i].text[:1].isupper() and self.key(i) != "i" for i in spoken
            ):
                continue
            for i in indices:
                key = self.key(i)
                if (
                    len(key) > 2
                    and key in self.names
                    and key not in COMMON_WORDS
                    and key not in STOP_WORDS
                    and key not in NOT_A_NAME
                ):
                    self.candidates.append(Candidate(i, i, sure=True))
                elif (
                    len(key) == 1
                    and i > indices[0]  # the word before is on this line
                    and self.key(i - 1) in NICKNAME_STARTS
                    and self.touches(i)
                ):
                    self.candidates.append(Candidate(i - 1, i, sure=True))
                elif self._a_person_in_a_message(i, indices):
                    self.candidates.append(Candidate(i, i, sure=True))

    def _a_person_in_a_message(self, index: int, line: list[int]) -> bool:
        """Whether a word of a lower-case message stands where only a person can.

        Before "said" or "owes" with no "my" or "the" before it ("mo said u owe him"), or after
        "tell", "ask" or "where's" ("dont tell skeng", "where's sully at"): nicknames are often
        English words ("mouse", "bash"), so only the place in the message tells.
        """
        key = self.key(index)
        if (
            len(key) < 2
            or not key.isalpha()
            or key in STOP_WORDS
            or key in MESSAGE_NOT_PEOPLE
            or key in PERSON_NOUNS
            or key in NOT_A_NAME
            or key in NAMED_THINGS  # "ring school"
            or key in COLLECTIVES
            or (key.endswith("ly") and len(key) > len("sully"))  # "ask nicely", not "sully"
        ):
            return False
        if index + 1 in line and self.touches(index + 1) and self.key(index + 1) in MESSAGE_VERBS:
            return not (
                index - 1 in line
                and self.touches(index)
                and self.key(index - 1) in DETERMINERS | POSSESSIVES
            )
        if index - 1 not in line:
            return False
        before = self.key(index - 1)
        if before == "where" and re.fullmatch(r"['’]s[ \t]+", self.gap(index)):
            return True
        return before in MESSAGE_ADDRESSING and self.touches(index)

    def _chat_speakers(self) -> None:
        """Speakers of a chat log written in lower case: "bash – yo where's sully at".

        Two lines or more must open with a lower-case word and a dash or colon, so that a
        single "note: ..." stays; every other lower-case mention of a speaker goes too.
        """
        speakers: dict[str, int] = {}
        for match in CHAT_SPEAKER.finditer(self.text):
            index = self._ends.get(match.end(1))
            if index is None:
                continue
            key = self.key(index)
            if key in STOP_WORDS or key in LABEL_WORDS or key in MESSAGE_NOT_PEOPLE:
                continue
            speakers[key] = speakers.get(key, 0)
            speakers[key] += 1
        if sum(speakers.values()) < MIN_CHAT_LINES:
            return
        for index, word in enumerate(self.words):
            if word.key in speakers and word.text.islower():
                self.candidates.append(Candidate(index, index, sure=True))

    def _repeated_line_openers(self) -> None:
        """A listed given name in lower case opening two lines or more: "cal where u at", "cal ?".

        Messages to one person open with their name, even one that is also a word.
        """
        openers: dict[str, list[int]] = {}
        for index, word in enumerate(self.words):
            if word.text.islower() and (index == 0 or "\n" in self.gap(index)):
                openers.setdefault(word.key, []).append(index)
        for key, indices in openers.items():
            if len(indices) >= MIN_CHAT_LINES and key in self.names and key not in STOP_WORDS:
                self.candidates += [Candidate(i, i, sure=True) for i in indices]

    def _contact_entries(self) -> None:
        """The name before a dash and a phone number: "YOT Karim Bakr – 07700", '"Bossman" – 07700'.

        Each word must look like a name and be no agency, place or relative ("Mum", "Line").
        """
        for start, _ in _phones(self.text):
            before = CONTACT_BEFORE_PHONE.search(self.text, 0, start)
            if before is None:
                continue
            last = self._ends.get(before.start())
            if last is None:
                continue
            first = last
            while first > 0 and last - first < MAX_NAME_WORDS - 1 and self.touches(first):
                if not self._a_contact_word(first - 1):
                    break
                first -= 1
            run = range(first, last + 1)
            if not all(self._a_contact_word(i) for i in run):
                continue
            if any(
                self.words[i].key in RELATIVES or self.words[i].key in NAMED_THINGS for i in run
            ):
                continue
            quoted = self.text[self.words[first].start - 1 : self.words[first].start] in "\"“‘'"
            if len(run) == 1 and not (quoted or self._is_listed(self.words[first])):
                continue  # one word must be quoted or a listed name: "Police – 101" stays
            self.candidates.append(Candidate(first, last, sure=True))

    def _a_contact_word(self, index: int) -> bool:
        word = self.words[index]
        return (
            (word.looks_like_a_name or re.fullmatch("[A-Z]", word.text) is not None)
            and not word.is_upper
            and not self.is_never_a_name(index)
            and word.key not in STOP_WORDS
        )

    def _initials_for_names(self) -> None:
        """Names made of initials: "TJ and DJ were twins", "M-J", "identified him as R.T.".

        Two capitals ending in J are a name but for a disc jockey ("a DJ", "DJ decks"); dotted
        initials standing alone are one where the words around show a person.
        """
        for index, word in enumerate(self.words):
            if INITIALS_NAME.fullmatch(word.text) is None:
                continue
            if self.lower_before(index) in DETERMINERS or (
                index + 1 < len(self.words)
                and self.touches(index + 1)
                and self.words[index + 1].text.islower()
                and self.key(index + 1) not in STOP_WORDS
                and self.key(index + 1) not in PERSON_VERBS_AFTER
            ):
                continue  # "a DJ", "DJ sets"
            self.candidates.append(Candidate(index, index, sure=True))
        for match in DOTTED_INITIALS.finditer(self.text):
            if match.group().replace(".", "") in NOT_INITIALS:
                continue
            first = bisect.bisect_left([w.start for w in self.words], match.start())
            last = first + match.group().count(".") - 1
            if last >= len(self.words) or not (
                self.lower_before(first) in INTRODUCED_BY or self._person_context(first, last)
            ):
                continue
            self.entities.append(match.span())

    def _families(self) -> None:
        """A surname before "family" or "brothers": "the Osei-Bonsu family", "the Nowak twins".

        Only a word that is no English word in any of its parts, so "the Royal family" stays.
        """
        for index in range(1, len(self.words) - 1):
            word = self.words[index]
            if (
                self.key(index - 1) != "the"
                or self.key(index + 1) not in FAMILY_WORDS
                or not word.looks_like_a_name
                or not self.touches(index + 1)
                or self.is_never_a_name(index)
                or any(part in COMMON_WORDS for part in word.key.split("-"))
            ):
                continue
            self.candidates.append(Candidate(index, index, sure=True))

    def _before_reflexives(self) -> None:
        """A capitalised word that "herself" or "himself" follows is a person.

        Even one that is also a month or a place: "May herself was interviewed".
        """
        for index in range(len(self.words) - 1):
            word = self.words[index]
            if self.words[index + 1].key not in REFLEXIVES or not self.touches(index + 1):
                continue
            # A modal or a month is still a name here ("May herself"); a place after "in" is not
            # ("never seen in Barnstaple himself").
            if not word.is_title or (index > 0 and self.lower_before(index) in NOT_BEFORE_A_PERSON):
                continue
            first = index
            while first > 0 and self.touches(first) and self.words[first - 1].is_title:
                if self.is_never_a_name(first - 1) or self.words[first - 1].key in STOP_WORDS:
                    break
                first -= 1
            self.candidates.append(Candidate(first, index, sure=True))

    def _surname_shapes(self) -> None:
        """Words shaped as only surnames are: "O'Donnell was the name on the tenancy".

        Not a business named after one ("at McDonald's").
        """
        covered = {i for c in self.candidates for i in range(c.first, c.last + 1)}
        for index, word in enumerate(self.words):
            if index in covered or SURNAME_SHAPE.fullmatch(word.text) is None:
                continue
            possessive = self.text[word.end : word.end + 2] in ("'s", "’s")
            if possessive and self.lower_before(index) in PLACE_PREPOSITIONS:
                continue
            first = index - 1 if self._may_open_a_name(index - 1, word.is_upper) else index
            last = self._extend_right(index, word.is_upper)
            self.candidates.append(Candidate(first, last, sure=False))

    def _after_initials(self) -> None:
        """A surname after initials: "J. Okafor", "T. R. Abernethy" (the initials go too)."""
        index = 0
        while index < len(self.words):
            if not self.after_initial(index) or not self.can_continue_name(
                index, self.words[index].is_upper
            ):
                index += 1
                continue
            word = self.words[index]
            if self.is_never_a_name(index) or word.key in NOT_A_NAME or word.key in LABEL_WORDS:
                index += 1
                continue
            first = index - 1
            while first > 0 and self.after_initial(first):
                first -= 1
            last = self._extend_right(index, word.is_upper)
            self.candidates.append(Candidate(first, last, sure=True))
            index = last + 1

    def _after_person_nouns(self) -> None:
        """A name right after a relation or a role.

        "his cousin Bugsy", "the older lad, K-Dog, was", "My manager, Claire Bentley, has".
        """
        for index in range(1, len(self.words)):
            noun = self.words[index - 1]
            if noun.key not in PERSON_NOUNS or not noun.text.islower():
                continue
            gap = self.gap(index)
            apposed = gap == ", "
            if not (apposed or (gap == " " and noun.key in RELATIVES)):
                continue
            word = self.words[index]
            if not word.is_title or not self.can_continue_name(index, upper=False):
                continue
            if self.is_never_a_name(index):
                continue
            last = index
            while (
                last + 1 < len(self.words)
                and last - index < MAX_NAME_WORDS - 1
                and self.touches(last + 1)
                and self.can_continue_name(last + 1, upper=False)
            ):
                last += 1
            after = self.text[self.words[last].end : self.words[last].end + 1]
            if apposed and after not in (",", ".", ")"):
                continue  # "the worker, Youth Offending Service staff say" is not an aside
            self.candidates.append(Candidate(index, last, sure=True))

    def _inside(self, ent: Span) -> list[int]:
        return [i for i, w in enumerate(self.words) if ent.start_char <= w.start < ent.end_char]

    def _note_other_entities(self, entities: list[Span]) -> None:
        """The words of the model's other entities: places, organisations, dates."""
        for ent in entities:
            if ent.label_ in ("GPE", "LOC", "FAC"):
                self.places_tagged.update(self._inside(ent))
            inside = self._inside(ent)
            if ent.label_ != "PERSON":
                self.other_entities.update(inside)
            for index in inside:
                self.entity_label[index] = (ent.label_, len(inside))

    def _add_person_entities(self, entities: list[Span]) -> None:
        """The model's PERSON entities, filtered as the checks below say."""
        starts = {w.start: i for i, w in enumerate(self.words)}
        ends = {w.end: i for i, w in enumerate(self.words)}
        for ent in entities:
            if ent.label_ != "PERSON":
                continue
            inside = self._inside(ent)
            first = starts.get(ent.start_char)
            last = ends.get(ent.end_char)
            if first is None or last is None or last < first:
                # the entity does not start or end on a word ("Paul paul@example.org"): keep
                # it whole, as the model found it
                if (
                    inside
                    and not any(self.is_place(i) for i in inside)  # "Ross" of "Ross-on-Wye"
                    and self._entity_is_a_person(inside[0], inside[-1], ent.text)
                ):
                    # up to its last word: "Little T." leaves the full stop; from its first
                    # word after a title or rank: "DI Cheng   " leaves "DI"
                    start = next((i for i in inside if self.key(i) not in TITLES), inside[-1])
                    self.entities.append((self.words[start].start, self.words[inside[-1]].end))
                continue
            # "Mrs Adeyinka-Bello", "DI Cheng": the title or rank stays readable; "alert Mrs":
            # not a name at all
            while first < last and (
                self.key(first) in TITLES or self.words[first].text[:1].islower()
            ):
                first += 1
            while last > first and self.key(last) in HONORIFICS:
                last -= 1
            name = self.text[self.words[first].start : self.words[last].end]
            if self._entity_is_a_person(first, last, name):
                self.entities.append((self.words[first].start, self.words[last].end))
                self.entity_words.update(range(first, last + 1))
                self.candidates += [
                    Candidate(a, b, sure=True) for a, b in self._listed_beside(first, last)
                ]

    # Checks

    def _entity_is_a_person(self, first: int, last: int, name: str) -> bool:
        words = name.lower().replace("’", "'").split()
        if not words or name.lower() in self.place_names or not name[:1].isupper():
            return False
        if any(c in name for c in "():;\n") or any(c.isdigit() for c in name):
            return False  # "Catch22): We" runs over a speaker label
        if any(w.strip(".,'") in NOT_A_PERSON for w in words):
            return False
        if words[0].strip(".") in ("st", "saint"):
            return False  # "St Peter's Square", "St Luke's": a saint names a place

        if all(self.key(i) in LABEL_WORDS for i in range(first, last + 1)):
            return False  # "NAME: JORDAN SMITH" labels a field
        if any(self._a_verb_in_capitals(i) for i in range(first, last + 1)):
            return False  # "CRIMINT SUBMITTED": a log's entry
        if any(self.key(i) in NOT_A_PERSON_AFTER for i in range(first + 1, last + 1)):
            return False  # "Mary Seacole House" is a hostel, "Middlesbrough Town Hall" a venue
        if (
            first == last
            and self.opens_sentence(first)
            and ROLE_LABEL_AFTER.match(self.text, self.words[last].end)
        ):
            return False  # "Foster carer:", "Support worker:": a role labels the line
        if (
            first == last
            and self.opens_sentence(first)
            and _reads_as_plural(self.key(first))
            and not self._is_listed(self.words[first])
        ):
            return False  # "(iv) Schools and colleges": a plural noun opening a heading
        if (
            first == last
            and self.opens_sentence(first)
            and self.key(first) in COMMON_WORDS
            and not self._is_listed(self.words[first])
            and REPORTED_AFTER.match(self.text, self.words[first].end) is not None
        ):
            return False  # "Driver believed to be ...": a role, its holder named after
        # "HMP Ranby" is a prison, not a person
        if (
            self.text[max(0, self.words[first].start - 4) : self.words[first].start].strip()
            == "HMP"
        ):
            return False
        # Made only of places and words that are never names: "Gloucestershire Criminal".
        if all(self._never_a_name_word(w) for w in words):
            return False
        if all(self.key(i) in PEOPLES or self.key(i) in COUNTRIES for i in range(first, last + 1)):
            return False  # "spoke Yoruba, Igbo and Thai": the model's PERSON is a people
        if self._a_title_in_english_words(first, last):
            return False
        if self.key(last + 1) in HONORIFICS and self.touches(last + 1):
            return False  # "Headteacher Mr Gareth Lloyd": a role before the title
        if first == last and self._describes_a_role(first):
            return False  # "Nneka Eze (Social Worker": the model runs on into the role
        if self._opens_an_organisation_name(last):
            return False
        if not self._could_be_a_person_here(first, last):
            return False
        if (
            self._after_a_place_preposition(first)
            and not any(self._is_listed(self.words[i]) for i in range(first, last + 1))
            and not self._person_context(first, last, listed=False)
        ):
            # "arrested in Calais", "taken to Rotterdam": the model's guess at a word the list
            # does not know ("spoke to Ghost" has a person's context)
            return False
        if self._a_word_alone(first, last):
            return False
        if first == last and self.key(first) in self.names.common:
            return self._common_name_is_a_person(first)
        return True

    def _a_word_alone(self, first: int, last: int) -> bool:
        """Whether the model's PERSON is one English word or acronym, unlisted, alone.

        "Unfortunately, the boy", "Children were", "CRIMINT", "MISPERs", "Cuckooing is": nothing
        around it shows a person. The recogniser trained for redaction takes a capitalised word
        opening a sentence for a name too readily; a name that is also a word still counts where
        a person is shown.
        """
        word = self.words[first]
        if first != last:
            return False
        if word.key in STOP_WORDS or word.key in COLLECTIVES or word.key in PEOPLES:
            return True  # "Nobody said", "spoke Yoruba"
        if (
            word.key in NOT_A_PERSON_AFTER
            and first > 0
            and self.words[first - 1].is_title
            and re.fullmatch(r"['’]s\s+", self.gap(first))
        ):
            return True  # "Queen's Park"
        if self._is_listed(word):
            return False
        english = word.key in COMMON_WORDS or (
            len(word.key) > MIN_SUFFIXED and WORD_ENDING.search(word.key) is not None
        )  # "Paediatrician", "Cuckooing"
        if not (english or word.is_upper or ACRONYM_PLURAL.fullmatch(word.text)):
            return False
        if english and self.opens_sentence(first) and self.text.startswith(",", word.end):
            return True  # "Unfortunately, the boy": an adverb, not "Smurf, the boy"
        return not (
            self._person_context(first, last, listed=False)
            or self._subject_with_pronoun(first, last)
        )

    def _a_title_in_english_words(self, first: int, last: int) -> bool:
        """Whether the model's PERSON is a title or role made of English words no list holds.

        "Exploitation Lead", "Safer Schools", "Ms Kendrick (Attendance)"; not a street name of
        one word ("owed money to Kilo") or with a letter ("Daddy K"), which the model is right
        to take for a person.
        """
        indices = range(first, last + 1)
        if not all(self._an_english_word(i) for i in indices):
            return False
        if first < last:
            return all(len(self.words[i].text) >= MIN_TITLE_WORD for i in indices)
        word = self.words[first]
        return self.text[word.start - 1 : word.start] == "(" and self.text.startswith(")", word.end)

    def _never_a_name_word(self, word: str) -> bool:
        """A lower-case word that is a place, a title or a non-name (also as a plural)."""
        bare = word.strip(".,'")
        singular = bare.removesuffix("'s").removesuffix("s")
        return (
            bare in NOT_A_NAME
            or singular in NOT_A_NAME
            or bare in self.place_names
            or bare in TITLES
        )

    def _opens_an_organisation_name(self, last: int) -> bool:
        """Whether capitalised words follow the name directly up to an organisation word.

        Then the name is part of the organisation's ("Ben Kinsella Trust"), not a person's.
        """
        for index in range(last + 1, min(last + 1 + MAX_TITLE_WORDS, len(self.words))):
            word = self.words[index]
            if not self.touches(index) or NAME_WORD.fullmatch(word.text) is None:
                return False
            if word.key in STOP_WORDS or word.key in HONORIFICS:
                return False  # "TYRONE WALKER SEEN AT LUTON STATION", "Tyrone Mrs Okafor"
            if self._is_listed(word):
                return False  # "Tyrone Big Mike": another person's name starts
            if word.key in NOT_A_PERSON:
                return True
        return False

    def _could_be_a_person_here(self, first: int, last: int) -> bool:
        """False where the words around make the run a place, street, line or organisation."""
        if any(i in self.in_long_place for i in range(first, last + 1)):
            return False
        before = self.lower_before(first)
        if before in DETERMINERS or before in ("st", "saint"):
            return False
        if before == "of" and self.lower_before(first - 1) in PLACE_HEADS_BEFORE_OF:
            return False  # "Isle of Skye", "Vale of Glamorgan"
        if (
            before in NOT_A_PERSON
            and self.words[first - 1].text[:1].isupper()
            and self.touches(first)
        ):
            # "Operation Orochi", "Project Harbour": an organisation's name; not after a comma
            # ("the headteacher of Bridge School, Andrew Collingwood, told us")
            return False
        after = last + 1
        return not (self.touches(after) and self.key(after) in NOT_A_PERSON_AFTER)

    def _listed_beside(self, first: int, last: int) -> list[tuple[int, int]]:
        """Runs of capitalised words listed right before or after a found name.

        In a run of names without punctuation ("Mick McNally Paul Cullen") the small model often
        finds only one; two or three capitalised words directly beside it are another name.
        """
        before: list[int] = []
        for index in range(first - 1, max(first - 1 - MAX_NAME_WORDS, -1), -1):
            if not self.touches(index + 1) or not self._could_be_name_word(index):
                break
            before.insert(0, index)
        after: list[int] = []
        for index in range(last + 1, min(last + 1 + MAX_NAME_WORDS, len(self.words))):
            if not self.touches(index) or not self._could_be_name_word(index):
                break
            after.append(index)
        return [(run[0], run[-1]) for run in (before, after) if len(run) >= 2]

    def _could_be_name_word(self, index: int) -> bool:
        """A capitalised word that is not a place or a known non-name."""
        word = self.words[index]
        return (
            NAME_WORD.fullmatch(word.text) is not None
            and word.key not in NOT_A_PERSON
            and word.key not in STOP_WORDS  # "REPORT BY HELEN ASHWORTH"
            and word.key not in LABEL_WORDS
            and word.key not in TITLES
            and not self._never_a_name_word(word.key)
            and index not in self.other_entities
        )

    def _person_context(self, first: int, last: int, listed: bool = True) -> bool:
        """Whether the words around a run show a person.

        "asked Rose", "Grace said", "his sister Amber", "mother of Jordan", "Leah's mum",
        "Reece, 15", "Ludmila is a Bulgarian mother", "Snoopz was arrested".
        """
        before = self.lower_before(first)
        if before in HONORIFICS or before in PERSON_VERBS_BEFORE or before in PERSON_NOUNS:
            return True
        if before == "of" and self.lower_before(first - 1) in PERSON_NOUNS:
            return True  # "mother of Jordan"
        if before == "and" and self.lower_before(first - 1) == "me":
            return True  # "me and Jodie"
        if (self.key(last + 1), self.key(last + 2)) == ("and", "i"):
            return True  # "Ikram and I"
        following = self.text[self.words[last].end : self.words[last].end + 60]
        if PSEUDONYM_AFTER.match(following) or APPOSED_ROLE.match(following):
            return True  # "Rukiya (not her real name)", "Fitzgerald, the older brother,"
        if WHO.match(following) and not self._after_a_place_preposition(first):
            return True  # "It's Junior who holds the phone" (not "from Galway who works")
        if IS_A_PERSON.match(following) or WITH_A_RELATIVE.match(following):
            return True  # "Ludmila is a Bulgarian mother", "Lenka and her boyfriend"
        if ONLY_PEOPLE_DO.match(following):
            return True  # "Odessa had a baby at sixteen"
        if self._asked_who(first, last):
            return True  # "Who's Smokey?"
        if before == "to" and self.lower_before(first - 1) in VERBS_BEFORE_TO:
            return True  # "spoke to Rose", "had to report to Ghost"
        if (
            before == "by"
            and self.lower_before(first - 1) in DONE_BY_PEOPLE
            and self._ends_a_phrase(last)
        ):
            # "controlled by Dotty and Rambo", "groomed by Kenzo.": who does it is a person
            # ("recruited by Albanian gangs" goes on, so it is not taken)
            return True
        if before == "" and self._quoted_alone(first, last):
            return True  # 'he just said "Tee"'
        if before in DONE_TO_PEOPLE_BEFORE and not self._a_noun_follows(last):
            return True  # "recruited Callum through", not "exploited Vietnamese children"
        if self._after_a_phrase_before_people(first):
            return True  # "we lost touch with Obi", "concerns for Marnie"
        if before in ("is", "was") and self._a_person_is_named(first, last):
            return True  # "The worker assigned to him was Ifeoma."
        if self._a_persons_verb_follows(last):
            return True  # "Grace said", "Kai also told"
        after = last + 1
        if after < len(self.words):
            gap = self.text[self.words[last].end : self.words[after].start]
            if gap.strip() == "" and self._done_to_a_person(after, listed):
                return True
            if gap.strip() in ("'s", "’s") and self.key(after) in PERSON_NOUNS_AFTER_POSSESSIVE:
                return True
        # "Reece, 15," or "Amira (14)", not "DMs, 27/07/2023" or "Calls, 14:30"
        return re.match(r"[,(]\s*\d{1,2}\b(?![/:.]\d)", following) is not None

    def _after_a_place_preposition(self, first: int) -> bool:
        """Whether a place preposition comes right before word `first`: "in Calais".

        "to" and "between" lead to people too ("Thanks to Sister Brigid"), so they count only
        after a verb of going ("taken to Rotterdam", "went back to Tirana").
        """
        before = self.lower_before(first)
        if before not in PLACE_PREPOSITIONS:
            return False
        if before in ("to", "between"):
            return self.lower_before(first - 1) in MOTION_BEFORE_TO
        return True

    def _asked_who(self, first: int, last: int) -> bool:
        """Whether a run is what a question about someone asks: "Who's Smokey?", "who was Tee?"."""
        if first < 1 or QUESTION_END.match(self.text, self.words[last].end) is None:
            return False
        if self.key(first - 1) == "who" and re.fullmatch(r"['’]s\s+", self.gap(first)):
            return True  # "Who's" is read as "Who" and a gap of "'s "
        return self.lower_before(first) in ("is", "was") and self.lower_before(first - 1) == "who"

    def _after_a_phrase_before_people(self, first: int) -> bool:
        """Whether words said only of people come right before word `first`: "worked with"."""
        for phrase in PHRASES_BEFORE_PEOPLE:
            start = first - len(phrase)
            if start < 0 or tuple(self.key(i) for i in range(start, first)) != phrase:
                continue
            if all(self.gap(i).strip(" \t") == "" for i in range(start + 1, first + 1)):
                return True
        return False

    def _a_person_is_named(self, first: int, last: int) -> bool:
        """Whether a clause about a person ends "is" or "was" and this run.

        "His father is Winston.", "The worker assigned to him was Ifeoma." The person noun is
        among the few words before the verb, in the same sentence.
        """
        if CLAUSE_END.match(self.text, self.words[last].end) is None:
            return False
        for index in range(first - 2, max(first - 8, -1), -1):
            if self.opens_sentence(index + 1) and index + 1 < first - 1:
                return False  # the sentence begins after this word
            if self.key(index) in PERSON_NOUNS and self.words[index].text.islower():
                return True
        return False

    def _a_noun_follows(self, last: int) -> bool:
        """Whether a lower-case word that is not a stop word follows word `last` directly."""
        after = last + 1
        return (
            self.touches(after)
            and self.words[after].text.islower()
            and self.key(after) not in STOP_WORDS
        )

    def _subject_with_pronoun(self, first: int, last: int) -> bool:
        """Whether a run is a clause's subject, then a verb, and "he" or "she" a few words on.

        "Tyrone came to the meeting with his grandmother", "said that Kemi had introduced her";
        not "Housing has had a few cases ... where a vulnerable tenant lost control of his home",
        where the pronoun is far off and someone else is named before it.
        """
        if not (self.opens_sentence(first) or self.lower_before(first) in SUBJECT_OPENERS):
            return False
        if self.key(last + 1) not in VERBS_AFTER_A_SUBJECT or NOUN_ENDING.search(self.key(last)):
            return False
        for index in range(last + 2, min(last + 2 + PRONOUN_WINDOW, len(self.words))):
            key, word = self.key(index), self.words[index]
            if self.opens_sentence(index) or key in PERSON_NOUNS or key in COLLECTIVES:
                return False
            if PERSONAL_PRONOUN.fullmatch(word.text):
                return True
            if word.text[:1].isupper():
                return False  # another name, or "I", may be who the pronoun means
        return False

    def _ends_a_phrase(self, last: int) -> bool:
        """Whether a run ends where a phrase does: punctuation, the end, or "and"/"or"."""
        return PHRASE_END.match(self.text, self.words[last].end) is not None

    def _quoted_alone(self, first: int, last: int) -> bool:
        """Whether a run stands alone in quotes after a verb of saying: 'said "Tee"'."""
        if first == 0 or re.fullmatch(r"\s*[\"“‘']", self.gap(first)) is None:
            return False
        if self.key(first - 1) not in PERSON_VERBS_BEFORE or not self.touches_quote(first - 1):
            return False
        closing = self.text[self.words[last].end : self.words[last].end + 2]
        return closing[:1] in "\"”’'" and closing != "" and closing[1:] in ("", " ", ".", ",", "?")

    def touches_quote(self, index: int) -> bool:
        """Whether word `index` is followed by an opening quote with at most spaces between."""
        gap = self.gap(index + 1) if index + 1 < len(self.words) else ""
        return gap.strip(" \t") in ('"', "“", "‘", "'")

    def _done_to_a_person(self, index: int, listed: bool = True) -> bool:
        """Whether the words from `index` say what is done to people, not things.

        "was arrested", "had been groomed", "were both excluded"; after a listed name (not an
        unknown word, which may be a thing) also "was found".
        """
        keys = [self.key(i) for i in range(index, min(index + 4, len(self.words)))]
        if not keys or keys[0] not in AUXILIARIES:
            return False
        rest = [k for k in keys[1:] if k not in AUXILIARIES and k not in ADVERBS_IN_A_VERB]
        done = DONE_TO_PEOPLE | (FOUND if listed else frozenset())
        return bool(rest) and rest[0] in done

    def _common_name_is_a_person(self, index: int) -> bool:
        """Whether a name that is also a word ("Hope", "Mark", "May") names a person here."""
        if self._person_context(index, index):
            return True
        word = self.words[index]
        if not word.is_title:
            return False
        following = self.words[index + 1] if index + 1 < len(self.words) else None
        if (
            following is not None
            and self.gap(index + 1) == " "
            and following.text.islower()
            and following.key.endswith("s")
            and following.key not in VERBS_ENDING_IN_S
        ):
            return False  # "Faith groups", "Dawn raids", "Jack knives": a word before a plural
        if re.match(r"\s*\d", self.text[word.end : word.end + 3]) or re.search(
            r"\d\s*$", self.gap(index)
        ):
            return False  # "May 2019", "14 May"
        if word.key in NOT_A_NAME:
            return False  # months and the like need a person around them ("Mrs May")
        if following is not None and following.key == "of":
            return False  # "Bill of Rights"
        if (self.capitalised_before(index)) or (
            following is not None and self.touches(index + 1) and following.text[:1].isupper()
        ):
            return False  # inside a longer proper name: "Victoria Park", "the Amber Project"
        if self.opens_sentence(index):
            # "Hope was twelve when a boy added her": a verb, and then he or she
            return (
                following is not None
                and following.key in VERBS_AFTER_A_SUBJECT
                and self._pronoun_later(index)
            )
        return self.lower_before(index) not in NOT_BEFORE_A_PERSON

    def _pronoun_later(self, index: int) -> bool:
        """Whether "he", "she" or their forms follow word `index` in the same sentence."""
        rest = self.text[self.words[index].end :]
        sentence = re.split(r"[.!?\n]", rest, maxsplit=1)[0]
        return PERSONAL_PRONOUN.search(sentence) is not None

    def _unlisted_in_person_context(self) -> list[Candidate]:
        """Capitalised words the list does not know, where the words around show a person.

        "asked Bugsy", "Smurf said", "Dotty's mum".
        """
        found = []
        for index, word in enumerate(self.words):
            # The small model often tags an unknown name as an organisation or a place
            # ("Olamilekan said": ORG); a person's context outweighs its guess, and the
            # gazetteer still keeps places.
            if self._is_listed(word) or not self._may_be_unlisted_name(index, True, alone=False):
                continue
            if self.opens_sentence(index) and _plural_of_a_word(word.key):
                continue  # "Teachers said": a plural noun opening the sentence (not "Jas said")
            if (
                self.opens_sentence(index)
                and word.key in COMMON_WORDS
                and (
                    self.text.startswith(",", word.end)
                    or REPORTED_AFTER.match(self.text, word.end) is not None
                )
            ):
                # "Unfortunately, the boy was moved": an adverb, not "Smurf, the boy";
                # "Driver believed to be ...": a role, the name comes after
                continue
            if self.touches(index + 1) and self._is_listed(self.words[index + 1]):
                continue  # "Yesterday Paul Cullen said": the listed name is found on its own
            last = self._extend_right(index, False)
            if self.capitalised_next(last):
                continue  # "told Home Office officials": part of a longer proper name
            if self._person_context(index, last, listed=False) or self._subject_with_pronoun(
                index, last
            ):
                found.append(Candidate(index, last, sure=True))
        return found

    def _places_used_as_names(self) -> list[Candidate]:
        """A town's one-word name where it names a person: "Chester said he", "her eldest, Ashton,".

        Towns are given names too (Chester, Leyton, Ashton), and a place must stay; so only two
        readings count, neither of which a place can take: the subject of a verb of saying with
        "he" or "she" after it in the sentence ("Kent said they" stays), and a name set beside a
        word for a person ("her eldest, Ashton, who").
        """
        found = []
        for index, word in enumerate(self.words):
            if (
                not word.is_title
                or word.key not in self.place_names
                or index in self.in_long_place
                or self.capitalised_next(index)
                or self.capitalised_before(index)
            ):
                continue
            speaks = (
                self.opens_sentence(index) or self.lower_before(index) in SUBJECT_OPENERS
            ) and self._says_with_a_pronoun(index)
            if speaks or self._beside_a_word_for_a_person(index):
                found.append(Candidate(index, index, sure=True))
        return found

    def _says_with_a_pronoun(self, index: int) -> bool:
        """Whether a verb of saying follows word `index`, then "he" or "she" in the sentence."""
        return self._a_persons_verb_follows(index) and self._pronoun_later(index)

    def _a_persons_verb_follows(self, last: int) -> bool:
        """Whether a verb only people do follows word `last` ("Grace said").

        Adverbs and auxiliaries may come between: "Kai also told", "Kyran had texted".
        """
        verb = last + 1
        while verb < len(self.words) - 1 and self.key(verb) in BEFORE_A_VERB:
            verb += 1
        between = self.text[self.words[last].end : self.words[min(verb, len(self.words) - 1)].start]
        return (
            self.key(verb) in PERSON_VERBS_AFTER and re.fullmatch(r"[\sa-z]*", between) is not None
        )

    def _beside_a_word_for_a_person(self, index: int) -> bool:
        """Whether word `index` stands in commas after "her eldest", "his cousin" and the like."""
        before = self.text[max(0, self.words[index].start - 60) : self.words[index].start]
        after = self.text[self.words[index].end : self.words[index].end + 6]
        return (
            POSSESSED_PERSON_BEFORE.search(before) is not None
            and re.match(r"\s*(?:,|\)|who\b)", after) is not None
        )

    def _describes_a_role(self, index: int) -> bool:
        """Whether an English word or a people opens a role: "Senior Practitioner"."""
        if self.key(index) not in COMMON_WORDS and self.key(index) not in PEOPLES:
            return False
        for after in (index + 1, index + 2):
            if after >= len(self.words) or not self.touches(after):
                return False
            if self.key(after) in ROLE_HEADS:
                return True
        return False

    def _spelling_variants(self) -> list[Candidate]:
        """Names spelt otherwise than the list spells them ("Kieron", "Deshaun", "Zubeyda").

        Such a word may be an English word too ("Late", "Huge"), so it counts where the words
        around show a person, or in mid-sentence where the model tags it as nothing else.
        """
        covered = {i for c in self.candidates for i in range(c.first, c.last + 1)}
        found = []
        for index, word in enumerate(self.words):
            if index in covered or len(word.text) < 4 or not word.is_title:
                continue
            key = spelling_key(word.key)
            if self._is_listed(word) or key not in self.names.variants:
                continue
            if self.opens_sentence(index) and word.key in COMMON_WORDS:
                continue  # "Initially, the boy": a word opening a sentence, not "Kieron said"
            if len([part for part in key.split("*") if part]) < 2:
                continue  # too short to tell a respelling from a word: "Young" and "Ying"
            if not self._may_be_unlisted_name(index, True, alone=False):
                continue
            if self._describes_a_role(index):
                continue
            last = self._extend_right(index, False)
            if self._opens_an_organisation_name(last):
                continue
            if not self._person_context(index, last, listed=False) and (
                self.opens_sentence(index)
                or index in self.other_entities
                or self.lower_before(index) in NOT_BEFORE_A_PERSON
                or (self.capitalised_before(index))
            ):
                continue
            found.append(Candidate(index, last, sure=True))
        return found

    def _rare_as_words(self) -> list[Candidate]:
        """Capitalised words English rarely uses as words, where a person can stand ("Okoro").

        No list holds every name; what English uses as words (common_words.txt) it can know.
        Such a word is a name unless it reads as a place, country, people, brand, heading or
        part of a longer proper name. The model's label for it is not asked (see
        `_in_a_place_of_several_words`); `_accept` still applies the checks every candidate meets.
        """
        covered = {i for c in self.candidates for i in range(c.first, c.last + 1)}
        # "Basecamp ... https://basecamp.com/": a name of the text's own site or service
        sites = {fold(match.group(1)) for match in SITE_NAME.finditer(self.text)}
        found = []
        index = 0
        while index < len(self.words):
            word = self.words[index]
            if (
                index in covered
                or not self._rare_as_a_word(index)
                or word.key in sites
                or self.is_place(index)
                or self._in_a_place_of_several_words(index)
                or index in self.in_long_place
                or NUMBER_AFTER.match(self.text, word.end)
                or self.text.startswith(":", word.end)  # "Tel:": labels have rules of their own
                or (self.key(index + 1) in HONORIFICS and self.touches(index + 1))
                or word.key in LABEL_WORDS
                or self._named_by_the_word_before(index)  # "a grey Audi", 'deal line "Benz"'
                or (word.is_upper and not self._a_name_in_capitals(index))
                or not self._could_be_a_person_here(index, index)
                or self.is_never_a_name(index)
                or self._an_acronym(index)
                or self.glued_to_digits(index)
                or self._reads_as_a_place(index, index, trust_the_model=False)
            ):
                index += 1
                continue
            last = self._extend_right(index, word.is_upper)
            while word.is_upper and last > index and self._a_verb_in_capitals(last):
                last -= 1  # "OBRIEN ATTENDED": the verb is not part of the name
            if (
                self._opens_an_organisation_name(last)
                or self.key(last + 1) in NOT_A_PERSON_AFTER
                or self._inside_a_proper_name(index)
                or (last > index and _names_a_group(self.key(last)))
                or self._in_a_title_case_line(index)
                or self._a_role_follows(last)  # "Brook nurse", "Kooth counsellor"
                or self._of_a_proper_name_follows(last)  # "Inspectorate of Probation"
            ):
                index = last + 1
                continue
            found.append(Candidate(index, last, sure=False))
            index = last + 1
        return found

    def _rare_as_a_word(self, index: int) -> bool:
        """Whether word `index` is capitalised as names are and English rarely uses it as a word.

        "Okoro", "Eilidh": not "Will", "I'm", "GCSEs" or "Cuckooing" opening a sentence.
        """
        word = self.words[index]
        if not word.looks_like_a_name or self._is_listed(word):
            return False
        parts = [part for part in re.split(r"['’-]", word.key) if part]
        if not parts or len(parts[0]) < 2:
            return False
        if any(part in COMMON_WORDS or part in STOP_WORDS for part in parts):
            return False
        if word.key in PEOPLES or word.key in COUNTRIES or word.key in PLACE_OPENERS:
            return False
        if word.key in CONNECTIVES:
            return False
        if ACRONYM_PLURAL.fullmatch(word.text):
            return False
        if self.opens_sentence(index) and _plural_of_a_word(word.key):
            return False  # "Olders were paying him", not "Yonas was"
        return not (len(word.key) > MIN_SUFFIXED and WORD_ENDING.search(word.key))

    def _named_by_the_word_before(self, index: int) -> bool:
        """Whether a colour or a thing's noun comes before: a car, a line, a group.

        "a grey Audi", "a silver Toyota Prius", 'deal line "Benz"'.
        """
        stop = max(0, index - MAX_TITLE_WORDS)
        while index > stop and self.touches(index) and self.words[index - 1].text[:1].isupper():
            index -= 1  # over the rest of the thing's name: "Toyota" of "Toyota Prius"
        gap = self.gap(index) if index > 0 else ""
        if index == 0 or gap.strip(" \"'“”‘’") or "\n" in gap or COLUMN_GAP.search(gap):
            return False
        return self.key(index - 1) in COLOURS or self.key(index - 1) in NAMED_THINGS

    def _a_name_in_capitals(self, index: int) -> bool:
        """Whether a word in capitals stands as a name does.

        Beside another ("KOBI MENSAH"), or opening a line before a dash ("AALIYAH – NRM
        referral"); not "CSE/CCE" or "the NRM".
        """
        if self._in_a_run_of_capitals(index) or self._in_a_log_in_capitals(index):
            return True
        return (
            self.opens_sentence(index)
            and LINE_DASH.match(self.text, self.words[index].end) is not None
        )

    def _in_a_log_in_capitals(self, index: int) -> bool:
        """Whether a word spelt as names are stands in a sentence all in capitals.

        "PC 4567 OBRIEN ATTENDED", "TIYANI LOCATED BY PC"; not "PNC UPDATED" or "CAMHS": an
        acronym is short or has few vowels.
        """
        word = self.words[index]
        vowels = sum(c in "AEIOUY" for c in word.text)
        if len(word.text) < MIN_LOGGED_NAME or vowels < MIN_NAME_VOWELS:
            return False
        return any(
            0 <= other < len(self.words)
            and self.touches(max(index, other))
            and self.words[other].is_upper
            for other in (index - 1, index + 1)
        )

    def _in_a_run_of_capitals(self, index: int) -> bool:
        """Whether a word in capitals is beside another name-like one: "KOBI MENSAH".

        Not "CSE/CCE", "the NRM" or "PNC UPDATED": a word in capitals alone, or beside an English
        word, is more often an acronym.
        """
        return any(
            0 <= other < len(self.words)
            and self.touches(max(index, other))
            and self.words[other].is_upper
            and len(self.words[other].text) > 2
            and (self._is_listed(self.words[other]) or self.key(other) not in COMMON_WORDS)
            for other in (index - 1, index + 1)
        )

    def _a_role_follows(self, last: int) -> bool:
        """Whether a lower-case role follows directly: "Brook nurse" names a service, not her."""
        after = last + 1
        return (
            self.touches(after)
            and self.words[after].text.islower()
            and self.key(after) in PERSON_NOUNS
        )

    def _of_a_proper_name_follows(self, last: int) -> bool:
        """Whether "of" and a capitalised word follow: "Inspectorate of Probation"."""
        return (
            self.key(last + 1) == "of"
            and self.touches(last + 2)
            and last + 2 < len(self.words)
            and self.words[last + 2].text[:1].isupper()
        )

    def _in_a_title_case_line(self, index: int) -> bool:
        """Whether word `index` is in a heading or job title that capitalises its words.

        "Findings: Debt Bondage and Online Recruitment", "Child Exploitation Navigator".
        """
        start = self.text.rfind("\n", 0, self.words[index].start) + 1
        if start not in self._headings:
            end = self.text.find("\n", self.words[index].end)
            end = end if end >= 0 else len(self.text)
            content = [w for w in self.words if start <= w.start < end and w.key not in STOP_WORDS]
            capitalised = [w for w in content if w.is_title]  # capitals are not a heading's
            english = sum(w.key in COMMON_WORDS for w in capitalised)
            self._headings[start] = len(capitalised) == len(content) and (
                len(capitalised) >= MIN_HEADING_WORDS or english >= MIN_HEADING_ENGLISH
            )
        return self._headings[start]

    def _in_a_place_of_several_words(self, index: int) -> bool:
        """Whether the model reads word `index` as part of a place of several words.

        Its labels for one word English rarely uses are not trusted: the small model tags
        unknown given names as organisations, places, nationalities, even dates ("Kieron": ORG,
        "Ayden": GPE, "Dwayne": NORP, "Tymade": DATE). A place of several words ("North Face",
        "Abbey Wood") it is better at.
        """
        label, size = self.entity_label.get(index, ("", 0))
        return label in PLACE_LABELS and size > 1

    def _inside_a_proper_name(self, index: int) -> bool:
        """Whether capitalised words before `index` make it part of a place or organisation.

        "Manchester Piccadilly", "Ysgol Bro Dinefwr", "Operation Orochi".
        """
        before = index - 1
        while before >= 0 and self.touches(before + 1) and self.words[before].text[:1].isupper():
            if (
                self.is_place(before)
                or self.key(before) in NOT_A_PERSON
                or self.key(before) in PLACE_OPENERS
            ):
                return True
            before -= 1
        return False

    def _reads_as_a_place(self, first: int, last: int, trust_the_model: bool = True) -> bool:
        """Whether a name that is also a place reads as the place.

        "from Jordan", "Barry and Penarth", or tagged as a place by the model (which tags
        "Jordan" as a country even in "mother of Jordan", so not for places abroad).
        """
        if trust_the_model and any(i in self.places_tagged for i in range(first, last + 1)):
            return True
        if self.lower_before(first) in PLACE_PREPOSITIONS:
            return True
        for neighbour, gap_index in ((first - 2, first), (last + 2, last + 2)):
            if 0 <= neighbour < len(self.words) and self.gap(gap_index).strip() in ("", ","):
                joined = self.key(first - 1) if neighbour < first else self.key(last + 1)
                if joined in ("and", "or") and self.is_place(neighbour):
                    return True
        return False

    def _accept(self, candidate: Candidate) -> bool:
        first, last = candidate.first, candidate.last
        if candidate.sure:
            return True
        if self._named_by_the_word_before(first):
            return False  # 'line "Mikey"', "a grey Jordan": a line's or a thing's name
        if not self._could_be_a_person_here(first, last) or self._opens_an_organisation_name(last):
            return False
        if (
            first < last
            and self.key(last) in NOT_A_PERSON_AFTER
            and self._reads_as_a_place(first, last)
        ):
            return False  # "a unit in Florence Park": a listed surname that is also a place word
        if self._among_like_places(first, last):
            return False  # "around Jubilee Park, Peel Park and the Victoria Park bandstand"
        keys = [self.key(i) for i in range(first, last + 1)]
        if any(k not in self.names.common for k in keys[1:] + keys[:-1]):
            return True  # "Hope Mensah": a surname or another given name beside it
        key = keys[0]
        if first == last and self._an_acronym(first):
            return False
        if key in STOP_WORDS or key in self.place_names:
            # "Will said", "May told us", "Barry said": a person only where the words around
            # say so, as places must stay ("Lines reached Barry")
            return self._person_context(first, last)
        if key in self.names.common:
            return self._common_name_is_a_person(first)
        if key in self.names.abroad:
            return self._person_context(first, last) or not self._reads_as_a_place(
                first, last, trust_the_model=False
            )
        return key not in NOT_A_NAME

    def _among_like_places(self, first: int, last: int) -> bool:
        """Whether a run ending in a place word ("Peel Park") is listed beside another such place.

        Another capitalised word with the same place word after it, within a few words, makes
        the run one of a list of places.
        """
        place = self.key(last)
        if place not in NOT_A_PERSON_AFTER:
            return False
        window = range(max(1, first - LIST_WINDOW), min(len(self.words), last + LIST_WINDOW + 1))
        return any(
            self.key(i) == place
            and not first <= i <= last
            and self.touches(i)
            and self.words[i - 1].is_title
            and not first <= i - 1 <= last
            for i in window
        )

    def spans(self) -> list[tuple[int, int]]:
        """Character spans of every accepted name, and of its words used again in the text.

        "Tyrone ... TYRONE": once a word is known to name someone here, it does everywhere.
        """
        self.candidates += self._unlisted_in_person_context()
        self.candidates += self._places_used_as_names()
        self.candidates += self._spelling_variants()
        self.candidates += self._rare_as_words()
        accepted = [
            self._with_initial(self._with_particle(c)) for c in self.candidates if self._accept(c)
        ]
        accepted += self._joined_to(accepted)
        spans = [(self.words[c.first].start, self.words[c.last].end) for c in accepted]
        spans += self.entities
        covered = {i for c in accepted for i in range(c.first, c.last + 1)} | self.entity_words
        found = {self.key(i) for i in covered if len(self.key(i)) > 2}
        found -= self.names.common | STOP_WORDS | NOT_A_NAME | NOT_A_PERSON | HONORIFICS
        for index, word in enumerate(self.words):
            if (
                index not in covered
                and word.key in found
                and word.looks_like_a_name
                and self._could_be_a_person_here(index, index)
                and not self._reads_as_a_place(index, index)
            ):
                spans.append((word.start, word.end))
        # "Child K's mother", "Young Person B": the letter stands in for a name already
        labels = [match.span() for match in ANONYMISED.finditer(self.text)]
        return [
            (start, end)
            for start, end in spans
            if not any(first <= start and end <= last for first, last in labels)
        ]

    def _with_initial(self, candidate: Candidate) -> Candidate:
        """The name with the initial written after it in a list: "Hollis R (YJS)", "Dunne P"."""
        after = candidate.last + 1
        if (
            after < len(self.words)
            and self.touches(after)
            and re.fullmatch("[A-Z]", self.words[after].text)
            and INITIAL_CLOSES.match(self.text, self.words[after].end)
        ):
            return Candidate(candidate.first, after, candidate.sure)
        return candidate

    def _with_particle(self, candidate: Candidate) -> Candidate:
        """The name with the particle written before it: "van Dijk, the landlord, said".

        Not a word after "the" or "his": "the van Tyrone drove" is a vehicle.
        """
        before = candidate.first - 1
        if (
            before < 0
            or self.words[before].text not in PARTICLES
            or not self.touches(candidate.first)
            or self.lower_before(before) in DETERMINERS | POSSESSIVES
        ):
            return candidate
        return Candidate(before, candidate.last, candidate.sure)

    def _joined_to(self, accepted: list[Candidate]) -> list[Candidate]:
        """Names joined by "and" or "or" to an accepted name.

        "Amber and Jade Wilson", "Gethin and Iestyn" (a name the list does not know).
        """
        taken = {i for c in accepted for i in range(c.first, c.last + 1)}
        runs = [(c.first, c.last) for c in self.candidates if c not in accepted]
        runs += [
            (i, i)
            for i in range(len(self.words))
            if i not in taken
            and not self._is_listed(self.words[i])
            and self._may_be_unlisted_name(i, ignore_entities=True)
            and i not in self.places_tagged
        ]
        joined: list[Candidate] = []
        for first, last in runs:
            if not self._could_be_a_person_here(first, last):
                continue
            for neighbour, link in ((first - 2, first - 1), (last + 2, last + 1)):
                if neighbour in taken and self.key(link) in ("and", "or"):
                    joined.append(Candidate(first, last, sure=True))
                    break
            else:
                if self._listed_before_a_name(last, taken) and not (
                    self.opens_sentence(first) and self._an_english_word(first)
                ):
                    # not "Sadly, Tiyani and Kemarni were moved"
                    joined.append(Candidate(first, last, sure=True))
        return joined

    def _listed_before_a_name(self, last: int, taken: set[int]) -> bool:
        """Whether a run ending at `last` opens a list whose next item is a name ending it.

        "Ratty, Jinx and Yung Tee": a comma alone joins only inside a list that "and" or "or"
        ends, not "Yesterday, Jinx said".
        """
        following = last + 1
        if following not in taken or self.gap(following) != ", ":
            return False
        while following + 1 in taken and self.touches(following + 1):
            following += 1
        link = following + 1
        return self.key(link) in ("and", "or") or (link in taken and self.gap(link) == ", ")

    def _may_be_unlisted_name(
        self, index: int, ignore_entities: bool = False, alone: bool = True
    ) -> bool:
        """Whether a capitalised word the list does not know could be a name where it stands.

        `alone`: as a name of one word, not followed by another capitalised word.
        """
        word = self.words[index]
        # "Child H's mother": a letter standing for a child is not a name
        letters = len(word.text.removesuffix("'s").removesuffix("’s"))
        if not word.is_title or letters < 2 or self.glued_to_digits(index):
            return False
        if word.key in STOP_WORDS or word.key in COLLECTIVES or self.is_never_a_name(index):
            return False
        if word.key in PEOPLES:
            return False  # "spoke Yoruba": a people or its language
        if (index in self.other_entities and not ignore_entities) or index in self.in_long_place:
            return False
        if alone and self.capitalised_next(index):
            return False  # part of a longer proper name: "Youth Offending Team"
        return word.key not in NOT_A_PERSON_AFTER and self._could_be_a_person_here(index, index)


def _counts_in_tables(text: str, matches: list[re.Match[str]]) -> set[int]:
    """The matches that are items of a run of TABLE_OF_COUNTS or more "Word (n)" in a row."""
    counts: set[int] = set()
    start = 0
    for number in range(1, len(matches) + 1):
        joined = number < len(matches) and _joins_items(
            text[matches[number - 1].end() : matches[number].start()]
        )
        if not joined:
            if number - start >= TABLE_OF_COUNTS:
                counts.update(range(start, number))
            start = number
    return counts


def _joins_items(between: str) -> bool:
    """Whether the text between two "(n)" is a separator and one item's words: ", Vietnam"."""
    return ITEM_BETWEEN.fullmatch(between) is not None


def _names_a_group(key: str) -> bool:
    """Whether a name's last word is a plural English noun: "Harlem Spartans", not "Jones"."""
    return _reads_as_plural(key) and key[:-1] in COMMON_WORDS


def _plural_of_a_word(key: str) -> bool:
    """Whether a word is the plural of an English word or reads as a plural of people.

    "Olders", "Shotters", "Samaritans"; not "Marcus", "Yonas" or "Demetrius".
    """
    if not _reads_as_plural(key):
        return False
    singular = key[:-3] + "y" if key.endswith("ies") else key[:-1]
    # Two letters are no noun's singular: "Jas" is a name, not the plural of "ja".
    return (len(singular) > 2 and singular in COMMON_WORDS) or key.endswith("ers")


def _reads_as_plural(key: str) -> bool:
    """Whether a word ends as a plural does: "Teachers", not "Princess", "Jess" or "Ross"."""
    return key.endswith("s") and not key.endswith("ss")


def _emails(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (EMAIL, BRACKETED_EMAIL, SPELLED_EMAIL):
        for match in pattern.finditer(text):
            yield match.span()


def _phones(text: str) -> Iterator[tuple[int, int]]:
    """UK numbers: 9 or 10 digits after the trunk 0 or the country code."""
    position = 0
    while (match := PHONE.search(text, position)) is not None:
        end = _number_end(text, match)
        if end is None:
            position = match.start() + 1
            continue
        yield match.start(), end
        position = end


def _number_end(text: str, match: re.Match[str]) -> int | None:
    """Where the number a match starts with ends, if it is a whole UK number."""
    candidate = match.group()
    if _is_uk_number(_without_extension(candidate)):
        return match.end()
    # Two numbers with only a space between ("07700 900123 07700 900456"): the first ends where
    # a whole second one starts.
    for gap in re.finditer(r"\s+(?=[0+(])", candidate):
        if _is_uk_number(candidate[: gap.start()]):
            # The second is checked on its own, not through its own followers: a list of a
            # thousand numbers must not recurse a thousand deep.
            second = PHONE.match(text, match.start() + gap.end())
            if second is not None and _is_whole_number(second.group()):
                return match.start() + gap.start()
    # A number and then a count of something ("rang 07700 900183 214 times"): the number ends
    # before the count. Not a reference in groups ("0123 456 789 012."), which no word follows.
    last_gap = list(re.finditer(r"\s+", candidate))
    if (
        last_gap
        and re.fullmatch(r"[1-9]\d{0,3}", candidate[last_gap[-1].end() :])
        and re.match(r"\s+[a-z]", text[match.end() :])
        and _is_uk_number(candidate[: last_gap[-1].start()])
    ):
        return match.start() + last_gap[-1].start()
    return None


def _without_extension(candidate: str) -> str:
    extension = PHONE_EXTENSION.search(candidate)
    return candidate[: extension.start()] if extension else candidate


def _is_whole_number(candidate: str) -> bool:
    """Whether a match is one UK number (with its extension), or starts with one."""
    return _is_uk_number(_without_extension(candidate)) or any(
        _is_uk_number(candidate[: gap.start()]) for gap in re.finditer(r"\s+(?=[0+(])", candidate)
    )


def _is_uk_number(number: str) -> bool:
    # "+44 (0)1424 451000": the bracketed trunk 0 is not dialled, so it is not counted
    digits = re.sub(r"\D", "", number.replace("(0)", ""))
    if number.lstrip().startswith("+"):
        digits = digits.removeprefix("44")
    elif digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return False
    return len(digits) in (9, 10) and digits[0] in "1235789"


def _apply(text: str, spans: list[Redaction]) -> str:
    out, last = [], 0
    for span in spans:
        out += [text[last : span.start], f"[{span.kind}]"]
        last = span.end
    out.append(text[last:])
    return "".join(out)


@cache
def load_redaction_nlp(model: str, ner: Path | None = REDACTION_NER) -> Language | None:
    """The spaCy pipeline for PERSON entities (None for 'blank': no model, rules only).

    `ner`: an entity recogniser trained for redaction (scripts/train_redaction_ner.py), put in
    place of the model's own when the model is the one it was trained from; None keeps the
    model's own.
    """
    if model == "blank":
        return None
    import spacy

    from pipeline.passages.segment import drop_unheard_tok2vec

    nlp = spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])
    drop_unheard_tok2vec(nlp)
    if ner is not None and "ner" in nlp.pipe_names and _trained_from(ner, nlp):
        nlp.get_pipe("ner").from_disk(ner, exclude=["vocab"])
    return nlp


def _trained_from(ner: Path, nlp: Language) -> bool:
    """Whether the recogniser at `ner` was trained from this model (name and version)."""
    meta_file = ner / "meta.json"
    if not meta_file.is_file():
        return False
    base = json.loads(meta_file.read_text(encoding="utf-8"))["base"]
    return (base["name"], base["version"]) == (nlp.meta.get("name"), nlp.meta.get("version"))
