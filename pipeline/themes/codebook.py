"""The curated codebook (`models/codebook.yaml`): guided themes and human names for themes."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from filelock import FileLock

from pipeline.errors import CodebookError


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


def load_codebook(path: Path | None) -> Codebook:
    """Read a codebook; a missing file is an empty codebook."""
    if path is None or not path.is_file():
        return Codebook()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CodebookError(f"{path}: cannot read the codebook ({exc})") from exc
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: the codebook must be a mapping")
    guided = []
    for index, item in enumerate(data.get("guided") or []):
        if not isinstance(item, dict) or not item.get("name"):
            raise CodebookError(f"{path}: guided theme {index + 1} needs at least a name")
        guided.append(
            GuidedTheme(
                code_id=str(item.get("id") or item["name"]).strip(),
                name=str(item["name"]).strip(),
                description=" ".join(str(item.get("description") or "").split()),
            )
        )
    curations: dict[int, Curation] = {}
    for key, item in (data.get("themes") or {}).items():
        try:
            theme_id = int(key)
        except (TypeError, ValueError) as exc:
            raise CodebookError(f"{path}: theme keys must be theme ids, got {key!r}") from exc
        item = item or {}
        merge, parent = item.get("merge_into"), item.get("parent")
        curations[theme_id] = Curation(
            label=item.get("label"),
            description=item.get("description"),
            merge_into=int(merge) if merge is not None else None,
            not_relevant=bool(item.get("not_relevant", False)),
            heading=item.get("heading"),
            parent=int(parent) if parent is not None else None,
        )
    return Codebook(tuple(guided), curations)


_UNSET = object()


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
) -> Codebook:
    """Record a person's decision about a theme in the codebook file and return the new codebook.

    Only the fields given change; None (or False) removes a decision. The file is rewritten
    atomically under a lock, so two people saving at once cannot lose each other's edits or
    leave a half-written file for a run to read. Comments at the top of the file are kept.
    """
    if merge_into is not _UNSET and merge_into == theme_id:
        raise CodebookError(f"theme {theme_id} cannot be merged into itself")
    if parent is not _UNSET and parent == theme_id:
        raise CodebookError(f"theme {theme_id} cannot be its own parent")
    with FileLock(str(path) + ".lock", timeout=10):
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            raise CodebookError(f"{path}: the codebook must be a mapping")
        themes = {int(k): dict(v or {}) for k, v in (data.get("themes") or {}).items()}
        entry = themes.get(theme_id, {})
        changes = {
            "label": label,
            "description": description,
            "merge_into": merge_into,
            "not_relevant": not_relevant,
            "heading": heading,
            "parent": parent,
        }
        for key, value in changes.items():
            if value is _UNSET:
                continue
            if value is None or value is False or (isinstance(value, str) and not value.strip()):
                entry.pop(key, None)
            else:
                entry[key] = value.strip() if isinstance(value, str) else value
        if entry:
            themes[theme_id] = entry
        else:
            themes.pop(theme_id, None)
        data["themes"] = dict(sorted(themes.items())) or None
        header = "".join(line for line in text.splitlines(keepends=True)[: _header_length(text)])
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        _atomic_write(path, header + body)
    return load_codebook(path)


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
