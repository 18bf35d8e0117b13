"""dbt-databricks against a local SQL warehouse: `dbt debug` and `dbt build` (seed, views, tests,
snapshot), then a changed seed recorded by the snapshot.

dbt-databricks caps databricks-sdk and pydantic below what brickyard uses, so it cannot share the
project environment: it runs from its own virtual environment under `.tools/`, which `make install`
builds from `dbt-databricks-requirements.txt` (this test builds it the same way when it is missing
or stale, e.g. under a bare `pytest`).

The profile is the one documented for the local workspace: `host` with the HTTPS port (the SDK
inside dbt-databricks needs it), `connection_parameters._connection_uri` (the SQL connector joins
host and port itself, so a host with a port cannot reach it otherwise) and
`_tls_trusted_ca_file`; `REQUESTS_CA_BUNDLE` makes the SDK trust the workspace's CA too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.server, pytest.mark.engine]

REPO = Path(__file__).resolve().parents[3]
PROJECT = Path(__file__).parent / "dbt_shop"
VENV = REPO / ".tools" / "dbt-databricks"
REQUIREMENTS = Path(__file__).with_name("dbt-databricks-requirements.txt")


@pytest.fixture(scope="module")
def dbt() -> Path:
    ready = VENV / ".installed"
    wanted = REQUIREMENTS.read_text()
    if not ready.exists() or ready.read_text() != wanted:
        uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
        subprocess.run([uv, "venv", "-q", "--clear", "--python", sys.executable, str(VENV)], check=True)
        python = str(VENV / "bin" / "python")
        subprocess.run(
            [uv, "pip", "install", "-q", "--compile-bytecode", "--python", python, "-r", str(REQUIREMENTS)],
            check=True,
        )
        ready.write_text(wanted)
    return VENV / "bin" / "dbt"


def test_dbt_databricks_debug_and_build(dbt: Path, w: Any, local_ws: Any, tmp_path: Path) -> None:
    from brickyard.local.store.warehouses import DEFAULT_NAME

    path = next(wh for wh in w.warehouses.list() if wh.name == DEFAULT_NAME).odbc_params.path
    host = local_ws.https_host.removeprefix("https://")
    project = tmp_path / "shop"
    shutil.copytree(PROJECT, project)
    (tmp_path / "profiles.yml").write_text(
        f"""local:
  target: dev
  outputs:
    dev:
      type: databricks
      host: "{host}"
      http_path: {path}
      token: {local_ws.token}
      catalog: main
      schema: dbt_shop
      threads: 2
      connection_parameters:
        _connection_uri: "https://{host}{path}"
        _tls_trusted_ca_file: "{local_ws.ca_file}"
        enable_telemetry: false
"""
    )
    env = {**os.environ, "REQUESTS_CA_BUNDLE": local_ws.ca_file, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(dbt), *args, "--profiles-dir", str(tmp_path)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        return done.stdout

    assert "All checks passed!" in run("debug")
    assert "PASS=7 WARN=0 ERROR=0 SKIP=0" in run("build")
    # the snapshot the build took is readable by any SQL client of the warehouse
    history = w.statement_execution.execute_statement(
        statement="SELECT city, dbt_valid_to IS NULL FROM main.dbt_snap.customers_snapshot WHERE id = 3",
        warehouse_id=path.rsplit("/", 1)[1],
        wait_timeout="50s",
    )
    assert history.result.data_array == [["Oslo", "true"]]
