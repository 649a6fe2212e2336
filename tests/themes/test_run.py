"""Theme runs on the sample corpus: determinism, identity across runs, one row per passage."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest

from pipeline.embed.missing import embed_passages
from pipeline.embed.models import LazyEmbedder, load_embedder
from pipeline.errors import NotEnoughPassagesError
from pipeline.ingest.ingester import Ingester
from pipeline.records import ThemeLineage
from pipeline.settings import Settings
from pipeline.storage import open_warehouse, theme_runs
from pipeline.themes.codebook import Codebook, Curation, load_codebook
from pipeline.themes.identity import previous_themes, theme_lineage
from pipeline.themes.labels import is_informative
from pipeline.themes.run import ThemeRunner
from tests.conftest import CORPUS, REPO

pytestmark = pytest.mark.slow

LATE = 4  # the newest reviews, held back to arrive in a second run


def assignments(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    return dict(
        con.execute(
            "SELECT passage_id, theme_id FROM passage_themes WHERE run_id = ?", [run_id]
        ).fetchall()
    )


def runner(con: duckdb.DuckDBPyConnection, codebook: Codebook | None = None) -> ThemeRunner:
    embedder = load_embedder()
    book = codebook if codebook is not None else load_codebook(REPO / "models" / "codebook.yaml")
    return ThemeRunner(con, embedder, book)


def split_corpus(root: Path, earliest: int) -> tuple[Path, Path]:
    """The corpus as two folders with their own manifests: the earliest reviews, then the rest."""
    with (CORPUS / "manifest.csv").open() as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        listed = sorted(reader, key=lambda r: r["review_date"])
    for name, part in (("first", listed[:earliest]), ("rest", listed[earliest:])):
        folder = root / name
        folder.mkdir()
        with (folder / "manifest.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(part)
        for row in part:
            shutil.copy(CORPUS / row["path"], folder / row["path"])
    return root / "first", root / "rest"


@pytest.fixture(scope="module")
def early_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The corpus split into the early reviews and the late ones (each with a manifest)."""
    return split_corpus(tmp_path_factory.mktemp("split"), -LATE)


@pytest.fixture(scope="module")
def embedded_early(tmp_path_factory: pytest.TempPathFactory, early_corpus) -> Path:
    """A warehouse with the early reviews ingested and embedded (no themes yet)."""
    db = tmp_path_factory.mktemp("early") / "early.duckdb"
    with open_warehouse(db) as con:
        Ingester(con, Settings(db=db)).ingest([early_corpus[0]])
        embed_passages(con, load_embedder())
    return db


