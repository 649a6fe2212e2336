from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.themes.describe import (
    OUTLIER,
    Evidence,
    PassageTerms,
    Term,
    ThemeText,
    _Scored,
    _unique_labels,
    describe_themes,
    load_labelling_nlp,
    merge_plural,
    read_texts,
)
from tests.conftest import SEED

REPO = Path(__file__).resolve().parents[2]

# Words whose singular and plural both occur, so a careless label would say "knife and knives".
NOUNS = [
    "knife",
    "knives",
    "tenant",
    "tenants",
    "bank account",
    "bank accounts",
    "house",
    "houses",
    "debt",
    "debts",
    "PRU",
    "PRUs",
    "phone",
    "phones",
    "landlord",
    "landlords",
    "pupil",
    "pupils",
]
FRAMES = [
    "Practitioners said the {a} and the {b} were a worry for the {c}.",
    "We found {a} with {b} near the {c} last spring.",
    "The {a} of the {b} came up again with {c}.",
]


def vectors_for(theme_of: list[int], dims: int = 8, seed: int = 0) -> np.ndarray:
    """Unit vectors clustered by theme: each theme its own direction, a little noise."""
    rng = np.random.default_rng(seed)
    vectors = np.eye(dims)[[t % dims for t in theme_of]] + 0.1 * rng.standard_normal(
        (len(theme_of), dims)
    )
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def label_lemmas(label: str) -> list[str]:
    """The content lemmas of a label, merged the way the labeller merges them."""
    doc = load_labelling_nlp()(label)
    return [merge_plural(t.lemma_.lower()) for t in doc if t.is_alpha and not t.is_stop]


def corpus(themes: list[list[tuple[str, str, str, int]]]) -> tuple[list[Evidence], np.ndarray]:
    """Passages built from (a, b, c, frame) per theme, one document per passage."""
    passages, theme_of = [], []
    for theme, rows in enumerate(themes):
        for n, (a, b, c, frame) in enumerate(rows):
            text = FRAMES[frame % len(FRAMES)].format(a=a, b=b, c=c)
            passages.append(Evidence(text, f"doc-{theme}-{n}"))
            theme_of.append(theme)
    return passages, np.array(theme_of)


passage_rows = st.lists(
    st.tuples(
        st.sampled_from(NOUNS), st.sampled_from(NOUNS), st.sampled_from(NOUNS), st.integers(0, 2)
    ),
    min_size=3,
    max_size=6,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(passage_rows, min_size=2, max_size=3))
def test_no_label_repeats_a_lemma(themes: list[list[tuple[str, str, str, int]]]) -> None:
    passages, theme_of = corpus(themes)
    described = describe_themes(passages, vectors_for(theme_of.tolist()), theme_of)
    for text in described.values():
        lemmas = label_lemmas(text.label)
        assert len(lemmas) == len(set(lemmas)), text.label


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(passage_rows, min_size=2, max_size=3))
def test_quotes_are_verbatim_from_the_themes_passages(
    themes: list[list[tuple[str, str, str, int]]],
) -> None:
    passages, theme_of = corpus(themes)
    described = describe_themes(passages, vectors_for(theme_of.tolist()), theme_of)
    for theme, text in described.items():
        own = [p.text for p, t in zip(passages, theme_of, strict=True) if t == theme]
        assert text.quotes, "no sentence quoted"
        assert all(any(quote in passage for passage in own) for quote in text.quotes)
        assert text.description == " ".join((*text.quotes, text.reach))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(passage_rows, min_size=2, max_size=4))
def test_no_two_themes_share_a_label(themes: list[list[tuple[str, str, str, int]]]) -> None:
    passages, theme_of = corpus(themes)
    described = describe_themes(passages, vectors_for(theme_of.tolist()), theme_of)
    labels = [text.label.lower() for text in described.values()]
    assert len(labels) == len(set(labels)), labels


def test_a_shared_best_phrase_gets_the_distinguishing_phrase() -> None:
    # Both themes' best phrase is "bank accounts"; the one it fits less adds its next phrase.
    ranked = {
        3: [_Scored(("account", "bank"), "bank accounts", 5.0), _Scored(("mule",), "mules", 4.0)],
        7: [
            _Scored(("account", "bank"), "bank accounts", 6.0),
            _Scored(("account",), "accounts", 5.5),
            _Scored(("college", "student"), "college students", 4.0),
        ],
    }
    assert _unique_labels(ranked) == {7: "Bank accounts", 3: "Bank accounts: mules"}


def test_themes_with_nothing_to_tell_them_apart_are_numbered() -> None:
    ranked = {1: [_Scored(("debt",), "debt", 2.0)], 2: [_Scored(("debt",), "debt", 1.0)]}
    assert _unique_labels(ranked) == {1: "Debt", 2: "Debt (2)"}


def test_outliers_get_no_theme_and_are_never_quoted() -> None:
    passages, theme_of = corpus([[("debt", "phones", "pupils", 0)] * 3] * 2)
    theme_of[-1] = OUTLIER
    described = describe_themes(passages, vectors_for([0, 0, 0, 1, 1, 1]), theme_of)
    assert sorted(described) == [0, 1]


