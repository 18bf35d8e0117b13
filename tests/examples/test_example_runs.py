"""The example project deployed to the local workspace and run end to end, as `make demo` does."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from brickyard.context import AppContext
from brickyard.output import CaptureOutput

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"
WHEELHOUSE = EXAMPLE.parent / ".wheelhouse"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.fail(
            f"{WHEELHOUSE} has no wheels: `make install` fills it (the job's clusters need them offline)"
        )
    root = tmp_path_factory.mktemp("example") / "orders"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".brickyard", "dist", "__pycache__"))
    from brickyard.local.lifecycle import ensure_running, stop

    # Started here, so the server inherits where the wheels are (tests run with BRICKYARD_* cleared).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRICKYARD_FIND_LINKS", str(WHEELHOUSE))
        patch.setenv("UV_OFFLINE", "1")
        patch.setenv("BRICKYARD_LOCAL_USER", "tester@brickyard.local")
        ensure_running(root, write_profile=False)
    yield root
    stop(root)


def _context(root: Path, answer: bool = False) -> AppContext:
    environ = {**os.environ, "UV_OFFLINE": "1", "BRICKYARD_FIND_LINKS": str(WHEELHOUSE)}
    return AppContext(output=CaptureOutput(answer=answer), cwd=root, environ=environ)


@pytest.mark.engine
def test_the_example_job_runs_every_task_to_success(example: Path) -> None:
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.runs import RunOptions, run_resource

    report = deploy_bundle(_context(example), DeployOptions(target="local", auto_approve=True))
    assert sorted(report.created) == [
        "jobs.orders_job",
        "jobs.orders_smoke_test",
        "pipelines.orders_pipeline",
        "schemas.orders",
        "volumes.landing",
    ]
    outcome = run_resource(_context(example), RunOptions(key="orders_job", target="local"))
    assert [(t.task_key, t.result) for t in outcome.tasks] == [
        ("ingest", "SUCCESS"),
        ("refresh_pipeline", "SUCCESS"),
        ("score_customers", "SUCCESS"),
        ("dbt_marts", "SUCCESS"),
    ]
    assert '"landed": 500' in outcome.tasks[0].output
    pipeline = outcome.tasks[1].pipeline
    assert pipeline is not None
    silver = next(f for f in pipeline.flows if f.dataset == "orders_silver")
    expectations = {e.name: (e.passed, e.failed) for e in silver.expectations}
    assert expectations["has_customer"][1] > 0 and expectations["positive_amount"][1] > 0
    assert expectations["known_status"] == (500, 0)
    assert silver.rows == 500 - silver.dropped

    smoke = run_resource(_context(example), RunOptions(key="orders_smoke_test", target="local"))
    assert smoke.succeeded and smoke.tasks[0].output == "ok"
    again = deploy_bundle(_context(example), DeployOptions(target="local"))
    assert again.writes == 0


@pytest.mark.engine
def test_destroying_the_example_removes_what_it_deployed(example: Path) -> None:
    from databricks.sdk.errors import NotFound

    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.deploy.destroy import destroy_bundle
    from brickyard.local.lifecycle import ensure_running

    deploy_bundle(_context(example), DeployOptions(target="local", auto_approve=True))
    client = ensure_running(example, write_profile=False).client()
    schema = "main.dev_tester_orders"
    assert client.schemas.get(schema).name == "dev_tester_orders"
    report = destroy_bundle(_context(example), "local", auto_approve=True)
    assert sorted(report.deleted) == sorted(
        [
            "jobs.orders_job",
            "jobs.orders_smoke_test",
            "pipelines.orders_pipeline",
            "volumes.landing",
            "schemas.orders",
        ]
    )
    with pytest.raises(NotFound):
        client.schemas.get(schema)
