"""Configuration values that remember where they were written.

Every value read from YAML is a `Node`: the value itself (a dict of Nodes, a list of Nodes, or a
scalar) plus its `Location` and, for mapping entries, the location of the key. Merging targets,
resolving variables and translating paths all work on Nodes, so a diagnostic raised late in the
pipeline can still name the file, line and column the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from brickyard.errors import Location

Path = tuple[str | int, ...]
Scalar = str | int | float | bool | None


@dataclass(slots=True)
class Node:
    value: Any
    loc: Location | None = None
    key_loc: Location | None = None
    raw: str | None = None
    """The source text of a number, so `15.10` read where a string belongs stays `15.10`."""
    also: tuple[Location, ...] = ()
    """Where the values this one overrode were written (a target over a resource file)."""
    anchored: bool = False
    """Written with a YAML anchor (`&name`): a value meant to be reused through aliases."""

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_seq(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return not isinstance(self.value, dict | list)

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def items(self) -> Iterator[tuple[str, Node]]:
        if isinstance(self.value, dict):
            yield from self.value.items()

    def copy(self) -> Node:
        """A deep copy: merges and mutators never alias a node between targets."""
        if isinstance(self.value, dict):
            value: Any = {k: v.copy() for k, v in self.value.items()}
        elif isinstance(self.value, list):
            value = [v.copy() for v in self.value]
        else:
            return Node(self.value, self.loc, self.key_loc, self.raw, self.also, self.anchored)
        return Node(value, self.loc, self.key_loc, also=self.also, anchored=self.anchored)

    def plain(self) -> Any:
        """The value without locations: dicts, lists and scalars, ready for JSON."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def from_plain(value: Any, loc: Location | None = None) -> Node:
    """Wrap a plain value (computed defaults, --var values) as Nodes sharing one location."""
    if isinstance(value, Node):
        return value
    if isinstance(value, dict):
        return Node({str(k): from_plain(v, loc) for k, v in value.items()}, loc)
    if isinstance(value, list | tuple):
        return Node([from_plain(v, loc) for v in value], loc)
    return Node(value, loc)


def lookup(root: Node, path: Path) -> Node | None:
    node: Node | None = root
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            if not isinstance(node.value, list) or not -len(node.value) <= part < len(node.value):
                return None
            node = node.value[part]
        else:
            node = node.get(part)
    return node


def map_entries(parent: Node | None, key: str | None = None) -> list[tuple[str, Node]]:
    """The mapping-valued entries of `parent[key]` (of `parent` itself without a key).

    `map_entries(resources, "jobs")` is every job written as a mapping; anything else is left
    to the schema check to report.
    """
    group = parent if key is None else (parent.get(key) if parent is not None else None)
    if group is None or not group.is_map:
        return []
    return [(name, node) for name, node in group.items() if node.is_map]


def map_items(seq: Node | None) -> list[Node]:
    """The mapping items of a sequence node, such as the tasks of a job."""
    return [item for item in seq.value if item.is_map] if seq is not None and seq.is_seq else []


def ensure_map(root: Node, path: Path) -> Node:
    """The mapping at `path`, created (with the parent's location) where missing."""
    node = root
    for part in path:
        assert isinstance(part, str) and isinstance(node.value, dict)
        child = node.value.get(part)
        if child is None or not isinstance(child.value, dict):
            child = Node({}, node.loc)
            node.value[part] = child
        node = child
    return node


def set_default(node: Node, key: str, value: Any) -> Node:
    """Set `key` on a mapping node only when the user did not."""
    existing: Node | None = node.value.get(key)
    if existing is None or existing.value is None:
        existing = from_plain(value, node.loc)
        node.value[key] = existing
    return existing


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: Path) -> str:
    """`resources.jobs.etl.tasks[0].task_key`, the notation the Databricks CLI prints."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]" if out else part
    return out


def walk(node: Node, path: Path = ()) -> Iterator[tuple[Path, Node]]:
    """Every node below `node` (itself included), depth first, with its path.

    Iterative: nested generators cost a frame per level for every node yielded.
    """
    stack: list[tuple[Path, Node]] = [(path, node)]
    while stack:
        here, current = stack.pop()
        yield here, current
        value = current.value
        if isinstance(value, dict):
            stack.extend(((*here, key), child) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*here, index), value[index]) for index in range(len(value) - 1, -1, -1))


def nearest_location(root: Node, path: Path) -> Location | None:
    """The location of `path`, or of its closest existing ancestor."""
    best = root.loc
    node: Node | None = root
    for part in path:
        node = lookup(node, (part,)) if node is not None else None
        if node is None:
            break
        if node.loc is not None:
            best = node.loc
    return best
