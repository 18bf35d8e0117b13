"""The workspace client imports only the SDK services a command touches, and is otherwise the SDK's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.mixins.workspace import WorkspaceExt

from brickyard.local.lifecycle import LocalWorkspace
from brickyard.workspace.lean import SERVICES, LeanClient
from brickyard.workspace.retry import RetryingWorkspace
from tests.workspace_fixtures import USER, Project

UNUSED_SERVICE = "databricks.sdk.service.cleanrooms"
"""A service module only the SDK package's `__init__` imports."""


@pytest.fixture
def config(shared_workspace: tuple[Path, LocalWorkspace]) -> Config:
    workspace = shared_workspace[1]  # Config asks its host for metadata, so a host that answers
    return Config(host=workspace.host, token=workspace.token, auth_type="pat")


def test_each_service_is_the_class_the_sdks_own_client_uses(config: Config) -> None:
    lean, whole = LeanClient(config), WorkspaceClient(config=config)
    for name in SERVICES:
        if name == "workspace":
            assert type(lean.workspace) is RetryingWorkspace
            assert isinstance(whole.workspace, WorkspaceExt)
        else:
            assert type(getattr(lean, name)) is type(getattr(whole, name)), name
    assert lean.jobs is lean.jobs  # built once
    assert lean.api_client._cfg is lean.config


def test_any_other_attribute_comes_from_a_whole_client_on_the_same_config(config: Config) -> None:
    lean = LeanClient(config)
    assert type(lean.alerts) is type(WorkspaceClient(config=config).alerts)
    assert lean.current_user.me().user_name == USER
    whole = lean._whole_client()
    assert whole.config.token == config.token
    assert whole.current_user.me().user_name == USER
    assert whole.workspace is lean.workspace  # uploads retry through either
    with pytest.raises(AttributeError):
        lean.no_such_service  # noqa: B018


def _python(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_deferred_package_imports_submodules_alone_and_the_rest_on_first_use() -> None:
    out = _python(
        f"""
        import json, sys, threading
        from brickyard.workspace.lean import defer_package
        defer_package()
        import databricks.sdk.core, databricks.sdk.mixins.jobs
        from databricks.sdk import useragent  # a submodule, as the SDK's own modules import it
        alone = {UNUSED_SERVICE!r} not in sys.modules
        found = []
        def use():
            from databricks.sdk import WorkspaceClient
            found.append(WorkspaceClient)
        threads = [threading.Thread(target=use) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        try:
            from databricks.sdk import NoSuchName
            missing = "imported"
        except ImportError as err:
            missing = str(err)
        import databricks.sdk
        print(json.dumps({{
            "alone": alone, "found": len(found), "one": len(set(found)) == 1,
            "rest": {UNUSED_SERVICE!r} in sys.modules, "missing": missing,
            "useragent": useragent is databricks.sdk.useragent,
        }}))
        """
    )
    result = json.loads(out)
    assert result["alone"] and result["rest"] and result["useragent"]
    assert result["found"] == 8 and result["one"]
    assert "NoSuchName" in result["missing"]


def test_a_star_import_of_a_deferred_package_gets_every_name() -> None:
    out = _python(
        """
        from brickyard.workspace.lean import defer_package
        defer_package()
        from databricks.sdk import *
        print(WorkspaceClient.__name__, AccountClient.__name__)
        """
    )
    assert out == "WorkspaceClient AccountClient"


def test_deploy_and_run_on_the_local_workspace_leave_unused_modules_unimported(
    project: Project, shared_workspace: tuple[Path, LocalWorkspace]
) -> None:
    project.write(
        {
            "databricks.yml": """
            bundle:
              name: NAME
            resources:
              jobs:
                hello:
                  name: hello
                  tasks:
                    - task_key: main
                      notebook_task:
                        notebook_path: ./hello.py
            """,
            "hello.py": "# Databricks notebook source\nprint('hello')\n",
        }
    )
    env = {**os.environ, "BRICKYARD_LOCAL_WORKSPACE_DIR": str(project.workspace_dir), "UV_OFFLINE": "1"}
    first = subprocess.run([sys.executable, "-m", "brickyard", "deploy"], cwd=project.root, env=env)
    assert first.returncode == 0
    code = """
        import contextlib, io, json, sys
        from brickyard.cli.main import run
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            codes = [run(["deploy"])]
            settings = "brickyard.settings" in sys.modules
            codes.append(run(["run", "hello"]))
        print(json.dumps({"codes": codes, "settings": settings, "services": sorted(
            m for m in sys.modules if m.startswith("databricks.sdk.service."))}))
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=env,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0], done.stderr
    assert UNUSED_SERVICE not in result["services"]
    assert "databricks.sdk.service.iam" in result["services"]  # who deploys: `current_user`
    # A redeploy that uploads nothing, in a project without brickyard.yml, needs no settings models.
    assert not result["settings"]


def test_validate_asks_a_workspace_with_credentials_who_the_user_is(
    tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace]
) -> None:
    workspace = shared_workspace[1]
    (tmp_path / "databricks.yml").write_text(
        f"bundle:\n  name: who\ntargets:\n  remote:\n    workspace:\n      host: {workspace.host}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "brickyard", "validate", "-o", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "HOME": str(tmp_path),
            "DATABRICKS_TOKEN": workspace.token,
            "BRICKYARD_LOCAL_USER": "somebody-else@example.com",
        },
    )
    assert done.returncode == 0, done.stderr
    user = json.loads(done.stdout)["workspace"]["current_user"]
    assert user["userName"] == USER
