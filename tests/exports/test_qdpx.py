"""REFI-QDA export and import, validated against the exchange standard's own schemas."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import xmlschema

from pipeline.errors import ExchangeError
from pipeline.exports.codes import guid, theme_guid
from pipeline.exports.qdpx import (
    PROJECT_NS,
    codebook_bytes,
    import_codebook,
    qdpx_bytes,
    read_codes,
    write_codebook,
    write_qdpx,
)
from pipeline.queries import Filters
from pipeline.themes.codebook import Codebook, load_codebook, update_curation
from tests.conftest import REPO, SEED_VARIANTS, SHARED
from tests.queries.test_queries import EAST

NS = {"q": "urn:QDA-XML:project:1.0"}
CB = "{urn:QDA-XML:codebook:1.0}"


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SHARED / "refi-qda" / "Project.xsd"))


@pytest.fixture(scope="module")
def exported(con, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("qdpx") / "findings.qdpx"
    write_qdpx(con, out, Codebook())
    return out


def project_root(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def test_the_project_is_valid_against_the_refi_qda_schema(exported: Path, project_schema) -> None:
    with zipfile.ZipFile(exported) as archive:
        project_schema.validate(archive.read("project.qde").decode("utf-8"))
        names = archive.namelist()
    assert names[0] == "project.qde"
    assert sum(n.startswith("Sources/") for n in names) == 24


def test_every_selection_is_exactly_its_passage(exported: Path, con) -> None:
    passages = {
        guid("selection", pid): text
        for pid, text in con.execute(
            "SELECT passage_id, text FROM current_passage_themes JOIN passages USING (passage_id)"
        ).fetchall()
    }
    checked = 0
    with zipfile.ZipFile(exported) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        for source in root.iterfind(".//q:TextSource", NS):
            name = source.get("plainTextPath").removeprefix("internal://")
            raw = archive.read(f"Sources/{name}")
            assert b"\r" not in raw
            text = raw.decode("utf-8")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert text[start:end] == passages[selection.get("guid")]
                checked += 1
    assert checked == len(passages)


def test_every_coding_points_at_a_code_in_the_codebook(exported: Path) -> None:
    root = project_root(exported)
    codes = {c.get("guid") for c in root.iterfind(".//q:CodeBook//q:Code", NS)}
    refs = [r.get("targetGUID") for r in root.iterfind(".//q:Coding/q:CodeRef", NS)]
    assert refs and set(refs) <= codes


def test_themes_are_codes_nested_under_their_headings(exported: Path, con) -> None:
    root = project_root(exported)
    top = root.find("q:CodeBook/q:Codes", NS)
    headings = {c.get("name"): c for c in top.findall("q:Code", NS)}
    rows = con.execute(
        "SELECT theme_id, label, heading, description FROM themes WHERE status <> 'dormant'"
    ).fetchall()
    for theme_id, label, heading, description in rows:
        nested = headings[heading].find(f"q:Code[@guid='{theme_guid(theme_id)}']", NS)
        assert nested is not None and nested.get("name") == label
        assert nested.findtext("q:Description", namespaces=NS) == description


def test_areas_are_cases_and_metadata_are_variables(exported: Path) -> None:
    root = project_root(exported)
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    assert {"Area", "Region", "Police force", "Review date", "Document type"} <= set(
        variables.values()
    )
    cases = root.findall("q:Cases/q:Case", NS)
    assert len(cases) == 24
    bedford = next(c for c in cases if c.get("name") == "Bedford")
    values = {
        variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.findtext(
            "q:TextValue", namespaces=NS
        )
        for v in bedford.findall("q:VariableValue", NS)
    }
    assert values["Region"] == EAST and values["Police force"] == "Bedfordshire"
    assert len(bedford.findall("q:SourceRef", NS)) == 1
    dates = root.findall(".//q:TextSource/q:VariableValue/q:DateValue", NS)
    assert len(dates) == 24


def test_exports_seconds_apart_are_byte_identical_when_nothing_changed(con) -> None:
    first = qdpx_bytes(con, Codebook())[0]
    time.sleep(2.1)  # past the zip format's 2-second time resolution
    assert qdpx_bytes(con, Codebook())[0] == first


def test_every_zip_entry_carries_one_fixed_date_not_the_export_time(exported: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        dates = {info.date_time for info in archive.infolist()}
    assert len(dates) == 1
    assert dt.datetime(*dates.pop()).date() != dt.date.today()


def test_project_timestamps_are_the_theme_runs_not_the_export_time(exported: Path, con) -> None:
    finished = con.execute(
        "SELECT finished_at FROM theme_runs WHERE status = 'succeeded' ORDER BY finished_at DESC"
    ).fetchone()[0]
    stamps = {
        value
        for element in project_root(exported).iter()
        for name, value in element.attrib.items()
        if name == "creationDateTime"
    }
    assert stamps == {f"{finished:%Y-%m-%dT%H:%M:%S}Z"}


def test_filters_choose_the_sources(con, project_schema) -> None:
    data, report = qdpx_bytes(con, Codebook(), Filters(region=EAST))
    assert (report.sources, report.cases) == (4, 4)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        project_schema.validate(archive.read("project.qde").decode("utf-8"))


def test_codebook_names_merges_and_set_asides_shape_the_export(con, tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", path)
    ids = [t for (t,) in con.execute("SELECT theme_id FROM themes ORDER BY theme_id").fetchall()]
    update_curation(path, ids[0], label="Renamed theme")
    update_curation(path, ids[1], merge_into=ids[2])
    update_curation(path, ids[3], not_relevant=True)
    data, _ = qdpx_bytes(con, load_codebook(path))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:CodeBook//q:Code", NS)}
    refs = {r.get("targetGUID") for r in root.iterfind(".//q:Coding/q:CodeRef", NS)}
    assert codes[theme_guid(ids[0])] == "Renamed theme"
    assert theme_guid(ids[1]) not in codes and theme_guid(ids[1]) not in refs
    assert theme_guid(ids[3]) not in codes and theme_guid(ids[3]) not in refs
    assert theme_guid(ids[2]) in refs


def test_the_codebook_alone_is_valid_against_its_schema(con, tmp_path: Path) -> None:
    out = tmp_path / "codebook.qdc"
    codes = write_codebook(con, out, Codebook())
    xmlschema.XMLSchema(str(SHARED / "refi-qda" / "Codebook.xsd")).validate(str(out))
    assert codes == len(read_codes(out)) > 10


def test_a_codebook_edited_elsewhere_comes_back(con, tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", path)
    qdc = tmp_path / "edited.qdc"
    qdc.write_bytes(codebook_bytes(con, Codebook()))
    ET.register_namespace("", CB[1:-1])
    tree = ET.parse(qdc)
    headings = tree.getroot().findall(f"{CB}Codes/{CB}Code")
    first, second = headings[0], headings[1]
    renamed, moved, child = first.findall(f"{CB}Code")[:3]
    renamed.set("name", "Edited in QualCoder")
    renamed.find(f"{CB}Description").text = "A description written elsewhere."
    first.remove(moved)
    second.append(moved)  # to another heading
    first.remove(child)
    renamed.append(child)  # a sub-theme of the renamed theme
    ET.SubElement(first, f"{CB}Code", guid=guid("test", "new"), name="A code with no passages",
                  isCodable="true")  # fmt: skip
    tree.write(qdc, encoding="utf-8", xml_declaration=True)

    report = import_codebook(con, qdc, path)
    ids = {theme_guid(t): t for (t,) in con.execute("SELECT theme_id FROM themes").fetchall()}
    renamed_id, moved_id, child_id = (ids[c.get("guid")] for c in (renamed, moved, child))
    book = load_codebook(path)
    assert book.curations[renamed_id].label == "Edited in QualCoder"
    assert book.curations[renamed_id].description == "A description written elsewhere."
    assert book.curations[moved_id].heading == second.get("name")
    assert book.curations[child_id].parent == renamed_id
    assert report.unmatched == ["A code with no passages"]
    # and the next export carries the edits
    again = ET.fromstring(codebook_bytes(con, book))
    parent = again.find(f".//{CB}Code[@guid='{theme_guid(renamed_id)}']")
    assert parent.get("name") == "Edited in QualCoder"
    assert parent.find(f"{CB}Code[@guid='{theme_guid(child_id)}']") is not None
    assert again.find(f".//{CB}Code[@name='{second.get('name')}']/{CB}Code"
                      f"[@guid='{theme_guid(moved_id)}']") is not None  # fmt: skip


def test_importing_what_is_not_a_codebook_says_so(con, tmp_path: Path) -> None:
    bad = tmp_path / "notes.qdc"
    bad.write_text("this is not XML")
    with pytest.raises(ExchangeError, match=r"notes\.qdc: not a REFI-QDA"):
        import_codebook(con, bad, tmp_path / "codebook.yaml")


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_a_project_holding_the_seed_report_is_valid_and_selects_its_passages(
    seeded, seed_path: Path, variant: str, project_schema
) -> None:
    with duckdb.connect(str(seeded[variant]), read_only=True) as reader:
        data, report = qdpx_bytes(reader, Codebook())
        doc_id, area = reader.execute(
            "SELECT doc_id, area FROM documents WHERE path = ?", [str(seed_path)]
        ).fetchone()
        coded = {guid("selection", p) for (p,) in reader.execute(
            "SELECT passage_id FROM current_passage_themes JOIN passages USING (passage_id) "
            "WHERE doc_id = ?", [doc_id],
        ).fetchall()}  # fmt: skip
    assert report.sources == 25
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        project_schema.validate(archive.read("project.qde").decode("utf-8"))
        root = ET.fromstring(archive.read("project.qde"))
        source = root.find(f".//q:TextSource[@guid='{guid('source', doc_id)}']", NS)
        text = archive.read(f"Sources/{guid('source', doc_id)}.txt").decode("utf-8")
    selected = {s.get("guid") for s in source.iterfind("q:PlainTextSelection", NS)}
    assert selected == coded and len(text) > 40_000
    values = {v.find("q:VariableRef", NS).get("targetGUID") for v in source.iterfind(
        "q:VariableValue", NS
    )}  # fmt: skip
    assert (guid("variable", "Area") in values) == (area is not None)
    assert guid("variable", "Review date") not in values  # the seed gives no date


def test_control_characters_in_document_text_leave_the_project_valid_xml(
    themed_db: Path, tmp_path: Path, project_schema
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(themed_db, db)
    with duckdb.connect(str(db)) as writer:
        writer.execute("UPDATE documents SET title = 'Torbay \x0b review \x1b[31m\x7f notes'")
    out = tmp_path / "findings.qdpx"
    with duckdb.connect(str(db), read_only=True) as reader:
        write_qdpx(reader, out, Codebook())
    root = project_root(out)  # ElementTree refuses a control character: this parses at all
    project_schema.validate(root)
    names = {source.get("name") for source in root.iter(f"{{{PROJECT_NS}}}TextSource")}
    assert "Torbay  review [31m notes" in names
