"""Task and dataset graphs, laid out in layers for an inline SVG.

Each node sits in the column of its longest path from a root, so every edge points right; nodes of a
column keep the order they were given in. Edges are curves from a node's right side to its
dependant's left side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT, GAP_X, GAP_Y, MARGIN = 210, 58, 56, 18, 8


@dataclass(frozen=True)
class Item:
    key: str
    after: Sequence[str]
    """Keys of the nodes this one depends on (unknown keys are ignored)."""
    title: str
    lines: Sequence[str] = ()
    tone: str = "idle"
    href: str = ""


@dataclass(frozen=True)
class Node:
    item: Item
    x: int
    y: int


@dataclass(frozen=True)
class Layout:
    nodes: list[Node] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    """SVG path data, one per edge."""
    width: int = 0
    height: int = 0
    node_width: int = WIDTH
    node_height: int = HEIGHT


def layout(items: Sequence[Item]) -> Layout:
    if not items:
        return Layout()
    by_key = {item.key: item for item in items}
    depth: dict[str, int] = {}

    def column(key: str, seen: frozenset[str]) -> int:
        if key in depth:
            return depth[key]
        parents = [p for p in by_key[key].after if p in by_key and p not in seen]
        depth[key] = 1 + max((column(p, seen | {key}) for p in parents), default=-1)
        return depth[key]

    columns: dict[int, list[Item]] = {}
    for item in items:
        columns.setdefault(column(item.key, frozenset()), []).append(item)
    placed: dict[str, Node] = {}
    for index, members in sorted(columns.items()):
        for row, item in enumerate(members):
            x = MARGIN + index * (WIDTH + GAP_X)
            placed[item.key] = Node(item, x, MARGIN + row * (HEIGHT + GAP_Y))
    edges = []
    for node in placed.values():
        for parent in node.item.after:
            if parent in placed:
                edges.append(_curve(placed[parent], node))
    width = MARGIN * 2 + len(columns) * WIDTH + (len(columns) - 1) * GAP_X
    tallest = max(len(members) for members in columns.values())
    height = MARGIN * 2 + tallest * HEIGHT + (tallest - 1) * GAP_Y
    return Layout(list(placed.values()), edges, width, height)


def _curve(start: Node, end: Node) -> str:
    x1, y1 = start.x + WIDTH, start.y + HEIGHT // 2
    x2, y2 = end.x, end.y + HEIGHT // 2
    bend = max(GAP_X // 2, (x2 - x1) // 2)
    return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
