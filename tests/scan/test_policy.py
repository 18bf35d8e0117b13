"""`scan policy` and validate: cluster policies and project rules, located like validate's errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.bundle import LoadOptions, load_bundle
from brickyard.cli.main import run
from brickyard.scan.policies import Policies
from brickyard.scan.policy import check_cluster_policies
from brickyard.settings import load_settings

Write = Callable[[dict[str, str]], Path]
POLICY = {
    "cluster_type": {"type": "allowlist", "values": ["job"]},
    "spark_version": {"type": "regex", "pattern": "15\\.4\\.x-scala2\\.12"},
    "node_type_id": {"type": "allowlist", "values": ["Standard_D4ds_v5"]},
    "num_workers": {"type": "range", "minValue": 1, "maxValue": 4},
    "instance_pool_id": {"type": "forbidden"},
    "data_security_mode": {"type": "fixed", "value": "SINGLE_USER"},
    "spark_conf.spark.databricks.cluster.profile": {"type": "blocklist", "values": ["singleNode"]},
    "init_scripts.*.workspace.destination": {
        "type": "regex",
        "pattern": ".*/init/.*\\.sh",
        "isOptional": True,
    },
    "autotermination_minutes": {"type": "unlimited", "defaultValue": 60},
    "custom_tags.team": {"type": "fixed", "value": "orders"},
    "dbus_per_hour": {"type": "range", "maxValue": 10},
}
BUNDLE = """
bundle: {name: pol}
resources:
  jobs:
    etl:
      name: etl
      job_clusters:
        - job_cluster_key: good
          new_cluster:
            spark_version: 15.4.x-scala2.12
            node_type_id: Standard_D4ds_v5
            num_workers: 2
        - job_cluster_key: bad
          new_cluster:
            spark_version: 14.3.x-scala2.12
            node_type_id: Standard_E64s_v3
            num_workers: 40
            instance_pool_id: pool-1
            data_security_mode: NONE
            spark_conf:
              spark.databricks.cluster.profile: singleNode
            init_scripts:
              - workspace: {destination: /Shared/other.sh}
      tasks:
        - task_key: a
          job_cluster_key: good
          notebook_task: {notebook_path: ./nb.py}
        - task_key: b
          new_cluster:
            spark_version: 15.4.x-scala2.12
            node_type_id: Standard_D4ds_v5
          notebook_task: {notebook_path: ./nb.py}
targets:
  dev: {default: true}
  prod:
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/pol/prod}
    resources:
      clusters:
        adhoc: {spark_version: 15.4.x-scala2.12, node_type_id: Standard_D4ds_v5, num_workers: 1}
"""
SETTINGS = """
policies:
  cluster_policies:
    - file: policies/jobs.json
      cluster_types: [job, all-purpose]
  rules:
    - id: prod-run-as-sp
      targets: [prod]
      applies_to: jobs
      key: run_as.service_principal_name
      required: true
    - id: no-all-purpose-in-prod
      targets: [prod]
      applies_to: all_purpose_clusters
      forbidden: true
"""


@pytest.fixture
def project(write: Write) -> Path:
    return write({
        "databricks.yml": BUNDLE,
        "nb.py": "# Databricks notebook source\n1\n",
        "policies/jobs.json": json.dumps(POLICY, indent=2),
        "brickyard.yml": SETTINGS,
    })  # fmt: skip


def at(snippet: str, occurrence: int = 1) -> str:
    """The location of a snippet's n-th occurrence in the bundle: where a finding must point."""
    text = BUNDLE.lstrip("\n")
    index = -1
    for _ in range(occurrence):
        index = text.index(snippet, index + 1)
    return f"databricks.yml:{text.count(chr(10), 0, index) + 1}:{index - text.rfind(chr(10), 0, index)}"


def _findings(root: Path, target: str) -> dict[tuple[str, str], str]:
    bundle = load_bundle(root, LoadOptions(target=target, environ={}))
    result = check_cluster_policies(bundle, Policies.of(load_settings(root)))
    return {(f.rule_id, f.path): str(f.location) for f in result.findings}


def test_every_broken_attribute_is_found_at_its_line(project: Path) -> None:
    bad = "resources.jobs.etl.job_clusters[1].new_cluster"
    assert _findings(project, "dev") == {
        ("policy/jobs/spark_version", f"{bad}.spark_version"): at("14.3.x-scala2.12"),
        ("policy/jobs/node_type_id", f"{bad}.node_type_id"): at("Standard_E64s_v3"),
        ("policy/jobs/num_workers", f"{bad}.num_workers"): at("40"),
        ("policy/jobs/instance_pool_id", f"{bad}.instance_pool_id"): at("pool-1"),
        ("policy/jobs/data_security_mode", f"{bad}.data_security_mode"): at("NONE"),
        ("policy/jobs/spark_conf.spark.databricks.cluster.profile", f"{bad}.spark_conf['spark.databricks.cluster.profile']"): at("singleNode"),
        ("policy/jobs/init_scripts.*.workspace.destination", f"{bad}.init_scripts[0].workspace.destination"): at("/Shared/other.sh"),
        # the task cluster sets no num_workers, which the range rule requires (not optional, no default)
        ("policy/jobs/num_workers", "resources.jobs.etl.tasks[1].new_cluster"): at("spark_version: 15.4.x-scala2.12", 2),
    }  # fmt: skip


def test_project_rules_apply_to_their_targets(project: Path) -> None:
    found = _findings(project, "prod")
    assert found[("rule/prod-run-as-sp", "resources.jobs.etl")] == at("name: etl")
    assert found[("rule/no-all-purpose-in-prod", "resources.clusters.adhoc")] == at("{spark_version: 15.4.x")
    assert found[("policy/jobs/cluster_type", "resources.clusters.adhoc")] == at("{spark_version: 15.4.x")
    assert not any(rule.startswith("rule/") for rule, _ in _findings(project, "dev"))


def test_a_compliant_bundle_passes_and_the_offline_limit_is_said(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "databricks.yml").write_text(
        "bundle: {name: pol}\nresources:\n  jobs:\n    etl:\n      name: etl\n      tasks:\n"
        "        - task_key: a\n          notebook_task: {notebook_path: ./nb.py}\n"
        "          new_cluster: {spark_version: 15.4.x-scala2.12, node_type_id: Standard_D4ds_v5, num_workers: 1,\n"
        "                        data_security_mode: SINGLE_USER, custom_tags: {team: orders}}\n"
    )
    assert run(["scan", "policy"]) == 0
    assert "dbus_per_hour is not evaluated offline" in capsys.readouterr().err


def test_validate_runs_the_policies_and_fails_with_locations(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["validate", "-t", "dev"]) == 1
    err = capsys.readouterr().err
    assert (
        f"in {at('Standard_E64s_v3')}" in err
        and "at resources.jobs.etl.job_clusters[1].new_cluster.node_type_id" in err
    )
    assert "node_type_id = 'Standard_E64s_v3' is not among the allowed values ['Standard_D4ds_v5']" in err
    assert err.rstrip().endswith("Error: validation failed: 8 policy violations")


def test_validate_without_policies_is_unchanged(project: Path) -> None:
    (project / "brickyard.yml").unlink()
    assert run(["validate", "-t", "dev"]) == 0
