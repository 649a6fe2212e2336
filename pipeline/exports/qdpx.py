"""REFI-QDA exchange (QDA-XML 1.0): a `.qdpx` project and a `.qdc` codebook, and reading one back.

A `.qdpx` is a zip of `project.qde` (XML, urn:QDA-XML:project:1.0) and `Sources/`, one UTF-8
text per document. Themes are Codes (under their headings), every coded passage is a
PlainTextSelection at its exact character offsets with a Coding to its theme, and area, region,
police force, date and type are Variables, valued on each source and on one Case per area.
GUIDs are derived from stable ids and timestamps from the theme run, so exporting the same
findings twice gives byte-identical files. The machine's codings are the user "Findings
(machine)"'s, people's current codings each coder's, and memos are Notes referred to from their
theme, source or selection (`pipeline.exports.qdpx_people`).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from pipeline import queries
from pipeline.errors import ExchangeError
from pipeline.exports.codes import CodeNode, code_tree, guid, theme_guid
from pipeline.exports.qdpx_people import (
    MACHINE_USER,
    MACHINE_USER_GUID,
    PersonCoding,
    PlannedDecision,
    Span,
    decisions_from_codings,
    passages_under,
    people_codings,
    read_codings,
    user_guid,
)
from pipeline.exports.report import writable
from pipeline.queries import Filters, _sql
from pipeline.queries.passages import current_document_ids
from pipeline.storage import theme_runs
from pipeline.themes.codebook import Codebook, apply_codebook, load_codebook, update_curation

if TYPE_CHECKING:
    from pipeline.access.memos import Memo
    from pipeline.themes.decisions import CodingDecision

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Findings"
# Zip entries carry this date so that identical findings give identical archives.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
VARIABLES = [  # (name, column, REFI type)
    ("Area", "area", "Text"),
    ("Region", "region", "Text"),
    ("Police force", "police_force", "Text"),
    ("Nation", "nation", "Text"),
    ("Review date", "review_date", "Date"),
    ("Document type", "doc_type", "Text"),
]
CASE_VARIABLES = {"Area", "Region", "Police force", "Nation"}


@dataclass(frozen=True)
class QdpxReport:
    """What an export wrote."""

    path: Path
    sources: int
    codes: int
    selections: int
    cases: int

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI prints."""
        return {
            "path": str(self.path),
            "sources": self.sources,
            "codes": self.codes,
            "selections": self.selections,
            "cases": self.cases,
        }


def _timestamp(value: object) -> str:
    if value is None or pd.isna(value):
        return "2000-01-01T00:00:00Z"
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_bytes(root: ET.Element) -> bytes:
    """The tree as XML 1.0, every text and attribute first made writable.

    Titles, labels and descriptions come from documents and may hold controls a PDF left in
    them, which ElementTree would write into an invalid file. (Sources' own texts are separate
    files, not XML, so offsets into them stay exact.)
    """
    for element in root.iter():
        if element.text:
            element.text = writable(element.text)
        element.attrib.update({k: writable(v) for k, v in element.attrib.items()})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, ns: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{ns}}}{tag}", attributes)


def _codes_element(
    parent: ET.Element,
    roots: list[CodeNode],
    ns: str,
    notes: dict[int, list[str]] | None = None,
) -> None:
    codes = _sub(parent, "Codes", ns)

    def add(into: ET.Element, node: CodeNode) -> None:
        attributes = {"guid": node.guid, "name": node.name, "isCodable": "true"}
        if node.color:
            attributes["color"] = node.color
        element = _sub(into, "Code", ns, **attributes)
        if node.description:
            _sub(element, "Description", ns).text = node.description
        for note in (notes or {}).get(node.theme_id or 0, []):
            _sub(element, "NoteRef", ns, targetGUID=note)
        for child in node.children:
            add(element, child)

    for root in roots:
        add(codes, root)


