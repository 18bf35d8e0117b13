"""`brickyard dbt`: dbt on the local engine with a profile brickyard writes, and its failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from brickyard.cli.main import run
from brickyard.dbt.run import DbtOptions, run_dbt
from tests.dbt.shop import write_shop
from tests.deploy.conftest import Project


def _results(project: Project) -> dict[str, str]:
    doc = json.loads((project.root / "dbt/target/run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in doc["results"]}


@pytest.mark.engine
def test_a_job_keeps_its_dbt_artifacts_and_a_slim_build_builds_only_what_changed_since(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_shop(project.root)
    project.deploy()
    job = project.run("shop_job")  # `dbt build` as a dbt_task of the deployed job
    (task,) = job.tasks
    monkeypatch.chdir(root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    capsys.readouterr()
    fetched = run(["dbt", "artifacts", str(job.run_id), "--dir", "out", "-o", "json"])
    listed = json.loads(capsys.readouterr().out)
    history = run(["runs", "shop_job", "--tasks", "-o", "json"])
    invocations = json.loads(capsys.readouterr().out)["runs"][0]["dbt"]
    printed = run(["dbt", "docs", "--print", "-o", "json"])
    docs = json.loads(capsys.readouterr().out)
    served = _served_docs(root, project, job.run_id)
    job_id = client.jobs.get_run(job.run_id).job_id
    run_page = _page(client, f"/jobs/{job_id}/runs/{job.run_id}")
    (root / "dbt/models/customer_report.sql").write_text(
        "select customer, total from {{ ref('customers') }} where total > 0\n"
    )
    (root / "dbt/models/nation_count.sql").write_text(
        "select count(*) as nations from {{ source('tpch', 'nation') }} where 1 = 1\n"
    )
    (root / "dbt/tests/no_alice.sql").write_text(
        "select * from {{ ref('customer_report') }} where customer = 'alice'\n"
    )
    # A session of its own that defers `customers` to what the job built: the job's session gave
    # its tables to the workspace. `nation_count` reads samples.tpch.nation: `database:` is the catalog.
    slim = run_dbt(project.context(), DbtOptions(["build"], slim=True))
    missing = run(["dbt", "artifacts", "987654321"])
    missing_err = capsys.readouterr().err
    no_docs = run(["dbt", "docs", "987654321", "--print"])

    assert fetched == 0 and [t["task_key"] for t in listed["tasks"]] == ["build"]
    assert "dbt was imported by the dbt worker's fork server" in task.logs  # forked with dbt imported
    assert history == 0 and [(i["task_key"], i["command"]) for i in invocations] == [
        ("build", "build"),
        ("build", "generate"),
    ]
    assert invocations[0]["counts"] == {"pass": 4, "success": 6}
    assert all(r["execution_time"] >= 0 for r in invocations[0]["results"])
    assert printed == 0 and docs["run_id"] == job.run_id and docs["task_key"] == "build"
    assert {p.name for p in Path(docs["dir"]).iterdir()} == {"index.html", "manifest.json", "catalog.json"}
    assert "model.shop.customers" in served["manifest"]["nodes"] and "<html" in served["index"].lower()
    assert "dbt build" in run_page and "dbt generate" in run_page and "shop.customers" in run_page
    built = json.loads((root / "out/build/run_results/0.json").read_text())
    statuses = {r["unique_id"]: r["status"] for r in built["results"]}
    assert len(statuses) == 10 and set(statuses.values()) == {"success", "pass"}
    assert "model.shop.customers" in json.loads((root / "out/build/manifest.json").read_text())["nodes"]
    assert slim.exit_code == 1
    assert _results(project) == {
        "model.shop.customer_report": "success",
        "model.shop.nation_count": "success",
        "test.shop.no_alice": "fail",
    }
    assert not list(root.rglob("profiles.yml"))
    assert missing == 1 and "run 987654321 does not exist" in missing_err
    assert no_docs == 1 and "run 987654321 does not exist on the target" in capsys.readouterr().err


def test_a_workspace_target_without_dbt_databricks_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_shop(tmp_path / "b")
    bundle = root / "databricks.yml"
    prod = "  prod:\n    workspace:\n      host: https://adb-123.azuredatabricks.net\nresources:"
    bundle.write_text(bundle.read_text().replace("resources:", prod))
    monkeypatch.chdir(root)

    code = run(["dbt", "-t", "prod", "--", "debug"])

    err = capsys.readouterr().err
    assert code == 1
    assert "needs the dbt-databricks adapter" in err and "pip install dbt-databricks" in err


@pytest.mark.engine
def test_a_dbt_usage_error_exits_2_with_dbts_message(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(write_shop(project.root))
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))

    code = run(["dbt", "--", "bogus"])

    assert code == 2
    assert "No such command 'bogus'" in capsys.readouterr().err


def _served_docs(root: Path, project: Project, run_id: int) -> dict[str, Any]:
    """`brickyard dbt docs RUN_ID --port 0` in a process of its own: the page and its manifest."""
    env = {**os.environ, "BRICKYARD_LOCAL_WORKSPACE_DIR": str(project.workspace_dir)}
    command = [sys.executable, "-m", "brickyard", "dbt", "docs", str(run_id), "--port", "0", "-o", "json"]
    with subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = json.loads(proc.stdout.readline())["url"]
            with urllib.request.urlopen(url, timeout=30) as page:
                index = page.read().decode()
            with urllib.request.urlopen(url.replace("index.html", "manifest.json"), timeout=30) as answer:
                manifest = json.load(answer)
        finally:
            proc.terminate()
    return {"index": index, "manifest": manifest}


def _page(client: Any, path: str) -> str:
    """A page of the web UI, read with the workspace token (as `brickyard ui` signs in)."""
    headers = {**client.config.authenticate(), "Accept": "text/html"}
    with urllib.request.urlopen(urllib.request.Request(client.config.host + path, headers=headers)) as page:
        return str(page.read().decode())
