"""Which catalogs and schemas a bundle uses without defining them (what `--local` creates)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from brickyard.deploy.local_namespaces import used_namespaces
from tests.bundle.conftest import Files, load
from tests.bundle.conftest import write as write

BUNDLE = """
bundle: {name: ns}
variables:
  catalog: {default: dev}
resources:
  schemas:
    own: {name: own, catalog_name: "${var.catalog}"}
  pipelines:
    p: {name: p, catalog: "${var.catalog}", schema: "${resources.schemas.own.name}"}
    legacy: {name: legacy, catalog: sales, target: raw}
  volumes:
    v: {name: v, catalog_name: lake, schema_name: landing, volume_type: MANAGED}
  jobs:
    j:
      name: j
      parameters:
        - {name: catalog, default: reporting}
        - {name: schema, default: marts}
      tasks:
        - task_key: t
          dbt_task: {commands: [dbt run], catalog: dbt_cat, schema: dbt_schema, project_directory: ./dbt}
        - task_key: nb
          notebook_task: {notebook_path: /Workspace/Shared/nb, base_parameters: {catalog: nb_cat, schema: nb_schema}}
        - task_key: script
          spark_python_task:
            python_file: /Workspace/Shared/s.py
            parameters: ["--catalog", py_cat, "--schema=py_schema", "--verbose"]
        - task_key: dynamic
          spark_python_task:
            python_file: /Workspace/Shared/s.py
            parameters: ["--catalog", "{{job.parameters.catalog}}", "--schema", "{{job.parameters.schema}}"]
"""


def test_used_but_not_defined(write: Callable[[Files], Path]) -> None:
    root = write({"databricks.yml": BUNDLE, "dbt/dbt_project.yml": "name: d\n"})
    used = used_namespaces(load(root))
    assert used.catalogs == {"dev", "sales", "lake", "reporting", "dbt_cat", "nb_cat", "py_cat"}
    # the bundle defines dev.own itself; the deploy creates it, not the --local preparation
    assert used.schemas == {
        ("sales", "raw"),
        ("lake", "landing"),
        ("reporting", "marts"),
        ("dbt_cat", "dbt_schema"),
        ("nb_cat", "nb_schema"),
        ("py_cat", "py_schema"),
    }