def _curated_catalogue(con: duckdb.DuckDBPyConnection, book: Codebook) -> pd.DataFrame:
    return apply_codebook(queries.themes_catalogue(con), book, hide_not_relevant=False)


def _variable_value(parent: ET.Element, variable_guid: str, kind: str, value: object) -> None:
    holder = _sub(parent, "VariableValue", PROJECT_NS)
    _sub(holder, "VariableRef", PROJECT_NS, targetGUID=variable_guid)
    if kind == "Date":
        _sub(holder, "DateValue", PROJECT_NS).text = pd.Timestamp(value).strftime("%Y-%m-%d")
    else:
        _sub(holder, "TextValue", PROJECT_NS).text = str(value)


def _has_value(value: object) -> bool:
    return value is not None and not pd.isna(value)


@dataclass(frozen=True)
class _Selection:
    """A passage selected in a source: its place, the machine's theme, people's, memos."""

    passage_id: str
    ordinal: int
    char_start: int
    char_end: int
    machine_theme_id: int | None = None
    people: tuple[PersonCoding, ...] = ()
    notes: tuple[str, ...] = ()


def _note_guid(memo: Memo) -> str:
    return guid("note", memo.memo_id)


def _selections(
    con: duckdb.DuckDBPyConnection,
    passages: pd.DataFrame,
    codings: Sequence[PersonCoding],
    memos: Sequence[Memo],
    successors: Mapping[str, str],
) -> dict[str, list[_Selection]]:
    """Per document, the passages a project selects, in text order.

    A memo on a passage an edit retired is a note on its successor.

    The machine's coding is its own proposal: where a person's decision changed a passage's
    theme in the run, the theme the machine proposed there (none when it proposed none).
    """
    proposals = {
        str(row["passage_id"]): int(row["machine_theme_id"])
        for row in _sql.records(con, "exchange", "machine_proposals")
    }
    machine = {
        str(row.passage_id): proposals.get(str(row.passage_id), int(row.theme_id))
        for row in passages.itertuples()
    }
    people: dict[str, list[PersonCoding]] = {}
    for coding in codings:
        people.setdefault(coding.passage_id, []).append(coding)
    notes: dict[str, list[str]] = {}
    for memo in memos:
        if memo.target.value == "passage":
            on = successors.get(memo.target_id, memo.target_id)
            notes.setdefault(on, []).append(_note_guid(memo))
    wanted = sorted(set(machine) | set(people) | set(notes))
    spans = _sql.records(con, "exchange", "passage_spans", {"passage_ids": wanted})
    by_document: dict[str, list[_Selection]] = {}
    for span in spans:
        passage_id = str(span["passage_id"])
        theme = machine.get(passage_id)
        by_document.setdefault(str(span["doc_id"]), []).append(
            _Selection(
                passage_id,
                int(span["ordinal"]),
                int(span["char_start"]),
                int(span["char_end"]),
                None if theme is None or theme < 0 else theme,
                tuple(people.get(passage_id, ())),
                tuple(notes.get(passage_id, ())),
            )
        )
    return by_document


def _notes_element(project: ET.Element, memos: Sequence[Memo]) -> None:
    if not memos:
        return
    holder = _sub(project, "Notes", PROJECT_NS)
    for memo in memos:
        note = _sub(
            holder, "Note", PROJECT_NS,
            guid=_note_guid(memo),
            name=f"Memo on {memo.target.value} {memo.target_id[:12]} by {memo.author}",
            creatingUser=user_guid(memo.author),
            creationDateTime=_timestamp(memo.written_at),
        )  # fmt: skip
        _sub(note, "PlainTextContent", PROJECT_NS).text = memo.text


