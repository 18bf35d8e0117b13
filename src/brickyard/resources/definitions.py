"""What dashboards and Genie spaces (and, for the file, alerts) share: a definition kept in a local
file, and a workspace folder.

Both kinds name their definition as a local JSON file (`file_path`) whose content deploy sends as
one serialized field, and both land in a workspace folder: the bundle's resource folder unless
`parent_path` says otherwise, always under /Workspace, as the CLI writes it.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from brickyard.errors import PlanError

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.resources.base import BundlePaths, Prepare


def with_file_content(config: dict[str, Any], context: Prepare, field: str, what: str) -> dict[str, Any]:
    """`config` with the content of its `file_path` as `field` (and no `file_path`), when it names one."""
    path = config.get("file_path")
    if not isinstance(path, str) or not path:
        return config
    local = context.local("file_path", path)
    try:
        text = local.read_text(encoding="utf-8")
    except OSError as err:
        raise PlanError(f"{what} file {path}: {err.strerror or err}") from None
    return {**without_file_path(config), field: text}


def without_file_path(config: dict[str, Any]) -> dict[str, Any]:
    """The request for a resource whose local definition file (`file_path`) was already read: the
    path itself is no part of it."""
    return {k: v for k, v in config.items() if k != "file_path"}


def default_folder(resource: Node, paths: BundlePaths) -> None:
    """`parent_path` defaults to the bundle's resource folder, and a folder outside /Workspace is put
    under it."""
    from brickyard.bundle.node import set_default

    if paths.resource_path:
        set_default(resource, "parent_path", paths.resource_path)
    parent = resource.get("parent_path")
    value = parent.value if parent is not None else None
    if parent is None or not isinstance(value, str) or "${" in value:
        return
    if value != "/Workspace" and not value.startswith("/Workspace/"):
        parent.value = posixpath.join("/Workspace", value.lstrip("/")).rstrip("/")
