"""Redaction of displayed quotes: personal names, phone numbers and e-mail addresses.

Reviews are about children and vulnerable adults, and practitioners sometimes name them (or
themselves) or leave contact details. What the viewer and exports show is redacted unless an
authorised analyst turns it off; the warehouse keeps the original text so offsets stay exact.
Places and agencies stay: they are the point of the synthesis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from spacy.language import Language
from spacy.tokens import Span, Token

EMAIL = re.compile(r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)+\b")
# UK numbers: +44 or 0, then 9-10 digits in groups; checked for length after matching.
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,5}\)?(?:[\s-]?\d{2,4}){2,3}(?!\w)")
# A capitalised word as names are written: Mick, McNally, O'Brien, Smith-Jones.
NAME_WORD = re.compile(r"[A-Z][A-Za-z]*(?:['’-][A-Za-z]+)*")
# Titles and ranks written before a name: kept when they stand beside a found name.
TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "cllr",
        "councillor",
        "detective",
        "inspector",
        "sergeant",
        "constable",
        "superintendent",
        "chief",
        "officer",
        "manager",
        "worker",
    }
)
MAX_NAME_WORDS = 3  # given names and a surname, for names listed beside a found name
MAX_TITLE_WORDS = 4  # capitalised words between a "name" and the organisation word it opens
# Words that make a "PERSON" entity an organisation, team or role rather than a person: the head
# nouns of agency, partnership and group names, and roles in the plural (a singular role is often
# tagged together with the name that follows it: "Probation Officer Claire Bentley").
NOT_A_PERSON = frozenset(
    {
        "group",
        "groups",
        "forum",
        "network",
        "panel",
        "panels",
        "programme",
        "committee",
        "project",
        "hub",
        "boards",
        "teams",
        "units",
        "officers",
        "managers",
        "workers",
        "reviews",
        "police",
        "council",
        "service",
        "services",
        "team",
        "trust",
        "partnership",
        "board",
        "school",
        "academy",
        "college",
        "hospital",
        "nhs",
        "yot",
        "unit",
        "agency",
        "office",
        "centre",
        "court",
        "county",
        "lines",
        "prevent",
        "barnardo's",
        "hmp",
        "station",
    }
)
# Capitalised words the small model often takes for names in these reviews: platforms, drug and
# music slang, months, and the topic words of programme and group titles ("Gang and Youth
# Violence Special Interest Group"). Never personal data, and redacting them makes quotes
# unreadable.
NOT_A_NAME = frozenset(
    [
        "gang",
        "gangs",
        "youth",
        "violence",
        "knife",
        "crime",
        "criminal",
        "exploitation",
        "safeguarding",
        "locality",
        "fentanyl",
        "ketamine",
        "snapchat",
        "instagram",
        "whatsapp",
        "facebook",
        "tiktok",
        "youtube",
        "telegram",
        "twitter",
        "wickr",
        "signal",
        "drill",
        "trap",
        "crack",
        "spice",
        "xanax",
        "mamba",
        "cocaine",
        "heroin",
        "cannabis",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "easter",
        "christmas",
        "map",
        "euston",
        "waterloo",
        "paddington",
        "victoria",
        "kings",
        "cross",
        "st",
        "pancras",
    ]
)


@dataclass(frozen=True)
class Redaction:
    """One span of a text that was replaced."""

    start: int
    end: int
    kind: str  # 'name', 'phone' or 'email'


@dataclass
class Redactor:
    """Finds and replaces personal details in text.

    `nlp` supplies PERSON entities (None: patterns only); `place_names` (lower case) are never
    treated as names, because the small model often takes a town for a surname.
    """

    nlp: Language | None
    place_names: frozenset[str] = field(default_factory=frozenset)

    def spans(self, text: str, doc: object | None = None) -> list[Redaction]:
        """The spans to replace, sorted and not overlapping (patterns win over entities)."""
        found = [Redaction(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
        found += [
            Redaction(m.start(), m.end(), "phone")
            for m in PHONE.finditer(text)
            # "+44 (0)1424 451000": the bracketed trunk 0 is not dialled, so it is not counted
            if 10 <= sum(c.isdigit() for c in m.group().replace("(0)", "")) <= 12
        ]
        if doc is None and self.nlp is not None:
            doc = self.nlp(text)
        for ent in getattr(doc, "ents", ()):
            if ent.label_ != "PERSON" or not self._is_person(ent.text):
                continue
            # "HMP Ranby" is a prison, not a person
            if text[max(0, ent.start_char - 4) : ent.start_char].strip() == "HMP":
                continue
            if self._opens_an_organisation_name(ent):
                continue
            found.append(Redaction(ent.start_char, ent.end_char, "name"))
            found += [Redaction(start, end, "name") for start, end in self._listed_beside(ent)]
        kept: list[Redaction] = []
        for span in sorted(found, key=lambda s: (s.start, -s.end)):
            if kept and span.start < kept[-1].end:
                continue
            kept.append(span)
        return kept

    def _is_person(self, name: str) -> bool:
        words = name.lower().replace("’", "'").split()
        if not words or name.lower() in self.place_names:
            return False
        if any(w.strip(".,'") in NOT_A_PERSON for w in words):
            return False
        # Made only of places and words that are never names: "Gloucestershire Criminal".
        return not all(self._never_a_name(w) for w in words)

    def _never_a_name(self, word: str) -> bool:
        """A lower-case word that is a place or on the list of non-names (also as a plural)."""
        bare = word.strip(".,'")
        singular = bare.removesuffix("'s").removesuffix("s")
        return bare in NOT_A_NAME or singular in NOT_A_NAME or bare in self.place_names

    def _could_be_name_word(self, token: Token) -> bool:
        """A capitalised word in no other entity that is not a place or a known non-name."""
        return (
            NAME_WORD.fullmatch(token.text) is not None
            and token.ent_type_ in ("", "PERSON")
            and token.lower_ not in NOT_A_PERSON
            and token.lower_ not in TITLES
            and not self._never_a_name(token.lower_)
        )

    @staticmethod
    def _opens_an_organisation_name(ent: Span) -> bool:
        """Whether capitalised words follow the name directly up to an organisation word.

        Then the name is part of the organisation's ("Ben Kinsella Trust"), not a person's.
        """
        for token in ent.doc[ent.end : ent.end + MAX_TITLE_WORDS]:
            if NAME_WORD.fullmatch(token.text) is None:
                return False
            if token.lower_ in NOT_A_PERSON:
                return True
        return False

    def _listed_beside(self, ent: Span) -> list[tuple[int, int]]:
        """Character spans of names listed right before or after a name.

        In a run of names without punctuation ("Mick McNally Paul Cullen") the small model often
        finds only one; two or three capitalised words directly beside it are another name.
        """
        doc = ent.doc
        before: list[Token] = []
        for index in range(ent.start - 1, max(ent.start - 1 - MAX_NAME_WORDS, -1), -1):
            if not self._could_be_name_word(doc[index]):
                break
            before.insert(0, doc[index])
        after: list[Token] = []
        for token in doc[ent.end : ent.end + MAX_NAME_WORDS]:
            if not self._could_be_name_word(token):
                break
            after.append(token)
        return [
            (run[0].idx, run[-1].idx + len(run[-1].text))
            for run in (before, after)
            if len(run) >= 2
        ]

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


def _apply(text: str, spans: list[Redaction]) -> str:
    out, last = [], 0
    for span in spans:
        out += [text[last : span.start], f"[{span.kind}]"]
        last = span.end
    out.append(text[last:])
    return "".join(out)


@cache
def load_redaction_nlp(model: str) -> Language | None:
    """The spaCy pipeline for PERSON entities (None for 'blank': patterns only)."""
    if model == "blank":
        return None
    import spacy

    return spacy.load(
        model, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"]
    )
