"""Theme labels a practitioner would write: domain stop words, phrases over single words."""

from __future__ import annotations

import itertools
import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Words every locality review uses: they say nothing about what distinguishes a theme.
DOMAIN_STOP_WORDS: frozenset[str] = frozenset(
    {
        "young",
        "people",
        "person",
        "gang",
        "gangs",
        "county",
        "lines",
        "line",
        "area",
        "areas",
        "local",
        "review",
        "reviews",
        "practitioner",
        "practitioners",
        "said",
        "told",
        "say",
        "says",
        "think",
        "thing",
        "things",
        "really",
        "just",
        "lot",
        "lots",
        "know",
        "get",
        "got",
        "going",
        "yes",
        "yeah",
        "like",
        "quite",
        "actually",
        "kind",
        "sort",
        "way",
        "work",
        "working",
        "worker",
        "workers",
        "team",
        "teams",
        "staff",
        "service",
        "services",
        "issue",
        "issues",
        "problem",
        "problems",
        "need",
        "needs",
        "make",
        "makes",
        "seen",
        "see",
        "seeing",
        "time",
        "times",
        "year",
        "years",
        "week",
        "weeks",
        "month",
        "months",
        "interviewer",
        "facilitator",
        "participant",
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
        "p6",
        "p7",
        "q",
        "don",
        "didn",
        "doesn",
        "isn",
        "ve",
        "ll",
        "re",
        "s",
        "t",
        "vulnerability",
        "also",
        "come",
        "comes",
        "coming",
        "use",
        "used",
        "uses",
        "mean",
        "means",
        "want",
        "case",
        "cases",
        "example",
        "new",
        "good",
        "big",
        "different",
        "number",
        "common",
        "feature",
        "findings",
        "violence",
        "violent",
        "youth",
        "crime",
        "crimes",
        "exploitation",
        "exploited",
        "involved",
        "involvement",
        "group",
        "groups",
        "various",
        "reports",
        "report",
        "peer",
        "support",
        "agencies",
        "agency",
        "partners",
        "level",
        "levels",
        "currently",
        "particularly",
    }
)


def _place_words() -> frozenset[str]:
    """One-word place names ("luton", "northamptonshire"): themes are not named after places.

    Names that are also ordinary words ("Reading", "Deal") are flagged ambiguous and kept.
    """
    from pipeline.gazetteer import load_gazetteer

    words = {"town", "towns", "city", "cities", "county", "counties", "borough", "boroughs"}
    for place in load_gazetteer():
        for name in (place.name, *place.aliases):
            if " " not in name and "-" not in name and not place.ambiguous:
                words.add(name.lower())
    return frozenset(words)


STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | DOMAIN_STOP_WORDS | _place_words()
_TOKEN = re.compile(r"[a-z][a-z-]+")
_POSSESSIVE = re.compile(r"['’]s\b")


def analyse(text: str) -> list[str]:
    """Words and two-word phrases for c-TF-IDF, never spanning a stop word.

    scikit-learn drops stop words before forming n-grams, so "victims and offenders" would
    become the phrase "victims offenders"; here a stop word breaks the phrase instead.
    """
    tokens = _TOKEN.findall(_POSSESSIVE.sub("", text.lower()))
    terms = [t for t in tokens if t not in STOP_WORDS and len(t) > 2]
    for first, second in itertools.pairwise(tokens):
        if first not in STOP_WORDS and second not in STOP_WORDS and len(first) > 2 < len(second):
            terms.append(f"{first} {second}")
    return terms


def _same_word(a: str, b: str) -> bool:
    """'drug' and 'drugs', 'offender' and 'offenders': one word for labelling purposes."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def is_informative(phrase: str) -> bool:
    """False for phrases made only of stop words (or nothing at all)."""
    words = _TOKEN.findall(phrase.lower())
    return bool(words) and any(w not in STOP_WORDS for w in words)


def label_from_keywords(keywords: list[str], max_phrases: int = 2, window: int = 10) -> str:
    """A short label from ranked keywords: the best phrases, no word repeated, capitalised.

    A word gives way to a phrase that contains it when the phrase's other word also ranks
    ("account" with "bank" becomes "bank accounts"), and overlapping phrases join
    ("return home" + "home interviews" = "return home interviews").
    """
    informative = [k for k in keywords[:window] if is_informative(k)]
    words_ranked = [k for k in informative if " " not in k]
    phrases = [k for k in informative if " " in k]
    chosen: list[str] = []
    used: set[str] = set()
    for keyword in informative:
        phrase = keyword
        if " " not in keyword:
            for candidate in phrases:
                parts = candidate.split()
                if any(_same_word(keyword, p) for p in parts) and all(
                    any(_same_word(p, w) for w in words_ranked) for p in parts
                ):
                    phrase = candidate
                    break
        for candidate in phrases:
            if candidate.split()[0] == phrase.split()[-1] and candidate != phrase:
                phrase = f"{phrase} {candidate.split(maxsplit=1)[1]}"
                break
        parts = set(phrase.split())
        if any(_same_word(w, u) for w in parts for u in used):
            continue
        chosen.append(phrase)
        used |= parts
        if len(chosen) == max_phrases:
            break
    if not chosen:
        return "Unlabelled theme"
    label = " and ".join(chosen)
    return label[:1].upper() + label[1:]
