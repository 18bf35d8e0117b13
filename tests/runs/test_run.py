"""`brickyard run`: start a deployed job, follow it, report each task, exit non-zero on failure."""

from __future__ import annotations

from typing import Any

import pytest

from brickyard.errors import BrickyardError, RunFailedError, UsageError
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  jobs:
    nightly:
      name: nightly
      parameters:
        - {name: who, default: world}
      tasks:
        - task_key: greet
          notebook_task:
            notebook_path: ./greet.py
        - task_key: crunch
          depends_on: [{task_key: greet}]
          spark_python_task:
            python_file: ./crunch.py
        - task_key: cleanup
          depends_on: [{task_key: crunch}]
          run_if: ALL_DONE
          spark_python_task:
            python_file: ./cleanup.py
"""
GREET = """# Databricks notebook source
who = dbutils.widgets.get("who")
print(f"hello {who}")
dbutils.notebook.exit(f"greeted {who}")
"""
CRUNCH = """print("crunching")
raise ValueError("the numbers do not add up")
"""


def _deployed(project: Project, crunch: str = CRUNCH) -> Project:
    project.write(
        {"databricks.yml": BUNDLE, "greet.py": GREET, "crunch.py": crunch, "cleanup.py": "print('tidy')\n"}
    )
    project.deploy()
    return project


def test_a_failing_task_fails_the_run_with_its_trace(project: Project) -> None:
    _deployed(project)
    with pytest.raises(RunFailedError) as info:
        project.run("nightly", params=["who=team"])
    assert "ended SUCCESS_WITH_FAILURES" in str(info.value)  # the leaf (run_if: ALL_DONE) succeeded
    assert info.value.url and f"/run/{info.value.run_id}" in info.value.url
    outcome = project.outputs[-1].results[-1]
    tasks = {t["task_key"]: t for t in outcome["tasks"]}
    assert tasks["greet"]["result_state"] == "SUCCESS" and tasks["greet"]["output"] == "greeted team"
    assert tasks["crunch"]["result_state"] == "FAILED"
    assert "ValueError: the numbers do not add up" in tasks["crunch"]["error"]
    assert "crunch.py" in tasks["crunch"]["error_trace"]
    assert tasks["crunch"]["output"] == "crunching"  # what it printed before it failed, not its trace
    assert tasks["cleanup"]["result_state"] == "SUCCESS"  # run_if: ALL_DONE


def test_a_successful_run_and_only_selected_tasks(project: Project) -> None:
    _deployed(project, "print('fine')\n")
    outcome = project.run("nightly")
    assert outcome.succeeded and [t.task_key for t in outcome.tasks] == ["greet", "crunch", "cleanup"]
    assert outcome.tasks[0].output == "greeted world"
    assert outcome.tasks[1].output == "fine"  # no exit value: what the task printed
    assert "fine" in outcome.tasks[1].logs
    only = project.run("nightly", only=["greet"])
    assert [t.task_key for t in only.tasks if t.result] == ["greet"]


def test_no_wait_returns_the_run_at_once(project: Project, client: Any) -> None:
    _deployed(project, "print('fine')\n")
    assert project.run("nightly", no_wait=True) is None
    started = project.outputs[-1].results[-1]
    run = client.jobs.wait_get_run_job_terminated_or_skipped(started["run_id"])
    assert run.state.result_state.value == "SUCCESS"


def test_unknown_or_undeployed_keys_say_what_to_do(project: Project) -> None:
    project.write({"databricks.yml": BUNDLE, "greet.py": GREET, "crunch.py": CRUNCH, "cleanup.py": ""})
    with pytest.raises(BrickyardError, match="is not deployed to target local yet"):
        project.run("nightly")
    with pytest.raises(UsageError, match="no job or pipeline named weekly; this bundle has: nightly"):
        project.run("weekly")


def test_cli_exit_codes(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    project.write({"databricks.yml": BUNDLE, "greet.py": GREET, "crunch.py": CRUNCH, "cleanup.py": ""})
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    assert run(["deploy"]) == 0
    assert "Deployed" in capsys.readouterr().out
    assert run(["run", "nightly"]) == 1
    err = capsys.readouterr().err
    assert "Error: run" in err and "ended SUCCESS_WITH_FAILURES" in err
    assert run(["run", "nightly", "--params", "broken"]) == 2


CONTEXT_BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  jobs:
    legacy:
      name: legacy
      tasks:
        - task_key: call_api
          notebook_task:
            notebook_path: ./call_api.py
            base_parameters: {who: world, env: dev}
"""
CALL_API = """# Databricks notebook source
import json
import requests

context = dbutils.notebook.entry_point.getDbutils().notebook().getContext()
url, token = context.apiUrl().get(), context.apiToken().get()
me = requests.get(f"{url}/api/2.0/preview/scim/v2/Me", headers={"Authorization": f"Bearer {token}"})
dbutils.notebook.exit(json.dumps({
    "who": dbutils.widgets.get("who"),
    "env": dbutils.widgets.get("env"),
    "me": me.json()["userName"],
    "path": context.notebookPath().get(),
    "run": context.currentRunId().isDefined(),
    "job": context.tags().apply("jobId") == str(context.jobId().get()),
    "json": sorted(json.loads(context.toJson())["extraContext"]),
}))
"""


