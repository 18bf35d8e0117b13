"""The example project validates cleanly on every target and its own unit tests pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from brickyard.bundle import LoadOptions, load_bundle

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("target", ["local", "dev", "staging", "prod"])
def test_example_validates_without_findings(target: str) -> None:
    bundle = load_bundle(EXAMPLE, LoadOptions(target=target, environ={}))
    # prod's permissions name the analysts, not whoever validates it here: that is the CLI's
    # recommendation to keep the deployer's CAN_MANAGE, nothing to fix in the example.
    findings = [d for d in bundle.diagnostics if not d.summary.startswith("permissions section should")]
    assert findings == []
    job = bundle.resources("jobs")["orders_job"]
    assert [t["task_key"] for t in job["tasks"]] == [  # sorted by key, as the Databricks CLI prints them
        "dbt_marts",
        "ingest",
        "refresh_pipeline",
        "score_customers",
    ]
    kinds = [next(k for k in t if k.endswith("_task")) for t in job["tasks"]]
    assert kinds == ["dbt_task", "notebook_task", "pipeline_task", "python_wheel_task"]


def test_targets_differ_as_intended() -> None:
    local = load_bundle(EXAMPLE, LoadOptions(target="local", environ={}))
    prod = load_bundle(EXAMPLE, LoadOptions(target="prod", environ={}))
    assert local.host is None and prod.host == "https://adb-3456789012345678.9.azuredatabricks.net"
    assert local.resources("schemas")["orders"]["name"] == "dev_tester_orders"
    assert prod.resources("schemas")["orders"]["name"] == "orders"
    assert prod.resources("jobs")["orders_job"]["run_as"] == {
        "service_principal_name": "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    }
    assert prod.resources("pipelines")["orders_pipeline"]["configuration"] == {
        "orders.landing_path": "/Volumes/prod/orders/landing/orders"
    }
    assert local.resources("jobs")["orders_job"]["schedule"]["pause_status"] == "PAUSED"


def test_example_unit_tests_pass() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests" / "unit")],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