def project_document(
    con: duckdb.DuckDBPyConnection,
    book: Codebook,
    filters: Filters = Filters(),
    decisions: Sequence[CodingDecision] = (),
    memos: Sequence[Memo] = (),
) -> tuple[bytes, dict[str, str], QdpxReport]:
    """The project.qde XML and the source texts (archive name -> text) for these findings.

    `decisions` (the team store's log) give each person's codings beside the machine's;
    `memos` become Notes.
    """
    run = queries.latest_run(con)
    if run is None:
        raise ExchangeError("no theme run yet: run `findings run` before exporting")
    created = _timestamp(run["finished_at"])
    user = MACHINE_USER_GUID
    roots = code_tree(_curated_catalogue(con, book), book)
    coded_ids = {node.theme_id for root in roots for node in root.walk() if node.theme_id}
    documents = queries.document_texts(con, filters)
    passages = queries.coded_passages(con, filters)
    successors = theme_runs.passage_successors(con)
    codings = people_codings(decisions, successors)
    memos = sorted(memos, key=lambda memo: memo.memo_id)
    # A memo on an earlier version of a document is a note on its current version.
    versions = current_document_ids(
        con, {m.target_id for m in memos if m.target.value == "document"}
    )
    theme_notes: dict[int, list[str]] = {}
    document_notes: dict[str, list[str]] = {}
    for memo in memos:
        if memo.target.value == "theme" and memo.target_id.lstrip("-").isdigit():
            theme_notes.setdefault(int(memo.target_id), []).append(_note_guid(memo))
        elif memo.target.value == "document":
            on = versions.get(memo.target_id, memo.target_id)
            document_notes.setdefault(on, []).append(_note_guid(memo))
    people = sorted({c.coder for c in codings} | {memo.author for memo in memos})

    ET.register_namespace("", PROJECT_NS)
    project = ET.Element(
        f"{{{PROJECT_NS}}}Project",
        {
            "name": f"Findings {run['run_id']}",
            "origin": ORIGIN,
            "creatingUserGUID": user,
            "creationDateTime": created,
        },
    )
    users = _sub(project, "Users", PROJECT_NS)
    _sub(users, "User", PROJECT_NS, guid=user, name=MACHINE_USER)
    for person in people:
        _sub(users, "User", PROJECT_NS, guid=user_guid(person), name=person)
    _codes_element(_sub(project, "CodeBook", PROJECT_NS), roots, PROJECT_NS, theme_notes)
    variables = _sub(project, "Variables", PROJECT_NS)
    variable_guids = {}
    for name, _, kind in VARIABLES:
        variable_guids[name] = guid("variable", name)
        _sub(variables, "Variable", PROJECT_NS, guid=variable_guids[name], name=name,
             typeOfVariable=kind)  # fmt: skip

    areas = documents.dropna(subset=["area"]).groupby("area", sort=True)
    cases = _sub(project, "Cases", PROJECT_NS) if len(areas) else None
    for area, group in areas:
        case = _sub(cases, "Case", PROJECT_NS, guid=guid("case", area), name=str(area))
        first = group.iloc[0]
        for name, column, kind in VARIABLES:
            if name in CASE_VARIABLES and _has_value(first[column]):
                _variable_value(case, variable_guids[name], kind, first[column])
        for doc_id in sorted(group["doc_id"]):
            _sub(case, "SourceRef", PROJECT_NS, targetGUID=guid("source", doc_id))

    texts: dict[str, str] = {}
    selections = 0
    sources = _sub(project, "Sources", PROJECT_NS) if len(documents) else None
    by_document = _selections(con, passages, codings, memos, successors)
    for doc in documents.itertuples():
        source_guid = guid("source", doc.doc_id)
        if "\r" in doc.text:
            raise ExchangeError(f"{doc.path}: canonical text holds a carriage return")
        texts[f"{source_guid}.txt"] = doc.text
        source = _sub(
            sources, "TextSource", PROJECT_NS,
            guid=source_guid, name=str(doc.title or Path(doc.path).name),
            plainTextPath=f"internal://{source_guid}.txt",
            creatingUser=user, creationDateTime=created,
        )  # fmt: skip
        _sub(source, "Description", PROJECT_NS).text = f"{doc.path} ({doc.format})"
        for passage in by_document.get(doc.doc_id, []):
            machine_theme = (
                None
                if passage.machine_theme_id is None
                else book.merge_target(passage.machine_theme_id)
            )
            if machine_theme not in coded_ids:
                machine_theme = None
            theirs = [
                (c, book.merge_target(c.theme_id))
                for c in passage.people
                if book.merge_target(c.theme_id) in coded_ids
            ]
            if machine_theme is None and not theirs and not passage.notes:
                continue
            selection = _sub(
                source, "PlainTextSelection", PROJECT_NS,
                guid=guid("selection", passage.passage_id),
                name=f"{doc.title} ¶{passage.ordinal}",
                startPosition=str(passage.char_start),
                endPosition=str(passage.char_end),
                creatingUser=user, creationDateTime=created,
            )  # fmt: skip
            if machine_theme is not None:
                coding = _sub(
                    selection, "Coding", PROJECT_NS,
                    guid=guid("coding", f"{passage.passage_id}:{machine_theme}"),
                    creatingUser=user, creationDateTime=created,
                )  # fmt: skip
                _sub(coding, "CodeRef", PROJECT_NS, targetGUID=theme_guid(machine_theme))
            for person, theme_id in theirs:
                coding = _sub(
                    selection, "Coding", PROJECT_NS,
                    guid=guid("coding", f"{passage.passage_id}:{theme_id}:{person.coder}"),
                    creatingUser=user_guid(person.coder),
                    creationDateTime=_timestamp(person.coded_at),
                )  # fmt: skip
                _sub(coding, "CodeRef", PROJECT_NS, targetGUID=theme_guid(theme_id))
            for note in passage.notes:
                _sub(selection, "NoteRef", PROJECT_NS, targetGUID=note)
            selections += 1
        for note in document_notes.get(doc.doc_id, []):
            _sub(source, "NoteRef", PROJECT_NS, targetGUID=note)
        for name, column, kind in VARIABLES:
            value = getattr(doc, column)
            if _has_value(value):
                _variable_value(source, variable_guids[name], kind, value)
    _notes_element(project, memos)
    _sub(project, "Description", PROJECT_NS).text = (
        f"Exported by Findings from theme run {run['run_id']} (model {run['model']}); "
        f"one code per theme, one selection per coded passage; the machine's codings are "
        f"{MACHINE_USER}'s, people's decisions their own."
    )
    xml = _xml_bytes(project)
    report = QdpxReport(
        Path(), len(documents), sum(len(r.walk()) for r in roots), selections, len(areas)
    )
    return xml, texts, report


