"""Permissions API through the SDK for jobs, clusters, pipelines and folders."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound
from databricks.sdk.service import iam, jobs

pytestmark = pytest.mark.server


def _levels(acl: Any) -> dict[str, str]:
    found = {}
    for entry in acl.access_control_list:
        name = entry.user_name or entry.group_name or entry.service_principal_name
        direct = [p for p in entry.all_permissions if not p.inherited]
        if direct:
            found[name] = direct[0].permission_level.value
    return found


def test_job_permissions_keep_one_owner(w: Any) -> None:
    task = jobs.Task(task_key="a", notebook_task=jobs.NotebookTask(notebook_path="/x"))
    job_id = w.jobs.create(name="perm", tasks=[task]).job_id
    assert _levels(w.jobs.get_permissions(str(job_id))) == {"tester@brickyard.local": "IS_OWNER"}
    w.jobs.set_permissions(
        str(job_id),
        access_control_list=[
            jobs.JobAccessControlRequest(
                group_name="users", permission_level=jobs.JobPermissionLevel.CAN_VIEW
            )
        ],
    )
    assert _levels(w.jobs.get_permissions(str(job_id))) == {
        "tester@brickyard.local": "IS_OWNER",
        "users": "CAN_VIEW",
    }
    w.jobs.update_permissions(
        str(job_id),
        access_control_list=[
            jobs.JobAccessControlRequest(
                group_name="users", permission_level=jobs.JobPermissionLevel.CAN_MANAGE_RUN
            )
        ],
    )
    assert _levels(w.jobs.get_permissions(str(job_id)))["users"] == "CAN_MANAGE_RUN"
    with pytest.raises(InvalidParameterValue):
        w.api_client.do(
            "PATCH",
            f"/api/2.0/permissions/jobs/{job_id}",
            body={"access_control_list": [{"group_name": "users", "permission_level": "CAN_ATTACH_TO"}]},
        )


def test_cluster_pipeline_and_folder_permissions(w: Any, scratch: str) -> None:
    cluster_id = w.clusters.create(cluster_name="p", spark_version="15.4.x-scala2.12").cluster_id
    acl = [{"group_name": "users", "permission_level": "CAN_RESTART"}]
    w.api_client.do("PUT", f"/api/2.0/permissions/clusters/{cluster_id}", body={"access_control_list": acl})
    assert _levels(w.clusters.get_permissions(cluster_id)) == {"users": "CAN_RESTART"}
    pipeline_id = w.pipelines.create(name=f"perm-{scratch}", allow_duplicate_names=True).pipeline_id
    w.permissions.set(
        "pipelines",
        pipeline_id,
        access_control_list=[
            iam.AccessControlRequest(user_name="a@b", permission_level=iam.PermissionLevel.CAN_RUN)
        ],
    )
    assert _levels(w.permissions.get("pipelines", pipeline_id))["a@b"] == "CAN_RUN"
    folder_id = str(w.workspace.get_status(scratch).object_id)
    w.workspace.set_permissions("directories", folder_id, access_control_list=[])
    assert w.permissions.get("directories", folder_id).object_id == f"/directories/{folder_id}"
    with pytest.raises(NotFound):
        w.permissions.get("jobs", "987654321")
    with pytest.raises(NotFound):
        w.permissions.get("directories", "1")
