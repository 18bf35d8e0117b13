"""`curl_script.sh`: curl calls as the REST reference writes them, run by bash against the server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import LocalWorkspace

pytestmark = [pytest.mark.server, pytest.mark.engine]
SCRIPT = Path(__file__).with_name("curl_script.sh")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_curl_script_provisions_and_runs_jobs(local_ws: LocalWorkspace, w: Any, scheme: str) -> None:
    assert shutil.which("curl") and shutil.which("jq"), "curl and jq are part of the machine image"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env.update(
        DATABRICKS_HOST=local_ws.https_host if scheme == "https" else local_ws.host,
        DATABRICKS_TOKEN=local_ws.token,
        CURL_CA_BUNDLE=local_ws.ca_file,
        SCRIPT_NAME=f"curl-{scheme}",
    )
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    made = dict(line.split("=", 1) for line in done.stdout.splitlines() if line.count("=") == 1)
    assert made["init_script"] == f"/databricks/init/curl-{scheme}/setup.sh"
    assert made["notebook"] == "NOTEBOOK"
    cluster = w.clusters.get(made["cluster_id"])
    assert cluster.cluster_name == f"curl-{scheme}"
    assert cluster.init_scripts[0].dbfs.destination == f"dbfs:/databricks/init/curl-{scheme}/setup.sh"
    assert "job_2.1=" in done.stdout and "result=SUCCESS output=HI FROM 2.1" in done.stdout
    assert "result=SUCCESS output=HI FROM 2.0" in done.stdout
    assert done.stderr == ""
