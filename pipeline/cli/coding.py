"""`findings code` and `findings memo`: people correct the machine's coding and write memos.

Both write the team store (never the warehouse), so they work while a run holds the warehouse;
the next theme run applies the decisions, and the viewer shows them at once. The coder is
`FINDINGS_USER` when set, else the operating-system user. Passages are named by their id or its
first 12 characters, themes by id or label (as everywhere in the CLI), documents by id, the
start of one, or their title.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.console import Shown, literal, out, print_json, table_of
from pipeline.cli.options import DbOption, JsonOption, open_readable, settings_for
from pipeline.errors import FindingsError

if TYPE_CHECKING:
    import duckdb

    from pipeline.access.memos import Memo
    from pipeline.themes.decisions import CodingDecision

SHORT_ID = 12  # as the drafted report and every table print passage ids

PassageArgument = Annotated[
    str, typer.Argument(help="A passage id, or its first 12 characters (as a report prints).")
]
ThemeChoice = Annotated[
    str | None,
    typer.Option(
        "--theme", help="Move the passage to this theme (id, label or the start of a label)."
    ),
]
AddChoice = Annotated[str | None, typer.Option("--add", help="Give the passage this theme too.")]
RemoveChoice = Annotated[
    str | None, typer.Option("--remove", help="Take the passage off this theme.")
]
WhyOption = Annotated[str, typer.Option("--why", help="Why (kept with the decision).")]


def _say(text: str) -> None:
    out.print(literal(text), soft_wrap=True)


def _decision_rows(
    decisions: list[CodingDecision], labels: dict[int, str]
) -> list[dict[str, object]]:
    return [
        {
            "decision_id": d.decision_id,
            "passage_id": d.passage_id,
            "theme_id": d.theme_id,
            "theme": f"{labels.get(d.theme_id, 'theme')} #{d.theme_id}",
            "action": d.action.value,
            "coder": d.coder,
            "decided_at": d.decided_at.isoformat(timespec="seconds"),
            "why": d.why,
        }
        for d in decisions
    ]


DECISION_COLUMNS = [
    Shown("when (UTC)", lambda row: row["decided_at"]),
    Shown("coder", lambda row: row["coder"], wrap=True),
    Shown("did", lambda row: row["action"]),
    Shown("theme", lambda row: row["theme"], wrap=True),
    Shown("why", lambda row: row["why"], wrap=True),
]


def code(
    passage: PassageArgument,
    theme: ThemeChoice = None,
    add: AddChoice = None,
    remove: RemoveChoice = None,
    why: WhyOption = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a passage to a theme, give it a second one, or take it off one; alone, its history.

    The decision is kept in the team store with who, when and why, and is audited; every later
    theme run keeps it, whatever the machine proposes, and reports where it disagrees.
    """
    from pipeline.access.codings import coder_name, load_decisions, save_decisions
    from pipeline.cli.ask import named_theme
    from pipeline.queries.catalogue import theme_names
    from pipeline.queries.evidence import find_passage_id
    from pipeline.storage.theme_runs import passage_successors
    from pipeline.themes.decisions import CodingAction

    chosen = [(a, t) for a, t in ((CodingAction.move, theme), (CodingAction.add, add),
              (CodingAction.remove, remove)) if t is not None]  # fmt: skip
    if len(chosen) > 1:
        raise typer.BadParameter("give one of --theme, --add and --remove", param_hint="--theme")
    settings = settings_for(db)
    with open_readable(settings) as con:
        passage_id = find_passage_id(con, passage)
        labels = {name.theme_id: name.label for name in theme_names(con)}
        target = named_theme(con, chosen[0][1]) if chosen else None
        successors = passage_successors(con)
    if target is None:
        # Decisions on the passage's earlier ids (before an edit of its document) are its own.
        history = load_decisions(settings.team_db)
        mine = [d for d in history if successors.get(d.passage_id, d.passage_id) == passage_id]
        rows = _decision_rows(mine, labels)
        if as_json:
            print_json(json.dumps(rows))
        elif not rows:
            _say(f"passage {passage_id[:SHORT_ID]}: no coding decisions; the machine's stand")
        else:
            out.print(table_of(rows, f"Passage {passage_id[:SHORT_ID]}", DECISION_COLUMNS))
        return
    action = chosen[0][0]
    coder = coder_name()
    (stored,) = save_decisions(
        settings.team_db, [(passage_id, target.theme_id, action, why)], coder
    )
    if as_json:
        print_json(json.dumps(_decision_rows([stored], labels)[0]))
        return
    did = {
        CodingAction.move: "moved to",
        CodingAction.add: "also coded",
        CodingAction.remove: "taken off",
    }[action]
    _say(
        f"passage {passage_id[:SHORT_ID]} {did} {target} by {coder}; every later theme run "
        "keeps this"
    )


