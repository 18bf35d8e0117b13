"""Cluster environments: a cluster with a lock or PyPI libraries runs its tasks in a venv of its own.

On Databricks a cluster's init script fixes its Python environment (brickyard's script installs the
lock) and its libraries are installed on top. Locally the same inputs build a virtual environment
(`deps.envbuilder`: uv, cached by content hash, brickyard and pyspark kept importable), and the
task's worker is started from that environment's Python. What goes in:

- the lock embedded in brickyard's init script (`deps.clusterlock`: the project's part of it,
  hashes checked);
- the task's PyPI and requirements-file libraries that the local runtime does not already satisfy.
  A dbt task's dbt adapter libraries (`dbt-databricks`, …) are satisfied by the local dbt adapter,
  which is what runs dbt against the local engine, so they are left out.

Builds are offline: uv's cache, plus the directories in `BRICKYARD_FIND_LINKS` (the server's
environment, `os.pathsep`-separated) and the `--find-links` of the cluster's `BRICKYARD_PIP_ARGS`
(the variable the init script itself reads on Databricks; `/Volumes/…` paths work). A package that
is not there fails the task with a message that names it. Other init scripts do not run locally.
"""

from __future__ import annotations

import os
import re
import shlex
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brickyard.deps.clusterlock import lock_in_script, project_part
from brickyard.deps.uvcmd import IndexOptions
from brickyard.errors import DepsError, TaskError
from brickyard.local.protocol import storage_file, workspace_file
from brickyard.local.store.fsutil import make_private

FIND_LINKS_ENV = "BRICKYARD_FIND_LINKS"
RUNTIME_PROVIDED = frozenset({"pyspark", "databricks-connect", "delta-spark", "py4j"})
PIP_ARGS_ENV = "BRICKYARD_PIP_ARGS"
_MISSING = (
    re.compile(r"Failed to download `([^`]+)`"),
    re.compile(r"you require ([^\s,]+), we can conclude"),
    re.compile(r"(\S+) was not found in the (?:cache|package registry|provided package locations)"),
    re.compile(r"there is no version of ([^\s,]+)"),
)


class EnvironmentError_(Exception):
    """The task's environment cannot be made; `code` is the termination code to report."""

    def __init__(self, message: str, code: str = "LIBRARY_INSTALLATION_ERROR") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class EnvironmentPlan:
    requirements: str
    """The requirements file of the environment; empty when the local runtime suffices."""
    index: IndexOptions
    notes: tuple[str, ...] = field(default_factory=tuple)


def plan_environment(
    task: dict[str, Any],
    init_scripts: list[Any],
    env: dict[str, str],
    workspace_root: Path,
    storage_root: Path,
) -> EnvironmentPlan | None:
    """What the task's cluster environment holds; None when the cluster asks for nothing."""
    notes: list[str] = []
    locked = ""
    for script in init_scripts:
        text, where = _read_init_script(script, workspace_root, storage_root)
        lock = lock_in_script(text)
        if lock is None:
            notes.append(f"init script {where} is not run on the local workspace")
            continue
        part = project_part(lock)
        runtime = f"Databricks Runtime {part.runtime}" if part.runtime else "the runtime"
        notes.append(
            f"lock from {where}: {len(part.installed)} pin(s) to install ({', '.join(part.installed) or 'none'}); "
            f"{part.provided} belong to {runtime} and come from the local runtime"
        )
        locked = part.requirements
    extras = _library_requirements(task, workspace_root, storage_root)
    if not locked and not extras and not notes:
        return None
    if locked and extras:
        notes.append("the lock is resolved together with the task's libraries, so its hashes are not checked")
        locked = (
            "\n".join(line.split(" \\")[0] for line in locked.splitlines() if not line.startswith(" ")) + "\n"
        )
    requirements = locked + "".join(f"{req}\n" for req in extras)
    return EnvironmentPlan(requirements, _index(env, workspace_root, storage_root), tuple(notes))


