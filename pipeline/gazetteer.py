"""The gazetteer and finding its places in text.

Matching is a spaCy PhraseMatcher over every name and alias (case-insensitive, but a match must
be capitalised as a proper noun). Names that are also common words ("Reading", "Bath", "Deal")
count only where the statistical pipeline tags them as a place or a preposition introduces them
("in Reading"). Facilities named after a place ("Bedford Prison", "HMP Isis") are not places.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.ids import sha256_hex
from pipeline.records import Place

# Which entry a bare name means when several kinds share it ("Essex" the county, not the force).
KIND_PRIORITY: tuple[str, ...] = (
    "local_authority",
    "town",
    "informal",
    "county",
    "police_force",
    "region",
    "nation",
)
_FACILITY_AFTER = {
    "prison",
    "hmp",
    "yoi",
    "hospital",
    "road",
    "street",
    "station",
    "university",
    "college",
    "fc",
    "airport",
    "crown",
    "magistrates",
    "avenue",
    "lane",
}
_FACILITY_BEFORE = {"hmp", "hmyoi", "yoi", "hm", "new"}
_PLACE_PREPOSITIONS = {
    "in",
    "from",
    "to",
    "into",
    "across",
    "around",
    "near",
    "at",
    "towards",
    "between",
    "outside",
    "within",
    "throughout",
    "through",
}
_PLACE_ENTITIES = {"GPE", "LOC"}


def gazetteer_text() -> str:
    """The bundled gazetteer CSV."""
    return resources.files("pipeline").joinpath("data", "gazetteer.csv").read_text("utf-8")


def gazetteer_version() -> str:
    """A short hash of the bundled gazetteer, to know when the places table is stale."""
    return sha256_hex(gazetteer_text())[:16]


@cache
def load_gazetteer() -> tuple[Place, ...]:
    """Every gazetteer entry."""
    rows = csv.DictReader(gazetteer_text().splitlines())
    return tuple(
        Place(
            name=row["name"].strip(),
            kind=row["kind"].strip(),
            local_authority=row["local_authority"].strip() or None,
            county=row["county"].strip() or None,
            police_force=row["police_force"].strip() or None,
            region=row["region"].strip() or None,
            nation=row["nation"].strip() or None,
            aliases=tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
            ambiguous=row["ambiguous"].strip() == "1",
            status=row["status"].strip() or "current",
        )
        for row in rows
    )


def _priority(place: Place) -> tuple[int, int]:
    return KIND_PRIORITY.index(place.kind), 0 if place.status == "current" else 1


@dataclass(frozen=True)
class Gazetteer:
    """Look-ups over the gazetteer: surface form to entry, canonical name to entry."""

    by_surface: dict[str, Place]
    by_name: dict[str, Place]
    surfaces: tuple[str, ...]  # every name and alias as written (tokenised as written)

    @classmethod
    def build(cls, places: Iterable[Place]) -> Gazetteer:
        """Index entries by every name and alias, preferring the most specific kind."""
        by_surface: dict[str, Place] = {}
        by_name: dict[str, Place] = {}
        surfaces: dict[str, None] = {}
        for place in sorted(places, key=_priority):
            by_name.setdefault(place.name, place)
            for surface in (place.name, *place.aliases):
                by_surface.setdefault(surface.lower(), place)
                surfaces.setdefault(surface)
        return cls(by_surface, by_name, tuple(surfaces))

    def resolve(self, text: str) -> Place | None:
        """The entry a name or alias refers to, if any."""
        return self.by_surface.get(" ".join(text.split()).lower())

    def local_authority_of(self, place: Place) -> Place | None:
        """The local authority entry that contains a place (itself for a local authority)."""
        if place.kind == "local_authority":
            return place
        if place.local_authority:
            return self.by_name.get(place.local_authority)
        return None


@cache
def default_gazetteer() -> Gazetteer:
    """The bundled gazetteer, indexed."""
    return Gazetteer.build(load_gazetteer())


@dataclass(frozen=True)
class PlaceMention:
    """A place found in text, by character offsets into that text."""

    place: Place
    start: int
    end: int


class PlaceFinder:
    """Finds gazetteer places in spaCy docs."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Patterns keep their written case so "St. Helens" tokenises as it does in text;
        # matching on LOWER still ignores case.
        self.matcher.add("PLACE", list(nlp.tokenizer.pipe(gazetteer.surfaces)))

    def _candidates(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, start, end) for _, start, end in self.matcher(doc)]
        return sorted(filter_spans(spans), key=lambda s: s.start)

    def needs_entities(self, doc: Doc) -> bool:
        """Whether telling this doc's places apart needs its named entities.

        Only a name that is also an ordinary word or a person's name ("Reading", "March",
        "Shirley") is checked against the entities; most text names no such place, and named
        entity recognition is most of what reading a document costs.
        """
        for span in self._candidates(doc):
            place = self.gazetteer.resolve(span.text)
            if place is not None and place.ambiguous:
                return True
        return False

    def find(self, doc: Doc) -> list[PlaceMention]:
        """Place mentions in a processed doc, longest match first, in text order.

        The doc needs its entities when `needs_entities` says so.
        """
        mentions: list[PlaceMention] = []
        for span in self._candidates(doc):
            place = self.gazetteer.resolve(span.text)
            if place is not None and self._accept(doc, span, place):
                mentions.append(PlaceMention(place, span.start_char, span.end_char))
        return mentions

    @staticmethod
    def _accept(doc: Doc, span: Span, place: Place) -> bool:
        if not span.text[:1].isupper():
            return False
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        if after in _FACILITY_AFTER or before in _FACILITY_BEFORE:
            return False
        if place.ambiguous:
            tagged = any(
                ent.label_ in _PLACE_ENTITIES and ent.start <= span.start and span.end <= ent.end
                for ent in doc.ents
            )
            return tagged or before in _PLACE_PREPOSITIONS
        return True