def test_reach_counts_reviews_and_names_national_reports_apart() -> None:
    text = "Practitioners told us that older dealers give children cannabis and trainers first."
    passages = [
        Evidence(text, "review-a"),
        Evidence(text, "review-a"),
        Evidence(text, "review-b"),
        Evidence(text, "national-report", national=True),
    ]
    theme_of = np.array([0, 0, 0, 0])
    described = describe_themes(passages, vectors_for([0, 0, 0, 0]), theme_of)
    assert described[0].reach == "Raised in 2 reviews and 1 national report."


def test_a_national_report_alone_is_not_counted_as_a_review() -> None:
    text = "The national picture shows that older dealers give children cannabis first."
    passages = [Evidence(text, "national-report", national=True)] * 3
    described = describe_themes(passages, vectors_for([0, 0, 0]), np.array([0, 0, 0]))
    assert described[0].reach == "Raised in 1 national report."


def describe_in_a_fresh_process(hash_seed: str) -> dict[str, dict[str, object]]:
    """describe_themes run in another interpreter with its own string-hash seed."""
    script = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests/themes')\n"
        "from test_describe import determinism_case\n"
        "print(json.dumps(determinism_case()))\n"
    )
    env = os.environ | {"PYTHONHASHSEED": hash_seed, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def as_plain(described: dict[int, ThemeText]) -> dict[str, dict[str, object]]:
    return {
        str(t): {"label": v.label, "keywords": v.keywords, "description": v.description}
        for t, v in described.items()
    }


def determinism_case() -> dict[str, dict[str, object]]:
    """A small corpus with ties in it, described once."""
    rows = [
        [
            (a, b, c, f)
            for a, b, c, f in zip(NOUNS[i::3], NOUNS[1::2], NOUNS[::-1], range(6), strict=False)
        ]
        for i in range(3)
    ]
    passages, theme_of = corpus(rows)
    return as_plain(describe_themes(passages, vectors_for(theme_of.tolist()), theme_of))


def test_same_passages_same_labels_within_a_process() -> None:
    assert determinism_case() == determinism_case()


def test_same_passages_same_labels_across_processes_and_hash_seeds() -> None:
    here = determinism_case()
    assert describe_in_a_fresh_process("1") == here
    assert describe_in_a_fresh_process("4242") == here


def test_seed_report_descriptions_quote_its_passages(seed_themed_db: Path) -> None:
    with duckdb.connect(str(seed_themed_db), read_only=True) as con:
        run_id = con.execute(
            "SELECT run_id FROM theme_runs WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1"
        ).fetchone()[0]
        themes = con.execute(
            "SELECT theme_id, label, description FROM themes WHERE last_run_id = ? AND NOT curated",
            [run_id],
        ).fetchall()
        members = con.execute(
            "SELECT pt.theme_id, p.text FROM passage_themes pt JOIN passages p USING (passage_id)"
            " WHERE pt.run_id = ?",
            [run_id],
        ).fetchall()
    assert themes
    for theme_id, label, description in themes:
        texts = [text for t, text in members if t == theme_id]
        reach = description.rsplit("Raised in ", 1)
        assert len(reach) == 2 and reach[1].endswith("national report."), description
        quoted = reach[0].strip()
        assert quoted, f"{label}: no sentence quoted"
        # The quoted text splits into sentences each verbatim from a passage of the theme.
        remaining = quoted
        while remaining:
            ends = [
                i + 1
                for i, c in enumerate(remaining)
                if c == "." and remaining[i + 1 : i + 2] in ("", " ")
            ]
            match = next(
                (
                    remaining[:end]
                    for end in reversed(ends)
                    if any(remaining[:end] in t for t in texts)
                ),
                None,
            )
            assert match, f"{label}: {remaining[:80]!r} is not from its passages"
            remaining = remaining[len(match) :].strip()


NURSE = "Teachers said the school nurse now keeps a record of every pupil who collapses in class."
XANAX = "Pupils are buying fake Xanax bars from local dealers on Snapchat every single week."


def described_alone(texts: list[str]) -> ThemeText:
    """One theme of the given passages (one document each) beside an unrelated theme."""
    other = "Students lend their bank accounts to older men for quick cash at the college gates."
    passages = [Evidence(text, f"doc-{n}") for n, text in enumerate(texts)]
    passages += [Evidence(other, f"other-{n}") for n in range(3)]
    theme_of = np.array([0] * len(texts) + [1] * 3)
    return describe_themes(passages, vectors_for(theme_of.tolist()), theme_of)[0]


def test_a_description_never_starts_mid_sentence() -> None:
    # spaCy ends a sentence at "approx.", so XANAX reads as a sentence of its own; it is not.
    text = described_alone([f"The drop happened on Friday at approx. {XANAX} {NURSE}"] * 3)
    assert XANAX not in text.description
    assert NURSE in text.description


def test_an_interviewers_turn_is_never_quoted() -> None:
    question = (
        "We have heard that pupils are buying fake Xanax bars from local dealers on Snapchat."
    )
    text = described_alone([f"Q: {question}\nP1: {NURSE}"] * 3)
    assert question not in text.description
    assert NURSE in text.description


@pytest.mark.parametrize(
    "opening", ["Yes, we are seeing that", "But", "They say that", "And so", "However,"]
)
def test_a_quoted_sentence_never_answers_or_leans_on_the_one_before(opening: str) -> None:
    leaning = f"{opening} pupils are buying fake Xanax bars from local dealers on Snapchat."
    text = described_alone([f"{leaning} {NURSE}"] * 3)
    assert leaning not in text.description
    assert text.quotes == (NURSE,)


def test_a_label_keeps_the_word_that_says_which_thing() -> None:
    # "youth" alone is too common to name a theme, but "youth clubs" is not just "clubs".
    text = described_alone(
        [
            "The youth clubs in the centre closed in 2015 and nothing replaced them.",
            "When I started there were youth clubs on every estate in the town.",
            "Parents said the youth clubs had been the one safe place after school.",
        ]
    )
    assert text.label == "Youth clubs"


def test_a_label_names_the_thing_not_its_measure() -> None:
    text = described_alone(
        [
            "He was given a pair of trainers and then told he owed the older lad for them.",
            "The older lad bought him a pair of trainers and said it was a present.",
            "A pair of trainers is how it starts, then the debt has to be worked off.",
        ]
    )
    assert not text.label.lower().startswith("pair"), text.label


def test_a_keyword_is_never_a_fragment_of_a_longer_name() -> None:
    text = described_alone(
        [
            "Runners travel by train from King's Cross to the coast with heroin and crack.",
            "The runners come down from King's Cross on the train every weekend with heroin.",
            "Heroin and crack arrive on the train from King's Cross, carried by runners.",
        ]
    )
    assert "Cross" not in text.keywords, text.keywords
    assert text.keywords


def test_seed_report_labels_are_phrases_not_single_words(seed_themed_db: Path) -> None:
    with duckdb.connect(str(seed_themed_db), read_only=True) as con:
        labels = [
            label
            for (label,) in con.execute(
                "SELECT label FROM themes WHERE last_run_id = "
                "(SELECT max(run_id) FROM theme_runs WHERE status = 'succeeded') AND NOT curated"
            ).fetchall()
        ]
    assert labels
    assert all(len(label.split()) > 1 for label in labels), labels


def test_a_hyphenated_word_stays_whole_in_a_label() -> None:
    text = described_alone(
        [
            "Drill-style videos filmed on the estate were posted to taunt rivals.",
            "The drill-style videos name rivals and show knives on the estate.",
            "Teachers had seen drill-style videos shared among pupils on the estate.",
        ]
    )
    assert text.label == "Drill-style videos"


def test_passages_read_on_several_processes_give_the_terms_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline.themes import describe

    # The seed report's own paragraphs, messy as extracted, and the sample corpus's.
    paragraphs = SEED.read_text(encoding="utf-8").split("\n\n")
    texts = [paragraph for paragraph in paragraphs if paragraph.strip()][:120]
    reviews = sorted((REPO / "corpus").glob("*.md"))[:20]
    texts += [review.read_text(encoding="utf-8") for review in reviews]
    monkeypatch.setattr(describe, "MIN_PASSAGES_PER_WORKER", 10)
    apart = describe.read_passages(texts, workers=2)
    assert apart == describe.read_texts(texts)
    assert any(terms.sentences for terms in apart) and any(terms.phrases for terms in apart)


def test_seed_themes_described_on_two_processes_read_as_on_one(
    seed_themed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.storage.embeddings import passage_vectors
    from pipeline.themes import describe

    with duckdb.connect(str(seed_themed_db), read_only=True) as con:
        ids, vectors = passage_vectors(con, "all-MiniLM-L6-v2")
        rows = dict(
            con.execute(
                "SELECT pt.passage_id, pt.theme_id FROM passage_themes pt "
                "JOIN latest_theme_run r USING (run_id)"
            ).fetchall()
        )
        texts = dict(con.execute("SELECT passage_id, text FROM passages").fetchall())
    passages = [Evidence(texts[i], "seed", national=True) for i in ids]
    theme_of = np.array([rows.get(i, OUTLIER) for i in ids])
    one = describe_themes(passages, vectors, theme_of)
    monkeypatch.setattr(describe, "MIN_PASSAGES_PER_WORKER", 20)
    assert describe_themes(passages, vectors, theme_of, workers=2) == one
    assert len(one) > 3


TERM = st.builds(
    Term,
    st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=3).map(tuple),
    st.text(max_size=20),
    st.booleans(),
)


@given(
    st.builds(
        PassageTerms,
        st.lists(TERM, max_size=4).map(tuple),
        st.lists(TERM, max_size=4).map(tuple),
        st.lists(st.text(max_size=40), max_size=3).map(tuple),
    )
)
def test_terms_come_back_from_the_cache_as_they_went_in(terms: PassageTerms) -> None:
    assert PassageTerms.from_json(terms.to_json()) == terms


def test_terms_of_real_passages_survive_the_cache() -> None:
    texts = [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()][:40]
    read = read_texts(texts)
    assert [PassageTerms.from_json(t.to_json()) for t in read] == read
