"""Requests the way real clients and curl scripts send them, answered as a workspace would."""

from __future__ import annotations

import base64
import http.client
import io
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from databricks.sdk.service.workspace import ImportFormat

from brickyard.local.lifecycle import LocalWorkspace
from tests.local.conftest import USER

pytestmark = pytest.mark.server
NEW_CLUSTER = {"spark_version": "15.4.x-scala2.12", "node_type_id": "i3.xlarge", "num_workers": 1}


def call(ws: LocalWorkspace, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
    """One raw request, with exactly the headers given (no client adds a content type)."""
    where = urlsplit(ws.host)
    conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Authorization": f"Bearer {ws.token}", **headers})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


@pytest.mark.parametrize(
    "content_type", [None, "text/json", "application/x-www-form-urlencoded", "text/plain; charset=utf-8"]
)
def test_json_bodies_are_read_whatever_content_type_they_carry(
    local_ws: LocalWorkspace, w: Any, content_type: str | None
) -> None:
    path = f"/compat/ct-{(content_type or 'none').split(';')[0].replace('/', '-')}"
    headers = {"Content-Type": content_type} if content_type else {}
    status, doc = call(local_ws, "POST", "/api/2.0/dbfs/mkdirs", json.dumps({"path": path}).encode(), headers)
    assert (status, doc) == (200, {})
    assert w.dbfs.get_status(path).is_dir


def test_get_with_a_json_body_reads_its_fields_as_query_parameters(local_ws: LocalWorkspace, w: Any) -> None:
    w.dbfs.put("/compat/listed/a.txt", contents=base64.b64encode(b"a").decode(), overwrite=True)
    w.dbfs.mkdirs("/compat/other")
    status, doc = call(
        local_ws, "GET", "/api/2.0/dbfs/list", json.dumps({"path": "/compat/listed"}).encode(), {}
    )
    assert status == 200 and [f["path"] for f in doc["files"]] == ["/compat/listed/a.txt"]
    status, doc = call(
        local_ws,
        "GET",
        "/api/2.0/dbfs/list?path=/compat/listed",
        json.dumps({"path": "/compat/other"}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200 and [f["path"] for f in doc["files"]] == ["/compat/listed/a.txt"]  # the query wins
    status, doc = call(
        local_ws,
        "GET",
        "/api/2.0/dbfs/read",
        json.dumps({"path": "/compat/listed/a.txt", "offset": 0, "length": 1}).encode(),
        {},
    )
    assert status == 200 and base64.b64decode(doc["data"]) == b"a"


def test_get_with_a_body_that_is_not_a_json_object_is_a_400(local_ws: LocalWorkspace) -> None:
    for body in (b"path=/x", b"[1, 2]", b"[" * 5000 + b"]" * 5000):  # the last nested past the parser
        status, doc = call(local_ws, "GET", "/api/2.0/dbfs/list", body, {})
        assert status == 400 and doc["error_code"] == "MALFORMED_REQUEST"


@pytest.mark.parametrize("field_name", ["contents", "content", "file", "upload"])
def test_dbfs_put_takes_the_file_from_any_form_field(
    local_ws: LocalWorkspace, w: Any, field_name: str
) -> None:
    path = f"/compat/put/{field_name}.sh"
    url = f"{local_ws.host}/api/2.0/dbfs/put"
    auth = {"Authorization": f"Bearer {local_ws.token}"}
    sent = requests.post(
        url, headers=auth, data={"path": path}, files={field_name: ("init.sh", b"#!/bin/bash\necho 1\n")}
    )
    assert sent.status_code == 200, sent.text
    assert base64.b64decode(w.dbfs.read(path).data) == b"#!/bin/bash\necho 1\n"
    again = requests.post(url, headers=auth, data={"path": path}, files={field_name: ("x", b"2")})
    assert again.status_code == 409 and again.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
    replaced = requests.post(
        url, headers=auth, data={"path": path, "overwrite": "true"}, files={field_name: ("x", b"2")}
    )
    assert replaced.status_code == 200 and base64.b64decode(w.dbfs.read(path).data) == b"2"


@pytest.fixture(scope="module")
def script(w: Any) -> str:
    folder = f"/Users/{USER}/compat"
    w.workspace.mkdirs(folder)
    w.workspace.upload(
        f"{folder}/hello.py",
        io.BytesIO(b"import sys\nprint('hello', *sys.argv[1:])\n"),
        format=ImportFormat.AUTO,
        overwrite=True,
    )
    return f"/Workspace{folder}/hello.py"


def finished(local_ws: LocalWorkspace, run_id: int, version: str = "2.0") -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status, run = call(local_ws, "GET", f"/api/{version}/jobs/runs/get?run_id={run_id}", None, {})
        assert status == 200, run
        if run["state"]["life_cycle_state"] in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR"):
            return dict(run)
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish")


def test_a_jobs_2_0_job_is_stored_and_run_as_its_single_task(local_ws: LocalWorkspace, script: str) -> None:
    settings = {
        "name": "legacy job",
        "new_cluster": NEW_CLUSTER,
        "max_retries": 1,
        "spark_python_task": {"python_file": script, "parameters": ["from", "2.0"]},
    }
    status, created = call(
        local_ws, "POST", "/api/2.0/jobs/create", json.dumps(settings).encode(), {"Content-Type": "text/json"}
    )
    assert status == 200, created
    status, job = call(local_ws, "GET", f"/api/2.1/jobs/get?job_id={created['job_id']}", None, {})
    assert job["settings"]["format"] == "SINGLE_TASK" and "spark_python_task" not in job["settings"]
    (task,) = job["settings"]["tasks"]
    assert task["task_key"] == "legacy_job" and task["spark_python_task"] == settings["spark_python_task"]
    assert (task["new_cluster"], task["max_retries"]) == (NEW_CLUSTER, 1)
    status, started = call(
        local_ws, "POST", "/api/2.0/jobs/run-now", json.dumps({"job_id": created["job_id"]}).encode(), {}
    )
    run = finished(local_ws, started["run_id"])
    assert run["state"]["result_state"] == "SUCCESS", run["state"]


def test_a_jobs_2_0_one_time_run_is_submitted_as_its_single_task(
    local_ws: LocalWorkspace, script: str
) -> None:
    body = {"run_name": "once", "spark_python_task": {"python_file": script}}
    status, started = call(local_ws, "POST", "/api/2.0/jobs/runs/submit", json.dumps(body).encode(), {})
    assert status == 200, started
    run = finished(local_ws, started["run_id"], "2.1")
    assert run["state"]["result_state"] == "SUCCESS" and [t["task_key"] for t in run["tasks"]] == ["once"]


def test_api_2_0_shows_and_updates_a_single_task_job_in_its_own_shape(local_ws: LocalWorkspace) -> None:
    settings = {"name": "shaped", "new_cluster": NEW_CLUSTER, "notebook_task": {"notebook_path": "/a"}}
    _, created = call(local_ws, "POST", "/api/2.0/jobs/create", json.dumps(settings).encode(), {})
    job_id = created["job_id"]
    update = {"job_id": job_id, "new_settings": {"notebook_task": {"notebook_path": "/b"}}}
    status, _ = call(local_ws, "POST", "/api/2.0/jobs/update", json.dumps(update).encode(), {})
    assert status == 200
    _, legacy = call(local_ws, "GET", f"/api/2.0/jobs/get?job_id={job_id}", None, {})
    assert "tasks" not in legacy["settings"] and legacy["settings"]["format"] == "SINGLE_TASK"
    assert legacy["settings"]["notebook_task"] == {"notebook_path": "/b"}
    assert legacy["settings"]["new_cluster"] == NEW_CLUSTER
    _, listed = call(local_ws, "GET", "/api/2.0/jobs/list?name=shaped", None, {})
    assert listed["jobs"][0]["settings"]["notebook_task"] == {"notebook_path": "/b"}
    _, current = call(local_ws, "GET", f"/api/2.2/jobs/get?job_id={job_id}", None, {})
    assert [t["notebook_task"] for t in current["settings"]["tasks"]] == [{"notebook_path": "/b"}]
