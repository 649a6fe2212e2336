"""The curated codebook (`models/codebook.yaml`): guided themes and human names for themes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.errors import FindingsError


class CodebookError(FindingsError):
    """The codebook file is malformed."""


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
        merge = item.get("merge_into")
        curations[theme_id] = Curation(
            label=item.get("label"),
            description=item.get("description"),
            merge_into=int(merge) if merge is not None else None,
            not_relevant=bool(item.get("not_relevant", False)),
        )
    return Codebook(tuple(guided), curations)
