"""The curated codebook (`models/codebook.yaml`): guided themes and human names for themes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pydantic
import yaml
from filelock import FileLock

from pipeline.errors import CodebookError

# A codebook is a few kilobytes of names and descriptions; a file far past that is not one, and
# reading it would only cost time and memory.
MAX_CODEBOOK_BYTES = 2_000_000


# Themes people split off are numbered from here up and the machine's below: a run that creates
# themes while someone splits one cannot hand out the same id (the run reads the codebook when
# it starts and writes its themes minutes later; the split reads a snapshot from before).
PEOPLES_FIRST_THEME_ID = 1_000_000


@dataclass(frozen=True)
class GuidedTheme:
    """A named theme passages are related to by meaning."""

    code_id: str
    name: str
    description: str

    @property
    def text(self) -> str:
        """What gets embedded to stand for the theme."""
        return f"{self.name}. {self.description}".strip()


@dataclass(frozen=True)
class Curation:
    """A person's decisions about one discovered theme."""

    label: str | None = None
    description: str | None = None
    merge_into: int | None = None
    not_relevant: bool = False
    heading: str | None = None  # shown above the theme instead of the nearest guided heading
    parent: int | None = None  # a theme this one is a sub-theme of (display and exports)
    # The theme this one was split from by a person: the id is the codebook's, kept by every run
    # (people's decisions move the split-off passages here; pipeline.themes.split).
    split_from: int | None = None


@dataclass(frozen=True)
class Codebook:
    """Guided themes and curations."""

    guided: tuple[GuidedTheme, ...] = ()
    curations: dict[int, Curation] = field(default_factory=dict)

    def merge_target(self, theme_id: int) -> int:
        """Where a theme's passages go after merges (following chains, ignoring cycles)."""
        seen = {theme_id}
        current = theme_id
        while (target := self.curations.get(current, Curation()).merge_into) is not None:
            if target in seen:
                break
            seen.add(target)
            current = target
        return current

    @property
    def split_theme_ids(self) -> frozenset[int]:
        """The themes people made by splitting one: they exist before any run has found them."""
        return frozenset(t for t, c in self.curations.items() if c.split_from is not None)


class _Entry(pydantic.BaseModel):
    """What every entry of the file shares: unknown keys are left alone, numbers read as text."""

    model_config = pydantic.ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class _GuidedEntry(_Entry):
    id: str | None = None
    name: str = pydantic.Field(min_length=1)
    description: str | None = None


class _ThemeEntry(_Entry):
    label: str | None = None
    description: str | None = None
    merge_into: int | None = None
    not_relevant: bool = False
    heading: str | None = None
    parent: int | None = None
    split_from: int | None = None


class _CodebookFile(_Entry):
    """The shape of the YAML file, checked before anything is taken from it."""

    guided: list[_GuidedEntry] | None = None
    themes: dict[int, _ThemeEntry | None] | None = None


class _CodebookLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing aliases.

    A codebook never needs them, and nested aliases ("billion laughs") make a few hundred bytes
    stand for billions of values.
    """

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        """Compose the next node, unless it is an alias."""
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", self.peek_event().start_mark
            )
        return super().compose_node(parent, index)


def _read_text(path: Path) -> str:
    """The codebook's text: a file of modest size, in UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_CODEBOOK_BYTES:
            raise CodebookError(
                f"{path}: {size:,} bytes is more than a codebook holds "
                f"(at most {MAX_CODEBOOK_BYTES:,})"
            )
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from exc
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read the codebook ({exc.strerror or exc})") from exc


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error in one line: what is wrong and where."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return " ".join(f"{exc.context or ''} {exc.problem or ''}".split()) + where
    return " ".join(str(exc).split())


def _parse(path: Path, text: str) -> dict:
    """The codebook's YAML as a mapping."""
    try:
        data = yaml.load(text, Loader=_CodebookLoader) or {}  # a SafeLoader, less aliases
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not a valid codebook: {_yaml_problem(exc)}") from exc
    except RecursionError as exc:
        raise CodebookError(f"{path}: not a valid codebook: nested too deeply") from exc
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: the codebook must be a mapping (guided:, themes:)")
    return data


# pydantic names its classes in these; the user wrote YAML.
_SHAPE_MESSAGES = {
    "model_type": "should be a mapping of fields",
    "dict_type": "should be a mapping",
}


def _check(path: Path, data: dict) -> _CodebookFile:
    """The codebook's mapping, its shape checked: every name a text, every theme id a number."""
    try:
        return _CodebookFile.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        got = repr(error["input"])
        got = got if len(got) <= 60 else got[:57] + "..."
        message = _SHAPE_MESSAGES.get(error["type"], error["msg"])
        raise CodebookError(f"{path}: {where}: {message} (got {got})") from exc


