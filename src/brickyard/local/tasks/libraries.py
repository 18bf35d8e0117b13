"""A task's `libraries`: wheels installed into a cached environment, everything else checked.

A cluster installs its libraries before the task starts. Locally, the wheels a task lists are
installed with uv (`--no-deps --offline`: nothing is downloaded) into a folder keyed by their
content hashes under the cache root, and that folder is put first on `sys.path` of this worker.
The same wheels are therefore installed once, however many runs use them, and a rebuilt wheel with
the same name gets a fresh environment. PyPI and requirements libraries must already be installed:
the local workspace cannot download them and says which are missing (a cluster that lists them gets
an environment built with them before the worker starts: `runs.environments`). A dbt task's dbt
adapter libraries are satisfied by the local dbt adapter. Jar, Maven and CRAN libraries have
nothing to run on here and are skipped with a warning.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from brickyard.errors import TaskError
from brickyard.local.store.fsutil import make_private
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.magics import unsatisfied

_DONE = ".brickyard-complete"


def prepare_libraries(ctx: TaskContext) -> None:
    wheels: list[Path] = []
    required: list[str] = []
    for library in ctx.settings.get("libraries") or []:
        if not isinstance(library, dict):
            raise TaskError(f"a library must be a mapping, not {library!r}")
        if "whl" in library:
            wheels += ctx.locations.matching(str(library["whl"]), "wheel library")
        elif "pypi" in library:
            required.append(str((library["pypi"] or {}).get("package", "")))
        elif "requirements" in library:
            local = ctx.locations.existing(str(library["requirements"]), "requirements library")
            required += [
                line.split("#", 1)[0].strip() for line in local.read_text(encoding="utf-8").splitlines()
            ]
        elif "pyproject" in library:
            required += project_dependencies(
                ctx.locations.existing(str(library["pyproject"]), "project environment")
            )
        else:
            kind = next(iter(library), "unknown")
            print(
                f"Warning: {kind} library {library[kind]} skipped: the local workspace has no JVM or R",
                file=sys.stderr,
            )
    required = [req for req in required if req and not req.startswith("-")]
    if ctx.settings.get("dbt_task") is not None:
        adapters = [req for req in required if is_dbt_library(req)]
        if adapters:
            print(
                f"Note: {', '.join(adapters)}: dbt runs with the local dbt-spark adapter on the local engine"
            )
        required = [req for req in required if not is_dbt_library(req)]
    missing = unsatisfied(required)
    if missing:
        raise TaskError(
            "the local workspace cannot download libraries, and these are not installed: "
            + ", ".join(missing)
        )
    if wheels:
        add_wheels(ctx.cache_root, wheels)


def project_dependencies(pyproject: Path) -> list[str]:
    """The `[project] dependencies` of a pyproject.toml (a job environment's `project_environment`)."""
    import tomllib

    try:
        doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise TaskError(f"project environment {pyproject.name} cannot be read: {err}") from None
    project = doc.get("project")
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    return [str(d) for d in dependencies] if isinstance(dependencies, list) else []


def is_dbt_library(requirement: str) -> bool:
    """dbt itself and its adapters (`dbt-databricks`, …): on the local workspace a dbt task runs with
    the local dbt and its Spark adapter against the local engine, which is what satisfies them."""
    name = re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return name == "dbt-core" or name.startswith("dbt-")


def add_wheels(cache_root: Path, wheels: list[Path]) -> None:
    """Install `wheels` into their cached environment and put it first on this worker's path."""
    site = wheel_environment(cache_root, wheels)
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    _warn_missing_dependencies(site)


def wheel_environment(cache_root: Path, wheels: list[Path]) -> Path:
    """The folder holding `wheels` installed; built on first use, atomically, and reused after."""
    digest = hashlib.sha256(f"py{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for wheel in sorted(wheels):
        digest.update(hashlib.sha256(wheel.read_bytes()).digest())
    target = cache_root / "wheels" / digest.hexdigest()[:20]
    if (target / _DONE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        _uv_install(wheels, staging)
        make_private(staging)
        (staging / _DONE).write_text("\n".join(str(w) for w in wheels) + "\n", encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:
            if not (target / _DONE).exists():  # not another worker's finished build: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _uv_install(wheels: list[Path], target: Path) -> None:
    from uv import find_uv_bin

    command = [
        find_uv_bin(),
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--offline",
        "--no-cache",
        "--python",
        sys.executable,
        "--target",
        str(target),
        *map(str, wheels),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise TaskError(f"installing {', '.join(w.name for w in wheels)} failed: {detail}")


def _warn_missing_dependencies(site: Path) -> None:
    for dist in metadata.distributions(path=[str(site)]):
        requires: list[Any] = dist.requires or []
        missing = [
            req
            for req in unsatisfied([str(req) for req in requires if "extra ==" not in str(req)])
            # a task's `databricks.connect` is the local workspace's own (`tasks.runtime`)
            if not req.lower().replace("_", "-").startswith("databricks-connect")
        ]
        if missing:
            name = dist.metadata["Name"]
            print(f"Warning: {name} needs {', '.join(missing)}, which is not installed", file=sys.stderr)


def add_packages(cache_root: Path, requirements: list[str]) -> None:
    """Install `requirements` (and what they need) from the package index into a folder keyed by
    the requirement set, and put it first on this worker's path: notebook-scoped libraries."""
    digest = hashlib.sha256(f"py{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for requirement in sorted(requirements):
        digest.update(requirement.encode() + b"\0")
    target = cache_root / "packages" / digest.hexdigest()[:20]
    if not (target / _DONE).exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
        try:
            _uv_target_install(requirements, staging)
            (staging / _DONE).write_text("\n".join(requirements) + "\n", encoding="utf-8")
            try:
                staging.rename(target)
            except OSError:
                if not (target / _DONE).exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if str(target) not in sys.path:
        sys.path.insert(0, str(target))
    importlib.invalidate_caches()


def _uv_target_install(requirements: list[str], target: Path) -> None:
    from uv import find_uv_bin

    links = [p for p in os.environ.get("BRICKYARD_FIND_LINKS", "").split(os.pathsep) if p]
    command = [
        find_uv_bin(),
        "pip",
        "install",
        "--quiet",
        "--compile-bytecode",
        "--python",
        sys.executable,
        "--target",
        str(target),
        *(arg for link in links for arg in ("--find-links", link)),
        *requirements,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise TaskError(
            f"installing {', '.join(requirements)} failed (without network access, put their wheels in a "
            f"directory named by BRICKYARD_FIND_LINKS or in uv's cache): {detail}"
        )
