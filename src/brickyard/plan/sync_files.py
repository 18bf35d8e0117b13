"""The files of every `sync.paths` entry, named relative to the sync root they share.

With the default `paths: [.]` this is exactly `files.inventory` of the bundle root. A path outside
the root (`../shared`) moves the sync root up (`bundle.sync_root`), and every file is then named
from there, so `src/nb.py` of a bundle in `project/` deploys as `project/src/nb.py`.

`sync.include` and `sync.exclude` are written relative to the bundle root. For another synced
directory a pattern applies when it is spelled through that directory (`../shared/tmp/**`), or
when it has no directory part at all (`*.csv` matches at any depth, as in a .gitignore).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from brickyard.bundle.sync_root import sync_root
from brickyard.plan.files import LocalFile, inventory


def sync_inventory(
    root: Path, paths: Sequence[str], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> list[LocalFile]:
    include, exclude = list(include), list(exclude)
    paths = [p for p in paths if p] or ["."]
    base = sync_root(root, list(paths))
    bundle = root.resolve()
    if base == bundle and all(posixpath.normpath(p) == "." for p in paths):
        return inventory(root, include, exclude)
    found: dict[str, LocalFile] = {}
    for entry in paths:
        directory = Path(os.path.normpath(bundle / entry))
        rel_dir = Path(os.path.relpath(directory, bundle)).as_posix()
        if directory.is_file():
            files = [f for f in inventory(directory.parent) if f.relative == directory.name]
            directory = directory.parent
        else:
            files = inventory(directory, _rebase(include, rel_dir), _rebase(exclude, rel_dir))
        prefix = Path(os.path.relpath(directory, base)).as_posix()
        for file in files:
            relative = file.relative if prefix == "." else f"{prefix}/{file.relative}"
            found.setdefault(relative, replace(file, relative=relative))
    return [found[name] for name in sorted(found)]


def _rebase(patterns: list[str], rel_dir: str) -> list[str]:
    """Patterns written from the bundle root, as seen from `rel_dir` (itself relative to the root)."""
    if rel_dir == ".":
        return patterns
    out = []
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        if "/" not in body.rstrip("/"):
            out.append(pattern)
            continue
        normalized = posixpath.normpath(body.lstrip("/"))
        if normalized.startswith(rel_dir + "/"):
            out.append(
                ("!" if negated else "")
                + normalized[len(rel_dir) + 1 :]
                + ("/" if body.endswith("/") else "")
            )
    return out