def test_notebook_params_override_base_parameters_and_the_context_reaches_the_api(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A job without job parameters takes `--notebook-params` (as `databricks bundle run` does); a
    notebook calls the REST API with the URL and token of `dbutils.notebook.entry_point`'s context."""
    import json

    from brickyard.cli.main import run

    project.write({"databricks.yml": CONTEXT_BUNDLE, "call_api.py": CALL_API})
    project.deploy()
    outcome = project.run("legacy", notebook_params=["who=team", "env=tst"])
    result = json.loads(outcome.tasks[0].output)
    assert result["who"] == "team" and result["env"] == "tst"
    assert result["me"] == "tester@brickyard.local"
    assert result["path"].endswith("/files/call_api") and result["run"] and result["job"]
    assert result["json"] == ["api_token", "api_url", "notebook_path"]
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    assert run(["run", "legacy", "--notebook-params", "who=cli,env=prd", "-o", "json"]) == 0
    output = json.loads(capsys.readouterr().out)["tasks"][0]["output"]
    assert json.loads(output)["who"] == "cli" and json.loads(output)["env"] == "prd"
    assert run(["run", "legacy", "--notebook-params", "broken"]) == 2
    assert "--notebook-params expects name=value" in capsys.readouterr().err


FOR_EACH = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  jobs:
    fan:
      name: fan
      tasks:
        - task_key: each
          for_each_task:
            inputs: '["ok", "bad"]'
            task:
              task_key: each_iteration
              spark_python_task:
                python_file: ./each.py
                parameters: ["{{input}}"]
"""
EACH = """import sys
if sys.argv[1] == "bad":
    raise ValueError(f"cannot handle {sys.argv[1]}")
print("handled", sys.argv[1])
"""


def test_a_failed_for_each_task_shows_its_first_failed_iteration(project: Project) -> None:
    project.write({"databricks.yml": FOR_EACH, "each.py": EACH})
    project.deploy()
    with pytest.raises(RunFailedError):
        project.run("fan")
    task = project.outputs[-1].results[-1]["tasks"][0]
    assert task["result_state"] == "FAILED"
    assert task["error"].startswith("1 of 2 iterations failed.")
    assert "Iteration 1: ValueError: cannot handle bad" in task["error"]
    assert "each.py" in task["error_trace"]


DASHBOARD_JOB = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  dashboards:
    sales:
      display_name: NAME sales
      file_path: ./sales.lvdash.json
      warehouse_id: local
  jobs:
    refresh:
      name: refresh
      tasks:
        - task_key: seed
          notebook_task: {notebook_path: ./seed.py}
        - task_key: refresh
          depends_on: [{task_key: seed}]
          dashboard_task:
            dashboard_id: ${resources.dashboards.sales.id}
            warehouse_id: local
"""
SALES = {
    "datasets": [
        {
            "name": "a1",
            "displayName": "orders",
            "queryLines": ["SELECT * FROM main.default.dash_orders ", "WHERE n >= :low"],
            "parameters": [
                {
                    "keyword": "low",
                    "dataType": "INTEGER",
                    "defaultSelection": {"values": {"dataType": "INTEGER", "values": [{"value": "2"}]}},
                }
            ],
        },
        {"name": "b2", "displayName": "missing", "query": "SELECT * FROM main.default.SUFFIX"},
    ],
    "pages": [],
}


def test_a_dashboard_task_runs_the_queries_of_its_datasets(project: Project) -> None:
    import json

    seed = "# Databricks notebook source\nspark.range(5).withColumnRenamed('id', 'n').write.mode('overwrite').saveAsTable('main.default.dash_orders')\n"
    fine = json.dumps(SALES).replace("SUFFIX", "dash_orders")
    project.write({"databricks.yml": DASHBOARD_JOB, "sales.lvdash.json": fine, "seed.py": seed})
    project.deploy()
    outcome = project.run("refresh")
    logs = {t.task_key: t.logs for t in outcome.tasks}
    assert "orders: 3 row(s)" in logs["refresh"] and "missing: 5 row(s)" in logs["refresh"]

    project.write({"sales.lvdash.json": json.dumps(SALES).replace("SUFFIX", "no_such_table")})
    project.deploy()
    with pytest.raises(RunFailedError):
        project.run("refresh")
    failed = {t["task_key"]: t for t in project.outputs[-1].results[-1]["tasks"]}["refresh"]
    assert "no_such_table" in failed["error"] and "in dataset 'missing'" in failed["error_trace"]


def test_a_trace_shows_the_users_frames_and_folds_the_libraries() -> None:
    from brickyard.runs import user_frames

    trace = """Traceback (most recent call last):
  File "/Workspace/Users/me/etl, cell 2", line 2, in <module>
    df.count()
  File "/venv/lib/python3.11/site-packages/pyspark/sql/connect/dataframe.py", line 1, in count
    table, _ = self._session.client.to_table(
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/venv/lib/python3.11/site-packages/pyspark/sql/connect/client/core.py", line 2, in to_table
    raise convert_exception(
pyspark.errors.exceptions.connect.AnalysisException: Table not found
"""
    assert user_frames(trace).splitlines() == [
        "Traceback (most recent call last):",
        '  File "/Workspace/Users/me/etl, cell 2", line 2, in <module>',
        "    df.count()",
        "  … 2 frame(s) of installed libraries",
        "pyspark.errors.exceptions.connect.AnalysisException: Table not found",
    ]


PIPELINE_IMPORTS = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  pipelines:
    shared_code:
      name: shared-code
      catalog: main
      schema: NAME_shared
      configuration:
        bundle.sourcePath: ${workspace.file_path}/src
      libraries: [{file: {path: ./pipe.py}}]
"""
PIPE_IMPORTING = """import sys
import dlt

sys.path.append(spark.conf.get("bundle.sourcePath"))
from helpers import rows

@dlt.table
def numbers():
    return spark.range(rows())
"""


def test_pipeline_code_imports_modules_from_its_workspace_folder(project: Project) -> None:
    """The older templates' pattern: the deployed `src` folder on sys.path, by its /Workspace path."""
    project.write(
        {
            "databricks.yml": PIPELINE_IMPORTS,
            "pipe.py": PIPE_IMPORTING,
            "src/helpers.py": "def rows():\n    return 4\n",
        }
    )
    project.deploy()
    outcome = project.run("shared_code")
    assert outcome.succeeded
    assert {f.dataset: f.rows for f in outcome.flows}["numbers"] == 4
