"""Building the bundle's artifacts (Python wheels) before a deploy.

Each `artifacts:` entry of type whl runs its `build` command (default `uv build --wheel`) in its
`path`, through the shell as `databricks bundle` does (`cd pkg && uv build` works). When the bundle declares no artifacts but a task installs a local wheel (`whl: ./dist/*.whl`)
and the bundle root is a Python project, that project is built, as `databricks bundle` does.
Builds are reproducible (`SOURCE_DATE_EPOCH` fixed), so an unchanged project gives the same wheel
bytes and the deploy uploads nothing. The tools brickyard ships (uv, python) come first on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.bundle.model import Bundle
from brickyard.errors import ApplyError

DEFAULT_BUILD = "uv build --wheel"
REPRODUCIBLE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold


@dataclass(frozen=True)
class Artifact:
    name: str
    path: Path
    build: str


@dataclass(frozen=True)
class BuildResult:
    artifact: Artifact
    files: tuple[Path, ...]
    seconds: float


def artifacts_of(bundle: Bundle) -> list[Artifact]:
    declared = bundle.get("artifacts") or {}
    out = []
    for name, spec in sorted(declared.items()):
        if not isinstance(spec, dict) or spec.get("type", "whl") != "whl":
            continue
        path = Path(str(spec.get("path") or bundle.root))
        out.append(
            Artifact(
                name,
                path if path.is_absolute() else bundle.root / path,
                str(spec.get("build") or DEFAULT_BUILD),
            )
        )
    if not declared and _uses_local_wheel(bundle) and _is_python_project(bundle.root):
        out.append(Artifact("python_artifact", bundle.root, DEFAULT_BUILD))
    return out


def build(artifact: Artifact, environ: dict[str, str] | None = None) -> BuildResult:
    started = time.time()
    dist = artifact.path / "dist"
    before = _wheels(dist)
    env = dict(environ if environ is not None else os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", REPRODUCIBLE_EPOCH)
    env["PATH"] = os.pathsep.join([*_tool_dirs(), env.get("PATH", "")])
    try:
        done = subprocess.run(
            [_shell(), "-c", artifact.build],
            cwd=artifact.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ApplyError(
            f"artifacts.{artifact.name}", "build", f"`{artifact.build}` could not run: {err}"
        ) from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise ApplyError(
            f"artifacts.{artifact.name}",
            "build",
            f"`{artifact.build}` exited with {done.returncode}:\n{tail}",
        )
    # What this build wrote: wheels that are new, or rewritten (an identical rebuild still rewrites).
    files = tuple(sorted(p for p, stamp in _wheels(dist).items() if before.get(p) != stamp))
    if not files:
        raise ApplyError(
            f"artifacts.{artifact.name}", "build", f"`{artifact.build}` produced no wheel in {dist}"
        )
    _remove_older_wheels(dist, files)
    return BuildResult(artifact, files, time.time() - started)


def _shell() -> str:
    """`build` is a shell command line (`&&`, pipes, variables), run by bash where there is one."""
    return shutil.which("bash") or "/bin/sh"


def _wheels(dist: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in dist.glob("*.whl")} if dist.exists() else {}


def _remove_older_wheels(dist: Path, fresh: tuple[Path, ...]) -> None:
    """Old versions left in dist/ would match `dist/*.whl` too and be deployed alongside."""
    projects = {p.name.split("-")[0] for p in fresh}
    for wheel in dist.glob("*.whl"):
        if wheel not in fresh and wheel.name.split("-")[0] in projects:
            wheel.unlink()


def _tool_dirs() -> list[str]:
    dirs = [str(Path(sys.executable).parent)]
    try:
        from uv import find_uv_bin

        dirs.insert(0, str(Path(find_uv_bin()).parent))
    except (ImportError, FileNotFoundError):
        pass
    return dirs


def _uses_local_wheel(bundle: Bundle) -> bool:
    """A job library (`whl: ./dist/*.whl`) or environment dependency (`../dist/*.whl`) names a
    wheel of the bundle's own files: the CLI then builds the project at the root without being
    told to."""

    def local(path: Any) -> bool:
        return (
            isinstance(path, str)
            and path.endswith(".whl")
            and not path.startswith("/")
            and ":" not in path.split("/")[0]
        )

    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            if local(value.get("whl")):
                return True
            dependencies = value.get("dependencies")
            if isinstance(dependencies, list) and any(local(d) for d in dependencies):
                return True
            return any(walk(v) for v in value.values())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(bundle.resources("jobs"))


def _is_python_project(root: Path) -> bool:
    return (root / "pyproject.toml").exists() or (root / "setup.py").exists()
