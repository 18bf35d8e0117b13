"""The dbt artifacts a run kept on the local workspace: `run_results.json`, `manifest.json`, `catalog.json`.

Each dbt task run keeps its `target/` artifacts in its run folder (see `local.tasks.dbt`); the
server lists them per task run (`/api/2.0/brickyard/dbt-artifacts`), and they are written to
`<dir>/<task_key>/` here, as dbt would have left them in `target/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard.errors import DbtError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

ARTIFACTS_PATH = "/api/2.0/brickyard/dbt-artifacts"


@dataclass(frozen=True)
class TaskArtifacts:
    task_key: str
    task_run_id: int
    folder: Path
    files: list[Path]

    def as_json(self) -> dict[str, Any]:
        return {
            "task_key": self.task_key,
            "task_run_id": self.task_run_id,
            "dir": str(self.folder),
            "files": [str(f) for f in self.files],
        }


def fetch_artifacts(client: WorkspaceClient, run_id: int, into: Path) -> list[TaskArtifacts]:
    """Write the run's dbt artifacts under `into`, one folder per task (per task run if it retried)."""
    from databricks.sdk.errors import NotFound

    try:
        doc = client.api_client.do("GET", ARTIFACTS_PATH, query={"run_id": run_id})
    except NotFound:
        raise DbtError(f"run {run_id} does not exist on the local workspace") from None
    assert isinstance(doc, dict)
    tasks = doc.get("tasks") or []
    if not tasks:
        raise DbtError(
            f"run {run_id} kept no dbt artifacts: it ran no dbt_task, or ran it before they were kept"
        )
    keys = [str(t.get("task_key") or t["task_run_id"]) for t in tasks]
    found = []
    for task, key in zip(tasks, keys, strict=True):
        folder = into / (key if keys.count(key) == 1 else f"{key}-{task['task_run_id']}")
        written = []
        for name, text in sorted(task["files"].items()):
            path = folder / name
            if ".." in Path(name).parts or Path(name).is_absolute():
                raise DbtError(f"the workspace sent an unsafe artifact path: {name}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        found.append(TaskArtifacts(key, int(task["task_run_id"]), folder, written))
    return found