def write_qdpx(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    book: Codebook,
    filters: Filters = Filters(),
    decisions: Sequence[CodingDecision] = (),
    memos: Sequence[Memo] = (),
) -> QdpxReport:
    """Write a .qdpx archive (atomically: a failed export leaves no half-written file)."""
    data, report = qdpx_bytes(con, book, filters, decisions, memos)
    _write_bytes(out, data)
    return QdpxReport(out, report.sources, report.codes, report.selections, report.cases)


def qdpx_bytes(
    con: duckdb.DuckDBPyConnection,
    book: Codebook,
    filters: Filters = Filters(),
    decisions: Sequence[CodingDecision] = (),
    memos: Sequence[Memo] = (),
) -> tuple[bytes, QdpxReport]:
    """The .qdpx archive in memory (for downloads)."""
    xml, texts, report = project_document(con, book, filters, decisions, memos)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in [("project.qde", xml)] + [
            (f"Sources/{n}", t.encode("utf-8")) for n, t in sorted(texts.items())
        ]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buffer.getvalue(), report


def codebook_bytes(con: duckdb.DuckDBPyConnection, book: Codebook) -> bytes:
    """The codebook alone as a .qdc document (urn:QDA-XML:codebook:1.0)."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    roots = code_tree(_curated_catalogue(con, book), book)
    if not roots:
        raise ExchangeError("no themes to export: run `findings run` first")
    _codes_element(root, roots, CODEBOOK_NS)
    return _xml_bytes(root)


def write_codebook(con: duckdb.DuckDBPyConnection, out: Path, book: Codebook) -> int:
    """Write a .qdc codebook; returns the number of codes."""
    data = codebook_bytes(con, book)
    _write_bytes(out, data)
    return data.count(b"<Code ")


def _write_bytes(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(data)
    partial.replace(out)


@dataclass(frozen=True)
class ImportedCode:
    """One code read from a .qdc or .qde file."""

    guid: str
    name: str
    description: str
    parent_guid: str | None


def read_codes(path: Path) -> list[ImportedCode]:
    """Every code in a .qdc codebook (or a .qde project / .qdpx archive), with its parent."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                root = ET.fromstring(archive.read("project.qde"))
        else:
            root = ET.parse(path).getroot()
    except (ET.ParseError, KeyError, OSError) as exc:
        raise ExchangeError(f"{path}: not a REFI-QDA codebook or project ({exc})") from exc
    namespace = root.tag.split("}")[0].strip("{") if root.tag.startswith("{") else ""
    if namespace not in (CODEBOOK_NS, PROJECT_NS):
        raise ExchangeError(f"{path}: unexpected XML namespace {namespace!r}")
    tag = f"{{{namespace}}}"
    found: list[ImportedCode] = []

    def visit(element: ET.Element, parent: str | None) -> None:
        for code in element.findall(f"{tag}Code"):
            description = code.findtext(f"{tag}Description") or ""
            found.append(
                ImportedCode(code.get("guid", ""), code.get("name", "").strip(),
                             " ".join(description.split()), parent)
            )  # fmt: skip
            visit(code, code.get("guid"))

    codes = (
        root.find(f"{tag}Codes")
        if namespace == CODEBOOK_NS
        else root.find(f"{tag}CodeBook/{tag}Codes")
    )
    if codes is None:
        raise ExchangeError(f"{path}: no <Codes> in it")
    visit(codes, None)
    return found


