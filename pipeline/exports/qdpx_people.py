"""People in a REFI-QDA project: their codings beside the machine's, and codings made elsewhere.

A .qdpx carries each coding with the user who made it. Findings writes the machine's codings as
the user "Findings (machine)" and each person's current codings (the themes they moved a passage
to or added) as that person, so NVivo, ATLAS.ti or MAXQDA can compare coders; memos are Notes.
Reading a project coded elsewhere turns each person's codings into coding decisions: a passage
they coded with the machine's theme among theirs gets each of their themes added; one they coded
without it is moved to their first theme and given the rest.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ExchangeError
from pipeline.exports.codes import guid
from pipeline.ids import sha256_hex
from pipeline.themes.decisions import CodingAction, CodingDecision, current_decisions

MACHINE_USER = "Findings (machine)"
# The machine's user GUID is the one Findings has always written ("user:Findings"), so that
# projects exported before people coded keep their GUIDs.
MACHINE_USER_GUID = guid("user", "Findings")
PROJECT_NS = "urn:QDA-XML:project:1.0"
_TAG = f"{{{PROJECT_NS}}}"


def user_guid(name: str) -> str:
    """The GUID a person has as a user in every export."""
    return guid("person", name)


@dataclass(frozen=True)
class PersonCoding:
    """One theme a person has a passage on now, by their own decisions."""

    passage_id: str
    theme_id: int
    coder: str
    coded_at: dt.datetime


def people_codings(
    log: Iterable[CodingDecision], successors: Mapping[str, str] | None = None
) -> list[PersonCoding]:
    """Each coder's current codings, folding each coder's own decisions apart from the others'.

    A coder's codings are the themes they moved a passage to or added and have not taken off;
    what another coder decided later does not change what this one coded. A coding of a passage
    retired by an edit is on its successor (`successors`).
    """
    by_coder: dict[str, list[CodingDecision]] = {}
    for decision in log:
        by_coder.setdefault(decision.coder, []).append(decision)
    codings: list[PersonCoding] = []
    for coder, decisions in sorted(by_coder.items()):
        for passage_id, passage in current_decisions(decisions, successors).items():
            chosen = [passage.primary] if passage.primary is not None else []
            codings.extend(
                PersonCoding(passage_id, d.theme_id, coder, d.decided_at)
                for d in [*chosen, *passage.added]
            )
    return sorted(codings, key=lambda c: (c.passage_id, c.coder, c.theme_id))


@dataclass(frozen=True)
class ForeignCoding:
    """A coding read from a project: who, which code, and where in which source."""

    coder: str
    code_guid: str
    code_name: str
    source_guid: str
    source_sha: str  # sha256 of the source's plain text ('' when the project holds none)
    start: int
    end: int


def _source_text(archive: zipfile.ZipFile, source: ET.Element) -> str:
    inline = source.findtext(f"{_TAG}PlainTextContent")
    if inline is not None:
        return inline
    path = source.get("plainTextPath", "")
    name = path.removeprefix("internal://")
    if not name or name == path:
        return ""
    try:
        return archive.read(f"Sources/{name}").decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return ""


def read_codings(path: Path) -> list[ForeignCoding]:
    """Every person's coding of a text selection in a .qdpx project (the machine's left out).

    Raises:
        ExchangeError: the file is not a REFI-QDA project.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            root = ET.fromstring(archive.read("project.qde"))
            if root.tag != f"{_TAG}Project":
                raise ExchangeError(f"{path}: not a REFI-QDA project (root {root.tag!r})")
            users = {
                user.get("guid", ""): user.get("name") or user.get("guid", "")
                for user in root.iter(f"{_TAG}User")
            }
            codes = {
                code.get("guid", ""): code.get("name", "") for code in root.iter(f"{_TAG}Code")
            }
            found: list[ForeignCoding] = []
            for source in root.iter(f"{_TAG}TextSource"):
                text = _source_text(archive, source)
                sha = sha256_hex(text) if text else ""
                for selection in source.findall(f"{_TAG}PlainTextSelection"):
                    for coding in selection.findall(f"{_TAG}Coding"):
                        user = coding.get("creatingUser") or selection.get("creatingUser", "")
                        if user == MACHINE_USER_GUID:
                            continue
                        ref = coding.find(f"{_TAG}CodeRef")
                        code = "" if ref is None else ref.get("targetGUID", "")
                        found.append(
                            ForeignCoding(
                                coder=users.get(user, user or "unknown coder"),
                                code_guid=code,
                                code_name=codes.get(code, ""),
                                source_guid=source.get("guid", ""),
                                source_sha=sha,
                                start=int(selection.get("startPosition", "0")),
                                end=int(selection.get("endPosition", "0")),
                            )
                        )
    except (zipfile.BadZipFile, ET.ParseError, KeyError, OSError, ValueError) as exc:
        raise ExchangeError(f"{path}: not a REFI-QDA project Findings can read ({exc})") from exc
    return found


@dataclass(frozen=True)
class Span:
    """Where a passage lies in its document."""

    passage_id: str
    doc_id: str
    char_start: int
    char_end: int


def passages_under(selection: tuple[int, int], spans: Sequence[Span]) -> list[str]:
    """The passages a selection means: the one it matches exactly, else each it covers half of."""
    start, end = selection
    exact = [s.passage_id for s in spans if (s.char_start, s.char_end) == (start, end)]
    if exact:
        return exact
    return [
        s.passage_id
        for s in spans
        if s.char_end > s.char_start
        and 2 * (min(end, s.char_end) - max(start, s.char_start)) >= s.char_end - s.char_start
    ]


@dataclass(frozen=True)
class PlannedDecision:
    """A decision an import will record for a coder."""

    coder: str
    passage_id: str
    theme_id: int
    action: CodingAction


def decisions_from_codings(
    coded: Iterable[tuple[str, str, int]], machine_theme_of: Mapping[str, int]
) -> list[PlannedDecision]:
    """Decisions for each (coder, passage id, theme id) coded elsewhere, in the order given.

    A coder who kept the passage's machine theme among theirs adds each of their themes; one
    who did not moves the passage to their first theme and adds the rest.
    """
    themes: dict[tuple[str, str], list[int]] = {}
    for coder, passage_id, theme_id in coded:
        chosen = themes.setdefault((coder, passage_id), [])
        if theme_id not in chosen:
            chosen.append(theme_id)
    planned: list[PlannedDecision] = []
    for (coder, passage_id), chosen in themes.items():
        keeps_machine = machine_theme_of.get(passage_id) in chosen
        for at, theme_id in enumerate(chosen):
            action = CodingAction.move if at == 0 and not keeps_machine else CodingAction.add
            planned.append(PlannedDecision(coder, passage_id, theme_id, action))
    return planned
