"""Target overrides merge into the top-level configuration the way `databricks bundle` merges them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bundle.conftest import NOTEBOOK, Files, load

BASE = """
bundle:
  name: merging
resources:
  jobs:
    etl:
      name: etl
      tags: {team: data, tier: bronze}
      job_clusters:
        - job_cluster_key: small
          new_cluster: {spark_version: 15.4.x-scala2.12, num_workers: 1, node_type_id: m5.large}
      parameters:
        - {name: date, default: today}
        - {name: mode, default: full}
      tasks:
        - task_key: ingest
          job_cluster_key: small
          notebook_task: {notebook_path: ./nb.py}
          libraries: [{pypi: {package: requests}}]
        - task_key: report
          depends_on: [{task_key: ingest}]
          notebook_task: {notebook_path: ./nb.py}
  pipelines:
    dlt:
      name: dlt
      clusters:
        - label: default
          num_workers: 1
          spark_conf: {a: "1"}
      libraries: [{notebook: {path: ./nb.py}}]
targets:
  prod:
    resources:
      jobs:
        etl:
          tags: {tier: gold}
          job_clusters:
            - job_cluster_key: small
              new_cluster: {num_workers: 8}
          parameters:
            - {name: mode, default: incremental}
          tasks:
            - task_key: ingest
              timeout_seconds: 600
              libraries: [{pypi: {package: pandas}}]
            - task_key: publish
              depends_on: [{task_key: report}]
              notebook_task: {notebook_path: ./nb.py}
      pipelines:
        dlt:
          clusters:
            - label: DEFAULT
              num_workers: 4
              spark_conf: {b: "2"}
"""


def _bundle(write: Callable[[Files], Path]) -> Path:
    return write({"databricks.yml": BASE, "nb.py": NOTEBOOK})


def test_mappings_deep_merge_with_the_target_winning(write: Callable[[Files], Path]) -> None:
    job = load(_bundle(write), "prod").resources("jobs")["etl"]
    assert job["tags"] == {"team": "data", "tier": "gold"}
    assert job["name"] == "etl"


def test_tasks_merge_by_task_key_and_come_out_sorted(write: Callable[[Files], Path]) -> None:
    tasks = load(_bundle(write), "prod").resources("jobs")["etl"]["tasks"]
    assert [t["task_key"] for t in tasks] == ["ingest", "publish", "report"]
    ingest = tasks[0]
    assert ingest["timeout_seconds"] == 600
    assert ingest["job_cluster_key"] == "small"
    # lists inside a merged task concatenate, as the Databricks CLI does
    assert [lib["pypi"]["package"] for lib in ingest["libraries"]] == ["requests", "pandas"]


def test_job_clusters_merge_by_key(write: Callable[[Files], Path]) -> None:
    clusters = load(_bundle(write), "prod").resources("jobs")["etl"]["job_clusters"]
    assert len(clusters) == 1
    assert clusters[0]["new_cluster"] == {
        "spark_version": "15.4.x-scala2.12",
        "num_workers": 8,
        "node_type_id": "m5.large",
    }


def test_parameters_merge_by_name(write: Callable[[Files], Path]) -> None:
    params = load(_bundle(write), "prod").resources("jobs")["etl"]["parameters"]
    assert params == [{"name": "date", "default": "today"}, {"name": "mode", "default": "incremental"}]


def test_pipeline_clusters_merge_by_label_ignoring_case(write: Callable[[Files], Path]) -> None:
    clusters = load(_bundle(write), "prod").resources("pipelines")["dlt"]["clusters"]
    assert len(clusters) == 1
    assert clusters[0]["num_workers"] == 4
    assert clusters[0]["spark_conf"] == {"a": "1", "b": "2"}


def test_without_the_target_nothing_is_merged(write: Callable[[Files], Path]) -> None:
    bundle = load(_bundle(write))
    assert bundle.target == "prod"  # the only target is the default
    root = write(
        {
            "databricks.yml": BASE.replace("targets:\n  prod:", "targets:\n  dev: {}\n  prod:"),
            "nb.py": NOTEBOOK,
        }
    )
    dev = load(root, "dev").resources("jobs")["etl"]
    assert [t["task_key"] for t in dev["tasks"]] == ["ingest", "report"]
    assert dev["tags"] == {"team": "data", "tier": "bronze"}


def test_complex_variables_are_replaced_whole_not_merged(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": """
            bundle: {name: cx}
            variables:
              conf:
                type: complex
                default: {a: 1, b: 2}
            targets:
              dev:
                default: true
                variables:
                  conf: {c: 3}
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: t
                      new_cluster:
                        spark_version: "15.4"
                        spark_conf: ${var.conf}
                      notebook_task: {notebook_path: ./nb.py}
            """,
            "nb.py": NOTEBOOK,
        }
    )
    bundle = load(root)
    assert bundle.get("variables", "conf", "value") == {"c": 3}
    assert bundle.resources("jobs")["j"]["tasks"][0]["new_cluster"]["spark_conf"] == {"c": "3"}


def test_target_workspace_and_artifacts_override(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": """
            bundle: {name: ws}
            workspace:
              root_path: /Workspace/Shared/ws/${bundle.target}
            artifacts:
              pkg: {type: whl, path: ., build: uv build}
            targets:
              a:
                default: true
                workspace: {file_path: /Workspace/Shared/elsewhere}
                artifacts:
                  pkg: {build: python -m build}
            """,
        }
    )
    bundle = load(root)
    assert bundle.workspace["root_path"] == "/Workspace/Shared/ws/a"
    assert bundle.workspace["file_path"] == "/Workspace/Shared/elsewhere"
    assert bundle.workspace["state_path"] == "/Workspace/Shared/ws/a/state"
    assert bundle.get("artifacts", "pkg") == {
        "type": "whl",
        "path": str(root.resolve()),
        "build": "python -m build",
    }


def test_a_target_list_cannot_merge_onto_a_reference_to_a_list(tmp_path: Path) -> None:
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.bundle.resolve import InvalidBundle

    (tmp_path / "databricks.yml").write_text(
        "bundle: {name: shared-steps}\n"
        "variables:\n  steps: {type: complex, default: [{task_key: a, notebook_task: {notebook_path: /x}}]}\n"
        "resources:\n  jobs:\n    j: {name: j, tasks: '${var.steps}'}\n"
        "targets:\n  qa:\n    resources:\n      jobs:\n        j:\n          tasks: [{task_key: a, max_retries: 1}]\n"
    )
    with pytest.raises(InvalidBundle) as err:
        load_bundle(tmp_path, LoadOptions(target="qa", environ={}))
    assert [d.summary for d in err.value.diagnostics] == [
        "failed to perform target override for target=qa: failed to merge target=qa field=resources: "
        "cannot merge string with sequence"
    ]
    # What is printed is the configuration as written, targets included.
    assert err.value.config is not None and err.value.config.get("targets") is not None


def test_a_bundle_root_whose_path_reads_as_a_glob_is_refused(tmp_path: Path) -> None:
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.bundle.resolve import InvalidBundle

    root = tmp_path / "team?a"
    root.mkdir()
    (root / "databricks.yml").write_text("bundle: {name: globby}\n")
    with pytest.raises(InvalidBundle) as err:
        load_bundle(root, LoadOptions(environ={}))
    (diag,) = err.value.diagnostics
    assert diag.summary == "Bundle root path contains glob pattern characters"
    assert f'The path to the bundle root {root} contains glob pattern character "?"' in diag.detail
