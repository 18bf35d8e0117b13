"""`sync.paths`: which directories a deploy uploads, and the sync root they share.

```yaml
sync:
  paths: [., ../shared]
```

Each path is relative to the file that declares it. When a path leaves the bundle root, the sync
root becomes the closest directory holding the bundle root and every path (`databricks bundle`
does the same), and everything is uploaded relative to it: `<root>/src/nb.py` is deployed as
`${workspace.file_path}/<bundle dir>/src/nb`, `../shared/util.py` as
`${workspace.file_path}/shared/util.py`. The layout on the workspace mirrors the checkout, so a
notebook that imports `../../shared` code locally does the same there.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path as FsPath
from typing import Any

from brickyard.bundle.node import Node, format_path, lookup
from brickyard.errors import Diagnostic, Severity


def normalize_sync_paths(config: Node, root: FsPath, diags: list[Diagnostic]) -> None:
    """Rewrite `sync.paths` relative to the bundle root (`../shared`), checking that each exists."""
    sync = config.get("sync")
    paths = sync.get("paths") if sync is not None else None
    if paths is None or not paths.is_seq:
        return
    for index, entry in enumerate(paths.value):
        if not isinstance(entry.value, str) or not entry.value.strip():
            continue
        base = posixpath.dirname(entry.loc.file) if entry.loc is not None else ""
        relative = posixpath.normpath(posixpath.join(base, entry.value.strip()))
        if not (root / relative).exists():
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"sync path {entry.value} does not exist ({(root / relative).resolve()})",
                    format_path(("sync", "paths", index)),
                    entry.loc,
                )
            )
            continue
        entry.value = relative


def sync_root(root: FsPath, paths: list[str]) -> FsPath:
    """The directory every synced path and the bundle root share (the bundle root when none leave it)."""
    resolved = [os.path.normpath(str(root.resolve()))]
    resolved += [os.path.normpath(os.path.join(resolved[0], p)) for p in paths]
    return FsPath(os.path.commonpath(resolved))


def sync_path_list(config: Node | dict[str, Any]) -> list[str]:
    """The normalized `sync.paths` of a resolved configuration (a Node, or its plain form)."""
    if isinstance(config, Node):
        node = lookup(config, ("sync", "paths"))
        paths = node.plain() if node is not None else None
    else:
        sync = config.get("sync")
        paths = sync.get("paths") if isinstance(sync, dict) else None
    return [p for p in paths if isinstance(p, str) and p.strip()] if isinstance(paths, list) else []
