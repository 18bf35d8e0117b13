"""One dbt invocation in this process, with its environment set for it alone.

dbt runs in-process (`dbtRunner`) rather than as a subprocess: the local engine's profile uses
dbt-spark's `session` method, which picks up the Spark session brickyard opened with the
workspace's catalog in it. The exit code is the one the `dbt` command would give: 0 success,
1 a node or command failed, 2 dbt itself could not run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.errors import DbtError

QUIET_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
OWN_OPTIONS = ("--profiles-dir", "--project-dir")
"""Options brickyard sets itself (through the environment); given again, they would win."""


@dataclass(frozen=True)
class DbtResult:
    exit_code: int
    result: Any = None
    """dbt's own result object (`RunExecutionResult`, `Manifest`, …), for callers that read it."""
    exception: BaseException | None = None


def require_dbt() -> None:
    try:
        import dbt.cli.main  # noqa: F401
    except ImportError as err:
        raise DbtError("dbt is not installed: pip install 'brickyard[dbt]'") from err


def invoke(
    args: Sequence[str], project_dir: Path, profiles_dir: Path, environ: Mapping[str, str] | None = None
) -> DbtResult:
    """Run `dbt <args>` on `project_dir` with the profile in `profiles_dir`."""
    require_dbt()
    from dbt.cli.main import dbtRunner

    env = {
        **QUIET_ENV,
        **(environ or {}),
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_PROFILES_DIR": str(profiles_dir),
    }
    with environment(env):
        outcome = dbtRunner().invoke(without_options(list(args), OWN_OPTIONS))
    if outcome.success:
        return DbtResult(0, outcome.result)
    return DbtResult(2 if outcome.exception is not None else 1, outcome.result, outcome.exception)


def without_options(argv: list[str], options: Sequence[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in options:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in options)):
            kept.append(arg)
    return kept


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
