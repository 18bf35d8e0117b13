"""Parsed YAML remembered by content, so that a command which finds its YAML unchanged never imports PyYAML.

`import yaml` alone is about a sixth of what `brickyard validate` costs: PyYAML compiles the regular
expressions of its pure-Python reader when it is imported, even though libyaml does the reading.
What a file parsed to is kept in `<bundle root>/.brickyard/cache/yaml/` (one file per source file,
readable by its owner only; `.brickyard/` stays out of git and out of deploys) together with the hash
of everything that produced it: the file's text, the name its locations carry, and the parser itself
(brickyard's parsing modules and the installed PyYAML, by size and modification time). Anything
different, or a cache that cannot be read or written, takes the parser's path, as before. A file that
does not parse is never remembered: its errors come from the parser every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from brickyard import __version__
from brickyard.bundle.node import Node
from brickyard.errors import Location

CACHE = Path(".brickyard") / "cache" / "yaml"
_PACKAGE = Path(__file__).resolve().parents[1]
_PARSERS = ("bundle/yamlfile.py", "bundle/yamllimits.py", "bundle/node.py", "bundle/yamlcache.py", "errors.py",
            "dbt/project.py")  # fmt: skip
"""The modules whose code decides what a file parses to (relative to the package)."""

T = TypeVar("T")


def read_yaml(path: Path, display: str) -> Node:
    """`yamlfile.read_yaml` of a file inside the bundle root, remembered by content."""
    root = bundle_root(path, display)
    try:
        text = path.read_text(encoding="utf-8") if root is not None else None
    except (OSError, UnicodeDecodeError):
        text = None
    if root is None or text is None:
        from brickyard.bundle.yamlfile import read_yaml as parse_file

        return parse_file(path, display)  # a file outside the root, or one it reports as unreadable

    def parse(source: str) -> Node:
        from brickyard.bundle.yamlfile import parse_yaml

        return parse_yaml(source, display)

    return remembered(
        root, "bundle", display, text, parse, encode_node, lambda doc: decode_node(doc, display)
    )


def remembered(
    root: Path,
    kind: str,
    display: str,
    text: str,
    parse: Callable[[str], T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """`parse(text)`, or what it returned before for the same text, name and parser."""
    key = hashlib.sha256(
        "\0".join((kind, display, _parser_stamp(), text)).encode("utf-8", "surrogatepass")
    ).hexdigest()
    entry = root / CACHE / (hashlib.sha256(f"{kind}\0{display}".encode()).hexdigest()[:32] + ".json")
    try:
        doc = json.loads(entry.read_text(encoding="utf-8"))
        if doc["key"] == key:
            return decode(doc["value"])
    except Exception:  # no entry, another version's, or a damaged one: parse as if there were none
        pass
    value = parse(text)
    _write(entry, {"key": key, "value": encode(value)})
    return value


def bundle_root(path: Path, display: str) -> Path | None:
    """The root `display` is relative to, when it names `path` from inside it."""
    parts = PurePosixPath(display).parts
    if (
        not parts
        or PurePosixPath(display).is_absolute()
        or ".." in parts
        or path.parts[-len(parts) :] != parts
    ):
        return None
    return path.parents[len(parts) - 1]


def encode_node(node: Node) -> list[Any]:
    """`[value, line, column, key line, key column, raw]`, and `1` after them for an anchored node; a
    mapping's value is `{"m": [[key, node]…]}`, a sequence's `{"s": [node…]}` (a scalar is never a
    JSON object)."""
    value: Any = node.value
    if isinstance(value, dict):
        value = {"m": [[key, encode_node(child)] for key, child in value.items()]}
    elif isinstance(value, list):
        value = {"s": [encode_node(child) for child in value]}
    loc, key_loc = node.loc, node.key_loc
    encoded = [
        value,
        loc.line if loc else 0,
        loc.column if loc else 0,
        key_loc.line if key_loc else 0,
        key_loc.column if key_loc else 0,
        node.raw,
    ]
    return [*encoded, 1] if node.anchored else encoded


def decode_node(doc: list[Any], display: str) -> Node:
    value, line, column, key_line, key_column, raw = doc[:6]
    if isinstance(value, dict):
        if "m" in value:
            value = {key: decode_node(child, display) for key, child in value["m"]}
        else:
            value = [decode_node(child, display) for child in value["s"]]
    return Node(
        value,
        Location(display, line, column) if line else None,
        Location(display, key_line, key_column) if key_line else None,
        raw,
        anchored=len(doc) > 6,
    )


@cache
def _parser_stamp() -> str:
    from importlib.util import find_spec

    spec = find_spec("yaml")  # finds PyYAML without importing it
    files = [_PACKAGE / name for name in _PARSERS]
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent
        files += sorted(p for p in folder.iterdir() if p.is_file())  # its modules and its libyaml binding
    stamps = [__version__]
    for file in files:
        try:
            info = file.stat()
        except OSError:
            continue
        stamps.append(f"{file.name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(stamps)


def _write(entry: Path, doc: dict[str, Any]) -> None:
    partial = entry.with_suffix(f".{os.getpid()}.tmp")
    try:
        text = json.dumps(doc, separators=(",", ":"))
        if not entry.parent.is_dir():
            entry.parent.mkdir(parents=True, exist_ok=True)
            ignore = entry.parent.parent / ".gitignore"  # git status stays clean without a rule of the user's
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        partial.replace(entry)
    except (OSError, TypeError, ValueError):  # a read-only checkout, or values JSON cannot hold
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
