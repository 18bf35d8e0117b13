"""The deploy lock: one deploy of a target at a time.

A file in the target's state path, created only if absent (the workspace refuses an import over an
existing object without `overwrite`), so two deploys cannot both take it. It names its holder and
when it was taken, for the message the loser sees. `--force-lock` takes it anyway. A lock whose
holder was a process on this machine that is no longer running (a deploy killed) is stale: the
user is asked whether to take it over, and `--force-lock` takes it without asking.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from brickyard.errors import DeployLockedError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

LOCK_FILE = "deploy.lock"


@dataclass
class DeployLock:
    client: WorkspaceClient
    state_path: str
    holder: str
    lock_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    held: bool = False

    @property
    def path(self) -> str:
        return f"{self.state_path}/{LOCK_FILE}"

    def acquire(self, force: bool = False, confirm: Callable[[str], bool] | None = None) -> None:
        from databricks.sdk.errors import ResourceAlreadyExists
        from databricks.sdk.service.workspace import ImportFormat

        payload = {
            "id": self.lock_id,
            "holder": self.holder,
            "machine": socket.gethostname(),
            "pid": os.getpid(),
            "acquired_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        data = json.dumps(payload).encode()
        self.client.workspace.mkdirs(self.state_path)
        try:
            self.client.workspace.upload(
                self.path, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=force
            )
        except ResourceAlreadyExists:
            current = self.read() or {}
            stale = is_stale(current)
            holder = f"{current.get('holder', 'someone')} on {current.get('machine', 'an unknown machine')}"
            if stale:
                holder += f" (process {current.get('pid')})"
            since = str(current.get("acquired_at", "an unknown time"))
            question = f"The deploy lock was taken by {holder}, which is no longer running. Take it over?"
            if not (stale and confirm is not None and confirm(question)):
                raise DeployLockedError(holder, since, self.path, stale=stale) from None
            self.client.workspace.upload(
                self.path, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=True
            )
        self.held = True

    def read(self) -> dict[str, object] | None:
        from databricks.sdk.errors import NotFound

        try:
            with self.client.workspace.download(self.path) as handle:
                doc = json.loads(handle.read())
        except (NotFound, ValueError):
            return None
        return doc if isinstance(doc, dict) else None

    def release(self) -> None:
        """Delete the lock if it is still ours (a --force-lock by someone else may have replaced it)."""
        from databricks.sdk.errors import NotFound

        if not self.held:
            return
        self.held = False
        current = self.read()
        if current is not None and current.get("id") != self.lock_id:
            return
        with contextlib.suppress(NotFound):
            self.client.workspace.delete(self.path)


def is_stale(lock: dict[str, object]) -> bool:
    """Whether the lock was taken by a process on this machine that is no longer running."""
    pid = lock.get("pid")
    if lock.get("machine") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False
