"""The notebook magics that are not a language: `%pip`, `%sh`, `%fs`, and `%run`'s arguments.

`%pip install` installs wheel files given by path, and requirements the runtime does not already
satisfy from the package index as a cluster does (uv, cached by the requirement set, offline from
uv's cache or `BRICKYARD_FIND_LINKS`). `%sh` runs in the notebook's folder; its output goes through the same
redacted descriptors as the notebook's.
"""

from __future__ import annotations

import importlib.metadata as metadata
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brickyard.errors import TaskError

_PIP_FLAGS_WITH_VALUE = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-c", "--constraint"}


def parse_run(body: str) -> tuple[str, dict[str, str]]:
    """`%run ./other $a=1 $b="two words"` → ("./other", {"a": "1", "b": "two words"})."""
    tokens = shlex.split(body.split("\n", 1)[0])
    if not tokens:
        raise TaskError("%run needs the path of a notebook")
    args: dict[str, str] = {}
    for token in tokens[1:]:
        name, sep, value = token.partition("=")
        if not sep or not name.startswith("$") or len(name) < 2:
            raise TaskError(f"%run arguments look like $name=value, not {token!r}")
        args[name[1:]] = value
    return tokens[0], args


def pip(
    body: str,
    locate: Callable[[str], Path],
    install_wheels: Callable[[list[Path]], None],
    install_packages: Callable[[list[str]], None] | None = None,
) -> None:
    """`%pip install …`: wheel files are installed from the workspace, and requirements the runtime
    does not satisfy from the package index (`install_packages`), as notebook-scoped libraries.

    `list` and `freeze` print what is installed.
    """
    tokens = shlex.split(body.replace("\\\n", " "))
    if not tokens:
        raise TaskError("%pip needs a command")
    command, args = tokens[0], tokens[1:]
    if command in ("list", "freeze"):
        for dist in sorted(metadata.distributions(), key=lambda d: (d.metadata["Name"] or "").lower()):
            print(f"{dist.metadata['Name']}=={dist.version}")
        return
    if command != "install":
        raise TaskError(
            f"%pip {command} is not available on the local workspace (only install, list, freeze)"
        )
    requirements = _requirements(args, locate)
    wheels = [req for req in requirements if req.endswith(".whl") and req.startswith(("/", "dbfs:"))]
    missing = unsatisfied([req for req in requirements if req not in wheels])
    if missing and install_packages is not None:
        install_packages(missing)
        print(f"Installed {', '.join(missing)}.")
        missing = []
    if missing:
        raise TaskError(
            "%pip install cannot download packages on the local workspace, and these are not installed: "
            + ", ".join(missing)
            + ". Add them to the project's environment (for example the bundle's requirements) instead."
        )
    if wheels:
        local = [locate(wheel) for wheel in wheels]
        absent = [wheel for wheel, path in zip(wheels, local, strict=True) if not path.is_file()]
        if absent:
            raise TaskError(f"%pip install: {', '.join(absent)} does not exist in the local workspace")
        install_wheels(local)
        print(f"Installed {', '.join(path.name for path in local)}.")
    else:
        print("Requirements already satisfied.")


def sh(body: str, cwd: Path) -> None:
    """Run a `%sh` cell with bash (sh when bash is absent); a non-zero exit fails the cell."""
    shell = shutil.which("bash") or "/bin/sh"
    proc = subprocess.Popen([shell, "-c", body], cwd=cwd, stdin=subprocess.DEVNULL)
    try:
        code = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if code != 0:
        raise TaskError(f"%sh exited with code {code}")


def fs(body: str, dbutils: Any, show: Callable[[Any], None]) -> None:
    """`%fs ls /path` is `dbutils.fs.ls("/path")`, shown."""
    tokens = shlex.split(body)
    if not tokens:
        raise TaskError("%fs needs a command, for example `%fs ls dbfs:/`")
    command = tokens[0]
    recurse = "-r" in tokens[1:]
    args = [token for token in tokens[1:] if token != "-r"]
    method = getattr(dbutils.fs, command, None)
    if method is None or command.startswith("_"):
        raise TaskError(f"%fs {tokens[0]} is not a dbutils.fs command")
    result = method(*args, recurse=True) if recurse else method(*args)
    show(result)


def unsatisfied(requirements: list[str]) -> list[str]:
    """The requirements that what is installed in this environment does not meet."""
    return [req for req in requirements if not _satisfied(req)]


def _requirements(args: list[str], locate: Callable[[str], Path]) -> list[str]:
    found: list[str] = []
    skip_next = False
    for index, arg in enumerate(args):
        if skip_next:
            skip_next = False
            continue
        if arg in ("-r", "--requirement"):
            if index + 1 >= len(args):
                raise TaskError("%pip install -r needs a file")
            found += _requirements_file(locate(args[index + 1]))
            skip_next = True
        elif arg in _PIP_FLAGS_WITH_VALUE:
            skip_next = True
        elif arg in ("-e", "--editable"):
            raise TaskError("%pip install -e is not available on the local workspace")
        elif not arg.startswith("-"):
            found.append(arg)
    return found


def _requirements_file(path: Path) -> list[str]:
    if not path.is_file():
        raise TaskError(f"requirements file {path} does not exist")
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


def _satisfied(requirement: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import parse_wheel_filename

    if requirement.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(Path(requirement).name)
        return _installed(str(name)) == str(version)
    try:
        req = Requirement(requirement)
    except InvalidRequirement:
        return False
    if req.marker is not None and not req.marker.evaluate():
        return True
    installed = _installed(req.name)
    return installed is not None and req.specifier.contains(installed, prereleases=True)


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