def load_codebook(path: Path | None) -> Codebook:
    """Read a codebook; a missing file is an empty codebook.

    Anything else that is not a codebook (bad YAML, tags that would build objects, aliases, the
    wrong shape, not UTF-8, too large) raises a `CodebookError` naming the file and the reason.
    """
    if path is None or not path.is_file():
        return Codebook()
    book = _check(path, _parse(path, _read_text(path)))
    guided = tuple(
        GuidedTheme(
            code_id=(item.id or item.name).strip(),
            name=item.name.strip(),
            description=" ".join((item.description or "").split()),
        )
        for item in book.guided or []
    )
    curations = {}
    for theme_id, entry in (book.themes or {}).items():
        item = entry or _ThemeEntry()  # a theme id with nothing under it
        curations[theme_id] = Curation(
            label=item.label,
            description=item.description,
            merge_into=item.merge_into,
            not_relevant=item.not_relevant,
            heading=item.heading,
            parent=item.parent,
            split_from=item.split_from,
        )
    return Codebook(guided, curations)


_UNSET = object()

# The decisions a person may change on a theme, as the file names them.
CURATION_FIELDS = (
    "label",
    "description",
    "merge_into",
    "not_relevant",
    "heading",
    "parent",
    "split_from",
)
CurationValue = str | int | bool | None


@dataclass(frozen=True)
class CurationChange:
    """A person's change to one theme: each field in `values` is set; None or False removes it."""

    theme_id: int
    values: dict[str, CurationValue]

    def __post_init__(self) -> None:
        if unknown := sorted(set(self.values) - set(CURATION_FIELDS)):
            raise CodebookError(f"theme {self.theme_id}: no decision called {', '.join(unknown)}")
        for key in ("merge_into", "parent", "split_from"):
            if self.values.get(key) == self.theme_id:
                what = {"merge_into": "merged into itself", "parent": "its own parent",
                        "split_from": "split from itself"}[key]  # fmt: skip
                raise CodebookError(f"theme {self.theme_id} cannot be {what}")

    def describe(self) -> str:
        """The change in words, for the audit trail."""
        parts = []
        for key, value in self.values.items():
            if key == "not_relevant":
                parts.append("not relevant" if value else "relevant")
            elif value is None or (isinstance(value, str) and not value.strip()):
                parts.append(f"{key.replace('_', ' ')} cleared")
            else:
                parts.append(f"{key.replace('_', ' ')} {value!r}")
        return f"theme {self.theme_id}: " + ", ".join(parts)


ThemeEntries = dict[int, dict[str, object]]
T = TypeVar("T")


def _rewrite_themes(path: Path, edit: Callable[[ThemeEntries], T]) -> T:
    """Change the file's `themes:` under the codebook's lock and write it back atomically.

    `edit` changes the entries in place (it may raise to write nothing) and returns what the
    caller gets back. The file is read afresh inside the lock, so two people saving at once
    cannot lose each other's edits or leave a half-written file for a run to read; a file that
    is no codebook is never rewritten. Comments at the top of the file are kept.
    """
    with FileLock(str(path) + ".lock", timeout=10):
        text = _read_text(path) if path.is_file() else ""
        data = _parse(path, text)
        _check(path, data)
        themes = {int(k): dict(v or {}) for k, v in (data.get("themes") or {}).items()}
        result = edit(themes)
        data["themes"] = dict(sorted((t, e) for t, e in themes.items() if e)) or None
        header = "".join(line for line in text.splitlines(keepends=True)[: _header_length(text)])
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        _atomic_write(path, header + body)
    return result


def _final_merge_target(themes: ThemeEntries, theme_id: int, into: int) -> int:
    """Where merging `theme_id` into `into` really sends its passages: past `into`'s own merge.

    Raises:
        CodebookError: the chain comes back to `theme_id` (or goes round in a circle).
    """
    seen = {theme_id}
    current = into
    while True:
        if current in seen:
            raise CodebookError(
                f"theme {theme_id} cannot be merged into theme {into}: theme {into} is merged "
                f"into theme {theme_id}, so the two would merge into each other"
                if current == theme_id
                else f"theme {theme_id} cannot be merged into theme {into}: its merges go round "
                f"in a circle (through theme {current})"
            )
        seen.add(current)
        following = themes.get(current, {}).get("merge_into")
        if following is None:
            return current
        current = int(str(following))


def _apply_change(themes: ThemeEntries, change: CurationChange) -> None:
    entry = themes.setdefault(change.theme_id, {})
    for key, value in change.values.items():
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            entry.pop(key, None)
        else:
            entry[key] = value.strip() if isinstance(value, str) else value


def update_curations(path: Path, changes: Sequence[CurationChange]) -> Codebook:
    """Record several decisions in one atomic write of the codebook and return the new codebook.

    Either every change is written or none is. Only the fields each change names change. A
    merge into a theme that is itself merged away follows that merge: the theme is recorded as
    merged into where the passages will end up (so a table saved with A into B and B into C
    stores A into C), and a merge that would come back to the theme is refused.

    Raises:
        CodebookError: a theme named twice, a merge in a circle, or a file that is no codebook.
    """
    named = [change.theme_id for change in changes]
    if twice := sorted({t for t in named if named.count(t) > 1}):
        raise CodebookError(f"theme {twice[0]} is changed twice in one save")

    def edit(themes: ThemeEntries) -> None:
        for change in changes:
            _apply_change(themes, change)
        for change in changes:
            into = themes.get(change.theme_id, {}).get("merge_into")
            if "merge_into" in change.values and into is not None:
                themes[change.theme_id]["merge_into"] = _final_merge_target(
                    themes, change.theme_id, int(str(into))
                )

    if changes:
        _rewrite_themes(path, edit)
    return load_codebook(path)


