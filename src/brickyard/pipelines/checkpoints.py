"""What a pipeline remembers between updates, under its storage directory.

```
<storage>/
  tables/<dataset>/            the dataset's Delta table (published to the catalog by location)
  checkpoints/<flow>.json      per flow: the position of each streaming source, `once` flows done
  system/published.json        catalog names this pipeline created (→ location), to re-register them
  system/update.lock           the running update (pid, update id): one update at a time
```

A flow's checkpoint is replaced in one rename after the flow's data commit, so an update that dies
in between reprocesses at most that one batch (a Delta write and a file rename cannot be one
transaction here).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.errors import PipelineError

CHECKPOINT_VERSION = 1


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name.lower()).strip("._") or "_"


def _write_json(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


@dataclass
class Checkpoint:
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    once_done: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"version": CHECKPOINT_VERSION, "sources": self.sources, "once_done": self.once_done}


class Storage:
    """The pipeline's storage directory; the only writer of its layout."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def table_path(self, key: str) -> Path:
        return self.root / "tables" / _safe(key)

    def staging_path(self, flow: str, name: str) -> Path:
        return self.root / "staging" / _safe(flow) / name

    def _checkpoint_file(self, flow: str) -> Path:
        return self.root / "checkpoints" / f"{_safe(flow)}.json"

    def checkpoint(self, flow: str) -> Checkpoint:
        path = self._checkpoint_file(flow)
        if not path.exists():
            return Checkpoint()
        doc = json.loads(path.read_text(encoding="utf-8"))
        return Checkpoint(sources=dict(doc.get("sources") or {}), once_done=bool(doc.get("once_done")))

    def save_checkpoint(self, flow: str, checkpoint: Checkpoint) -> None:
        _write_json(self._checkpoint_file(flow), checkpoint.to_json())

    def published(self) -> dict[str, str]:
        """Catalog name → table location, for every table this pipeline has published."""
        path = self.root / "system" / "published.json"
        if not path.exists():
            return {}
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def add_published(self, name: str, location: Path) -> None:
        names = self.published()
        if names.get(name) != str(location):
            _write_json(self.root / "system" / "published.json", {**names, name: str(location)})

    @contextmanager
    def update_lock(self, update_id: str) -> Iterator[None]:
        """Hold the pipeline for one update, as Databricks refuses a second active update.

        A lock left by a process that no longer exists (a killed worker) is taken over.
        """
        path = self.root / "system" / "update.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = _lock_holder(path)
                if holder is not None and _alive(holder[0]):
                    raise PipelineError(
                        f"update {holder[1]} of this pipeline is still running (process {holder[0]}); "
                        "wait for it or stop it first"
                    ) from None
                path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as handle:
                json.dump({"pid": os.getpid(), "update_id": update_id}, handle)
            break
        else:
            raise PipelineError(f"cannot take the update lock {path}")
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def _lock_holder(path: Path) -> tuple[int, str] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return int(doc["pid"]), str(doc.get("update_id", "?"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
