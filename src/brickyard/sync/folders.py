"""`brickyard sync push` and `sync pull`: notebooks between a local folder and a workspace folder.

Notebooks are recognised as deploy recognises them (`.py`/`.sql`/`.scala`/`.r` with the Databricks
header, and `.ipynb`) and live in the workspace without their extension; other files are
workspace files. A push refuses to replace anything edited in the workspace since the last sync,
and a pull refuses to replace a local file edited since the last sync, naming the files, unless
`--overwrite`. A pull only fetches what changed in the workspace, so a push followed by a pull
leaves every local file byte-identical.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard.errors import BrickyardError
from brickyard.notebooks import JUPYTER, notebook_language, strip_notebook_extension
from brickyard.sync.record import Entry, SyncRecord, sha256
from brickyard.workspace.paths import canonical

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

EXTENSION = {"PYTHON": ".py", "SQL": ".sql", "SCALA": ".scala", "R": ".r"}
THREADS = 8
SKIPPED = {".git", ".brickyard", ".databricks", "__pycache__", ".ipynb_checkpoints", ".venv"}


class SyncConflictError(BrickyardError):
    """Both sides changed since the last sync: nothing was written."""


@dataclass
class SyncReport:
    direction: str
    local: str
    remote: str
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    remote_changes: list[str] = field(default_factory=list)
    """Edited in the workspace only: a push leaves them, a pull brings them."""
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _local_files(folder: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not SKIPPED.intersection(path.relative_to(folder).parts):
            found[path.relative_to(folder).as_posix()] = path
    return found


def _remote_objects(client: WorkspaceClient, root: str) -> dict[str, Any]:
    """Objects under `root` by their path relative to it (notebooks without extension)."""
    from databricks.sdk.errors import NotFound

    try:
        listed = list(client.workspace.list(root, recursive=True))
    except NotFound:
        return {}
    base = canonical(root)
    return {
        canonical(str(o.path))[len(base) + 1 :]: o
        for o in listed
        if o.path and getattr(o.object_type, "value", "") in ("NOTEBOOK", "FILE")
    }


def push(
    client: WorkspaceClient, folder: Path, remote: str, record: SyncRecord, overwrite: bool, dry_run: bool
) -> SyncReport:
    from databricks.sdk.service.workspace import ImportFormat, Language

    report = SyncReport("push", str(folder), remote, dry_run=dry_run)
    remote_now = _remote_objects(client, remote)
    plan = []
    conflicts = []
    for relative, path in _local_files(folder).items():
        language = notebook_language(path)
        name = strip_notebook_extension(relative) if language else relative
        digest = sha256(path)
        before = record.entries.get(relative)
        there = remote_now.get(name)
        remote_edited = there is not None and (
            before is None or int(there.modified_at or 0) != before.remote_modified_at
        )
        local_edited = before is None or before.local_sha256 != digest or there is None
        if not local_edited and not remote_edited:
            report.unchanged.append(relative)
        elif not local_edited and not overwrite:
            report.remote_changes.append(relative)  # nothing to push; the workspace's edit stays
        elif remote_edited and not overwrite:
            conflicts.append(f"{remote}/{name}")
        else:
            plan.append((relative, path, name, language, digest))
    if conflicts:
        raise SyncConflictError(
            "changed in the workspace since the last sync (pull them first, or push with --overwrite): "
            + ", ".join(conflicts)
        )
    if not dry_run:
        for folder_path in sorted({f"{remote}/{name}".rsplit("/", 1)[0] for _, _, name, _, _ in plan}):
            client.workspace.mkdirs(folder_path)

    def upload(item: tuple[str, Path, str, str | None, str]) -> tuple[str, Entry]:
        relative, path, name, language, digest = item
        target = f"{remote}/{name}"
        content = base64.b64encode(path.read_bytes()).decode()
        if language is None:
            client.workspace.import_(target, content=content, format=ImportFormat.AUTO, overwrite=True)
        elif path.suffix.lower() == JUPYTER:
            client.workspace.import_(target, content=content, format=ImportFormat.JUPYTER, overwrite=True)
        else:
            client.workspace.import_(
                target,
                content=content,
                format=ImportFormat.SOURCE,
                language=Language(language),
                overwrite=True,
            )
        status = client.workspace.get_status(target)
        return relative, Entry(
            local_sha256=digest,
            remote_modified_at=int(status.modified_at or 0),
            kind="NOTEBOOK" if language else "FILE",
            language=language,
            jupyter=path.suffix.lower() == JUPYTER,
        )

    report.written.extend(item[0] for item in plan)
    if not dry_run:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for relative, entry in pool.map(upload, plan):
                record.entries[relative] = entry
    if not dry_run:
        record.save()
    return report


def pull(
    client: WorkspaceClient, remote: str, folder: Path, record: SyncRecord, overwrite: bool, dry_run: bool
) -> SyncReport:
    report = SyncReport("pull", str(folder), remote, dry_run=dry_run)
    by_name = {
        (strip_notebook_extension(k) if v.kind == "NOTEBOOK" else k): k for k, v in record.entries.items()
    }
    plan = []
    conflicts = []
    for name, obj in sorted(_remote_objects(client, remote).items()):
        notebook = getattr(obj.object_type, "value", "") == "NOTEBOOK"
        relative = by_name.get(name) or _local_name(name, obj, notebook)
        before = record.entries.get(relative)
        local = folder / relative
        if before is not None and local.exists() and int(obj.modified_at or 0) == before.remote_modified_at:
            report.unchanged.append(relative)
            continue
        if local.exists() and not overwrite and (before is None or sha256(local) != before.local_sha256):
            conflicts.append(str(local))
            continue
        plan.append((relative, name, obj, notebook, before))
    if conflicts:
        raise SyncConflictError(
            "changed locally since the last sync (push or commit them first, or pull with --overwrite): "
            + ", ".join(conflicts)
        )
    for relative, name, obj, notebook, _before in plan:
        report.written.append(relative)
        if dry_run:
            continue
        data = _export(client, f"{remote}/{name}", notebook, jupyter=relative.lower().endswith(JUPYTER))
        local = folder / relative
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        record.entries[relative] = Entry(
            local_sha256=sha256(local),
            remote_modified_at=int(obj.modified_at or 0),
            kind="NOTEBOOK" if notebook else "FILE",
            language=getattr(obj.language, "value", None),
            jupyter=relative.lower().endswith(JUPYTER),
        )
    if not dry_run:
        record.save()
    return report


def _local_name(name: str, obj: Any, notebook: bool) -> str:
    if not notebook:
        return name
    return name + EXTENSION.get(getattr(obj.language, "value", "PYTHON"), ".py")


def _export(client: WorkspaceClient, path: str, notebook: bool, jupyter: bool) -> bytes:
    from databricks.sdk.service.workspace import ExportFormat

    if not notebook:
        with client.workspace.download(path) as handle:
            return bytes(handle.read())
    form = ExportFormat.JUPYTER if jupyter else ExportFormat.SOURCE
    exported = client.workspace.export(path, format=form)
    return base64.b64decode(exported.content or "")
