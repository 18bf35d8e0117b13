"""The legacy `databricks-cli` (0.18, PyPI `databricks-cli`) driven as a subprocess.

It builds its base URL from the host's scheme and hostname only (`https://127.0.0.1:8443` becomes
`https://127.0.0.1/api/`), so it reaches a workspace on the default ports alone. Its `configure
--token` also refuses http hosts. What works, and what docs/clients.md tells users: start the
workspace with `brickyard local up --https-port 443` and write `~/.databrickscfg` with
`host = https://127.0.0.1` and the token, with `REQUESTS_CA_BUNDLE` naming the workspace's CA; or
`--port 80` with `host = http://127.0.0.1`. The server and the CLI run in a private network
namespace, where ports 80 and 443 are always free.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.local.clients.netns import private_loopback

pytestmark = [pytest.mark.server, pytest.mark.engine]
BIN = Path(sys.executable).parent
CLUSTER = {"spark_version": "15.4.x-scala2.12", "node_type_id": "i3.xlarge", "num_workers": 1}


@dataclass(frozen=True)
class Legacy:
    prefix: list[str]
    env: dict[str, str]
    root: Path

    def run(
        self, *args: str, profile: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [*self.prefix, str(BIN / "databricks"), *args]
        if profile:
            argv += ["--profile", profile]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=120)
        if check:
            assert done.returncode == 0, f"databricks {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args).stdout)


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Legacy]:
    root = tmp_path_factory.mktemp("legacy")
    home, project = root / "home", root / "project"
    home.mkdir()
    project.mkdir()
    (project / "databricks.yml").write_text("bundle:\n  name: legacy-cli\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "BRICKYARD_"))}
    env.update(HOME=str(home), BRICKYARD_LOCAL_USER="tester@brickyard.local", PYTHONWARNINGS="ignore")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the CLI starts in 0.3 s from bytecode, 1.3 s without
    with private_loopback() as prefix:
        brickyard = [*prefix, str(BIN / "brickyard"), "local"]
        started = subprocess.run(
            [*brickyard, "up", "--port", "80", "--https-port", "443", "-o", "json"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stderr
        up = json.loads(started.stdout)
        assert (up["host"], up["https_host"]) == ("http://127.0.0.1:80", "https://127.0.0.1:443")
        token = (project / ".brickyard" / "local" / "token").read_text().strip()
        with open(home / ".databrickscfg", "a") as cfg:  # `local up` wrote its own profile first
            cfg.write(f"\n[DEFAULT]\nhost = https://127.0.0.1\ntoken = {token}\n")
            cfg.write(f"\n[plain]\nhost = http://127.0.0.1\ntoken = {token}\n")
            cfg.write(f"\n[ported]\nhost = https://127.0.0.1:8443\ntoken = {token}\n")
        env["REQUESTS_CA_BUNDLE"] = up["ca_file"]
        try:
            yield Legacy(prefix, env, root)
        finally:
            subprocess.run([*brickyard, "down"], cwd=project, env=env, capture_output=True, timeout=120)


def test_workspace_import_dir_ls_export_dir_and_rm(legacy: Legacy) -> None:
    source = legacy.root / "notebooks"
    (source / "sub").mkdir(parents=True)
    (source / "etl.py").write_text("# Databricks notebook source\nprint('etl')\n")
    (source / "sub" / "report.sql").write_text("-- Databricks notebook source\nSELECT 1\n")
    legacy.run("workspace", "mkdirs", "/Shared/legacy")
    legacy.run("workspace", "import_dir", str(source), "/Shared/legacy/nb")
    assert legacy.run("workspace", "ls", "/Shared/legacy/nb").stdout.split() == ["etl", "sub"]
    listed = legacy.run("workspace", "ls", "-l", "/Shared/legacy/nb/sub").stdout
    assert "NOTEBOOK" in listed and "report" in listed and "SQL" in listed
    target = legacy.root / "exported"
    legacy.run("workspace", "export_dir", "/Shared/legacy/nb", str(target))
    assert "print('etl')" in (target / "etl.py").read_text()
    assert "SELECT 1" in (target / "sub" / "report.sql").read_text()
    legacy.run("workspace", "rm", "-r", "/Shared/legacy/nb")
    assert legacy.run("workspace", "ls", "/Shared/legacy").stdout.strip() == ""
    missing = legacy.run("workspace", "ls", "/Shared/legacy/nb", check=False)
    assert missing.returncode == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stdout + missing.stderr


def test_fs_mkdirs_cp_and_ls_both_ways(legacy: Legacy) -> None:
    script = legacy.root / "init.sh"
    script.write_bytes(b"#!/bin/bash\necho ready\n" + os.urandom(3000))
    legacy.run("fs", "mkdirs", "dbfs:/legacy/init")
    legacy.run("fs", "cp", str(script), "dbfs:/legacy/init/init.sh")
    assert legacy.run("fs", "ls", "dbfs:/legacy/init").stdout.split() == ["init.sh"]
    assert (
        f"file  {script.stat().st_size}  init.sh" in legacy.run("fs", "ls", "-l", "dbfs:/legacy/init").stdout
    )
    back = legacy.root / "back.sh"
    legacy.run("fs", "cp", "dbfs:/legacy/init/init.sh", str(back))
    assert back.read_bytes() == script.read_bytes()
    refused = legacy.run("fs", "cp", str(script), "dbfs:/legacy/init/init.sh", check=False)
    assert refused.returncode == 1 and "already exists" in refused.stdout + refused.stderr
    legacy.run("fs", "cp", "--overwrite", str(back), "dbfs:/legacy/init/init.sh")


def test_clusters_create_and_list(legacy: Legacy) -> None:
    spec = legacy.root / "cluster.json"
    spec.write_text(json.dumps({"cluster_name": "legacy-cluster", **CLUSTER}))
    cluster_id = legacy.json("clusters", "create", "--json-file", str(spec))["cluster_id"]
    assert f"{cluster_id}  legacy-cluster" in legacy.run("clusters", "list").stdout
    listed = legacy.json("clusters", "list", "--output", "JSON")["clusters"]
    assert {c["cluster_id"]: c["spark_version"] for c in listed}[cluster_id] == CLUSTER["spark_version"]
    assert legacy.json("clusters", "get", "--cluster-id", cluster_id)["cluster_name"] == "legacy-cluster"


def finished(legacy: Legacy, run_id: int, *version: str) -> Any:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = legacy.json("runs", "get", "--run-id", str(run_id), *version)
        if run["state"]["life_cycle_state"] in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


def test_jobs_in_the_2_0_shape_create_run_now_and_runs_get(legacy: Legacy) -> None:
    script = legacy.root / "hello.py"
    script.write_text("import sys\nprint('hello', *sys.argv[1:])\n")
    legacy.run("fs", "cp", "--overwrite", str(script), "dbfs:/legacy/hello.py")
    spec = legacy.root / "job20.json"
    task = {"python_file": "dbfs:/legacy/hello.py", "parameters": ["legacy"]}
    spec.write_text(json.dumps({"name": "legacy job", "new_cluster": CLUSTER, "spark_python_task": task}))
    job_id = legacy.json("jobs", "create", "--json-file", str(spec))["job_id"]
    shown = legacy.json("jobs", "get", "--job-id", str(job_id))["settings"]
    assert shown["spark_python_task"] == task and shown["format"] == "SINGLE_TASK"
    run_id = legacy.json("jobs", "run-now", "--job-id", str(job_id))["run_id"]
    run = finished(legacy, run_id)
    assert run["state"]["result_state"] == "SUCCESS", run["state"]
    assert run["format"] == "SINGLE_TASK" and run["task"]["spark_python_task"] == task
    assert run["cluster_spec"]["new_cluster"] == CLUSTER
    output = legacy.json("runs", "get-output", "--run-id", str(run_id))
    assert "hello legacy" in output.get("logs", ""), output


def test_jobs_in_the_2_1_shape_with_version_flag(legacy: Legacy) -> None:
    spec = legacy.root / "job21.json"
    tasks = [{"task_key": "check", "condition_task": {"left": "1", "op": "EQUAL_TO", "right": "1"}}]
    spec.write_text(json.dumps({"name": "legacy multi", "tasks": tasks}))
    job_id = legacy.json("jobs", "create", "--json-file", str(spec), "--version=2.1")["job_id"]
    run_id = legacy.json("jobs", "run-now", "--job-id", str(job_id), "--version=2.1")["run_id"]
    run = finished(legacy, run_id, "--version=2.1")
    assert run["state"]["result_state"] == "SUCCESS" and [t["task_key"] for t in run["tasks"]] == ["check"]


def test_secrets_create_scope_put_and_list_without_showing_values(legacy: Legacy) -> None:
    legacy.run("secrets", "create-scope", "--scope", "legacy")
    legacy.run("secrets", "put", "--scope", "legacy", "--key", "password", "--string-value", "s3cr3t-value")
    listed = legacy.run("secrets", "list", "--scope", "legacy")
    assert "password" in listed.stdout and "s3cr3t-value" not in listed.stdout
    assert "legacy" in legacy.run("secrets", "list-scopes").stdout
    again = legacy.run("secrets", "create-scope", "--scope", "legacy", check=False)
    assert again.returncode == 1 and "RESOURCE_ALREADY_EXISTS" in again.stdout + again.stderr


def test_plain_http_on_port_80(legacy: Legacy) -> None:
    env = {k: v for k, v in legacy.env.items() if k != "REQUESTS_CA_BUNDLE"}
    done = subprocess.run(
        [*legacy.prefix, str(BIN / "databricks"), "workspace", "ls", "/", "--profile", "plain"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert {"Shared", "Users"} <= set(done.stdout.split())


def test_the_cli_drops_a_port_from_its_host(legacy: Legacy) -> None:
    """`https://127.0.0.1:8443` reaches port 443: nothing listens on 8443, yet the call succeeds."""
    assert "Shared" in legacy.run("workspace", "ls", "/", profile="ported").stdout.split()


def test_the_cli_refuses_to_configure_an_http_host(legacy: Legacy) -> None:
    done = subprocess.run(
        [str(BIN / "databricks"), "configure", "--token", "--profile", "refused"],
        env=legacy.env,
        input="http://127.0.0.1:8080\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "https://" in done.stdout + done.stderr
    assert "refused" not in (Path(legacy.env["HOME"]) / ".databrickscfg").read_text()
