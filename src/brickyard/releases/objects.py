"""Workspace objects that moved away from the state: files edited or deleted in the UI, and objects
under the bundle's paths (or jobs and pipelines carrying its deployment metadata) that the state
does not list.

A file is compared by the content hash the state recorded. A workspace may hand a notebook back
reformatted (trailing blanks, a Jupyter notebook as SOURCE), so when the hashes differ and the
deployed bytes are still at hand (the checkout, or the release archive), a notebook is compared
cell by cell before it counts as edited.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from brickyard.deploy.remote import name_filter
from brickyard.state.model import FileState

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
    """`file`, `notebook`, `library`, … for workspace objects; `job` or `pipeline` for resources."""
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
    client: WorkspaceClient, names: dict[str, set[str]], metadata: set[str], known: set[str]
) -> list[Unmanaged]:
    """Jobs and pipelines named like this bundle's that carry its deployment metadata, not in the state.

    Asking by name keeps it to one call per resource, however many jobs the workspace holds.
    """
    out: list[Unmanaged] = []
    for name in sorted(names.get("jobs", set())):
        for job in _jobs_named(client, name):
            deployed = (job.get("settings", {}).get("deployment") or {}).get("metadata_file_path")
            if deployed in metadata and str(job.get("job_id")) not in known:
                out.append(Unmanaged("job", str(job["job_id"]), name))
    for name in sorted(names.get("pipelines", set())):
        found = client.api_client.do("GET", "/api/2.0/pipelines", query={"filter": name_filter(name)})
        for status in (found or {}).get("statuses", []):
            pipeline_id = str(status.get("pipeline_id"))
            if status.get("name") != name or pipeline_id in known:
                continue
            spec = client.api_client.do("GET", f"/api/2.0/pipelines/{pipeline_id}").get("spec") or {}
            if (spec.get("deployment") or {}).get("metadata_file_path") in metadata:
                out.append(Unmanaged("pipeline", pipeline_id, name))
    return out


def canonical(path: str) -> str:
    """Workspace paths are answered with or without their `/Workspace` prefix."""
    path = path.rstrip("/") or "/"
    return path[len("/Workspace") :] if path.startswith("/Workspace/") else path


def _jobs_named(client: WorkspaceClient, name: str) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    query: dict[str, Any] = {"name": name, "limit": 100}
    while True:
        page = client.api_client.do("GET", "/api/2.2/jobs/list", query=query) or {}
        jobs.extend(page.get("jobs", []))
        if not page.get("next_page_token"):
            return jobs
        query = {**query, "page_token": page["next_page_token"]}


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
