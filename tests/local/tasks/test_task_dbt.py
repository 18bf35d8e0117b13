"""dbt_task end to end: a small dbt project (seed, models, tests) built on the local engine."""

from __future__ import annotations

import json

import pytest

from tests.local.tasks.task_harness import TaskWorkspace

pytestmark = pytest.mark.engine

PROJECT = {
    "dbt_project.yml": """
name: shop
version: "1.0"
profile: shop
seeds:
  shop:
    +file_format: delta
models:
  shop:
    +file_format: delta
    +materialized: table
""",
    # The user's profile points at Databricks; only its target names, schemas and threads are kept.
    "profiles.yml": """
shop:
  target: dev
  outputs:
    dev:
      type: databricks
      host: adb-123.azuredatabricks.net
      http_path: /sql/1.0/warehouses/abc
      schema: shop_dev
      threads: 2
      token: "{{ env_var('DATABRICKS_TOKEN') }}"
    prod:
      type: databricks
      catalog: workspace
      schema: shop_prod
""",
    "seeds/raw_orders.csv": "id,customer,amount\n1,alice,10\n2,bob,20\n3,alice,5\n",
    "models/customers.sql": (
        "select customer, sum(amount) as total, count(*) as orders from {{ ref('raw_orders') }} group by customer"
    ),
    "models/big_orders.sql": (
        "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\n"
        "select * from {{ ref('raw_orders') }} where amount >= 10"
    ),
    "models/schema.yml": """
version: 2
models:
  - name: customers
    columns:
      - name: customer
        data_tests: [unique, not_null]
  - name: big_orders
    columns:
      - name: id
        data_tests: [unique]
""",
    "tests/no_small_customers.sql": (
        "{{ config(tags=['strict']) }}\nselect * from {{ ref('customers') }} where total < 20"
    ),
}


def dbt_task(*commands: str, **extra: object) -> dict[str, object]:
    return {
        "task_key": "dbt",
        "dbt_task": {"project_directory": "/Workspace/Users/me/shop", "commands": list(commands), **extra},
    }


def test_dbt_project_builds_and_fails_on_a_failing_test(workspace: TaskWorkspace) -> None:
    for name, text in PROJECT.items():
        workspace.write(f"/Users/me/shop/{name}", text)

    built = workspace.run(
        dbt_task(
            "dbt deps",
            "dbt build --exclude tag:strict",
            "dbt build --target prod --select +customers --exclude tag:strict",
            # the prod target's catalog is where its models went
            "dbt show --target prod --inline 'select count(*) as n from workspace.shop_prod.customers'",
        ),
        timeout=240,
    )
    failed = workspace.run(
        dbt_task("dbt build --select +tag:strict", schema="shop_ci", catalog="main"), timeout=240
    )

    assert built.result.state == "SUCCESS", built.logs
    assert "Done. PASS=6 WARN=0 ERROR=0 SKIP=0" in built.stdout
    assert "Done. PASS=4 WARN=0 ERROR=0 SKIP=0" in built.stdout
    assert "shop_dev.customers" in built.stdout and "shop_prod.customers" in built.stdout
    assert "Previewing inline node:\n| n |\n| - |\n| 2 |" in built.stdout
    assert not (workspace.workspace_root / "Users/me/shop/target").exists()
    # The second task run starts from the partial parse state the first one kept.
    assert "saved manifest not found" in built.stdout and "saved manifest not found" not in failed.stdout
    assert failed.result.state == "FAILED"
    assert "shop_ci.customers" in failed.stdout
    assert failed.result.error == "dbt build --select +tag:strict failed: 1 node(s) did not succeed"
    assert "no_small_customers: fail: Got 1 result" in (failed.result.error_trace or "")
    # The artifacts stay next to the task's result, those of a failed command too.
    kept = workspace.root / "dbt-target"
    results = json.loads((kept / "run_results.json").read_text())
    assert {r["unique_id"]: r["status"] for r in results["results"]}["test.shop.no_small_customers"] == "fail"
    assert (kept / "manifest.json").is_file() and "no_small_customers" in (kept / "dbt.log").read_text()
