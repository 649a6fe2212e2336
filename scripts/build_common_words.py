"""Write pipeline/data/common_words.txt: English words that are words, not names, by frequency.

Redaction (pipeline/passages/redact.py) takes a capitalised word the name list does not know for
a name only when English rarely uses it as a word ("Okoro", "Eilidh"; not "Will" or "Mark").
This derives "uses it as a word" from spaCy's English word probabilities (the `lexeme_prob`
table of spacy-lookups-data, MIT licence, Explosion AI), which keep case apart: "tyrone" is rare
(-16.6) beside "Tyrone" (-14.3), "mark" common (-10.3) beside "Mark" (-11.1). A lower-case word
is kept when it is common enough (log probability >= MIN_LOG_PROB) and no likelier capitalised
(capitalised minus lower case < MAX_CAPITAL_LEAD), or very common (>= ALWAYS_A_WORD), or an
adverb in -ly. The table (7 MB compressed, 1M entries; 3.9 s and 700 MB through spaCy's
`load_lookups`) stays out of the product; the list it gives loads in 15 ms.

Run (spacy-lookups-data is a dev dependency): .venv/bin/python scripts/build_common_words.py
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

MIN_LOG_PROB = -17.0  # about one word in 24 million: below it, spellings and names crowd in
# A word whose capitalised form is likelier reads as a name.
MAX_CAPITAL_LEAD = 0.0
# A word this common in lower case is a word whatever its capitalised form does: "Meanwhile"
# and "Agreed", which open sentences more than anything, are words (so are adverbs in -ly).
ALWAYS_A_WORD = -13.0
ABSENT = -20.0  # a form the table does not hold
OUT = Path(__file__).resolve().parents[1] / "pipeline" / "data" / "common_words.txt"
HEADER = f"""\
# Lower-case English words that are used as words more than as names: redaction
# (pipeline/passages/redact.py) takes a capitalised word that is none of these, and that its
# other checks allow, for a name. Derived by scripts/build_common_words.py from the lexeme_prob
# table of spacy-lookups-data 1.0.5 (MIT licence, Explosion AI): lower-case words with log
# probability >= {MIN_LOG_PROB} whose capitalised form is no likelier (lead < {MAX_CAPITAL_LEAD}),
# and every such word with log probability >= {ALWAYS_A_WORD} or ending in -ly. Do not edit by hand.
"""


def common_words(probabilities: dict[str, float]) -> list[str]:
    """The lower-case words of the table that English uses as words, sorted."""
    return sorted(
        word
        for word, log_prob in probabilities.items()
        if word.isalpha()
        and word.islower()
        and log_prob >= MIN_LOG_PROB
        and (
            log_prob >= ALWAYS_A_WORD
            or word.endswith("ly")  # adverbs open sentences more than names do: "Luckily"
            or probabilities.get(word[:1].upper() + word[1:], ABSENT) - log_prob < MAX_CAPITAL_LEAD
        )
    )


def load_probabilities() -> dict[str, float]:
    """spaCy's English word probabilities, as spacy-lookups-data ships them."""
    table = resources.files("spacy_lookups_data").joinpath("data", "en_lexeme_prob.json.gz")
    with table.open("rb") as handle:
        return json.loads(gzip.decompress(handle.read()))


def render(words: list[str]) -> str:
    """The file's text: the header, then one word per line."""
    return HEADER + "\n".join(words) + "\n"


def main() -> None:
    words = common_words(load_probabilities())
    OUT.write_text(render(words), encoding="utf-8")
    print(f"{len(words)} words -> {OUT}")


if __name__ == "__main__":
    main()
