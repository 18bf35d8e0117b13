"""`brickyard metrics`: the local workspace's /metrics, as Prometheus text and as JSON."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

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
    counted:
      name: counted
      tasks:
        - task_key: hello
          spark_python_task:
            python_file: ./hello.py
"""


def test_metrics_show_runs_of_the_target_workspace(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    project.write({"databricks.yml": BUNDLE, "hello.py": "print('hi')\n"})
    project.deploy()
    outcome = project.run("counted")
    assert outcome.succeeded
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))

    assert run(["metrics", "-t", "local"]) == 0
    families = {f.name: f for f in text_string_to_metric_families(capsys.readouterr().out)}
    ended = [s for s in families["brickyard_job_runs"].samples if s.name == "brickyard_job_runs_total"]
    assert any(s.labels["result_state"] == "SUCCESS" and "counted" in s.labels["job_name"] for s in ended)

    assert run(["metrics", "--format", "json", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = {family["name"] for family in doc}
    assert {"brickyard_job_runs", "brickyard_task_run_duration_seconds", "brickyard_http_requests"} <= names