def copy_db(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def test_same_input_gives_identical_themes_and_assignments(embedded_early: Path, tmp_path: Path):
    results = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        with open_warehouse(copy_db(embedded_early, folder)) as con:
            report = runner(con).run()
            labels = con.execute("SELECT theme_id, label FROM themes ORDER BY 1").fetchall()
            results.append((assignments(con, report.run_id), labels))
    assert results[0] == results[1]


def test_every_passage_has_exactly_one_assignment_per_run(embedded_early: Path, tmp_path: Path):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        report = runner(con).run()
        n_passages = con.execute(
            "SELECT count(*) FROM passages WHERE speaker_role IS DISTINCT FROM 'interviewer'"
        ).fetchone()[0]
        per_passage = con.execute(
            "SELECT count(*), count(DISTINCT passage_id) FROM passage_themes WHERE run_id = ?",
            [report.run_id],
        ).fetchone()
        assert per_passage == (n_passages, n_passages)
        assert report.n_themes >= 5
        assert report.outlier_share < 0.10


def test_rerun_and_growth_keep_theme_identities(
    embedded_early: Path, early_corpus, tmp_path: Path
) -> None:
    db = copy_db(embedded_early, tmp_path)
    with open_warehouse(db) as con:
        first = runner(con).run()
        before = assignments(con, first.run_id)
        again = runner(con).run()
        assert assignments(con, again.run_id) == before
        assert again.new_themes == 0
        Ingester(con, Settings(db=db)).ingest([early_corpus[1]])
        embed_passages(con, load_embedder())
        grown = runner(con).run()
        after = assignments(con, grown.run_id)
    assert grown.mode == "update"
    # README: a rerun keeps every earlier passage on its theme (outliers may join one).
    themed_before = {p: t for p, t in before.items() if t != -1}
    assert {p: after[p] for p in themed_before} == themed_before
    assert set(after) > set(before)


def test_refit_matches_earlier_themes_and_keeps_their_ids(embedded_early: Path, tmp_path: Path):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        first = runner(con).run()
        refit = runner(con).run(refit=True)
        assert refit.mode == "refit"
        assert assignments(con, refit.run_id) == assignments(con, first.run_id)
        assert refit.new_themes == 0


def test_labels_are_informative_and_quotes_come_from_the_theme(
    embedded_early: Path, tmp_path: Path
):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        report = runner(con).run()
        themes = con.execute(
            "SELECT theme_id, label, keywords, quote_passage_ids, heading FROM themes"
        ).fetchall()
        members = assignments(con, report.run_id)
    guided = {g.name for g in load_codebook(REPO / "models" / "codebook.yaml").guided}
    for theme_id, label, keywords, quotes, heading in themes:
        assert is_informative(label), label
        assert all(is_informative(k) for k in keywords)
        assert 1 <= len(quotes) <= 5 and all(members[q] == theme_id for q in quotes)
        assert heading in guided


def test_codebook_name_wins_over_the_generated_label(embedded_early: Path, tmp_path: Path):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        runner(con).run()
        theme_id = con.execute("SELECT min(theme_id) FROM themes").fetchone()[0]
        book = Codebook(curations={theme_id: Curation(label="Debt bondage")})
        runner(con, book).run()
        label, curated = con.execute(
            "SELECT label, curated FROM themes WHERE theme_id = ?", [theme_id]
        ).fetchone()
    assert (label, curated) == ("Debt bondage", True)


def test_passages_relate_to_guided_codebook_themes(embedded_early: Path, tmp_path: Path):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        report = runner(con).run()
        codes = dict(
            con.execute(
                "SELECT code_id, count(*) FROM passage_codes WHERE run_id = ? GROUP BY 1",
                [report.run_id],
            ).fetchall()
        )
    assert {"prevention", "protection"} <= set(codes)


def test_a_rerun_with_nothing_new_never_loads_the_model(embedded_early: Path, tmp_path: Path):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        runner(con).run()
        lazy = LazyEmbedder()
        book = load_codebook(REPO / "models" / "codebook.yaml")
        again = ThemeRunner(con, lazy, book).run()
    assert again.mode == "update" and again.new_themes == 0
    assert not lazy.loaded


def test_a_codebook_merge_moves_the_passages_on_the_next_run(
    embedded_early: Path, tmp_path: Path
) -> None:
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        first = runner(con).run()
        before = assignments(con, first.run_id)
        sizes = Counter(t for t in before.values() if t != -1)
        (source, _), (target, _) = sizes.most_common(2)
        book = load_codebook(REPO / "models" / "codebook.yaml")
        merged = Codebook(guided=book.guided, curations={source: Curation(merge_into=target)})
        second = runner(con, merged).run()
        after = assignments(con, second.run_id)
        rows = dict(con.execute("SELECT theme_id, status FROM themes").fetchall())
    assert second.mode == "update"
    for passage, theme in before.items():
        assert after[passage] == (target if theme == source else theme)
    assert source not in after.values()
    # The emptied theme stays, dormant, so its id and history are kept.
    assert rows[source] == "dormant" and rows[target] != "dormant"
    assert (second.dormant_themes, second.merged_themes) == (1, 1)  # merged, not faded


@pytest.fixture(scope="module")
def half_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The corpus split into its ten earliest reviews and the fourteen after them."""
    return split_corpus(tmp_path_factory.mktemp("halves"), 10)


def test_growth_by_more_than_half_refits_and_surviving_themes_keep_their_ids(
    half_corpus, tmp_path: Path
) -> None:
    db = tmp_path / "growing.duckdb"
    embedder = load_embedder()
    with open_warehouse(db) as con:
        Ingester(con, Settings(db=db)).ingest([half_corpus[0]])
        embed_passages(con, embedder)
        first = runner(con).run()
        before = assignments(con, first.run_id)
        Ingester(con, Settings(db=db)).ingest([half_corpus[1]])
        embed_passages(con, embedder)
        grown = runner(con).run()  # no --refit: the growth alone calls for one
        after = assignments(con, grown.run_id)
        statuses = dict(con.execute("SELECT theme_id, status FROM themes").fetchall())
    assert len(after) > 1.5 * len(before)
    assert grown.mode == "refit"
    old_ids = {t for t in before.values() if t != -1}
    kept = old_ids & set(after.values())
    assert kept, "no theme survived the refit under its id"
    for theme in kept:
        # A kept id still means what it meant: of the earlier themes, its own earlier passages
        # are the ones most present under it now.
        now_on_it = [p for p, t in after.items() if t == theme and p in before]
        sources = Counter(before[p] for p in now_on_it if before[p] != -1)
        assert sources.most_common(1)[0][0] == theme, (theme, sources.most_common(3))
    # Themes that did not survive are kept as dormant, never deleted.
    assert all(statuses[t] == "dormant" for t in old_ids - kept)


def test_the_seed_report_alone_gets_themes_from_its_own_passages(seed_themed_db: Path) -> None:
    with duckdb.connect(str(seed_themed_db), read_only=True) as con:
        run_id = con.execute("SELECT run_id FROM latest_theme_run").fetchone()[0]
        members = assignments(con, run_id)
        n_passages = con.execute(
            "SELECT count(*) FROM passages WHERE speaker_role IS DISTINCT FROM 'interviewer'"
        ).fetchone()[0]
        themes = con.execute(
            "SELECT theme_id, label, keywords, quote_passage_ids FROM themes"
        ).fetchall()
    assert len(members) == n_passages > 100
    assert len(themes) >= 5
    assert sum(t == -1 for t in members.values()) / len(members) < 0.25
    for theme_id, label, keywords, quotes in themes:
        assert is_informative(label), label
        assert all(is_informative(k) for k in keywords)
        assert quotes and all(members[q] == theme_id for q in quotes)


def test_too_few_embedded_passages_is_a_named_error(warehouse: duckdb.DuckDBPyConnection) -> None:
    lazy = LazyEmbedder()
    with pytest.raises(
        NotEnoughPassagesError, match=r"^only 0 embedded passages: themes need at least 10$"
    ):
        ThemeRunner(warehouse, lazy, Codebook()).run()
    assert not lazy.loaded


# --- identity across growth, lineage and calibrated placement (#15) ----------------------------


@dataclass(frozen=True)
class Growth:
    """The seed report themed alone, then the sample corpus added and themed again."""

    mode: str
    before: dict[str, int]
    after: dict[str, int]
    recorded: list[ThemeLineage]


@pytest.fixture(scope="module", params=[42, 43], ids=lambda seed: f"umap-seed-{seed}")
def seed_then_corpus(
    request: pytest.FixtureRequest, seed_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Growth:
    """The way a new user found identity lost: one report, then a corpus about four times its
    size added (no --refit: the growth alone calls for one). At two UMAP seeds: one fit's share
    can sit near the goal by chance (before the refit took the earlier themes as UMAP's target,
    81% kept their id at seed 42 and 65% at 43)."""
    seed = request.param
    db = copy_db(seed_db, tmp_path_factory.mktemp(f"seed-then-corpus-{seed}"))
    embedder = load_embedder()
    with open_warehouse(db) as con:
        embed_passages(con, embedder)
        first = runner(con).run(seed=seed)
        before = assignments(con, first.run_id)
        Ingester(con, Settings(db=db)).ingest([CORPUS])
        embed_passages(con, embedder)
        grown = runner(con).run(seed=seed)
        return Growth(
            grown.mode,
            before,
            assignments(con, grown.run_id),
            theme_runs.run_lineage(con, grown.run_id),
        )


def test_the_seed_then_the_corpus_keeps_most_seed_passages_on_their_themes(
    seed_then_corpus: Growth,
) -> None:
    grown = seed_then_corpus
    assert grown.mode == "refit" and len(grown.after) >= 4 * len(grown.before)
    themed = {p: t for p, t in grown.before.items() if t != -1}
    kept = sum(grown.after[p] == t for p, t in themed.items())
    assert kept / len(themed) >= 0.80, kept / len(themed)


def test_every_split_and_merge_of_the_growth_is_recorded_as_lineage(
    seed_then_corpus: Growth,
) -> None:
    grown = seed_then_corpus
    ids = list(grown.after)
    found = theme_lineage(
        previous_themes(ids, grown.before), np.array([grown.after[p] for p in ids])
    )
    # The same events, whatever order the store lists them in.
    assert sorted(grown.recorded, key=repr) == sorted(found, key=repr)
    # Each recorded move is real: that many earlier passages left the theme(s) they were on.
    for event in grown.recorded:
        moved = sum(
            1
            for p, t in grown.before.items()
            if t in event.from_theme_ids
            and grown.after[p] in event.to_theme_ids
            and grown.after[p] != t
        )
        assert moved >= event.passages_moved > 0


def test_a_refit_with_nothing_new_records_no_lineage(embedded_early: Path, tmp_path: Path):
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        runner(con).run()
        refit = runner(con).run(refit=True)
        assert theme_runs.run_lineage(con, refit.run_id) == []


def test_a_codebook_merge_is_recorded_as_lineage(embedded_early: Path, tmp_path: Path) -> None:
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        first = runner(con).run()
        sizes = Counter(t for t in assignments(con, first.run_id).values() if t != -1)
        (source, n_source), (target, _) = sizes.most_common(2)
        book = load_codebook(REPO / "models" / "codebook.yaml")
        merged = Codebook(guided=book.guided, curations={source: Curation(merge_into=target)})
        second = runner(con, merged).run()
        recorded = theme_runs.run_lineage(con, second.run_id)
    members = tuple(sorted((source, target)))
    assert recorded == [ThemeLineage("merge", members, (target,), n_source)]


def seed_paragraph(seed_path: Path, words: str) -> str:
    """The seed report's paragraph that holds `words`."""
    paragraphs = [" ".join(p.split()) for p in seed_path.read_text().split("\n\n")]
    return next(p for p in paragraphs if words in p)


def test_a_passage_far_from_every_theme_stays_unassigned_on_a_rerun(
    embedded_early: Path, seed_path: Path, tmp_path: Path
) -> None:
    # The seed report's paragraph on sentencing ('a slap on the wrist') that the fixed 0.45
    # threshold put on a drugs theme: nothing in the sample reviews is about sentencing.
    db = copy_db(embedded_early, tmp_path)
    note = tmp_path / "inbox" / "sentencing.txt"
    note.parent.mkdir()
    note.write_text(seed_paragraph(seed_path, "slap on the wrist") + "\n")
    (note.parent / "sentencing.txt.meta.yaml").write_text(
        "area: Luton\nreview_date: 2020-01-15\ndoc_type: notes\n"
    )
    with open_warehouse(db) as con:
        first = runner(con).run()
        before = assignments(con, first.run_id)
        Ingester(con, Settings(db=db)).ingest([note])
        embed_passages(con, load_embedder())
        rerun = runner(con).run()
        after = assignments(con, rerun.run_id)
    new = [p for p in after if p not in before]
    assert rerun.mode == "update" and new
    assert all(after[p] == -1 for p in new), [after[p] for p in new]


def theme_texts(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT theme_id, label, keywords, description FROM themes ORDER BY theme_id"
    ).fetchall()


def test_a_refit_reads_no_passage_again_and_labels_as_a_fresh_reading(
    embedded_early: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.themes.run as run_module

    parsed: list[int] = []
    real = run_module.read_passages

    def counted(texts: list[str], *args: object, **kwargs: object) -> list:
        parsed.append(len(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(run_module, "read_passages", counted)
    db = copy_db(embedded_early, tmp_path)
    with open_warehouse(db) as con:
        runner(con).run()
        first = sum(parsed)
        cached = con.execute("SELECT count(*) FROM passage_terms").fetchone()[0]
    (tmp_path / "fresh").mkdir()
    fresh = copy_db(db, tmp_path / "fresh")
    with open_warehouse(db) as con:
        runner(con).run(refit=True)
        parsed_by_refit = parsed[1:]
        from_cache = theme_texts(con)
    with open_warehouse(fresh) as con:
        con.execute("DELETE FROM passage_terms")
        runner(con).run(refit=True)
        from_parse = theme_texts(con)
    assert first > 0 and cached == first
    assert parsed_by_refit == []  # the refit over the same passages parsed none
    assert from_cache == from_parse


def test_terms_another_model_or_labeller_read_are_dropped(
    embedded_early: Path, tmp_path: Path
) -> None:
    with open_warehouse(copy_db(embedded_early, tmp_path)) as con:
        con.execute("INSERT INTO passage_terms VALUES ('abc', 'old-model==0:0', '[[], [], []]')")
        runner(con).run()
        readers = con.execute("SELECT DISTINCT reader FROM passage_terms").fetchall()
    assert len(readers) == 1 and readers[0][0] != "old-model==0:0"


def test_a_reports_table_of_figures_is_searchable_but_never_fitted_into_a_theme(
    themed_db: Path, tmp_path: Path
) -> None:
    # Forty rows of figures embed close together: fitted, they made a theme of their own
    # ("Referrals and lines identified") that counted a report's table as practitioners' voices.
    rows = "".join(
        f"<tr><td>District {n}</td><td>{n % 7 + 1}</td><td>{n * 3 % 40}</td></tr>"
        for n in range(40)
    )
    report = tmp_path / "figures.html"
    report.write_text(
        "<html><body><h1>Partnership figures</h1><p>Partners told us that lines from London "
        "use local children to run drugs into the county towns every week.</p><table><tr>"
        f"<th>District</th><th>Lines identified</th><th>Referrals</th></tr>{rows}</table>"
        "</body></html>"
    )
    db = tmp_path / "w.duckdb"
    shutil.copy(themed_db, db)
    with open_warehouse(db) as con:
        assert Ingester(con, Settings(db=db)).ingest([report]).added == 1
        embed_passages(con, load_embedder())
        run = runner(con).run()
        in_table = {
            p for (p,) in con.execute("SELECT passage_id FROM passages WHERE in_table").fetchall()
        }
        census = theme_runs.passage_census(con)
        prose = con.execute(
            "SELECT passage_id FROM passages WHERE text LIKE 'Partners told us%'"
        ).fetchone()[0]
    assert in_table and not in_table & set(assignments_of(db, run.run_id))
    assert prose in assignments_of(db, run.run_id)
    assert census.table_rows == len(in_table)
    assert run.n_passages == census.passages - census.questions - census.table_rows


def assignments_of(db: Path, run_id: str) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return assignments(con, run_id)
