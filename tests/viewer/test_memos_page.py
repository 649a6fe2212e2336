"""Memos in the viewer: written beside a theme, a document or a passage, shown at once, searched.

Run as a browser load would (AppTest over app.py) on the themed sample corpus, with the team
store each test gets of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline import queries
from pipeline.access.codings import save_decisions
from pipeline.access.memos import MemoTarget, load_memos, save_memo
from pipeline.queries import Filters
from pipeline.queries.passages import passages_by_id
from pipeline.settings import Settings
from pipeline.storage import connect
from pipeline.themes.decisions import CodingAction
from pipeline.viewer.team import local_operator

pytestmark = pytest.mark.slow

# A memo pasting what Markdown would turn into an image, a formula and a heading.
MARKUP = "![x](https://example.com/a.png) costs $5 to $10\n# h"


def walk(node: object) -> Iterator[object]:
    """Every element under `node`, in the order the page shows them."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from walk(child)


def texts(page: AppTest) -> list[str]:
    """What the page shows through st.text (quotes, memos), in order."""
    return [str(element.value) for element in page.text]


def rendered(page: AppTest) -> str:
    """Everything the page renders as Markdown: titles, headings, captions, markdown, alerts."""
    kinds = ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(page, kind))


def theme_id_of(page: AppTest) -> str:
    """The theme the Theme page shows (it keeps it in the URL)."""
    return str(page.query_params["theme"])


@pytest.fixture
def theme(themed_db: Path) -> str:
    """A theme the Theme page shows (not dormant), as a memo names it."""
    with connect(themed_db, read_only=True) as con:
        catalogue = queries.themes_catalogue(con)
    return str(int(catalogue.loc[catalogue["lifecycle"] != "dormant", "theme_id"].iloc[0]))


def write(page: AppTest, key: str, words: str) -> AppTest:
    """Type a memo into the form `key` and save it, as a person would."""
    page.text_area(key=f"{key}_text").input(words)
    page.button(key=f"{key}_save").click().run()
    assert not page.exception, [e.value for e in page.exception]
    return page


def test_a_memo_written_on_the_theme_page_is_kept_with_its_author_and_shown_at_once(
    open_app: Callable[..., AppTest], themed_db: Path, team_store_in_tmp: Path
) -> None:
    page = open_app("theme")
    theme_id = theme_id_of(page)
    assert "No memos on this theme yet." in rendered(page)
    words = "Tenants here are older men; compare the Blackpool review."
    write(page, "memo_theme", words)

    (memo,) = load_memos(team_store_in_tmp, MemoTarget.theme, theme_id)
    assert memo.text == words
    assert memo.author == local_operator(Settings()).email  # the person reading, by name
    assert words in texts(page)  # shown on the page that wrote it, before anything else ran
    assert f"Memo by {memo.author}".replace("(", "\\(").replace(")", "\\)") in rendered(page)
    assert "No memos on this theme yet." not in rendered(page)
    # Another theme's page does not show it.
    with connect(themed_db, read_only=True) as con:
        catalogue = queries.themes_catalogue(con)
    live = catalogue.loc[catalogue["lifecycle"] != "dormant", "theme_id"].astype(int)
    other = open_app("theme", theme=str(int(live[live != int(theme_id)].iloc[0])))
    assert theme_id_of(other) != theme_id
    assert words not in texts(other)


