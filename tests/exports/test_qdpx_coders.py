"""A .qdpx with the machine's and people's codings as separate users, memos as Notes, and a
project coded elsewhere brought back as people's decisions (round trip, schema-valid)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import xmlschema

from pipeline.access.codings import load_decisions, save_decisions
from pipeline.access.memos import Memo, MemoTarget
from pipeline.exports.codes import theme_guid
from pipeline.exports.qdpx import plan_coding_import, write_qdpx
from pipeline.exports.qdpx_people import MACHINE_USER, MACHINE_USER_GUID, user_guid
from pipeline.themes.codebook import Codebook
from pipeline.themes.decisions import CodingAction, CodingDecision
from tests.conftest import SHARED

NS = "{urn:QDA-XML:project:1.0}"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SHARED / "refi-qda" / "Project.xsd"))


@pytest.fixture(scope="module")
def facts(con) -> dict:
    """Three themed passages, their themes, two other themes and a document."""
    rows = con.execute(
        "SELECT passage_id, theme_id FROM current_passage_themes ORDER BY passage_id LIMIT 3"
    ).fetchall()
    live = "SELECT theme_id FROM themes WHERE status <> 'dormant' ORDER BY theme_id"
    themes = [t for (t,) in con.execute(live).fetchall()]
    doc_id = con.execute("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1").fetchone()[0]
    return {"passages": rows, "themes": themes, "doc_id": doc_id}


def log_for(facts: dict) -> list[CodingDecision]:
    (p1, t1), (p2, t2), (p3, _) = facts["passages"]
    other1 = next(t for t in facts["themes"] if t != t1)
    other2 = next(t for t in reversed(facts["themes"]) if t != t2)
    return [
        CodingDecision(1, p1, other1, CodingAction.move, "Ann", T0, "fits better"),
        CodingDecision(2, p2, other2, CodingAction.add, "Bob", T0, ""),
        CodingDecision(3, p3, other1, CodingAction.add, "Ann", T0, ""),
    ]


def memos_for(facts: dict) -> list[Memo]:
    (p1, t1), _, _ = facts["passages"]
    return [
        Memo(1, MemoTarget.theme, str(t1), "**Theme** memo <b>as data</b>", "Ann", T0),
        Memo(2, MemoTarget.document, facts["doc_id"], "Document memo", "Cy", T0),
        Memo(3, MemoTarget.passage, p1, "Passage memo", "Bob", T0),
    ]


def root_of(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def codings_by_user(root: ET.Element) -> dict[str, set[tuple[int, int, str]]]:
    """User name -> {(start, end, code guid)} of every coding they made."""
    names = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    found: dict[str, set[tuple[int, int, str]]] = {}
    for selection in root.iter(f"{NS}PlainTextSelection"):
        for coding in selection.findall(f"{NS}Coding"):
            found.setdefault(names[coding.get("creatingUser")], set()).add(
                (
                    int(selection.get("startPosition")),
                    int(selection.get("endPosition")),
                    coding.find(f"{NS}CodeRef").get("targetGUID"),
                )
            )
    return found


@pytest.fixture(scope="module")
def exported(con, facts, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("coders") / "coders.qdpx"
    write_qdpx(con, out, Codebook(), decisions=log_for(facts), memos=memos_for(facts))
    return out


def test_a_project_with_people_and_memos_is_schema_valid(exported: Path, schema) -> None:
    with zipfile.ZipFile(exported) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))


def test_the_machine_and_each_person_are_users(exported: Path) -> None:
    users = {u.get("name"): u.get("guid") for u in root_of(exported).iter(f"{NS}User")}
    assert users == {
        MACHINE_USER: MACHINE_USER_GUID,
        "Ann": user_guid("Ann"),
        "Bob": user_guid("Bob"),
        "Cy": user_guid("Cy"),
    }


def test_each_persons_codings_are_theirs_and_the_machines_are_unchanged(
    exported: Path, con, facts, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.qdpx"
    write_qdpx(con, plain, Codebook())
    with_people = codings_by_user(root_of(exported))
    assert with_people[MACHINE_USER] == codings_by_user(root_of(plain))[MACHINE_USER]
    log = log_for(facts)
    assert {code for _, _, code in with_people["Ann"]} == {theme_guid(log[0].theme_id)}
    assert len(with_people["Ann"]) == 2 and len(with_people["Bob"]) == 1
    assert {code for _, _, code in with_people["Bob"]} == {theme_guid(log[1].theme_id)}


def test_memos_are_notes_referred_to_from_what_they_are_about(exported: Path, facts) -> None:
    root = root_of(exported)
    notes = {n.get("guid"): n for n in root.iter(f"{NS}Note")}
    texts = sorted(n.findtext(f"{NS}PlainTextContent") for n in notes.values())
    assert texts == ["**Theme** memo <b>as data</b>", "Document memo", "Passage memo"]
    (_, t1), _, _ = facts["passages"]
    code = next(c for c in root.iter(f"{NS}Code") if c.get("guid") == theme_guid(t1))
    source = next(s for s in root.iter(f"{NS}TextSource") if s.get("guid") and any(
        r.get("targetGUID") in notes for r in s.findall(f"{NS}NoteRef")))  # fmt: skip
    selection_refs = [
        r for s in root.iter(f"{NS}PlainTextSelection") for r in s.findall(f"{NS}NoteRef")
    ]
    for holder in (code.findall(f"{NS}NoteRef"), source.findall(f"{NS}NoteRef"), selection_refs):
        assert len(holder) == 1 and holder[0].get("targetGUID") in notes


def test_a_round_trip_keeps_both_coders_codings(
    exported: Path, con, facts, tmp_path: Path, schema
) -> None:
    plan = plan_coding_import(con, exported, Codebook())
    assert plan.coders == ["Ann", "Bob"] and plan.unplaced == 0 and plan.unknown_codes == []
    store = tmp_path / "elsewhere.sqlite"
    for coder in plan.coders:
        save_decisions(
            store,
            [(d.passage_id, d.theme_id, d.action, "from a .qdpx") for d in plan.decisions
             if d.coder == coder],
            coder, via="import",
        )  # fmt: skip
    again = tmp_path / "again.qdpx"
    write_qdpx(con, again, Codebook(), decisions=load_decisions(store))
    with zipfile.ZipFile(again) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))
    before, after = codings_by_user(root_of(exported)), codings_by_user(root_of(again))
    assert after == before
    assert set(after) == {MACHINE_USER, "Ann", "Bob"}


def test_a_source_renamed_elsewhere_is_found_by_its_text(
    exported: Path, con, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(foreign, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "project.qde":
                root = ET.fromstring(data)
                for n, text_source in enumerate(root.iter(f"{NS}TextSource")):
                    text_source.set("guid", f"00000000-0000-4000-8000-{n:012d}")
                data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
            target.writestr(item, data)
    assert len(plan_coding_import(con, foreign, Codebook()).decisions) == len(
        plan_coding_import(con, exported, Codebook()).decisions
    )


def test_what_is_not_a_project_is_one_clear_error(con, tmp_path: Path) -> None:
    from pipeline.errors import ExchangeError

    bogus = tmp_path / "bogus.qdpx"
    bogus.write_text("not a zip")
    with pytest.raises(ExchangeError, match="not a REFI-QDA project"):
        plan_coding_import(con, bogus, Codebook())
