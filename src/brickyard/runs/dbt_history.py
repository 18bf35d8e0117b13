"""dbt invocations in the run history: what each dbt task's `run_results.json` says.

A dbt task's `runs/get-output` carries `dbt_output.artifacts_link`, a pre-signed link to a tar.gz
of dbt's `target/` (on a workspace a cloud storage URL, on the local workspace a signed link back
to it) and `artifacts_headers` to send with it. The history keeps, per dbt task run, dbt's command,
its elapsed time, the count of nodes per status, and each model, test, seed or snapshot with its
status, timing and failures; never the compiled SQL.
"""

from __future__ import annotations

import io
import json
import logging
import tarfile
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

log = logging.getLogger("brickyard")
MAX_ARCHIVE = 256 * 1024 * 1024
_NOT_PASSED = frozenset({"error", "fail", "runtime error", "warn"})


@dataclass(frozen=True)
class DbtNode:
    unique_id: str
    status: str
    seconds: float
    failures: int | None = None
    message: str = ""

    @property
    def kind(self) -> str:
        return self.unique_id.split(".", 1)[0]

    def as_json(self) -> dict[str, Any]:
        return {
            "unique_id": self.unique_id,
            "resource_type": self.kind,
            "status": self.status,
            "execution_time": round(self.seconds, 3),
            "failures": self.failures,
            "message": self.message,
        }


@dataclass(frozen=True)
class DbtInvocation:
    task_key: str
    task_run_id: int
    command: str
    elapsed: float
    nodes: tuple[DbtNode, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(n.status for n in self.nodes).items()))

    @property
    def failed(self) -> list[DbtNode]:
        return [n for n in self.nodes if n.status in _NOT_PASSED]

    def summary(self) -> str:
        counts = ", ".join(f"{count} {status}" for status, count in self.counts.items())
        return f"dbt {self.command}: {counts or 'no nodes'} in {self.elapsed:.1f}s"

    def as_json(self) -> dict[str, Any]:
        return {
            "task_key": self.task_key,
            "task_run_id": self.task_run_id,
            "command": self.command,
            "elapsed_time": round(self.elapsed, 3),
            "counts": self.counts,
            "results": [n.as_json() for n in self.nodes],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> DbtInvocation:
        return cls(
            task_key=str(doc["task_key"]),
            task_run_id=int(doc["task_run_id"]),
            command=str(doc.get("command", "")),
            elapsed=float(doc.get("elapsed_time") or 0),
            nodes=tuple(
                DbtNode(
                    str(n["unique_id"]),
                    str(n["status"]),
                    float(n.get("execution_time") or 0),
                    n.get("failures"),
                    str(n.get("message") or ""),
                )
                for n in doc.get("results") or []
            ),
        )


def from_run_results(task_key: str, task_run_id: int, doc: dict[str, Any]) -> DbtInvocation:
    """A `run_results.json` document as a history entry."""
    args = doc.get("args") or {}
    nodes = tuple(
        DbtNode(
            unique_id=str(r.get("unique_id", "")),
            status=str(r.get("status", "")),
            seconds=float(r.get("execution_time") or 0),
            failures=r.get("failures"),
            message=str(r.get("message") or "")[:500],
        )
        for r in doc.get("results") or []
    )
    return DbtInvocation(
        task_key, task_run_id, str(args.get("which", "")), float(doc.get("elapsed_time") or 0), nodes
    )


def dbt_invocations(client: WorkspaceClient, run: Any) -> tuple[DbtInvocation, ...]:
    """The dbt invocations of a `jobs.Run` (with its tasks): each command of each ended dbt task run
    that kept its artifacts."""
    found: list[DbtInvocation] = []
    for task in run.tasks or []:
        if task.dbt_task is None or not task.run_id:
            continue
        state = task.state.life_cycle_state.value if task.state and task.state.life_cycle_state else ""
        if state not in ("TERMINATED", "INTERNAL_ERROR"):
            continue
        output = client.jobs.get_run_output(task.run_id).dbt_output
        if output is None or not output.artifacts_link:
            continue
        try:
            documents = read_run_results(output.artifacts_link, dict(output.artifacts_headers or {}))
        except (OSError, tarfile.TarError, ValueError) as err:
            log.warning("the dbt artifacts of task run %s could not be read: %s", task.run_id, err)
            continue
        found += [from_run_results(str(task.task_key), int(task.run_id), doc) for doc in documents]
    return tuple(found)


def read_run_results(link: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The `run_results.json` documents in the archive behind a pre-signed link: one per command
    (`run_results/<n>.json`) where the task kept them, else dbt's last one."""
    if not link.startswith(("https://", "http://")):
        return []
    request = urllib.request.Request(link, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        data = response.read(MAX_ARCHIVE + 1)
    if len(data) > MAX_ARCHIVE:
        raise ValueError(f"the archive is larger than {MAX_ARCHIVE} bytes")
    last: list[dict[str, Any]] = []
    each: dict[int, dict[str, Any]] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if not member.isfile() or not parts[-1].endswith(".json"):
                continue
            per_command = len(parts) >= 2 and parts[-2] == "run_results" and parts[-1][:-5].isdigit()
            if not per_command and parts[-1] != "run_results.json":
                continue
            handle = tar.extractfile(member)
            doc = json.load(handle) if handle is not None else None
            if not isinstance(doc, dict):
                continue
            if per_command:
                each[int(parts[-1][:-5])] = doc
            else:
                last = [doc]
    return [each[n] for n in sorted(each)] if each else last


def download_archive(link: str, headers: dict[str, str]) -> bytes:
    """The bytes behind a pre-signed `artifacts_link` (http or https only, at most `MAX_ARCHIVE`)."""
    if not link.startswith(("https://", "http://")):
        raise ValueError("the artifacts link is not an http(s) URL")
    request = urllib.request.Request(link, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        data: bytes = response.read(MAX_ARCHIVE + 1)
    if len(data) > MAX_ARCHIVE:
        raise ValueError(f"the archive is larger than {MAX_ARCHIVE} bytes")
    return data