def update_curation(
    path: Path,
    theme_id: int,
    *,
    label: str | object | None = _UNSET,
    description: str | object | None = _UNSET,
    merge_into: int | object | None = _UNSET,
    not_relevant: bool | object = _UNSET,
    heading: str | object | None = _UNSET,
    parent: int | object | None = _UNSET,
    split_from: int | object | None = _UNSET,
) -> Codebook:
    """Record a person's decision about a theme in the codebook file and return the new codebook.

    Only the fields given change; None (or False) removes a decision. The write is atomic and
    under the codebook's lock, as for `update_curations`.
    """
    given = {
        "label": label,
        "description": description,
        "merge_into": merge_into,
        "not_relevant": not_relevant,
        "heading": heading,
        "parent": parent,
        "split_from": split_from,
    }
    values = {key: value for key, value in given.items() if value is not _UNSET}
    return update_curations(path, [CurationChange(theme_id, values)])


def add_split_themes(
    path: Path,
    split_from: int,
    labels: Sequence[str | None],
    highest_theme_id: Callable[[], int],
) -> list[int]:
    """Give each theme split off `split_from` a new id, record them all, and return the ids.

    People's themes are numbered from PEOPLES_FIRST_THEME_ID up, apart from the machine's, so a
    split made while a run creates themes can never take one of its ids. The ids are allocated
    inside the codebook's lock, one past every people's theme the warehouse
    (`highest_theme_id()`, asked inside the lock) and the codebook know, so two splits, in a
    row or at once, never get the same id. All the new entries are written in one atomic write.
    """

    def edit(themes: ThemeEntries) -> list[int]:
        peoples = [t for t in (highest_theme_id(), *themes) if t >= PEOPLES_FIRST_THEME_ID]
        first = max([PEOPLES_FIRST_THEME_ID, *(t + 1 for t in peoples)])
        ids = list(range(first, first + len(labels)))
        for theme_id, label in zip(ids, labels, strict=True):
            entry: dict[str, object] = {"split_from": split_from}
            if label and label.strip():
                entry["label"] = label.strip()
            themes[theme_id] = entry
        return ids

    return _rewrite_themes(path, edit) if labels else []


def add_split_theme(
    path: Path, split_from: int, first_free_id: int, label: str | None = None
) -> int:
    """Give one theme split off `split_from` the next free id and record it; return the id.

    The id is the next free one among people's themes, past `first_free_id - 1` when that is
    one of theirs, chosen and written under the codebook's lock (`add_split_themes`).
    """
    (theme_id,) = add_split_themes(path, split_from, [label], lambda: first_free_id - 1)
    return theme_id


def remove_split_themes(path: Path, theme_ids: Sequence[int]) -> None:
    """Take split-off themes back out of the codebook (a split whose moves could not be saved).

    Only entries that are still split-off themes are removed, in one atomic write.
    """

    def edit(themes: ThemeEntries) -> None:
        for theme_id in theme_ids:
            if themes.get(theme_id, {}).get("split_from") is not None:
                del themes[theme_id]

    _rewrite_themes(path, edit)


def _header_length(text: str) -> int:
    lines = text.splitlines()
    count = 0
    while count < len(lines) and lines[count].startswith("#"):
        count += 1
    return count


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def apply_codebook(
    frame: pd.DataFrame, book: Codebook, hide_not_relevant: bool = True
) -> pd.DataFrame:
    """Apply the codebook to any frame with theme ids: names, descriptions, hidden themes.

    Merges are shown as a note: they move passages at the next theme run.
    """
    if frame.empty:
        return frame
    frame = frame.copy()
    pairs = [("theme_id", "label")] + [(f"theme_{s}", f"label_{s}") for s in ("a", "b")]
    for id_column, label_column in pairs:
        if id_column not in frame or label_column not in frame:
            continue
        for theme_id, curation in book.curations.items():
            rows = frame[id_column] == theme_id
            if curation.label:
                frame.loc[rows, label_column] = curation.label
            if curation.description and "description" in frame and id_column == "theme_id":
                frame.loc[rows, "description"] = curation.description
            if curation.heading and "heading" in frame and id_column == "theme_id":
                frame.loc[rows, "heading"] = curation.heading
    if hide_not_relevant:
        hidden = {t for t, c in book.curations.items() if c.not_relevant}
        for id_column in ("theme_id", "theme_a", "theme_b"):
            if id_column in frame:
                frame = frame[~frame[id_column].isin(hidden)]
    return frame.reset_index(drop=True)