@dataclass(frozen=True)
class ImportReport:
    """What reading a codebook back changed."""

    renamed: list[int]
    described: list[int]
    moved: list[int]
    unmatched: list[str]

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI prints."""
        return {
            "renamed": self.renamed,
            "described": self.described,
            "moved": self.moved,
            "unmatched": self.unmatched,
        }


def import_codebook(
    con: duckdb.DuckDBPyConnection, path: Path, codebook_path: Path
) -> ImportReport:
    """Bring names, descriptions and hierarchy edited in another tool back into the codebook.

    Codes are matched to themes by the GUIDs Findings gave them (then by the theme's current
    name). A theme placed under a heading takes that heading; under another theme, it becomes
    its sub-theme. Codes Findings does not know are listed, not invented: a theme needs passages.
    """
    codes = read_codes(path)
    book = load_codebook(codebook_path)
    catalogue = _curated_catalogue(con, book)
    by_guid = {theme_guid(int(t)): int(t) for t in catalogue["theme_id"]}
    by_name = {str(label): int(t) for t, label in zip(
        catalogue["theme_id"], catalogue["label"], strict=True)}  # fmt: skip
    current = catalogue.set_index("theme_id")
    guid_of_code = {code.guid: code for code in codes}
    theme_of_code = {code.guid: by_guid.get(code.guid, by_name.get(code.name)) for code in codes}
    holders = {code.parent_guid for code in codes if code.parent_guid}
    renamed, described, moved, unmatched = [], [], [], []
    for code in codes:
        theme_id = theme_of_code[code.guid]
        if theme_id is None:
            if code.guid not in holders:  # a code that holds codes is a heading
                unmatched.append(code.name)
            continue
        changes: dict[str, object] = {}
        if code.name and code.name != current.loc[theme_id, "label"]:
            changes["label"] = code.name
            renamed.append(theme_id)
        if code.description and code.description != (current.loc[theme_id, "description"] or ""):
            changes["description"] = code.description
            described.append(theme_id)
        parent = guid_of_code.get(code.parent_guid) if code.parent_guid else None
        parent_theme = theme_of_code.get(parent.guid) if parent else None
        old = book.curations.get(theme_id)
        if parent_theme is not None and parent_theme != theme_id:
            if not old or old.parent != parent_theme:
                changes["parent"] = parent_theme
                moved.append(theme_id)
        else:
            heading = parent.name if parent else None
            if old and old.parent is not None:
                changes["parent"] = None
                moved.append(theme_id)
            if heading != current.loc[theme_id, "heading"]:
                changes["heading"] = heading
                if theme_id not in moved:
                    moved.append(theme_id)
        if changes:
            update_curation(codebook_path, theme_id, **changes)
    return ImportReport(renamed, described, moved, unmatched)


@dataclass(frozen=True)
class CodingImportPlan:
    """What reading a project coded elsewhere would record, and what it could not place."""

    decisions: list[PlannedDecision]
    coders: list[str]
    unplaced: int  # codings whose source or selection matches no passage of this warehouse
    unknown_codes: list[str]  # codes that are no Findings theme

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI prints."""
        return {
            "decisions": len(self.decisions),
            "coders": self.coders,
            "unplaced": self.unplaced,
            "unknown_codes": self.unknown_codes,
        }


