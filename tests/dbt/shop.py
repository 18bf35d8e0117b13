"""A small bundle with a dbt project, written from scratch for these tests.

The project has what dbt teams use every day: a seed, a source in another catalog (`database:`), table models, an
incremental model, data tests, a singular test and a snapshot, and a job that runs it as a
`dbt_task`.
"""

from __future__ import annotations

from pathlib import Path

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  jobs:
    shop_job:
      name: shop
      tasks:
        - task_key: build
          dbt_task:
            project_directory: ./dbt
            commands: ["dbt build", "dbt docs generate"]
            schema: shop
"""

PROJECT = {
    "dbt_project.yml": """
name: shop
version: "1.0"
profile: shop
models:
  shop:
    +materialized: table
    +file_format: delta
seeds:
  shop:
    +file_format: delta
snapshots:
  shop:
    +file_format: delta
""",
    "seeds/raw_orders.csv": "id,customer,amount\n1,alice,10\n2,bob,20\n3,alice,5\n",
    "models/sources.yml": """
version: 2
sources:
  - name: tpch
    database: samples
    schema: tpch
    tables:
      - name: nation
""",
    "models/nation_count.sql": "select count(*) as nations from {{ source('tpch', 'nation') }}\n",
    "models/customers.sql": (
        "select customer, sum(amount) as total, count(*) as orders\n"
        "from {{ ref('raw_orders') }}\ngroup by customer\n"
    ),
    "models/big_orders.sql": (
        "{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}\n"
        "select * from {{ ref('raw_orders') }} where amount >= 10\n"
    ),
    "models/customer_report.sql": "select customer, total from {{ ref('customers') }}\n",
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
    "tests/no_negative_totals.sql": "select * from {{ ref('customers') }} where total < 0\n",
    "snapshots/customers_snapshot.sql": """
{% snapshot customers_snapshot %}
{{ config(target_schema='shop', unique_key='customer', strategy='check', check_cols=['total']) }}
select * from {{ ref('customers') }}
{% endsnapshot %}
""",
}


def write_shop(root: Path) -> Path:
    """The bundle at `root` (named after it), its dbt project in `root/dbt`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "databricks.yml").write_text(BUNDLE.replace("NAME", root.name), encoding="utf-8")
    for name, text in PROJECT.items():
        path = root / "dbt" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
    return root
