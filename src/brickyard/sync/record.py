"""What the last sync saw, per file, so the next one can tell whose copy changed since.

For each relative path: the local file's sha256 and the workspace object's `modified_at` as they
were right after the last push or pull, and the notebook's form (`SOURCE` with its language, or
`JUPYTER`). Kept under `.brickyard/sync/`, one file per pair of folders, never synced itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    local_sha256: str
    remote_modified_at: int
    kind: str
    """NOTEBOOK or FILE."""
    language: str | None = None
    jupyter: bool = False


class SyncRecord:
    def __init__(self, project_root: Path, remote_root: str, local_root: Path) -> None:
        pair = f"{local_root.resolve()}\n{remote_root}"
        key = hashlib.sha256(pair.encode()).hexdigest()[:16]
        self.path = project_root / ".brickyard" / "sync" / f"{key}.json"
        self.remote_root = remote_root
        self.entries: dict[str, Entry] = {}
        if self.path.is_file():
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries = {k: Entry(**v) for k, v in doc.get("files", {}).items()}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "remote_root": self.remote_root,
            "files": {k: asdict(v) for k, v in sorted(self.entries.items())},
        }
        self.path.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