MemoTheme = Annotated[
    str | None, typer.Option("--theme", help="A theme (id, label or the start of a label).")
]
MemoDocument = Annotated[
    str | None, typer.Option("--document", help="A document (its id, the start of it, or title).")
]
MemoPassage = Annotated[
    str | None, typer.Option("--passage", help="A passage id, or its first 12 characters.")
]
DOCUMENTS_SHOWN = 5


class DocumentLookupError(FindingsError):
    """No document, or more than one, goes by the id or title a reader gave."""


def find_document(con: duckdb.DuckDBPyConnection, asked: str) -> tuple[str, str]:
    """The (id, title) of the one document `asked` names: an id, the start of one, or a title."""
    from pipeline.queries import _sql

    text = asked.strip()
    if not text:
        raise DocumentLookupError("give a document id, the start of one, or its title")
    found = _sql.records(
        con, "memos", "documents_matching", {"asked": text, "limit": DOCUMENTS_SHOWN + 1}
    )
    if len(found) == 1:
        return str(found[0]["doc_id"]), str(found[0]["title"] or "")
    if not found:
        raise DocumentLookupError(
            f"no document has the id or title {text!r}: `findings status` counts them"
        )
    names = "; ".join(
        f"{str(r['doc_id'])[:SHORT_ID]} {r['title']}" for r in found[:DOCUMENTS_SHOWN]
    )
    raise DocumentLookupError(f"{text!r} could be several documents ({names}): give more of the id")


def _memo_target(
    con: duckdb.DuckDBPyConnection, theme: str | None, document: str | None, passage: str | None
) -> tuple[str, str, str] | None:
    """(kind, id, how it is shown) of the one thing a memo command names; None for none."""
    from pipeline.cli.ask import named_theme
    from pipeline.queries.evidence import find_passage_id

    given = [value for value in (theme, document, passage) if value is not None]
    if len(given) > 1:
        raise typer.BadParameter(
            "give one of --theme, --document and --passage", param_hint="--theme"
        )
    if theme is not None:
        name = named_theme(con, theme)
        return "theme", str(name.theme_id), f"theme {name}"
    if document is not None:
        doc_id, title = find_document(con, document)
        return "document", doc_id, f"document {title or doc_id[:SHORT_ID]}"
    if passage is not None:
        passage_id = find_passage_id(con, passage)
        return "passage", passage_id, f"passage {passage_id[:SHORT_ID]}"
    return None


def _memo_rows(memos: list[Memo]) -> list[dict[str, object]]:
    return [
        {
            "memo_id": memo.memo_id,
            "about": memo.target.value,
            "target_id": memo.target_id,
            "text": memo.text,
            "author": memo.author,
            "written_at": memo.written_at.isoformat(timespec="seconds"),
        }
        for memo in memos
    ]


def _about(row: dict[str, object]) -> str:
    target = str(row["target_id"])
    shown = target if row["about"] == "theme" else target[:SHORT_ID]
    return f"{row['about']} {shown}"


MEMO_COLUMNS = [
    Shown("when (UTC)", lambda row: row["written_at"]),
    Shown("author", lambda row: row["author"], wrap=True),
    Shown("about", _about),
    Shown("memo", lambda row: row["text"], wrap=True, ratio=3),
]


def _print_memos(memos: list[Memo], title: str, as_json: bool) -> None:
    rows = _memo_rows(memos)
    if as_json:
        print_json(json.dumps(rows))
    elif not rows:
        _say("no memos")
    else:
        out.print(table_of(rows, title, MEMO_COLUMNS))


