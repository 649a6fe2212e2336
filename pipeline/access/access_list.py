"""The access list the unit keeps (`access.yaml`): e-mail addresses and groups, each to a role.

```yaml
people:
  director@unit.example: director
groups:
  findings-researchers: researcher
```

A file that cannot be read, parsed or validated is an `AccessListError`: nobody gets in on a
list nobody can read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pydantic
import yaml
from filelock import FileLock

from pipeline.access.roles import PERMISSIONS, Role
from pipeline.errors import AccessListError

# A list of a unit's staff is a few kilobytes; a file far past that is not one.
MAX_ACCESS_LIST_BYTES = 1_000_000


class AccessList(pydantic.BaseModel):
    """Who may sign in, and as what: by e-mail address, or by a group their sign-in names."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    people: dict[str, Role] = pydantic.Field(default_factory=dict)
    groups: dict[str, Role] = pydantic.Field(default_factory=dict)

    @pydantic.field_validator("people", mode="before")
    @classmethod
    def _addresses(cls, people: object) -> object:
        """E-mail addresses compare without case; an entry that is not one is refused."""
        if not isinstance(people, dict):
            return people
        folded: dict[str, object] = {}
        for address, role in people.items():
            key = str(address).strip().casefold()
            if "@" not in key or key.startswith("@") or key.endswith("@"):
                raise ValueError(f"{address!r} is not an e-mail address")
            if key in folded:
                raise ValueError(f"{address!r} is listed twice")
            folded[key] = role
        return folded

    def role_for(self, email: str | None, groups: Iterable[str] = ()) -> Role | None:
        """The role of a signed-in person, or None when the list names neither them nor a group.

        A person's own entry wins over their groups'. Among several groups the role with the
        fewest permissions wins, so being added to a broad group never widens anyone's access
        by surprise; list such a person by address to give them more.
        """
        if email and (own := self.people.get(email.strip().casefold())) is not None:
            return own
        found = [self.groups[group] for group in groups if group in self.groups]
        if not found:
            return None
        return min(found, key=lambda role: (len(PERMISSIONS[role]), list(Role).index(role)))


def parse_access_list(text: str, where: str) -> AccessList:
    """An access list from YAML text; `where` names it in the error."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AccessListError(f"{where}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AccessListError(f"{where}: expected 'people:' and 'groups:' mappings at the top")
    try:
        return AccessList.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}"
            for error in exc.errors()
        )
        raise AccessListError(f"{where}: {problems}") from exc


def load_access_list(path: Path) -> AccessList:
    """The access list at `path`; a missing, unreadable or malformed one is an error."""
    try:
        size = path.stat().st_size
        if size > MAX_ACCESS_LIST_BYTES:
            raise AccessListError(f"{path}: {size:,} bytes is too large for an access list")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise AccessListError(
            f"{path}: no access list; write one naming who may sign in (docs/deploying.md)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessListError(f"{path}: cannot be read: {exc}") from exc
    return parse_access_list(text, str(path))


def save_access_list(path: Path, text: str) -> AccessList:
    """Check `text` as an access list, then replace the file with it atomically.

    A text that does not validate leaves the file as it was, so a typo in the viewer's editor
    can never lock the unit out.
    """
    access = parse_access_list(text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=10):
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as written:
                written.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return access


def access_changes(before: AccessList, after: AccessList) -> list[str]:
    """What an edit changed, one line per entry: 'people a@b.org: researcher -> analyst'."""
    lines: list[str] = []
    for kind in ("people", "groups"):
        old, new = getattr(before, kind), getattr(after, kind)
        for name in sorted(set(old) | set(new)):
            was, now = old.get(name), new.get(name)
            if was != now:
                lines.append(f"{kind} {name}: {was or 'none'} -> {now or 'none'}")
    return lines
