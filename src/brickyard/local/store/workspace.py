"""The workspace tree: notebooks, files and folders, stored as plain files (see `protocol`).

Disk is the source of truth for what exists, because workers and `git` write there too; SQLite
adds what a file cannot say: a stable object id, creation time, and whether an object is a notebook
(a notebook imported as `etl.py` in SOURCE format keeps its name and is still a notebook). Files
nobody registered are classified by the rule the workers use: a file without an extension whose
first line is a notebook header is a notebook.

Inside a git folder (a repo), `name.py` with a notebook header is the notebook `name`, as Databricks
shows a checked-out repository.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard import notebook_format as nbf
from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database
from brickyard.local.store.fsutil import atomic_write, is_internal
from brickyard.local.store.safepath import Confined, parts_of

NOTEBOOK, FILE, DIRECTORY, REPO = "NOTEBOOK", "FILE", "DIRECTORY", "REPO"
PROTECTED = {"/", "/Users", "/Shared", "/Repos"}
SOURCE_EXTENSIONS = {"PYTHON": ".py", "SQL": ".sql", "SCALA": ".scala", "R": ".r"}
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One workspace object as found: its API path, its file, and its type."""

    path: str
    file: Path
    object_type: str
    language: str | None = None


def canonical(path: str) -> str:
    """`/Workspace/a/b/` → `/a/b`: the form the API answers with."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ApiError.invalid(f"Path ({path}) is not absolute; workspace paths start with /")
    shown = path
    if path == "/Workspace" or path.startswith("/Workspace/"):
        path = path[len("/Workspace") :] or "/"
    return "/" + "/".join(parts_of(path, shown))


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


class WorkspaceTree:
    def __init__(self, db: Database, root: Path, user: str) -> None:
        self.db = db
        self.root = root
        self.user = user
        self._confined = Confined(root)
        self._lock = threading.RLock()
        for seed in ("/Users", f"/Users/{user}", "/Shared", "/Repos"):
            self.file_of(seed).mkdir(parents=True, exist_ok=True)

    def file_of(self, path: str, follow_final: bool = True) -> Path:
        """The file of a workspace path; refused when its real path is outside the tree."""
        path = canonical(path)
        return self._confined.file([p for p in path.split("/") if p], path, follow_final)

    # ---- reading -------------------------------------------------------------------------------

    def find(self, path: str) -> Entry | None:
        path = canonical(path)
        file = self.file_of(path)
        row = self.db.one("SELECT object_type, language FROM workspace_objects WHERE path = ?", (path,))
        if file.is_dir():
            return Entry(path, file, REPO if row and row["object_type"] == REPO else DIRECTORY)
        if file.is_file():
            if row is not None and row["object_type"] in (NOTEBOOK, FILE):
                return Entry(path, file, row["object_type"], row["language"])
            language = _header_language(file) if not file.suffix else None
            return Entry(path, file, NOTEBOOK if language else FILE, language)
        return self._repo_notebook(path, file)

    def get(self, path: str) -> Entry:
        entry = self.find(path)
        if entry is None:
            raise ApiError.not_found(f"Path ({canonical(path)}) doesn't exist.")
        return entry

    def status(self, path: str) -> dict[str, Any]:
        return self.info(self.get(path))

    def list(self, path: str, modified_after: int | None = None) -> list[dict[str, Any]]:
        entry = self.get(path)
        if entry.object_type not in (DIRECTORY, REPO):
            return [self.info(entry)]
        in_repo = entry.object_type == REPO or self._inside_repo(entry.path)
        found = []
        for child in sorted(entry.file.iterdir(), key=lambda p: p.name):
            if is_internal(child.name) or child.name == ".git":
                continue
            child_path = f"{entry.path.rstrip('/')}/{child.name}"
            if not self._confined.inside(child):
                continue  # a link out of the tree: not part of the workspace
            item = self.find(child_path)
            if item is None:
                continue
            if in_repo and item.object_type == FILE and (language := _repo_notebook_language(child)):
                item = Entry(child_path[: -len(child.suffix)], child, NOTEBOOK, language)
            info = self.info(item)
            if (
                modified_after
                and item.object_type == NOTEBOOK
                and info.get("modified_at", 0) <= modified_after
            ):
                continue
            found.append(info)
        return found

    def info(self, entry: Entry) -> dict[str, Any]:
        object_id, created = self._register(entry)
        doc: dict[str, Any] = {"object_type": entry.object_type, "path": entry.path, "object_id": object_id}
        doc["resource_id"] = str(object_id)
        if entry.object_type in (NOTEBOOK, FILE):
            stat = entry.file.stat()
            doc["created_at"] = created
            doc["modified_at"] = int(stat.st_mtime * 1000)
            doc["size"] = stat.st_size
        if entry.object_type == NOTEBOOK:
            doc["language"] = entry.language or _header_language(entry.file) or "PYTHON"
        return doc

    def object_id(self, path: str) -> int:
        return self._register(self.get(path))[0]

    def path_of_id(self, object_id: int) -> str | None:
        row = self.db.one("SELECT path FROM workspace_objects WHERE object_id = ?", (object_id,))
        return None if row is None else str(row["path"])

    # ---- writing -------------------------------------------------------------------------------

    def mkdirs(self, path: str) -> None:
        path = canonical(path)
        self.file_of(path)
        with self._lock:
            current = self.root
            for part in [p for p in path.split("/") if p]:
                current = current / part
                if current.exists() and not current.is_dir():
                    shown = "/" + current.relative_to(self.root).as_posix()
                    raise ApiError.already_exists(f"Path ({shown}) already exists and is not a directory.")
            current.mkdir(parents=True, exist_ok=True)

    def delete(self, path: str, recursive: bool) -> None:
        path = canonical(path)
        if path in PROTECTED or path == f"/Users/{self.user}":
            raise ApiError.invalid(f"Path ({path}) is a system folder and cannot be deleted.")
        with self._lock:
            link = self.file_of(path, follow_final=False)
            if link.is_symlink():
                link.unlink()  # the link goes, never what it points at
                self._forget(path)
                return
            entry = self.get(path)
            if entry.object_type in (DIRECTORY, REPO):
                if any(not is_internal(c.name) for c in entry.file.iterdir()) and not recursive:
                    raise ApiError(400, "DIRECTORY_NOT_EMPTY", f"Folder ({path}) is not empty.")
                shutil.rmtree(entry.file)
            else:
                entry.file.unlink()
            self._forget(path)

    def write(
        self, path: str, data: bytes, object_type: str, language: str | None, overwrite: bool
    ) -> dict[str, Any]:
        """Create or replace one notebook or file; the parent folder must exist, as on a workspace."""
        path = canonical(path)
        if len(data) > MAX_IMPORT_BYTES:
            raise ApiError(400, "MAX_NOTEBOOK_SIZE_EXCEEDED", f"Content of {path} exceeds 10 MB.")
        file = self.file_of(path)
        with self._lock:
            parent = parent_of(path)
            parent_file = self.file_of(parent)
            if not parent_file.is_dir():
                raise ApiError.not_found(f"The parent folder ({parent}) does not exist.")
            if file.is_dir():
                raise ApiError.already_exists(f"Path ({path}) already exists and is a folder.")
            if file.exists() and not overwrite:
                raise ApiError.already_exists(f"Path ({path}) already exists.")
            atomic_write(file, data)
            self.db.execute(
                "INSERT INTO workspace_objects(path, object_id, object_type, language, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
                "object_type = excluded.object_type, language = excluded.language",
                (path, self.db.next_id("workspace_object", 1000), object_type, language, _now()),
            )
        return self.status(path)

    def mark_repo(self, path: str, repo_id: int) -> None:
        path = canonical(path)
        self.db.execute(
            "INSERT INTO workspace_objects(path, object_id, object_type, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET "
            "object_id = excluded.object_id, object_type = excluded.object_type",
            (path, repo_id, REPO, _now()),
        )

    def forget(self, path: str) -> None:
        self._forget(canonical(path))

    # ---- internals -----------------------------------------------------------------------------

    def _register(self, entry: Entry) -> tuple[int, int]:
        row = self.db.one("SELECT object_id, created_at FROM workspace_objects WHERE path = ?", (entry.path,))
        if row is not None:
            return int(row["object_id"]), int(row["created_at"])
        with self.db.tx() as conn:
            conn.execute(
                "INSERT INTO workspace_objects(path, object_id, object_type, language, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO NOTHING",
                (
                    entry.path,
                    self.db.next_id("workspace_object", 1000),
                    entry.object_type,
                    entry.language,
                    _now(),
                ),
            )
            row = conn.execute(
                "SELECT object_id, created_at FROM workspace_objects WHERE path = ?", (entry.path,)
            ).fetchone()
        return int(row["object_id"]), int(row["created_at"])

    def _forget(self, path: str) -> None:
        prefix = path.rstrip("/") + "/"
        with self.db.tx() as conn:
            conn.execute(
                "DELETE FROM workspace_objects WHERE path = ? OR substr(path, 1, ?) = ?",
                (path, len(prefix), prefix),
            )
            conn.execute(
                "DELETE FROM repos WHERE path = ? OR substr(path, 1, ?) = ?", (path, len(prefix), prefix)
            )

    def _inside_repo(self, path: str) -> bool:
        rows = self.db.query("SELECT path FROM workspace_objects WHERE object_type = ?", (REPO,))
        return any(path == row["path"] or path.startswith(row["path"] + "/") for row in rows)

    def _repo_notebook(self, path: str, file: Path) -> Entry | None:
        """`/Repos/u/r/etl` when the checkout has `etl.py` with a notebook header."""
        if not self._inside_repo(path):
            return None
        for extension in SOURCE_EXTENSIONS.values():
            candidate = file.with_name(file.name + extension)
            if (
                self._confined.inside(candidate)
                and candidate.is_file()
                and (language := _repo_notebook_language(candidate))
            ):
                return Entry(path, candidate, NOTEBOOK, language)
        return None


def _header_language(file: Path) -> str | None:
    try:
        with open(file, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return None
    return nbf.language_from_header(head)


def _repo_notebook_language(file: Path) -> str | None:
    if file.suffix.lower() not in (".py", ".sql", ".scala", ".r"):
        return None
    language = _header_language(file)
    if language is None:
        return None
    return "R" if file.suffix.lower() == ".r" else language


def _now() -> int:
    return int(time.time() * 1000)


def export_extension(language: str | None) -> str:
    return SOURCE_EXTENSIONS.get(language or "PYTHON", ".py")


def mtime_ms(file: Path) -> int:
    return int(os.stat(file).st_mtime * 1000)