def test_a_passage_memo_shows_under_its_quote(
    open_app: Callable[..., AppTest],
    themed_db: Path,
    team_store_in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")  # compare quotes with the snapshot
    page = open_app("theme")
    passage_keys = [
        str(area.key)[: -len("_text")]
        for area in page.text_area
        if str(area.key).startswith("memo_") and area.key != "memo_theme_text"
    ]
    assert len(passage_keys) >= 2, "every quote offers a memo to a coder (the local analyst)"
    key = passage_keys[1]
    passage_id = key[len("memo_") :]
    words = "This one is about a flat taken over, not a house."
    write(page, key, words)

    (memo,) = load_memos(team_store_in_tmp, MemoTarget.passage, passage_id)
    assert memo.text == words
    shown = texts(page)
    assert shown.count(words) == 1
    # Right under its own quote: the st.text before the memo is the second quote's words.
    with connect(themed_db, read_only=True) as con:
        (quote,) = passages_by_id(con, [passage_id])["text"]
    assert shown[shown.index(words) - 1] == quote


def test_a_document_memo_is_written_and_counted_on_the_sources_page(
    open_app: Callable[..., AppTest], team_store_in_tmp: Path
) -> None:
    page = open_app("sources")
    page.selectbox(key="memo_document_choice").select_index(2).run()
    doc_id = page.selectbox(key="memo_document_choice").value
    words = "Read with the 2019 follow-up: the same two lines."
    write(page, "memo_document", words)

    (memo,) = load_memos(team_store_in_tmp, MemoTarget.document, str(doc_id))
    assert memo.text == words
    assert words in texts(page)
    tables = [frame.value for frame in page.dataframe if "Memos" in frame.value.columns]
    assert tables, "the document tables count each document's memos"
    assert sum(int(table["Memos"].sum()) for table in tables) == 1


def test_the_search_page_finds_memos_holding_every_word_in_any_case(
    open_app: Callable[..., AppTest], team_store_in_tmp: Path, theme: str
) -> None:
    found = "Cuckooing in HOLIDAY lets, again: see the Torbay review."
    save_memo(team_store_in_tmp, MemoTarget.theme, theme, found, "ann")
    save_memo(team_store_in_tmp, MemoTarget.theme, theme, "Holiday parks only.", "ann")
    page = open_app("search")
    page.segmented_control(key="search_mode").set_value("keywords")
    page.text_input(key="search_query").input("holiday LETS").run()
    assert not page.exception, [e.value for e in page.exception]

    assert found in texts(page)
    assert "Holiday parks only." not in texts(page)  # it lacks one of the words
    assert "1 memo holding every word" in rendered(page)
    assert "on theme “" in rendered(page)  # said what it is about


@pytest.mark.parametrize("page_name", ["theme", "search"])
def test_a_memo_holding_markup_shows_as_literal_text(
    open_app: Callable[..., AppTest], team_store_in_tmp: Path, theme: str, page_name: str
) -> None:
    save_memo(team_store_in_tmp, MemoTarget.theme, theme, MARKUP, "ann")
    page = open_app(page_name, theme=theme)
    if page_name == "search":
        page.segmented_control(key="search_mode").set_value("keywords")
        page.text_input(key="search_query").input("costs").run()
    assert not page.exception, [e.value for e in page.exception]

    assert MARKUP in texts(page)  # every character, through st.text, which parses nothing
    assert "example.com/a.png" not in rendered(page)  # never inside Markdown: no image
    assert not page.get("imgs")
    assert not any(str(h.value) == "h" for h in [*page.header, *page.subheader, *page.title])


def test_a_director_reads_memos_but_gets_no_form(
    open_app: Callable[..., AppTest],
    team_store_in_tmp: Path,
    theme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FINDINGS_LOCAL_ROLE", "director")
    words = "Check the dates of the two Blackpool reviews."
    save_memo(team_store_in_tmp, MemoTarget.theme, theme, words, "ann")
    page = open_app("theme", theme=theme)

    assert words in texts(page)
    assert not page.text_area  # no memo box: not on the theme, not under any quote
    assert not [p for p in walk(page.main) if getattr(p, "label", "") == "Memo on this passage"]
    assert "Memos are written by researchers, analysts and admins." in rendered(page)
    sources = open_app("sources")
    assert not sources.text_area


def test_memos_and_a_move_show_for_a_report_with_no_place_and_no_date(
    open_app: Callable[..., AppTest], seeded: dict[str, Path], team_store_in_tmp: Path
) -> None:
    db = seeded["unplaced"]  # the real seed report, its area, region, force and date removed
    with connect(db, read_only=True) as con:
        documents = queries.sources(con, Filters())
        coded = queries.coded_passages(con, Filters())
        catalogue = queries.themes_catalogue(con)
    unplaced = documents[documents["area"].isna() & documents["review_date"].isna()]
    doc_id = str(unplaced["doc_id"].iloc[0])
    passage = coded[coded["doc_id"] == doc_id].sort_values("passage_id").iloc[0]
    passage_id, theme_id = str(passage["passage_id"]), int(passage["theme_id"])
    live = catalogue.loc[catalogue["lifecycle"] != "dormant", "theme_id"].astype(int)
    elsewhere = int(live[live != theme_id].iloc[0])
    on_document = "The national picture, not a locality: read it beside the reviews."
    on_passage = "Quoted in the briefing to the board."
    save_memo(team_store_in_tmp, MemoTarget.document, doc_id, on_document, "ann")
    save_memo(team_store_in_tmp, MemoTarget.passage, passage_id, on_passage, "ann")
    save_decisions(team_store_in_tmp, [(passage_id, elsewhere, CodingAction.move, "")], "ann")

    sources = open_app("sources", db=db)
    sources.selectbox(key="memo_document_choice").set_value(doc_id).run()
    assert not sources.exception, [e.value for e in sources.exception]
    assert on_document in texts(sources)

    theme_page = open_app("theme", db=db, theme=str(elsewhere))
    assert on_passage in texts(theme_page)  # under the moved passage, now on this theme
    assert "**Put under this theme by people**" in [str(m.value) for m in theme_page.markdown]

    search = open_app("search", db=db)
    search.segmented_control(key="search_mode").set_value("keywords")
    search.text_input(key="search_query").input("national picture").run()
    assert not search.exception, [e.value for e in search.exception]
    assert on_document in texts(search)
    assert "on document “" in rendered(search)
