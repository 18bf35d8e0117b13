"""`brickyard deps check`: is the lock still the one its inputs produce, and does it serve the wheel?

A lock goes stale when someone edits the additions (or refreshes the baseline) and forgets to lock
again; the cluster would then run a graph nobody resolved. The lock's header records a hash of its
inputs, so staleness is found without resolving anything (and without a network). The project's
own wheel declares dependencies in pyproject.toml; a cluster that runs the lock must satisfy them,
or the wheel fails at import time on the cluster instead of in CI.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from brickyard.deps.layout import Layout, existing_layouts
from brickyard.deps.lock import Inputs, read_inputs
from brickyard.deps.reqfiles import Lock, read_lock
from brickyard.errors import DepsError


@dataclass
class CheckResult:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_project(root: Path, directory: str) -> CheckResult:
    layouts = existing_layouts(root, directory)
    if not layouts:
        raise DepsError(
            f"no {directory}/runtime-baseline*.in in {root}; start with `brickyard deps snapshot --runtime <version>`"
        )
    result = CheckResult()
    for layout in layouts:
        result.checked.append(layout.lock)
        result.problems.extend(check_layout(layout))
    return result


def check_layout(layout: Layout) -> list[str]:
    inputs = read_inputs(layout)
    if not layout.path(layout.lock).is_file():
        return [f"{layout.lock} is missing; run `brickyard deps lock`"]
    lock = read_lock(layout.path(layout.lock), layout.lock)
    problems = _stale(inputs, lock)
    problems += _unsatisfied(inputs, lock)
    problems += wheel_problems(layout.root, inputs, lock)
    return problems


def _stale(inputs: Inputs, lock: Lock) -> list[str]:
    lock_file = inputs.layout.lock
    if lock.first("inputs") == inputs.input_hash():
        return []
    recorded = dict(value.split(" ", 1) for value in lock.header.get("input", []) if " " in value)
    changed = [name for name, digest in inputs.file_hashes().items() if recorded.get(name) != digest]
    if lock.first("runtime") != str(inputs.runtime) or lock.first("python") != inputs.python:
        changed.append(f"the runtime (locked for {lock.first('runtime')}, baseline says {inputs.runtime})")
    what = ", ".join(changed) or "its inputs"
    return [f"{lock_file} is stale: {what} changed since it was locked; run `brickyard deps lock`"]


def _unsatisfied(inputs: Inputs, lock: Lock) -> list[str]:
    problems = []
    environment = marker_environment(inputs.python)
    for line in inputs.lines:
        problem = _satisfied(line.requirement, lock, environment)
        if problem:
            problems.append(
                f"{inputs.layout.lock} does not satisfy {line} from {line.file}:{line.line}: {problem}"
            )
    return problems


def wheel_problems(root: Path, inputs: Inputs, lock: Lock) -> list[str]:
    """Dependencies the project's wheel declares (pyproject.toml) that the lock does not satisfy."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return []
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except tomllib.TOMLDecodeError as err:
        raise DepsError(f"pyproject.toml is not valid TOML: {err}") from None
    name = project.get("name", "the project")
    environment = marker_environment(inputs.python)
    problems = []
    for spec in project.get("dependencies", []):
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as err:
            problems.append(f"pyproject.toml: {name} declares an invalid dependency {spec!r}: {err}")
            continue
        problem = _satisfied(requirement, lock, environment)
        if problem:
            problems.append(f"the wheel {name} needs {requirement} but {inputs.layout.lock} {problem}")
    return problems


def _satisfied(requirement: Requirement, lock: Lock, environment: dict[str, str]) -> str:
    if requirement.marker is not None and not requirement.marker.evaluate(environment):
        return ""
    version = lock.pins.get(canonicalize_name(requirement.name))
    if version is None:
        return "does not list it"
    if not requirement.specifier.contains(version, prereleases=True):
        return f"pins {requirement.name}=={version}"
    return ""


def marker_environment(python: str) -> dict[str, str]:
    """Marker values of a Databricks cluster's Python (Linux, x86_64, CPython)."""
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
