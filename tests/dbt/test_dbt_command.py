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
def test_build_runs_on_the_local_engine_and_leaves_its_tables_to_the_workspace(project: Project) -> None:
    write_shop(project.root)

    built = run_dbt(project.context(), DbtOptions(["build"]))
    first = _results(project)
    # A new engine session: it only sees `customers` if the first run gave its tables to the workspace.
    (project.root / "dbt/tests/no_alice.sql").write_text(
        "select * from {{ ref('customers') }} where customer = 'alice'\n"
    )
    failed = run_dbt(project.context(), DbtOptions(["build", "--select", "customer_report", "no_alice"]))

    assert built.exit_code == 0
    assert len(first) == 9 and set(first.values()) == {"success", "pass"}
    assert first["snapshot.shop.customers_snapshot"] == "success"
    assert failed.exit_code == 1
    assert _results(project) == {"test.shop.no_alice": "fail", "model.shop.customer_report": "skipped"}
    assert not list(project.root.rglob("profiles.yml"))


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
