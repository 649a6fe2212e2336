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

EMAIL = re.compile(r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)+\b")
# UK numbers: +44 or 0, then 9-10 digits in groups; checked for length after matching.
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,5}\)?(?:[\s-]?\d{2,4}){2,3}(?!\w)")
# Words that make a "PERSON" entity an organisation, team or role rather than a person.
NOT_A_PERSON = frozenset(
    {
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
# music slang, months. Never personal data, and redacting them makes quotes unreadable.
NOT_A_NAME = frozenset(
    [
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
            if 10 <= sum(c.isdigit() for c in m.group()) <= 12
        ]
        if doc is None and self.nlp is not None:
            doc = self.nlp(text)
        for ent in getattr(doc, "ents", ()):
            # "HMP Ranby" is a prison, not a person
            after_hmp = text[max(0, ent.start_char - 4) : ent.start_char].strip() == "HMP"
            if ent.label_ == "PERSON" and not after_hmp and self._is_person(ent.text):
                found.append(Redaction(ent.start_char, ent.end_char, "name"))
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
        if all(w.strip(".,'s") in NOT_A_NAME or w.strip(".,'") in NOT_A_NAME for w in words):
            return False
        return not all(w.strip(".,'") in self.place_names for w in words)

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
