"""Workspace objects that moved away from the state: files edited or deleted in the UI, and objects
under the bundle's paths (or resources its kinds find as owned: jobs and pipelines carrying its
deployment metadata) that the state does not list.

A file is compared by the content hash the state recorded. A workspace may hand a notebook back
reformatted (trailing blanks, a Jupyter notebook as SOURCE), so when the hashes differ and the
deployed bytes are still at hand (the checkout, or the release archive), a notebook is compared
cell by cell before it counts as edited.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from brickyard.resources.base import Kind, metadata_path
from brickyard.state.model import FileState
from brickyard.workspace.paths import canonical

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

Originals = Callable[[str, FileState], bytes | None]
"""The bytes brickyard deployed for a file (relative path, its state), when still available."""

THREADS = 8


@dataclass(frozen=True)
class FileDrift:
    relative: str
    remote: str
    change: Literal["modified", "deleted"]

    def as_json(self) -> dict[str, Any]:
        return {"file": self.relative, "remote": self.remote, "change": self.change}


@dataclass(frozen=True)
class Unmanaged:
    """Something in the workspace that looks like this bundle's but that the state does not list."""

    what: str
    """`file`, `notebook`, `library`, … for workspace objects; the kind's label (`job`) for resources."""
    where: str
    """The workspace path, or the resource id."""
    name: str = ""

    def as_json(self) -> dict[str, Any]:
        doc = {"type": self.what, "path" if "/" in self.where else "id": self.where}
        if self.name:
            doc["name"] = self.name
        return doc


def file_drift(client: WorkspaceClient, files: dict[str, FileState], originals: Originals) -> list[FileDrift]:
    def check(item: tuple[str, FileState]) -> FileDrift | None:
        relative, recorded = item
        data = _read(client, recorded)
        if data is None:
            return FileDrift(relative, recorded.remote, "deleted")
        if hashlib.sha256(data).hexdigest() == recorded.hash:
            return None
        if recorded.language:
            original = originals(relative, recorded)
            deployed = _cells(original, relative) if original is not None else None
            if deployed is not None and deployed == _cells(data, ""):
                return None
        return FileDrift(relative, recorded.remote, "modified")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        found = pool.map(check, sorted(files.items()))
        return [f for f in found if f is not None]


def unmanaged_objects(
    client: WorkspaceClient, roots: Iterable[str], skip: Iterable[str], known: Iterable[str]
) -> list[Unmanaged]:
    """Files and notebooks under `roots` (recursively, except `skip`) whose path is not in `known`."""
    skipped = {canonical(p) for p in skip}
    listed = {canonical(p) for p in known}
    tops = sorted({canonical(r) for r in roots})
    tops = [r for r in tops if not any(r.startswith(o + "/") for o in tops)]
    prefix = "/Workspace" if any(r.startswith("/Workspace/") for r in roots) else ""
    out: list[Unmanaged] = []
    pending = [t for t in tops if t not in skipped]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        while pending:
            listings = list(pool.map(lambda d: _list(client, d), pending))
            pending = []
            for obj in (o for listing in listings for o in listing):
                path = canonical(str(obj.get("path", "")))
                if path in skipped:
                    continue
                kind = str(obj.get("object_type", "")).lower()
                if kind == "directory":
                    pending.append(path)
                elif path not in listed:
                    out.append(Unmanaged(kind or "object", prefix + path))
    return sorted(out, key=lambda u: u.where)


def unmanaged_resources(
    kinds: Mapping[str, Kind], configs: Iterable[tuple[str, dict[str, Any]]], known: set[str]
) -> list[Unmanaged]:
    """Resources each kind finds as owned by these configurations (`Kind.owned`), not in the state.

    Kinds look by name, so it is one listing per resource, however many the workspace holds.
    """
    out: list[Unmanaged] = []
    asked: set[tuple[str, str, str]] = set()
    for name, config in configs:
        kind = kinds.get(name)
        if kind is None:
            continue
        label = kind.display_name(config, "")
        question = (name, label, metadata_path(config))
        if question in asked:
            continue
        asked.add(question)
        for found in kind.owned(config):
            if found not in known:
                known = known | {found}
                out.append(Unmanaged(kind.label, found, label))
    return out


def _list(client: WorkspaceClient, directory: str) -> list[dict[str, Any]]:
    from databricks.sdk.errors import NotFound

    try:
        found = client.api_client.do("GET", "/api/2.0/workspace/list", query={"path": directory})
    except NotFound:
        return []
    return list((found or {}).get("objects", []))


def _read(client: WorkspaceClient, recorded: FileState) -> bytes | None:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.workspace import ExportFormat

    try:
        if recorded.language:
            exported = client.workspace.export(recorded.remote, format=ExportFormat.SOURCE)
            return base64.b64decode(exported.content or "")
        with client.workspace.download(recorded.remote) as handle:
            return bytes(handle.read())
    except NotFound:
        return None


def _cells(data: bytes, filename: str) -> tuple[str, list[tuple[str | None, str]]] | None:
    """A notebook's language and cells, blind to blank lines and trailing spaces; None if unreadable."""
    from brickyard import notebook_format as nbf
    from brickyard.errors import NotebookFormatError

    try:
        text = nbf.ipynb_to_source(data)[0] if filename.lower().endswith(".ipynb") else data.decode("utf-8")
        notebook = nbf.parse_source(text)
    except (NotebookFormatError, UnicodeDecodeError):
        return None
    cells = [
        (cell.title, "\n".join(line.rstrip() for line in cell.text.strip("\n").splitlines()))
        for cell in notebook.cells
    ]
    return notebook.language, [c for c in cells if c[1] or c[0]]