def memo_add(
    text: Annotated[str, typer.Argument(help="The memo (Markdown; kept and shown as written).")],
    theme: MemoTheme = None,
    document: MemoDocument = None,
    passage: MemoPassage = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a memo on a theme, a document or a passage."""
    from pipeline.access.codings import coder_name
    from pipeline.access.memos import MemoTarget, save_memo

    settings = settings_for(db)
    with open_readable(settings) as con:
        target = _memo_target(con, theme, document, passage)
    if target is None:
        raise typer.BadParameter(
            "say what the memo is about: --theme, --document or --passage", param_hint="--theme"
        )
    kind, target_id, shown = target
    memo = save_memo(settings.team_db, MemoTarget(kind), target_id, text, coder_name())
    if as_json:
        print_json(json.dumps(_memo_rows([memo])[0]))
        return
    _say(f"memo {memo.memo_id} on {shown} by {memo.author}")


def memo_list(
    theme: MemoTheme = None,
    document: MemoDocument = None,
    passage: MemoPassage = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Memos, oldest first: every one, or those on one theme, document or passage."""
    from pipeline.access.memos import MemoTarget, load_memos
    from pipeline.queries.passages import current_document_ids, current_passage_ids

    settings = settings_for(db)
    if all(value is None for value in (theme, document, passage)):
        _print_memos(load_memos(settings.team_db), "Memos", as_json)
        return
    with open_readable(settings) as con:
        kind, target_id, shown = _memo_target(con, theme, document, passage) or ("", "", "")
        memos = load_memos(settings.team_db, MemoTarget(kind))
        # Memos on the passage's or document's ids before an edit of its file are its own.
        ids = {memo.target_id for memo in memos}
        now = {}
        if kind == "passage":
            now = current_passage_ids(con, ids)
        elif kind == "document":
            now = current_document_ids(con, ids)
    memos = [m for m in memos if now.get(m.target_id, m.target_id) == target_id]
    title = f"Memos on {shown}"
    _print_memos(memos, title, as_json)


def memo_search(
    words: Annotated[str, typer.Argument(help="Text the memo holds (any case).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Memos that hold some text, oldest first."""
    from pipeline.access.memos import load_memos

    settings = settings_for(db)
    if not words.strip():
        raise typer.BadParameter("give some text to look for", param_hint="WORDS")
    _print_memos(
        load_memos(settings.team_db, containing=words), f"Memos holding {words!r}", as_json
    )


def codebook_split(
    theme: Annotated[str, typer.Argument(help="The theme (id, label or the start of a label).")],
    keep: Annotated[
        list[int] | None,
        typer.Option(
            "--keep", help="A sub-theme to keep (repeat; the first keeps the theme's id)."
        ),
    ] = None,
    label: Annotated[
        list[str] | None,
        typer.Option("--label", help="A name for each new theme, in --keep order after the first."),
    ] = None,
    parts: Annotated[int, typer.Option(min=2, help="How many sub-themes to propose.")] = 2,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Split a theme into the sub-themes its passages fall into; alone, show the proposal.

    With --keep, the first kept sub-theme keeps the theme's id, each other kept one becomes a new
    theme (its id recorded in the codebook, so every run keeps it), and the passages of those
    not kept are taken off the theme. The moves are coding decisions: the machine never undoes
    them, and the next theme run shows the new themes.
    """
    from pipeline.access.codings import coder_name, load_decisions
    from pipeline.cli.ask import named_theme
    from pipeline.themes.splitting import propose_theme_split, split_theme

    settings = settings_for(db)
    with open_readable(settings) as con:
        name = named_theme(con, theme)
        if keep:
            coder = coder_name()
            done = split_theme(
                con,
                codebook=settings.codebook,
                team_db=settings.team_db,
                theme_id=name.theme_id,
                keep=keep,
                labels=label or [],
                parts=parts,
                coder=coder,
            )
        else:
            proposal = propose_theme_split(
                con, load_decisions(settings.team_db), name.theme_id, parts
            )
    if not keep:
        listed = [
            {"sub_theme": s.number, "passages": len(s.passage_ids),
             "examples": " ".join(p[:SHORT_ID] for p in s.passage_ids[:3]),
             "passage_ids": list(s.passage_ids)}
            for s in proposal
        ]  # fmt: skip
        if as_json:
            print_json(json.dumps(listed))
            return
        out.print(table_of(listed, f"Split of {name}: the sub-themes proposed", SPLIT_COLUMNS))
        _say(
            f"read a passage with `findings show ID`; keep sub-themes with "
            f"`findings codebook split {name.theme_id} --keep 1 --keep 2`"
        )
        return
    new_ids = list(done.new_theme_ids)
    if as_json:
        print_json(json.dumps({"theme_id": name.theme_id, "new_theme_ids": new_ids,
                               "decisions": done.decisions}))  # fmt: skip
        return
    made = ", ".join(f"#{t}" for t in new_ids) or "no new theme"
    _say(
        f"{name} split by {coder}: sub-theme {done.kept_on_theme} keeps #{name.theme_id}; "
        f"{made}; {done.decisions} passages moved or taken off. The next theme run shows it."
    )


SPLIT_COLUMNS = [
    Shown("sub-theme", lambda row: row["sub_theme"]),
    Shown("passages", lambda row: row["passages"]),
    Shown("for example (passage ids)", lambda row: row["examples"], wrap=True),
]
