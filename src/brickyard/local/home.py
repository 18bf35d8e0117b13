"""Where a local workspace keeps everything: `<project root>/.brickyard/local/`.

One directory holds the whole workspace so that `reset` is one `rm -rf`, a project's workspace
travels with the project, and two projects on one machine never share state. The layout is shared
with the worker processes through `protocol` (workspace and storage roots, the metadata database).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BUNDLE_FILES = ("databricks.yml", "databricks.yaml")
HOME_DIR = Path(".brickyard") / "local"


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above `start` that holds a bundle file; `start` itself if none does."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in BUNDLE_FILES):
            return directory
    return start


@dataclass(frozen=True)
class LocalHome:
    root: Path
    """The local workspace home (`<project>/.brickyard/local`), absolute."""

    @classmethod
    def for_project(cls, project_root: Path) -> LocalHome:
        return cls((project_root / HOME_DIR).resolve())

    @property
    def workspace_root(self) -> Path:
        return self.root / "workspace"

    @property
    def storage_root(self) -> Path:
        return self.root / "storage"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def metadata_db(self) -> Path:
        return self.root / "metadata.db"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def token_file(self) -> Path:
        return self.root / "token"

    @property
    def server_file(self) -> Path:
        """Written by a running server: its pid, address and start time (see `lifecycle`)."""
        return self.root / "server.json"

    @property
    def settings_file(self) -> Path:
        """Kept across restarts: the last port, so clients that hold the address keep working."""
        return self.root / "settings.json"

    @property
    def server_log(self) -> Path:
        return self.root / "server.log"

    @property
    def engine_pid_file(self) -> Path:
        return self.root / "engine.pid"

    @property
    def lock_file(self) -> Path:
        return self.root / "lifecycle.lock"

    @property
    def server_lock_file(self) -> Path:
        """Locked by the running server for its whole life: one server per home (see `lifecycle`)."""
        return self.root / "server.lock"

    def create(self) -> None:
        """The home's folders, private to the user (0700): they hold the token, secrets in the
        database, task logs and data. A home made by an older version is tightened here too."""
        for directory in (
            self.root,
            self.workspace_root,
            self.storage_root,
            self.storage_root / "dbfs",
            self.storage_root / "volumes",
            self.warehouse,
            self.runs_dir,
        ):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
        private_file(self.server_log)


def private_file(path: Path) -> None:
    """Create `path` if missing, and make it readable and writable by the user only (0600)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(path, 0o600)
