"""Where the files a task names live on this machine, following the layout in `protocol`.

A task can name a workspace object (`/Workspace/Users/a/x.py`, `/Users/a/x.py`), a DBFS file
(`dbfs:/x`, `/dbfs/x`) or a volume file (`/Volumes/c/s/v/x`, also `dbfs:/Volumes/…`). Bad paths
and paths that cannot exist locally (cloud URIs, Git sources) become `TaskError`s that say why.
"""

from __future__ import annotations

import glob
import posixpath
from dataclasses import dataclass
from pathlib import Path

from brickyard.errors import TaskError
from brickyard.local.protocol import storage_file, workspace_file

_CLOUD_SCHEMES = ("s3:", "s3a:", "abfss:", "abfs:", "wasbs:", "gs:", "adl:", "http:", "https:")


def is_storage_path(path: str) -> bool:
    return path.startswith(("dbfs:", "/dbfs/", "/Volumes/"))


def storage_uri(path: str) -> str:
    """The protocol's spelling of a storage path: `dbfs:/Volumes/x` is the volume path `/Volumes/x`."""
    if path.startswith("dbfs:/Volumes/"):
        return path[len("dbfs:") :]
    return path


def join_workspace(base_dir: str, relative: str) -> str:
    """`relative` resolved against a workspace folder, as `%run ../x` and notebook.run do."""
    joined = relative if relative.startswith("/") else posixpath.join(base_dir, relative)
    return posixpath.normpath(joined)


@dataclass(frozen=True)
class Locations:
    workspace_root: Path
    storage_root: Path

    def workspace(self, path: str) -> Path:
        try:
            return workspace_file(self.workspace_root, path)
        except ValueError as exc:
            raise TaskError(str(exc)) from exc

    def storage(self, path: str) -> Path:
        try:
            return storage_file(self.storage_root, storage_uri(path))
        except ValueError as exc:
            raise TaskError(str(exc)) from exc

    def any(self, path: str) -> Path:
        """The local file for a workspace, DBFS or volume path."""
        if path.lower().startswith(_CLOUD_SCHEMES):
            raise TaskError(f"{path} is in cloud storage, which the local workspace cannot reach")
        if is_storage_path(path):
            return self.storage(path)
        if not path.startswith("/"):
            raise TaskError(f"{path!r} is relative; the local workspace needs an absolute workspace path")
        return self.workspace(path)

    def existing(self, path: str, what: str) -> Path:
        """Like `any`, and the file must exist: the error names the setting that pointed at it."""
        local = self.any(path)
        if not local.is_file():
            raise TaskError(f"{what} {path} does not exist in the local workspace")
        return local

    def matching(self, path: str, what: str) -> list[Path]:
        """The files a library path names; a glob (`…/dist/*.whl`) may name several, newest last."""
        if not set("*?[") & set(path):
            return [self.existing(path, what)]
        local = self.any(path)
        found = sorted(
            (Path(p) for p in glob.glob(str(local)) if Path(p).is_file()), key=lambda p: p.stat().st_mtime
        )
        if not found:
            raise TaskError(f"{what} {path} matches no file in the local workspace")
        return found


def require_workspace_source(settings: dict[str, object], what: str) -> None:
    """Git sources need a checkout the local workspace does not make; say so instead of guessing."""
    source = str(settings.get("source") or "WORKSPACE").upper()
    if source != "WORKSPACE":
        raise TaskError(
            f"{what} uses source {source}; the local workspace runs only WORKSPACE sources "
            "(deploy the files with the bundle instead of git_source)"
        )
