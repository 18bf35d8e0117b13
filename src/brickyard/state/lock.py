"""The deploy lock: one deploy of a target at a time.

A file in the target's state path, created only if absent (the workspace refuses an import over an
existing object without `overwrite`), so two deploys cannot both take it. It names its holder and
when it was taken, for the message the loser sees. `--force-lock` takes it anyway.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import uuid
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

    def acquire(self, force: bool = False) -> None:
        from databricks.sdk.errors import ResourceAlreadyExists
        from databricks.sdk.service.workspace import ImportFormat

        payload = {
            "id": self.lock_id,
            "holder": self.holder,
            "machine": socket.gethostname(),
            "pid": os.getpid(),
            "acquired_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.client.workspace.mkdirs(self.state_path)
        try:
            self.client.workspace.upload(
                self.path, io.BytesIO(json.dumps(payload).encode()), format=ImportFormat.AUTO, overwrite=force
            )
        except ResourceAlreadyExists:
            current = self.read() or {}
            raise DeployLockedError(
                f"{current.get('holder', 'someone')} on {current.get('machine', 'an unknown machine')}",
                str(current.get("acquired_at", "an unknown time")),
                self.path,
            ) from None
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
