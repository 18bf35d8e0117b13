"""`brickyard dbt lint`: sqlfluff with its dbt templater, on the SQL dbt would run.

The dbt templater compiles every model through dbt (refs, macros, configs, `is_incremental()`),
which asks the engine what relations exist, so linting runs where `brickyard dbt` runs: on the
local engine's session or a workspace's SQL warehouse, with the same private profile. The
project's own sqlfluff configuration (`.sqlfluff`, `setup.cfg`, `pyproject.toml`) decides the
rules; its dialect defaults to `databricks`. Findings are reported at the project's own files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.dbt.invoke import environment
from brickyard.dbt.run import Invocation
from brickyard.errors import DbtError

DEFAULT_DIALECT = "databricks"


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    column: int
    code: str
    description: str

    def render(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.description}"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "description": self.description,
        }


def lint_project(call: Invocation, paths: Sequence[Path] = ()) -> list[Violation]:
    """Every violation in `paths` (files or folders of the project; default: its models)."""
    try:
        from sqlfluff.core import FluffConfig, Linter
    except ImportError as err:
        raise DbtError("dbt lint needs sqlfluff and its dbt templater: pip install 'brickyard[dbt]'") from err
    if call.local:
        from brickyard.local.tasks import dbt_catalogs

        dbt_catalogs.install()
    project = call.project.directory
    targets = [call.run_dir / _inside(project, p) for p in paths] or [call.run_dir / "models"]
    own = FluffConfig.from_path(str(project), require_dialect=False)
    settings = call.profiles / "sqlfluff.cfg"
    settings.write_text(
        _settings(call, dialect=None if own.get("dialect") else DEFAULT_DIALECT), encoding="utf-8"
    )
    with environment({"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **call.environ}):
        config = FluffConfig.from_path(str(call.run_dir), extra_config_path=str(settings))
        result = Linter(config=config).lint_paths(tuple(str(t) for t in targets))
    found = []
    for record in result.as_records():
        shown = project / Path(record["filepath"]).resolve().relative_to(call.run_dir.resolve())
        for v in record["violations"]:
            found.append(
                Violation(
                    _display(shown),
                    int(str(v["start_line_no"])),
                    int(str(v["start_line_pos"])),
                    str(v["code"]),
                    str(v["description"]),
                )
            )
    return sorted(found, key=lambda v: (v.file, v.line, v.column, v.code))


def _settings(call: Invocation, dialect: str | None) -> str:
    lines = ["[sqlfluff]", "templater = dbt"]
    if dialect:
        lines.append(f"dialect = {dialect}")
    lines += [
        "[sqlfluff:templater:dbt]",
        f"project_dir = {call.run_dir}",
        f"profiles_dir = {call.profiles}",
        f"profile = {call.project.profile}",
        f"target = {call.profile_target}",
    ]
    return "\n".join(lines) + "\n"


def _inside(project: Path, path: Path) -> Path:
    resolved = path.resolve()
    try:
        return resolved.relative_to(project)
    except ValueError:
        raise DbtError(f"{path} is not inside the dbt project {project}") from None


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
