"""Secret references in a job: filled in when the task starts, readable, and redacted in its output."""

from __future__ import annotations

import io
from typing import Any

import pytest
from databricks.sdk.service import compute, jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.local.conftest import USER
from tests.local.runs.conftest import finish

pytestmark = [pytest.mark.server, pytest.mark.engine]

VALUE = "Pa55-w0rd-from-the-scope"
NOTEBOOK = (
    "# Databricks notebook source\n"
    "import os, sys\n"
    "via_dbutils = dbutils.secrets.get('app-secrets', 'db-password')\n"
    "via_conf = spark.conf.get('app.db.password')\n"
    "print('dbutils', via_dbutils)\n"
    "print('conf', via_conf, via_conf == via_dbutils)\n"
    "print('env', os.environ['DB_PASSWORD'], os.environ['DB_PASSWORD'] == via_dbutils)\n"
    "print('param', dbutils.widgets.get('password') == via_dbutils)\n"
    "print('url', dbutils.widgets.get('url'))\n"
)


def test_a_job_reads_a_secret_through_dbutils_and_spark_conf_redacted(w: Any) -> None:
    w.secrets.create_scope("app-secrets")
    w.secrets.put_secret("app-secrets", "db-password", string_value=VALUE)
    path = f"/Users/{USER}/secret_reader"
    w.workspace.upload(path, io.BytesIO(NOTEBOOK.encode()), format=ImportFormat.AUTO, overwrite=True)
    cluster = compute.ClusterSpec(
        spark_version="15.4.x-scala2.12",
        num_workers=0,
        spark_conf={"app.db.password": "{{secrets/app-secrets/db-password}}"},
        spark_env_vars={"DB_PASSWORD": "{{secrets/app-secrets/db-password}}"},
    )
    task = jobs.Task(
        task_key="read",
        job_cluster_key="main",
        notebook_task=jobs.NotebookTask(
            notebook_path=path,
            base_parameters={
                "password": "{{secrets/app-secrets/db-password}}",
                "url": "jdbc:pg://db;password={{ secrets/app-secrets/db-password }}",
            },
        ),
    )
    job = w.jobs.create(
        name="secrets",
        tasks=[task],
        job_clusters=[jobs.JobCluster(job_cluster_key="main", new_cluster=cluster)],
    )

    run = finish(w, w.jobs.run_now(job.job_id).run_id)

    output = w.jobs.get_run_output(run.tasks[0].run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS, output.logs
    assert VALUE not in output.logs
    assert "dbutils [REDACTED]" in output.logs
    assert "conf [REDACTED] True" in output.logs
    assert "env [REDACTED] True" in output.logs
    assert "param True" in output.logs
    assert "url jdbc:pg://db;password=[REDACTED]" in output.logs
    assert VALUE not in w.jobs.get_run(run.run_id).as_dict().__repr__()


def test_a_reference_to_a_missing_secret_fails_the_task_naming_it(w: Any, py: Any) -> None:
    task = py("missing", "ok.py", "{{secrets/no-such-scope/key}}")
    run = finish(w, w.jobs.run_now(w.jobs.create(name="missing-secret", tasks=[task]).job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    output = w.jobs.get_run_output(run.tasks[0].run_id)
    assert "{{secrets/no-such-scope/key}}" in (output.error or "")
    assert "does not exist" in (output.error or "")
