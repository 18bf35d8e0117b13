"""Release records in the workspace, next to the deployment state.

    <state_path>/releases/index.json            every release, newest last
    <state_path>/releases/<N>.json              one full record
    <state_path>/releases/archives/<sha256>.zip the files of one or more releases

Archives are content-addressed: a release whose files did not change points at the archive of an
earlier one, and nothing is uploaded again.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brickyard.errors import ReleaseError
from brickyard.releases.model import Release, ReleaseIndex, check_version

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


@dataclass
class ReleaseStore:
    client: WorkspaceClient
    state_path: str

    @property
    def root(self) -> str:
        return f"{self.state_path}/releases"

    def archive_path(self, digest: str) -> str:
        return f"{self.root}/archives/{digest}.zip"

    def index(self) -> ReleaseIndex:
        doc = self._read_json(f"{self.root}/index.json")
        if doc is None:
            return ReleaseIndex()
        check_version(doc, f"{self.root}/index.json")
        return ReleaseIndex.model_validate(doc)

    def get(self, number: int) -> Release:
        path = f"{self.root}/{number}.json"
        doc = self._read_json(path)
        if doc is None:
            raise ReleaseError(f"the record of release {number} is missing from {path}")
        check_version(doc, path)
        return Release.model_validate(doc)

    def read_archive(self, release: Release) -> bytes:
        from databricks.sdk.errors import NotFound

        try:
            with self.client.workspace.download(release.archive) as handle:
                return handle.read()
        except NotFound:
            raise ReleaseError(
                f"the files of release {release.number} are gone from {release.archive}"
            ) from None

    def save(self, release: Release, archive: bytes | None, index: ReleaseIndex | None = None) -> int:
        """Write the archive (if new), the record, then the index; returns the write calls made."""
        from databricks.sdk.errors import NotFound
        from databricks.sdk.service.workspace import ImportFormat

        writes = 0
        self.client.workspace.mkdirs(f"{self.root}/archives")
        writes += 1
        if archive is not None:
            try:
                self.client.workspace.get_status(release.archive)
            except NotFound:
                self.client.workspace.upload(release.archive, io.BytesIO(archive), format=ImportFormat.AUTO)
                writes += 1
        self._write_json(f"{self.root}/{release.number}.json", release.model_dump(mode="json"))
        index = index if index is not None else self.index()
        index.releases = [r for r in index.releases if r.number != release.number] + [release.summary()]
        self._write_json(f"{self.root}/index.json", index.model_dump(mode="json"))
        return writes + 2

    def _read_json(self, path: str) -> dict[str, Any] | None:
        from databricks.sdk.errors import NotFound

        try:
            with self.client.workspace.download(path) as handle:
                raw = handle.read()
        except NotFound:
            return None
        try:
            doc = json.loads(raw)
        except ValueError:
            raise ReleaseError(f"{path} is not valid JSON") from None
        if not isinstance(doc, dict):
            raise ReleaseError(f"{path} is not a JSON object")
        return doc

    def _write_json(self, path: str, doc: dict[str, Any]) -> None:
        from databricks.sdk.service.workspace import ImportFormat

        data = json.dumps(doc, indent=1, sort_keys=True).encode()
        self.client.workspace.upload(path, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=True)
