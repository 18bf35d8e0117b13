"""`brickyard dbt docs [RUN_ID]`: the dbt docs a run's dbt task generated, served on this machine.

A dbt task that ran `dbt docs generate` left `index.html`, `manifest.json` and `catalog.json` in its
`target/`. They come from the task run's `dbt_output.artifacts_link` (`runs/get-output`), the
pre-signed archive a workspace hands out, and the local workspace too; so a run on either is
read the same way. They are unpacked under `.brickyard/dbt-docs/<task run id>/` and served from
there by a small HTTP server on 127.0.0.1 (the docs page fetches the two JSON files, which a
browser refuses from `file://`). Nothing is fetched from the network.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from brickyard.errors import DbtError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
FOLDER = Path(".brickyard") / "dbt-docs"
RECENT = 25
"""How many of each job's newest runs are searched for docs when no run is named."""


@dataclass(frozen=True)
class RunDocs:
    run_id: int
    task_key: str
    task_run_id: int
    folder: Path

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "task_key": self.task_key,
            "task_run_id": self.task_run_id,
            "dir": str(self.folder),
            "index": str(self.index),
        }


def newest_run_with_dbt(client: WorkspaceClient, job_ids: list[int]) -> int:
    """The newest ended run of these jobs that ran a dbt task."""
    found: list[tuple[int, int]] = []
    for job_id in job_ids:
        runs = client.jobs.list_runs(job_id=job_id, expand_tasks=True, completed_only=True, limit=RECENT)
        for run in itertools.islice(runs, RECENT):
            if any(t.dbt_task is not None for t in run.tasks or []):
                found.append((int(run.start_time or 0), int(run.run_id or 0)))
                break
    if not found:
        raise DbtError("no ended run of the target's jobs ran a dbt task; name a RUN_ID")
    return max(found)[1]


def fetch_docs(client: WorkspaceClient, run_id: int, root: Path, task_key: str | None = None) -> RunDocs:
    """Unpack the docs of the run's dbt task (the one named, else the last that generated docs)."""
    from databricks.sdk.errors import NotFound

    from brickyard.runs.dbt_history import download_archive

    try:
        run = client.jobs.get_run(run_id)
    except NotFound:
        raise DbtError(f"run {run_id} does not exist on the target") from None
    tasks = [t for t in run.tasks or [] if t.dbt_task is not None and t.run_id]
    if task_key is not None:
        tasks = [t for t in tasks if t.task_key == task_key]
    if not tasks:
        named = f" named {task_key}" if task_key else ""
        raise DbtError(f"run {run_id} has no dbt task{named}")
    for task in reversed(tasks):
        output = client.jobs.get_run_output(int(task.run_id or 0)).dbt_output
        if output is None or not output.artifacts_link:
            continue
        try:
            data = download_archive(output.artifacts_link, dict(output.artifacts_headers or {}))
        except (OSError, ValueError) as err:
            raise DbtError(f"the dbt artifacts of run {run_id} could not be read: {err}") from None
        folder = root / FOLDER / str(task.run_id)
        if _unpack_docs(data, folder):
            return RunDocs(run_id, str(task.task_key), int(task.run_id or 0), folder)
    raise DbtError(
        f"run {run_id} has no dbt docs: add `dbt docs generate` to its dbt_task's commands "
        "(it writes index.html, manifest.json and catalog.json)"
    )


def _unpack_docs(data: bytes, folder: Path) -> bool:
    """Write the archive's docs files into `folder`; False if it holds no index.html."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            found = {
                PurePosixPath(m.name).name: m
                for m in tar.getmembers()
                if m.isfile() and PurePosixPath(m.name).name in DOCS_FILES
            }
            if "index.html" not in found:
                return False
            folder.mkdir(parents=True, exist_ok=True)
            for name, member in found.items():
                handle = tar.extractfile(member)
                if handle is not None:
                    (folder / name).write_bytes(handle.read())
    except tarfile.TarError as err:
        raise DbtError(f"the dbt artifacts archive is not readable: {err}") from None
    return True


def serve(folder: Path, port: int, ready: Any) -> None:
    """Serve `folder` on 127.0.0.1:`port` (0: any free port) until interrupted; `ready(url)` first."""
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as err:
        raise DbtError(f"cannot serve the docs on 127.0.0.1:{port}: {err.strerror or err}") from None
    with server:
        ready(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