def plan_coding_import(
    con: duckdb.DuckDBPyConnection, path: Path, book: Codebook
) -> CodingImportPlan:
    """The decisions a .qdpx coded elsewhere brings in: each person's codings, as theirs.

    Sources are matched to documents by the GUID Findings gave them, else by their text (a
    document's id is the hash of its text); selections to passages by their exact offsets,
    else each passage they cover half of; codes to themes by GUID, else by current name. The
    machine's own codings ("Findings (machine)") are not people's and are left out.
    """
    codings = read_codings(path)
    catalogue = _curated_catalogue(con, book)
    theme_of_code = {theme_guid(int(t)): int(t) for t in catalogue["theme_id"]}
    theme_of_name = {str(label): int(t) for t, label in zip(
        catalogue["theme_id"], catalogue["label"], strict=True)}  # fmt: skip
    doc_ids = [str(row["doc_id"]) for row in _sql.records(con, "exchange", "document_ids")]
    by_guid = {guid("source", d): d for d in doc_ids}
    known = set(doc_ids)
    spans: dict[str, list[Span]] = {}
    for row in _sql.records(con, "exchange", "document_passages", {"doc_ids": doc_ids}):
        spans.setdefault(str(row["doc_id"]), []).append(
            Span(str(row["passage_id"]), str(row["doc_id"]),
                 int(row["char_start"]), int(row["char_end"]))
        )  # fmt: skip
    machine = {
        str(row.passage_id): int(row.theme_id)
        for row in queries.coded_passages(con, Filters()).itertuples()
    }
    coded: list[tuple[str, str, int]] = []
    unplaced = 0
    unknown: set[str] = set()
    for coding in codings:
        theme_id = theme_of_code.get(coding.code_guid, theme_of_name.get(coding.code_name))
        if theme_id is None:
            unknown.add(coding.code_name or coding.code_guid)
            continue
        doc_id = by_guid.get(coding.source_guid) or (
            coding.source_sha if coding.source_sha in known else None
        )
        passages = passages_under((coding.start, coding.end), spans.get(doc_id or "", []))
        if not passages:
            unplaced += 1
            continue
        coded.extend((coding.coder, passage_id, theme_id) for passage_id in passages)
    decisions = decisions_from_codings(coded, machine)
    return CodingImportPlan(
        decisions, sorted({d.coder for d in decisions}), unplaced, sorted(unknown)
    )
