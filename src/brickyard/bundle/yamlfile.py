"""Read one YAML file into located `Node`s.

PyYAML's composer (the libyaml C version when available) gives every node a start mark; the
scalars are then typed by the YAML 1.2 core schema, as the Databricks CLI does, so `on`, `yes` and
`no` stay strings while `true`, `1` and `1.5` do not. A key written twice takes its last value, as
with the CLI; two merge keys (`<<`) in one mapping are an error. Size, depth and alias expansion
are limited (see `yamllimits`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

from brickyard.bundle.node import Node
from brickyard.bundle.yamllimits import MAX_ALIAS_NODES, MAX_DEPTH, check_text, too_deep
from brickyard.errors import BundleError, Diagnostic, Location, Severity

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")

_resolver = yaml.resolver.Resolver()
_IMPLICIT = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null"))
_TAG_OF: dict[type, str] = {
    str: _STR,
    int: "tag:yaml.org,2002:int",
    float: "tag:yaml.org,2002:float",
    bool: "tag:yaml.org,2002:bool",
    type(None): "tag:yaml.org,2002:null",
}


def _implicit(text: str, plain: bool) -> str:
    tag: str = _resolver.resolve(yaml.ScalarNode, text, (plain, not plain))  # type: ignore[no-untyped-call]
    return tag


def read_yaml(path: Path, display: str) -> Node:
    """Parse `path`; locations name it as `display` (its path relative to the bundle root)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError.at(f"file not found: {display}") from None
    except UnicodeDecodeError as err:
        raise BundleError.at(f"{display} is not UTF-8 text: {err.reason}", Location(display, 1, 1)) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Node:
    check_text(text, display)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display, 1, 1)
        problem = err.problem or err.context or "invalid YAML"
        raise BundleError.at(f"invalid YAML: {problem}", where) from None
    except yaml.YAMLError as err:
        raise BundleError.at(f"invalid YAML: {err}", Location(display, 1, 1)) from None
    if root is None:
        return Node({}, Location(display, 1, 1))
    converter = _Converter(display, text)
    node = converter.convert(root, 0)
    if converter.errors:
        raise BundleError(converter.errors)
    return node


class _Converter:
    """yaml nodes → located `Node`s, within the limits of `yamllimits` (aliases share yaml nodes,
    so a node reached again while it is being converted is an anchor that contains itself)."""

    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.text = text
        self.errors: list[Diagnostic] = []
        self._open: set[int] = set()
        self._sizes: dict[int, int] = {}
        self._seen: set[int] = set()
        self._alias_nodes = 0
        self._expanding = 0

    def convert(self, node: yaml.Node, depth: int) -> Node:
        converted = self._convert(node, depth)
        # a node's start is where its properties start: `&name` when it carries an anchor
        converted.anchored = self.text.startswith("&", node.start_mark.index)
        return converted

    def _convert(self, node: yaml.Node, depth: int) -> Node:
        if isinstance(node, yaml.ScalarNode):  # an alias to a scalar costs what writing it would
            value = _scalar(node, self.display, self.errors)
            raw = node.value if isinstance(value, int | float) and not isinstance(value, bool) else None
            return Node(value, _loc(node, self.display), raw=raw)
        key = id(node)
        if key in self._open:
            raise BundleError.at("recursive YAML alias: an anchor contains itself", _loc(node, self.display))
        if depth > MAX_DEPTH:
            raise BundleError.at(too_deep(depth), _loc(node, self.display))
        expanding = key in self._seen and not self._expanding  # reached again through an alias
        if expanding:
            self._alias_nodes += self._sizes.get(key) or self._size(node)
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise BundleError.at(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes", _loc(node, self.display)
                )
        self._seen.add(key)
        self._open.add(key)
        self._expanding += expanding  # nodes inside an expansion are already counted in its size
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, depth)
            return Node([self.convert(item, depth + 1) for item in node.value], _loc(node, self.display))
        finally:
            self._open.discard(key)
            self._expanding -= expanding

    def _size(self, node: yaml.Node) -> int:
        """Nodes below `node`, counted once per yaml node and iteratively (cycles count once)."""
        total, stack, seen = 0, [node], set()
        while stack:
            current = stack.pop()
            if id(current) in seen:
                total += self._sizes.get(id(current), 1)
                continue
            seen.add(id(current))
            total += 1
            if total > MAX_ALIAS_NODES:
                break
            if isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)
            elif isinstance(current, yaml.MappingNode):
                for k, v in current.value:
                    stack.extend((k, v))
        self._sizes[id(node)] = total
        return total

    def _mapping(self, node: yaml.MappingNode, depth: int) -> Node:
        out: dict[str, Node] = {}
        merged: list[Node] = []
        merge_key: yaml.Node | None = None
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                if merge_key is not None:
                    self.errors.append(
                        _error(
                            "duplicate YAML merge key ('<<') is not allowed; to merge multiple maps, use a sequence: "
                            "'<<: [*anchor1, *anchor2]'",
                            _loc(key_node, self.display),
                        )
                    )
                    continue
                merge_key = key_node
                merged.extend(self._merge_sources(value_node, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(_error("mapping keys must be strings", _loc(key_node, self.display)))
                continue
            key = str(key_node.value)
            out.pop(key, None)  # a key written twice: the last one wins, as with the Databricks CLI
            child = self.convert(value_node, depth + 1)
            child.key_loc = _loc(key_node, self.display)
            out[key] = child
        for source in merged:  # YAML merge keys: explicit keys win over merged ones
            for key, child in source.items():
                out.setdefault(key, child.copy())
        return Node(out, _loc(node, self.display))

    def _merge_sources(self, node: yaml.Node, depth: int) -> list[Node]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        sources = []
        for item in items:
            converted = self.convert(item, depth + 1)
            if not converted.is_map:
                self.errors.append(
                    _error("a merge key (<<) needs a mapping or a list of mappings", converted.loc)
                )
                continue
            sources.append(converted)
        return sources


def _loc(node: yaml.Node, display: str) -> Location:
    return Location(display, node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode, display: str, errors: list[Diagnostic]) -> object:
    text = node.value
    plain = not node.style  # the C composer gives "" for plain scalars, the Python one None
    if plain and node.tag in _IMPLICIT:
        typed = resolve_plain(text)
        # Only when the 1.1 tag and the 1.2 type disagree can the tag have been explicit
        # (`!!str 123`, `!!int abc`); only then is it worth asking the resolver which it was.
        if _TAG_OF.get(type(typed)) == node.tag or _implicit(text, plain) == node.tag:
            return typed
    elif not plain and node.tag == _STR:
        return text
    implicit = _implicit(text, plain)
    if node.tag == implicit:  # no explicit tag: type it by the 1.2 core schema
        return resolve_plain(text) if plain else text
    if node.tag.startswith("tag:yaml.org,2002:"):
        return _explicit(node, display, errors)
    errors.append(_error(f"unsupported YAML tag {node.tag}", _loc(node, display)))
    return text


def _explicit(node: yaml.ScalarNode, display: str, errors: list[Diagnostic]) -> object:
    kind = node.tag.rsplit(":", 1)[-1]
    value = resolve_plain(node.value)
    expected: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (int, float),
        "bool": bool,
        "null": type(None),
    }
    if kind == "str":
        return node.value
    wanted = expected.get(kind)
    if wanted is None or not isinstance(value, wanted) or (kind == "int" and isinstance(value, bool)):
        errors.append(_error(f"cannot read {node.value!r} as !!{kind}", _loc(node, display)))
        return node.value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def resolve_plain(text: str) -> object:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _error(summary: str, loc: Location | None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, summary, location=loc)
