"""The code tree every export shares: headings, themes and sub-themes, with stable GUIDs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pandas as pd

from pipeline.themes.codebook import Codebook

# Fixed namespace: the same theme always gets the same GUID, in every export, on every machine.
FINDINGS_NAMESPACE = uuid.UUID("6f1d3c52-9a43-5b8e-b0f4-2f6f0c3a9d11")
# Distinct, colour-blind-safe-ish hues (Okabe-Ito and Tol) that QDA tools show as code colours.
PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77",
]  # fmt: skip


def guid(kind: str, key: object) -> str:
    """A deterministic GUID for a thing of a kind ('theme', 'source', 'selection', ...)."""
    return str(uuid.uuid5(FINDINGS_NAMESPACE, f"{kind}:{key}"))


@dataclass
class CodeNode:
    """One code: a heading (not a theme) or a theme, with its children."""

    guid: str
    name: str
    description: str = ""
    theme_id: int | None = None
    color: str | None = None
    children: list[CodeNode] = field(default_factory=list)

    def walk(self) -> list[CodeNode]:
        """This code and every code below it."""
        return [self, *(node for child in self.children for node in child.walk())]


def theme_guid(theme_id: int) -> str:
    """The GUID a theme has in every export."""
    return guid("theme", theme_id)


def heading_guid(name: str) -> str:
    """The GUID of a heading code."""
    return guid("heading", name)


def code_tree(catalogue: pd.DataFrame, book: Codebook) -> list[CodeNode]:
    """Headings holding their themes (and sub-themes), then themes with no heading.

    `catalogue` is the curated theme catalogue; dormant themes, themes set aside as not
    relevant and themes merged into another are left out.
    """
    live = catalogue[catalogue["lifecycle"] != "dormant"]
    nodes: dict[int, CodeNode] = {}
    for row in live.itertuples():
        theme_id = int(row.theme_id)
        curation = book.curations.get(theme_id)
        if curation and (curation.not_relevant or curation.merge_into is not None):
            continue
        nodes[theme_id] = CodeNode(
            guid=theme_guid(theme_id),
            name=str(row.label),
            description=str(row.description or ""),
            theme_id=theme_id,
            color=PALETTE[theme_id % len(PALETTE)],
        )
    headings: dict[str, CodeNode] = {}
    roots: list[CodeNode] = []
    heading_of = dict(zip(live["theme_id"].astype(int), live["heading"], strict=True))
    for theme_id, node in sorted(nodes.items()):
        parent = book.curations.get(theme_id).parent if theme_id in book.curations else None
        if parent in nodes and not _is_ancestor(theme_id, parent, book):
            nodes[parent].children.append(node)
            continue
        heading = heading_of.get(theme_id)
        if isinstance(heading, str) and heading:
            if heading not in headings:
                headings[heading] = CodeNode(guid=heading_guid(heading), name=heading)
                roots.append(headings[heading])
            headings[heading].children.append(node)
        else:
            roots.append(node)
    return roots


def _is_ancestor(theme_id: int, candidate: int, book: Codebook) -> bool:
    """Whether theme_id is already above candidate (a cycle of parents would hide both)."""
    seen, current = set(), candidate
    while current is not None and current not in seen:
        if current == theme_id:
            return True
        seen.add(current)
        curation = book.curations.get(current)
        current = curation.parent if curation else None
    return False
