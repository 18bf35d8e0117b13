"""`brickyard dbt`: dbt on the local engine with a profile brickyard writes, and its failures."""

from __future__ import annotations

import json
from pathlib import Path

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
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_shop(project.root)
    project.deploy()
    job = project.run("shop_job")  # `dbt build` as a dbt_task of the deployed job
    monkeypatch.chdir(root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    capsys.readouterr()
    fetched = run(["dbt", "artifacts", str(job.run_id), "--dir", "out", "-o", "json"])
    listed = json.loads(capsys.readouterr().out)
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

    assert fetched == 0 and [t["task_key"] for t in listed["tasks"]] == ["build"]
    built = json.loads((root / "out/build/run_results.json").read_text())
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
    assert missing == 1 and "run 987654321 does not exist" in capsys.readouterr().err


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
