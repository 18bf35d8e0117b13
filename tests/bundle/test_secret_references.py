"""`{{secrets/<scope>/<key>}}` references are how a bundle names a credential: never a plaintext secret."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.bundle.conftest import Files, errors, load

BUNDLE = """
bundle: {name: s}
variables:
  env: {default: dev}
  db_password: {default: "{{secrets/kv-${var.env}/db-password}}"}
resources:
  jobs:
    j:
      name: j
      tasks:
        - task_key: a
          spark_python_task:
            python_file: ./run.py
            parameters: ["--password", "{{secrets/kv-${var.env}/db-password}}"]
          new_cluster:
            spark_version: '15.4'
            spark_conf:
              fs.azure.account.key.acct.dfs.core.windows.net: "{{secrets/kv-${var.env}/storage-key}}"
            spark_env_vars:
              DB_PASSWORD: "{{secrets/kv-${var.env}/db-password}}"
              API_TOKEN: "Bearer {{ secrets/kv-${var.env}/api-token }}"
"""


def test_secret_references_with_variables_are_not_plaintext(write: Callable[[Files], Path]) -> None:
    root = write({"databricks.yml": BUNDLE, "run.py": "print(1)\n"})
    cluster = load(root).resources("jobs")["j"]["tasks"][0]["new_cluster"]
    assert cluster["spark_env_vars"]["DB_PASSWORD"] == "{{secrets/kv-dev/db-password}}"
    assert cluster["spark_env_vars"]["API_TOKEN"] == "Bearer {{ secrets/kv-dev/api-token }}"


def test_a_literal_next_to_no_reference_is_still_flagged(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace('"Bearer {{ secrets/kv-${var.env}/api-token }}"', "Bearer s3cr3t-{{job.id}}")
    root = write({"databricks.yml": text, "run.py": "print(1)\n"})
    found = errors(root)
    assert [d.path for d in found] == ["resources.jobs.j.tasks[0].new_cluster.spark_env_vars.API_TOKEN"]


def test_a_token_that_names_a_request_is_not_a_credential(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace(
        "            parameters:",
        '            idempotency_token: "nightly-2026"\n            page_token: "p2"\n            session_token: "x1"\n'
        "            parameters:",
    )
    found = errors(write({"databricks.yml": text, "run.py": "print(1)\n"}))
    # only the one that names a caller's credential is flagged
    assert [d.path for d in found] == ["resources.jobs.j.tasks[0].spark_python_task.session_token"]
