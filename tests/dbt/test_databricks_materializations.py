"""A dbt project written for dbt-databricks runs on the local engine, unedited.

`materialized_view`, `streaming_table` (here from `STREAM read_files(…)` too) and
`incremental_strategy: replace_where` exist only in dbt-databricks; liquid clustering, the change
data feed, persisted docs and a contract's NOT NULL columns are Delta options the engine refuses.
The project's own data tests check what each model holds, after a first build (`brickyard dbt`) and
after a second, incremental one (the job's dbt_task; the project has no profile, as a dbt_task
on Databricks needs none).
"""

from __future__ import annotations

import json

import pytest

from brickyard.dbt.run import DbtOptions, run_dbt
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  jobs:
    sales_job:
      name: sales
      tasks:
        - task_key: build
          dbt_task:
            project_directory: ./dbt
            commands: ["dbt build"]
            schema: sales
"""

PROJECT = {
    "dbt/dbt_project.yml": """
        name: sales
        version: "1.0"
        profile: sales
        models:
          sales:
            +materialized: table
        """,
    "dbt/seeds/raw_sales.csv": "id,region,amount\n1,eu,10\n2,us,20\n3,eu,5\n",
    "dbt/models/sales_by_region.sql": """
        {{ config(materialized='materialized_view', liquid_clustered_by=['region'],
                  tblproperties={'delta.enableChangeDataFeed': 'true', 'quality': 'gold'}) }}
        select region, sum(amount) as total from {{ ref('raw_sales') }} group by region
        """,
    "dbt/models/sales_stream.sql": """
        {{ config(materialized='streaming_table', databricks_tags={'team': 'sales'}) }}
        select id, region, amount from stream({{ ref('raw_sales') }})
        """,
    "dbt/models/customers_raw.sql": """
        {{ config(materialized='streaming_table') }}
        select * from stream read_files(
          '/databricks-datasets/retail-org/customers/customers.csv', format => 'csv', header => true)
        """,
    "dbt/models/documented.sql": """
        {{ config(persist_docs={'relation': true, 'columns': true}) }}
        select cast(id as int) as id, region from {{ ref('raw_sales') }}
        """,
    "dbt/models/documented.yml": """
        version: 2
        models:
          - name: documented
            description: Sales, documented and under contract
            config:
              contract: {enforced: true}
            columns:
              - name: id
                description: the sale
                data_type: int
                constraints: [{type: not_null}]
              - name: region
                data_type: string
        """,
    "dbt/models/eu_sales.sql": """
        {{ config(materialized='incremental', incremental_strategy='replace_where',
                  incremental_predicates=["region = 'eu'"], cluster_by=['id'], zorder='id') }}
        select id, region, amount from {{ ref('sales_stream') }} where region = 'eu'
        """,
    "dbt/tests/region_totals.sql": """
        select * from {{ ref('sales_by_region') }}
        where not ((region = 'eu' and total = 15) or (region = 'us' and total = 20))
        """,
    "dbt/tests/every_streamed_row.sql": "select 1 from {{ ref('sales_stream') }} having count(*) <> 3\n",
    "dbt/tests/every_customer_file_row.sql": "select 1 from {{ ref('customers_raw') }} having count(*) <> 300\n",
    "dbt/tests/eu_replaced_not_appended.sql": """
        select 1 from {{ ref('eu_sales') }} having count(*) <> 2 or sum(amount) <> 15
        """,
}


@pytest.mark.engine
def test_databricks_materializations_build_twice_on_the_local_engine(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write({"databricks.yml": BUNDLE, **PROJECT})
    before = {p: p.read_bytes() for p in (project.root / "dbt").rglob("*") if p.is_file()}
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))

    first = run_dbt(project.context(), DbtOptions(["build"]))
    project.deploy()
    second = project.run("sales_job")  # eu_sales: replace_where this time

    assert first.exit_code == 0, first.exception
    (task,) = second.tasks
    assert task.result == "SUCCESS", (task.error, task.logs[-3000:])
    assert "Done. PASS=10 WARN=0 ERROR=0" in task.logs
    assert "sales_stream is materialized=streaming_table on Databricks" in task.logs
    results = json.loads((project.root / "dbt/target/run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    assert statuses == {
        "raw_sales": "success",
        "sales_by_region": "success",
        "sales_stream": "success",
        "customers_raw": "success",
        "documented": "success",
        "eu_sales": "success",
        "every_customer_file_row": "pass",
        "region_totals": "pass",
        "every_streamed_row": "pass",
        "eu_replaced_not_appended": "pass",
    }
    log = (project.root / "dbt/logs/dbt.log").read_text()
    assert "is materialized=materialized_view on Databricks; the local engine builds it as a table" in log
    assert "is materialized=streaming_table on Databricks" in log
    after = {p: p.read_bytes() for p in (project.root / "dbt").rglob("*") if p.is_file()}
    assert {p: after[p] for p in before} == before  # the user's project is not edited
    assert not [p for p in after if "brickyard_local_macros" in str(p)]