def build(plan: EnvironmentPlan, cache_dir: Path, work_dir: Path) -> tuple[str, str]:
    """The environment's Python and a line for the task log; raises EnvironmentError_ when uv cannot.

    Packages come from the index, as a cluster installs them; when the index cannot be reached (or
    `UV_OFFLINE` is set) from uv's cache and the find-links directories, and then from the
    find-links alone (uv may prefer a registry file its cache knows of but does not hold).
    Environments are cached by their requirements, so a run with the same libraries reuses one.
    """
    from brickyard.deps.envbuilder import build_environment, environment_key

    work_dir.mkdir(parents=True, exist_ok=True)
    requirements = work_dir / "cluster-requirements.txt"
    requirements.write_text(plan.requirements, encoding="utf-8")
    key = environment_key(requirements, _interpreter(), plan.index)
    if (cache_dir / key / ".brickyard-complete").is_file():
        python = build_environment(requirements, cache_dir, index=plan.index)
        return str(python), f"cluster environment {key} (reused)"
    choices = [plan.index]
    if not _offline():
        choices.append(replace(plan.index, offline=True))
    if plan.index.find_links and not plan.index.no_index:
        choices.append(replace(plan.index, offline=True, no_index=True))
    started = time.monotonic()
    failures: list[str] = []
    for index in choices:
        try:
            python = build_environment(requirements, cache_dir, index=index)
        except DepsError as err:
            failures.append(str(err))
            if _resolution_failed(str(err)) and not index.offline:
                break  # the index answered: the package or version does not exist
            continue
        make_private(cache_dir / key)
        return str(python), f"cluster environment {key} (built in {time.monotonic() - started:.1f}s)"
    raise EnvironmentError_(_explain(failures[0]))


