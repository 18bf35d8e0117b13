"""`--local`: a target meant for a real workspace, deployed and run on the embedded local one."""

from __future__ import annotations

import os
from typing import Any

import pytest

from brickyard.cli.main import run as cli
from brickyard.context import AppContext
from brickyard.errors import RunFailedError
from brickyard.output import CaptureOutput
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
  prod:
    mode: production
    workspace:
      host: https://adb-1234567890123456.7.azuredatabricks.net
      root_path: /Workspace/Shared/.bundle/NAME/prod
resources:
  pipelines:
    clean:
      name: clean-NAME
      catalog: CATALOG
      schema: raw
      libraries:
        - file:
            path: ./pipe.py
"""
PIPE = """import dlt


@dlt.table
def numbers():
    return spark.range(3)
"""


def _local(project: Project) -> AppContext:
    environ = {
        **os.environ,
        "BRICKYARD_LOCAL_WORKSPACE_DIR": str(project.workspace_dir),
        "UV_OFFLINE": "1",
        "BRICKYARD_LOCAL": "1",
    }
    out = CaptureOutput()
    project.outputs.append(out)
    return AppContext(output=out, cwd=project.root, environ=environ)


def test_local_creates_the_catalogs_a_target_uses_and_runs_there(project: Project, client: Any) -> None:
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.runs import RunOptions, run_resource

    catalog = f"sales_{project.name}"
    project.write({"databricks.yml": BUNDLE.replace("CATALOG", catalog), "pipe.py": PIPE})
    deploy_bundle(_local(project), DeployOptions(target="prod"))
    said = project.outputs[-1].text()
    assert (
        f"not https://adb-1234567890123456.7.azuredatabricks.net; created catalog {catalog}, schema {catalog}.raw"
        in said
    )
    assert client.catalogs.get(catalog).name == catalog and client.schemas.get(f"{catalog}.raw")
    pipeline = client.pipelines.get(project.state("prod").resources["pipelines.clean"].id)
    assert pipeline.spec.catalog == catalog
    outcome = run_resource(_local(project), RunOptions(key="clean", target="prod"))
    assert outcome is not None and outcome.succeeded
    # a second deploy finds them there and creates nothing
    deploy_bundle(_local(project), DeployOptions(target="prod"))
    assert "created" not in project.outputs[-1].text()


def test_local_creates_them_for_a_target_without_a_host_too(project: Project, client: Any) -> None:
    """A target whose host comes from a profile names none: `--local` prepares it all the same."""
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.runs import RunOptions, run_resource

    catalog = f"hostless_{project.name}"
    project.write({"databricks.yml": BUNDLE.replace("CATALOG", catalog), "pipe.py": PIPE})
    deploy_bundle(_local(project), DeployOptions(target="local"))
    said = project.outputs[-1].text()
    assert f"--local: deploying target local to the local workspace; created catalog {catalog}" in said
    assert client.schemas.get(f"{catalog}.raw").catalog_name == catalog
    outcome = run_resource(_local(project), RunOptions(key="clean", target="local"))
    assert outcome is not None and outcome.succeeded


def test_the_workspace_catalog_of_newer_workspaces_is_there(project: Project, client: Any) -> None:
    project.write({"databricks.yml": BUNDLE.replace("CATALOG", "workspace"), "pipe.py": PIPE})
    project.deploy()
    assert project.run("clean").succeeded
    assert {"main", "workspace"} <= {c.name for c in client.catalogs.list()}
    assert client.tables.get("workspace.raw.numbers").table_type is not None


def test_local_stands_its_warehouse_in_for_a_warehouse_looked_up_by_name(
    project: Project, client: Any
) -> None:
    """A target meant for a real workspace looks its warehouse up by name; the local workspace has
    one warehouse, which runs every query on the local engine, so `--local` uses it."""
    from brickyard.deploy import DeployOptions, deploy_bundle

    bundle = BUNDLE.replace("CATALOG", "main").replace(
        "resources:\n",
        "variables:\n  warehouse_id:\n    lookup: {warehouse: Shared SQL warehouse}\n"
        "resources:\n  jobs:\n    report:\n      name: report\n      tasks:\n        - task_key: q\n"
        "          sql_task: {warehouse_id: '${var.warehouse_id}', file: {path: ./q.sql}}\n",
    )
    project.write({"databricks.yml": bundle, "pipe.py": PIPE, "q.sql": "SELECT 1"})
    deploy_bundle(_local(project), DeployOptions(target="prod"))
    job = client.jobs.get(int(project.state("prod").resources["jobs.report"].id))
    assert job.settings.tasks[0].sql_task.warehouse_id == next(iter(client.warehouses.list())).id


def test_local_runs_tasks_whose_cluster_and_warehouse_only_the_real_workspace_has(
    project: Project, client: Any
) -> None:
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.runs import RunOptions, run_resource

    bundle = BUNDLE.replace("CATALOG", "main").replace(
        "resources:\n",
        "resources:\n  jobs:\n    hardwired:\n      name: hardwired\n      tasks:\n"
        "        - task_key: py\n          existing_cluster_id: 0921-164753-hgip6w2m\n"
        "          spark_python_task: {python_file: ./check.py}\n"
        "        - task_key: q\n          sql_task: {warehouse_id: 0bd7cc78c0abd6d9, file: {path: ./q.sql}}\n",
    )
    project.write(
        {"databricks.yml": bundle, "pipe.py": PIPE, "q.sql": "SELECT 1", "check.py": "print('ran')\n"}
    )
    deploy_bundle(_local(project), DeployOptions(target="prod"))
    said = project.outputs[-1].text()
    assert "task py: cluster 0921-164753-hgip6w2m runs as the local default compute" in said
    assert "task q: warehouse 0bd7cc78c0abd6d9 is the local warehouse" in said
    tasks = {
        t.task_key: t
        for t in client.jobs.get(int(project.state("prod").resources["jobs.hardwired"].id)).settings.tasks
    }
    assert tasks["py"].existing_cluster_id is None
    assert tasks["q"].sql_task.warehouse_id == next(iter(client.warehouses.list())).id
    outcome = run_resource(_local(project), RunOptions(key="hardwired", target="prod"))
    assert outcome is not None and outcome.succeeded


def test_without_local_a_pipeline_into_a_missing_catalog_fails(project: Project) -> None:
    catalog = f"nowhere_{project.name}"
    project.write({"databricks.yml": BUNDLE.replace("CATALOG", catalog), "pipe.py": PIPE})
    project.deploy()
    with pytest.raises(RunFailedError, match=f"Catalog '{catalog}' of the pipeline's catalog does not exist"):
        project.run("clean")


@pytest.mark.parametrize(
    "command",
    [
        "deploy",
        "plan",
        "run",
        "destroy",
        "summary",
        "drift",
        "releases",
        "rollback",
        "promote",
        "rollback-drill",
        "jobs export",
        "jobs restore",
    ],
)
def test_every_workspace_command_takes_local(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli([*command.split(), "--help"]) == 0
    assert "--local" in capsys.readouterr().out


def test_plan_on_the_local_workspace_through_the_cli(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write({"databricks.yml": BUNDLE.replace("CATALOG", "main"), "pipe.py": PIPE})
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    assert cli(["plan", "-t", "prod", "--local", "-o", "json"]) == 0
    said = capsys.readouterr()
    assert '"pipelines.clean"' in said.out
    assert '"host": "local"' in said.out  # planned against the local workspace, not the target's host
    assert "against the local workspace, not https://adb-1234567890123456.7.azuredatabricks.net" in said.err


def test_a_bundle_error_says_error_once(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(
        {
            "databricks.yml": "bundle: {name: b}\nresources:\n  jobs:\n    j:\n      tasks:\n"
            "        - task_key: t\n          spark_python_task: {python_file: ./missing.py}\n"
        }
    )
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    assert cli(["deploy"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: file missing.py not found") and "error: error" not in err.lower()
