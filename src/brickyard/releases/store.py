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
            return self._complete(ReleaseIndex())
        check_version(doc, f"{self.root}/index.json")
        return self._complete(ReleaseIndex.model_validate(doc))

    def _complete(self, index: ReleaseIndex) -> ReleaseIndex:
        """The index with any record it lacks: two deploys at once (no lock in development mode) may
        each rewrite the index with only their own release, but every record is its own file."""
        from databricks.sdk.errors import NotFound

        try:
            names = [str(o.path).rsplit("/", 1)[-1] for o in self.client.workspace.list(self.root)]
        except NotFound:
            return index
        known = {r.number for r in index.releases}
        missing = sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())
        for number in (n for n in missing if n not in known):
            index.releases.append(self.get(number).summary())
        index.releases.sort(key=lambda r: r.number)
        return index

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

    def claim(self, number: int) -> int:
        """The first number from `number` on that no other deploy has taken: each is a marker file
        created only if absent (the workspace refuses to import over it), so two deploys running at
        once (development mode has no lock) never record the same release number."""
        from databricks.sdk.errors import ResourceAlreadyExists
        from databricks.sdk.service.workspace import ImportFormat

        self.client.workspace.mkdirs(f"{self.root}/numbers")
        while True:
            try:
                self.client.workspace.upload(
                    f"{self.root}/numbers/{number}", io.BytesIO(b""), format=ImportFormat.AUTO
                )
            except ResourceAlreadyExists:
                number += 1
                continue
            return number

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
