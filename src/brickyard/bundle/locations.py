"""Where each part of a resolved configuration was written: `validate -o json --include-locations`.

The document follows `databricks bundle validate`: `__locations` holds the files (relative to the
bundle root, sorted) and, for each mapping and sequence down to a resource's fields' entries
(`resources.jobs.etl.tasks[0]`), every place it was written as `[file index, line, column]`: the
base definition first, then each target override merged into it. Scalars and values the bundle
fills in itself (no place in a file) are left out.
"""

from __future__ import annotations

from typing import Any

from brickyard.bundle.node import Node, Path, format_path
from brickyard.errors import Location

VERSION = 1
MAX_DEPTH = 5


def locations_document(config: Node) -> dict[str, Any]:
    found: dict[str, list[Location]] = {}
    _walk(config, (), found)
    files = sorted({loc.file for locs in found.values() for loc in locs})
    index = {name: i for i, name in enumerate(files)}
    return {
        "files": files,
        "locations": {
            path: [[index[loc.file], loc.line, loc.column] for loc in locs]
            for path, locs in sorted(found.items())
        },
        "version": VERSION,
    }


def _walk(node: Node, path: Path, found: dict[str, list[Location]], parent: Location | None = None) -> None:
    if not (node.is_map or node.is_seq):
        return
    if path and node.loc is not None and node.loc == parent:
        return  # filled in by validate: it carries the place of the mapping it was added to
    if path:
        places = [loc for loc in (node.loc, *node.also) if loc is not None]
        if places:
            found[format_path(path)] = places
    if len(path) == MAX_DEPTH:
        return
    children = node.value.items() if node.is_map else enumerate(node.value)
    for key, child in children:
        _walk(child, (*path, key), found, node.loc)
