"""Profiles kept per run, in the target's workspace beside the deployment state.

Keeping them in the workspace (not on the machine that ran the check) gives every CI run the same
baseline. One JSON document holds the newest profiles of every checked table.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from brickyard.checks.profile import TableProfile

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

FILE = "checks/profiles.json"


class ProfileStore:
    def __init__(self, client: WorkspaceClient, state_path: str, keep: int) -> None:
        self.client = client
        self.path = f"{state_path.rstrip('/')}/{FILE}"
        self.keep = keep
        self._doc: dict[str, list[dict[str, Any]]] | None = None

    def _load(self) -> dict[str, list[dict[str, Any]]]:
        if self._doc is None:
            from databricks.sdk.errors import NotFound

            try:
                with self.client.workspace.download(self.path) as handle:
                    self._doc = json.loads(handle.read() or b"{}")
            except NotFound:
                self._doc = {}
        return self._doc

    def previous(self, table: str) -> TableProfile | None:
        history = self._load().get(table) or []
        return TableProfile.from_json(history[-1]) if history else None

    def history(self, table: str) -> list[TableProfile]:
        return [TableProfile.from_json(d) for d in self._load().get(table) or []]

    def add(self, profile: TableProfile) -> None:
        history = self._load().setdefault(profile.table, [])
        history.append(profile.as_json())
        del history[: max(0, len(history) - self.keep)]

    def save(self) -> None:
        from databricks.sdk.service.workspace import ImportFormat

        folder = self.path.rsplit("/", 1)[0]
        self.client.workspace.mkdirs(folder)
        data = json.dumps(self._load(), indent=1, sort_keys=True).encode()
        self.client.workspace.upload(self.path, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=True)
