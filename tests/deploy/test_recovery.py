"""Deploys that are throttled, fail or are interrupted converge: no stale lock, no lost state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from brickyard.errors import ApplyError
from tests.deploy.conftest import Project
from tests.deploy.test_deploy import PROD, _jobs_of, _project

pytestmark = pytest.mark.server


@pytest.fixture
def faults(client: Any) -> Iterator[Any]:
    def inject(*rules: dict[str, Any]) -> None:
        client.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": list(rules)})

    yield inject
    client.api_client.do("DELETE", "/api/2.0/brickyard/faults")


def _state_path(project: Project) -> str:
    return f"/Workspace/Shared/.bundle/{project.name}/state"


def _exists(client: Any, path: str) -> bool:
    from databricks.sdk.errors import NotFound

    try:
        client.workspace.get_status(path)
    except NotFound:
        return False
    return True


def test_throttled_workspace_imports_are_retried_after_the_wait_asked(
    project: Project, client: Any, faults: Any
) -> None:
    _project(project, PROD)
    faults(
        {"path": "/workspace/import$", "status": 429, "retry_after": 1, "count": 2},
        {"path": "/workspace/import$", "status": 503, "retry_after": 1, "count": 1},
    )
    report = project.deploy()
    hits = client.api_client.do("GET", "/api/2.0/brickyard/faults")["rules"]
    assert [r["hits"] for r in hits] == [2, 1]
    assert sorted(report.created) == ["jobs.greet", "jobs.report"] and report.files_uploaded == 4
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")
    assert _exists(client, f"{_state_path(project)}/brickyard-state.json")


def test_a_failed_deploy_releases_its_lock(project: Project, client: Any, faults: Any) -> None:
    _project(project, PROD)
    faults({"path": "/jobs/create$", "status": 500, "message": "injected outage", "count": 1})
    with pytest.raises(ApplyError, match="injected outage"):
        project.deploy()
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")
    project.deploy()
    assert len(_jobs_of(client, project)) == 2
