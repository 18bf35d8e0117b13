"""Reading and writing the deployment state: in the workspace, with a local cache.

The copy in the workspace (`<state_path>/brickyard-state.json`) is the one that counts, so a team
shares it; the local cache under `.brickyard/targets/<target>/` keeps the last state this machine
saw. When both exist the higher serial wins, and a cache that is ahead of the workspace (the
workspace copy was removed, or a write to it failed) is reported.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard.errors import StateError
from brickyard.state.model import DeploymentState, empty_state, parse_state

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

STATE_FILE = "brickyard-state.json"


@dataclass
class StateStore:
    client: WorkspaceClient
    state_path: str
    cache_dir: Path
    bundle: str
    target: str
    remote_behind: bool = False
    """Set by `read` when this machine's copy won over the workspace's: the next write must reach it."""

    @property
    def remote_path(self) -> str:
        return f"{self.state_path}/{STATE_FILE}"

    @property
    def cache_file(self) -> Path:
        return self.cache_dir / STATE_FILE

    @property
    def host(self) -> str:
        return str(self.client.config.host or "").rstrip("/")

    def read(self) -> tuple[DeploymentState, list[str]]:
        """The current state and any warnings about how it was found."""
        raw_remote = self._download()
        raw_cache = self.cache_file.read_bytes() if self.cache_file.exists() else None
        remote = (
            None if raw_remote is None else parse_state(_json(raw_remote, self.remote_path), self.remote_path)
        )
        if raw_cache is None:
            cached = None
        elif raw_cache == raw_remote:
            cached = remote  # the usual case: this machine wrote what the workspace holds
        else:
            cached = parse_state(_json(raw_cache, str(self.cache_file)), str(self.cache_file))
        warnings: list[str] = []
        self.remote_behind = False
        if cached is not None and cached.host and cached.host != self.host:
            # This machine's copy describes another workspace (the target moved): it says nothing here.
            cached = None
        if remote is None and cached is None:
            return empty_state(self.bundle, self.target), warnings
        if remote is None:
            assert cached is not None
            if cached.resources or cached.files:
                warnings.append(
                    f"the deployment state is missing from {self.remote_path}; using this machine's copy "
                    f"(serial {cached.serial})"
                )
                self.remote_behind = True
            return cached, warnings
        if (
            cached is not None
            and cached.serial > remote.serial
            and cached.lineage
            and cached.lineage == remote.lineage
        ):
            warnings.append(
                f"this machine's state (serial {cached.serial}) is newer than the workspace's "
                f"(serial {remote.serial}); using it"
            )
            self.remote_behind = True
            return cached, warnings
        return remote, warnings

    def read_remote(self) -> DeploymentState | None:
        return self._read_remote()

    def write(self, state: DeploymentState, remote: bool = True) -> None:
        """Persist locally always, and to the workspace unless `remote` is False."""
        data = json.dumps(state.model_dump(mode="json"), indent=1, sort_keys=True).encode()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(self.cache_file)
        if remote:
            from databricks.sdk.service.workspace import ImportFormat

            self.client.workspace.mkdirs(self.state_path)
            self.client.workspace.upload(
                self.remote_path, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=True
            )
            self.remote_behind = False

    def delete(self) -> None:
        from databricks.sdk.errors import NotFound

        with contextlib.suppress(NotFound):
            self.client.workspace.delete(self.remote_path)
        self.cache_file.unlink(missing_ok=True)

    def _read_remote(self) -> DeploymentState | None:
        raw = self._download()
        return None if raw is None else parse_state(_json(raw, self.remote_path), self.remote_path)

    def _download(self) -> bytes | None:
        from databricks.sdk.errors import NotFound

        try:
            with self.client.workspace.download(self.remote_path) as handle:
                return bytes(handle.read())
        except NotFound:
            return None


def _json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except ValueError as err:
        raise StateError(f"the deployment state at {where} is not valid JSON: {err}") from None
    if not isinstance(doc, dict):
        raise StateError(f"the deployment state at {where} is not a JSON object")
    return doc