def _offline() -> bool:
    return os.environ.get("UV_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def _resolution_failed(uv_error: str) -> bool:
    return (
        "No solution found" in uv_error
        and "Network connectivity" not in uv_error
        and ("error sending request" not in uv_error)
    )


def _read_init_script(script: Any, workspace_root: Path, storage_root: Path) -> tuple[str, str]:
    kind, spec = next(iter(script.items())) if isinstance(script, dict) and script else ("", {})
    where = str((spec or {}).get("destination") or "")
    try:
        if kind == "workspace":
            local = workspace_file(workspace_root, where)
        elif kind in ("volumes", "dbfs"):
            local = storage_file(storage_root, where if kind == "volumes" else _dbfs(where))
        else:
            return "", f"{kind or 'unknown'} {where}".strip()
        return local.read_text(encoding="utf-8"), where
    except (OSError, ValueError, UnicodeDecodeError):
        raise EnvironmentError_(
            f"Cluster init script {where} failed: the file does not exist; deploy it or fix the path",
            code="CLUSTER_ERROR",
        ) from None


def _library_requirements(task: dict[str, Any], workspace_root: Path, storage_root: Path) -> list[str]:
    from brickyard.local.tasks.libraries import is_dbt_library
    from brickyard.local.tasks.magics import unsatisfied
    from brickyard.local.tasks.paths import Locations

    locations = Locations(workspace_root, storage_root)
    wanted: list[str] = []
    for library in task.get("libraries") or []:
        if not isinstance(library, dict):
            continue
        if isinstance(library.get("pypi"), dict) and library["pypi"].get("package"):
            wanted.append(str(library["pypi"]["package"]))
        elif isinstance(library.get("requirements"), str):
            try:
                text = locations.any(library["requirements"]).read_text(encoding="utf-8")
            except (OSError, TaskError):
                raise EnvironmentError_(
                    f"requirements library {library['requirements']} does not exist"
                ) from None
            wanted += [line.split("#", 1)[0].strip() for line in text.splitlines()]
        elif isinstance(library.get("pyproject"), str):
            from brickyard.local.tasks.libraries import project_dependencies

            try:
                wanted += project_dependencies(locations.any(library["pyproject"]))
            except TaskError as err:
                raise EnvironmentError_(str(err)) from None
        elif isinstance(library.get("whl"), str):
            try:
                wheels = locations.matching(library["whl"], "wheel library")
            except TaskError as err:
                raise EnvironmentError_(str(err)) from None
            wanted += [req for wheel in wheels for req in wheel_requirements(wheel)]
    wanted = [req for req in wanted if req and not req.startswith("-") and not _from_runtime(req)]
    if task.get("dbt_task") is not None:  # the worker says so in the task's log
        wanted = [req for req in wanted if not is_dbt_library(req)]
    return list(dict.fromkeys(unsatisfied(wanted)))


def _from_runtime(requirement: str) -> bool:
    """Spark itself comes with every runtime: the local one has the Spark Connect client instead."""
    name = re.split(r"[\s\[<>=!~;@(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return name in RUNTIME_PROVIDED


def wheel_requirements(wheel: Path) -> list[str]:
    """A wheel's own dependencies (`Requires-Dist` without extras), which install with it."""
    import zipfile
    from email.parser import HeaderParser

    try:
        with zipfile.ZipFile(wheel) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            headers = HeaderParser().parsestr(archive.read(name).decode("utf-8", errors="replace"))
    except (OSError, StopIteration, zipfile.BadZipFile):
        raise EnvironmentError_(f"wheel library {wheel.name} is not a valid wheel") from None
    return [req for req in headers.get_all("Requires-Dist") or [] if "extra ==" not in req]


def _index(env: dict[str, str], workspace_root: Path, storage_root: Path) -> IndexOptions:
    """Where packages come from: the package index as uv is configured (`UV_INDEX_URL`, uv.toml,
    or pip's `PIP_INDEX_URL` / `PIP_EXTRA_INDEX_URL` when uv has none), plus find-links."""
    links = [p for p in os.environ.get(FIND_LINKS_ENV, "").split(os.pathsep) if p]
    no_index = False
    args = shlex.split(env.get(PIP_ARGS_ENV, ""))
    for index, arg in enumerate(args):
        if arg in ("--find-links", "-f") and index + 1 < len(args):
            links.append(args[index + 1])
        elif arg.startswith("--find-links="):
            links.append(arg.split("=", 1)[1])
        elif arg == "--no-index":
            no_index = True
    local = tuple(_local_link(link, workspace_root, storage_root) for link in links)
    uv_index = any(os.environ.get(name) for name in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX"))
    index_url = None if uv_index else os.environ.get("PIP_INDEX_URL") or None
    extra = () if uv_index else tuple(os.environ.get("PIP_EXTRA_INDEX_URL", "").split())
    return IndexOptions(index_url=index_url, extra_index_urls=extra, find_links=local, no_index=no_index)


def _local_link(link: str, workspace_root: Path, storage_root: Path) -> str:
    try:
        if link.startswith(("/Volumes/", "dbfs:", "/dbfs/")):
            return str(storage_file(storage_root, link))
        if link.startswith("/Workspace/"):
            return str(workspace_file(workspace_root, link))
    except ValueError:
        pass
    return link


def _dbfs(path: str) -> str:
    return path if path.startswith("dbfs:") else f"dbfs:{path}"


def _interpreter() -> str:
    import sys

    return sys.executable


def _explain(uv_error: str) -> str:
    """uv's error as a task error: which package is missing, and how to make it available offline."""
    for pattern in _MISSING:
        match = pattern.search(uv_error)
        if match:
            return (
                f"The cluster environment cannot be built: {match.group(1)} is not on the package index, "
                f"in uv's cache or in a find-links directory. To work offline, put its wheel in a "
                f"directory named by {FIND_LINKS_ENV} (or by --find-links in the cluster's {PIP_ARGS_ENV}), "
                f"or install it once with network access so uv caches it. uv said: {_uv_said(uv_error)}"
            )
    return f"The cluster environment cannot be built: {uv_error.strip()}"


def _uv_said(uv_error: str) -> str:
    lines = [line.strip() for line in uv_error.splitlines()]
    said = [line for line in lines if line.startswith(("error:", "cause:"))]
    return " ".join(said) or lines[-1]
