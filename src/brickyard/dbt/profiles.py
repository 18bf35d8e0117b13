"""The dbt profiles brickyard writes: never committed, secrets out of the file, readable by the user only.

A profile is written into a private temporary folder (0700, the file 0600) that lives as long as
one dbt invocation. Credentials are not written into it at all: the profile reads them with
`env_var('DBT_ENV_SECRET_…')`, which dbt scrubs from its logs, and the value is set in the
environment of that invocation only.

Two kinds of output: dbt-spark's `session` method over Spark Connect for the local engine (the
Spark session is opened by brickyard, with the workspace's catalog in it, and dbt-spark picks it
up), and dbt-databricks for a SQL warehouse of a real workspace.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SECRET_ENV = "DBT_ENV_SECRET_BRICKYARD"
"""The variable a written profile reads its credential from; dbt masks `DBT_ENV_SECRET_*` values."""


def spark_session_output(schema: str, threads: int = 1) -> dict[str, Any]:
    """An output for the local engine; the Spark Connect URL (token included) comes from `SECRET_ENV`."""
    return {
        "type": "spark",
        "method": "session",
        "host": "localhost",
        "schema": schema or "default",
        "threads": threads if threads > 0 else 1,
        "server_side_parameters": {"spark.remote": _secret()},
    }


def databricks_output(
    host: str, http_path: str, catalog: str, schema: str, threads: int = 4
) -> dict[str, Any]:
    """An output for dbt-databricks on a SQL warehouse; the token comes from `SECRET_ENV`."""
    output: dict[str, Any] = {
        "type": "databricks",
        "host": host.removeprefix("https://").removeprefix("http://").rstrip("/"),
        "http_path": http_path,
        "token": _secret(),
        "schema": schema or "default",
        "threads": threads,
    }
    if catalog:
        output["catalog"] = catalog
    return output


def _secret() -> str:
    return "{{ env_var('" + SECRET_ENV + "') }}"


@contextmanager
def private_profiles(profile: str, target: str, outputs: dict[str, dict[str, Any]]) -> Iterator[Path]:
    """A folder holding `profiles.yml` with `profile` (default target `target`), removed afterwards."""
    import yaml  # only when dbt runs: validate finds most projects already parsed

    folder = Path(tempfile.mkdtemp(prefix="brickyard-dbt-profiles-"))  # mkdtemp makes it 0700
    try:
        path = folder / "profiles.yml"
        document = {profile: {"target": target, "outputs": outputs}}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yaml.safe_dump(document, out, sort_keys=False)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_delta_defaults(project: Path, copy: Path) -> Path:
    """A copy of the project for dbt-spark on the local engine, run as dbt-databricks runs it:
    models, seeds and snapshots default to Delta (dbt-spark defaults to parquet, and then refuses
    snapshots), and the Databricks materializations dbt-spark lacks are supplied (`local_macros`).
    A format the project sets itself still wins: project-wide defaults are dbt's weakest config.
    The copy is refreshed in place, so dbt's partial parsing can keep up."""
    import yaml

    from brickyard.dbt.local_macros import add_local_macros

    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("target", "logs", ".git", ".brickyard"))
    path = copy / "dbt_project.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for section in ("models", "seeds", "snapshots"):
        block = doc.get(section)
        if block is None:
            block = doc[section] = {}
        if isinstance(block, dict):
            block.setdefault("+file_format", "delta")
    add_local_macros(copy, doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return copy
