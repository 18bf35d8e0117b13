"""Bundles in the shapes public templates produce, deployed to the local workspace and run.

Each folder under `bundles/` is written from scratch in the shape of one template (default-python,
lakeflow-pipelines, dbt-sql, default-minimal, pydabs): the same resources, paths, libraries and sample
data reads. Each is copied, deployed and its job run; every task must succeed.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from brickyard.context import AppContext
from brickyard.local.lifecycle import LocalWorkspace
from brickyard.output import CaptureOutput
from tests.pyenv import pydabs_venv  # noqa: F401  (session fixture)

pytestmark = [pytest.mark.server, pytest.mark.engine]

BUNDLES = Path(__file__).parent / "bundles"
USER = "tester@brickyard.local"


class Bundle:
    def __init__(self, root: Path, workspace_dir: Path) -> None:
        self.root = root
        self.workspace_dir = workspace_dir

    def context(self) -> AppContext:
        environ = {
            **os.environ,
            "BRICKYARD_LOCAL_WORKSPACE_DIR": str(self.workspace_dir),
            "BRICKYARD_LOCAL_USER": USER,
            "UV_OFFLINE": "1",
        }
        return AppContext(output=CaptureOutput(), cwd=self.root, environ=environ)

    def deploy(self) -> Any:
        from brickyard.deploy import DeployOptions, deploy_bundle

        return deploy_bundle(self.context(), DeployOptions(auto_approve=True))

    def run(self, key: str) -> Any:
        from brickyard.runs import RunOptions, run_resource

        return run_resource(self.context(), RunOptions(key=key))


def bundle(name: str, tmp_path: Path, workspace: tuple[Path, LocalWorkspace]) -> Bundle:
    root = tmp_path / f"{name}_{uuid.uuid4().hex[:6]}"
    shutil.copytree(BUNDLES / name, root)
    return Bundle(root, workspace[0])


def assert_succeeded(outcome: Any) -> None:
    failed = {
        t.task_key: (t.result, t.error, t.error_trace[-2000:]) for t in outcome.tasks if t.result != "SUCCESS"
    }
    assert outcome.succeeded and not failed, failed


def test_default_python(tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace]) -> None:
    project = bundle("default_python", tmp_path, shared_workspace)
    project.deploy()

    outcome = project.run("default_python_job")

    assert_succeeded(outcome)
    tasks = {t.task_key: t for t in outcome.tasks}
    assert "taxis 21932" in tasks["python_wheel_task"].logs
    assert "notebook done for main" in tasks["notebook_task"].logs
    pipeline = tasks["refresh_pipeline"].pipeline
    assert pipeline is not None
    assert {f.dataset for f in pipeline.flows} >= {"sample_trips", "sample_zones", "long_trips"}


def test_lakeflow_pipelines(tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace]) -> None:
    project = bundle("lakeflow_pipelines", tmp_path, shared_workspace)
    project.deploy()

    outcome = project.run("sample_job")

    assert_succeeded(outcome)
    tasks = {t.task_key: t for t in outcome.tasks}
    pipeline = tasks["refresh_pipeline"].pipeline
    assert pipeline is not None
    rows = {f.dataset: f.rows for f in pipeline.flows}
    assert rows["clickstream_raw"] == 1000 and rows["sample_trips_lakeflow"] > 20_000
    assert rows["retail_customers_raw"] == 300
    assert "zones" in tasks["check_referrers"].logs


def test_default_minimal(tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace]) -> None:
    project = bundle("default_minimal", tmp_path, shared_workspace)
    project.deploy()

    outcome = project.run("hello_job")

    assert_succeeded(outcome)
    assert "hello ['--name', 'minimal'] 3" in outcome.tasks[0].logs
    assert "stored hi" in outcome.tasks[0].logs


def test_dbt_sql(tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace]) -> None:
    project = bundle("dbt_sql", tmp_path, shared_workspace)
    project.deploy()

    outcome = project.run("dbt_sql_job")

    assert_succeeded(outcome)
    logs = outcome.tasks[0].logs
    assert "Completed successfully" in logs and "PASS=4" in logs
    assert "orders_stream is materialized=streaming_table on Databricks" in logs
    assert "orders_by_month is materialized=materialized_view on Databricks" in logs
    # the profile's catalog and its `{{ var('dev_schema') }}` schema, given by the task's --vars
    assert "created sql table model tester.orders_daily" in logs
    tables = shared_workspace[1].client().tables
    assert {t.name for t in tables.list(catalog_name="main", schema_name="tester")} >= {
        "orders_daily",
        "orders_raw",
    }


def test_pydabs(
    tmp_path: Path,
    shared_workspace: tuple[Path, LocalWorkspace],
    pydabs_venv: Path,  # noqa: F811
) -> None:
    project = bundle("pydabs", tmp_path, shared_workspace)
    (project.root / ".venv").symlink_to(pydabs_venv)  # the project's environment, as `uv sync` makes it
    project.deploy()

    outcome = project.run("pydabs_job")

    assert_succeeded(outcome)
    tasks = {t.task_key: t for t in outcome.tasks}
    pipeline = tasks["refresh_pipeline"].pipeline
    assert pipeline is not None
    rows = {f.dataset: f.rows for f in pipeline.flows}
    assert rows["trips"] > 20_000 and rows["zone_fares"] > 10
    assert f".zone_fares: {rows['zone_fares']} zones" in tasks["main_task"].logs


def test_default_sql(tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace]) -> None:
    project = bundle("default_sql", tmp_path, shared_workspace)
    project.deploy()

    outcome = project.run("default_sql_sql_job")

    assert_succeeded(outcome)
    daily = {t.task_key: t for t in outcome.tasks}["orders_daily"]
    assert "num_affected_rows" in daily.logs
