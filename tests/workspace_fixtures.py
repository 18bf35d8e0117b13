"""One local workspace for the whole suite's bundle tests (deploy, releases, runs, ops, alerts, dbt, …).

Every test writes its own bundle (with its own name, so their workspace paths never meet) and
drives brickyard's commands in-process with a capturing output. The local workspace is shared
through BRICKYARD_LOCAL_WORKSPACE_DIR, started once for the session: a plugin of the root
conftest, so every folder gets the same server rather than one per folder that imports these.
"""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from brickyard.context import AppContext
from brickyard.local.lifecycle import LocalWorkspace, ensure_running, stop
from brickyard.output import CaptureOutput

USER = "tester@brickyard.local"


@pytest.fixture(scope="session")
def shared_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, LocalWorkspace]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("deploy-home")))
        patch.setenv("BRICKYARD_LOCAL_USER", USER)
        root = tmp_path_factory.mktemp("deploy-workspace")
        (root / "databricks.yml").write_text("bundle:\n  name: deploy-tests\n")
        workspace = ensure_running(root, write_profile=False, prestart=True)
        yield root, workspace
        stop(root)


@pytest.fixture(scope="session")
def client(shared_workspace: tuple[Path, LocalWorkspace]) -> Any:
    from databricks.sdk import WorkspaceClient

    ws = shared_workspace[1]
    return WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")


@dataclass
class Project:
    """A bundle on disk plus the means to run brickyard commands on it."""

    root: Path
    name: str
    workspace_dir: Path
    outputs: list[CaptureOutput] = field(default_factory=list)

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n").replace("NAME", self.name))

    def context(self, answer: bool = False) -> AppContext:
        out = CaptureOutput(answer=answer)
        self.outputs.append(out)
        environ = {**os.environ, "BRICKYARD_LOCAL_WORKSPACE_DIR": str(self.workspace_dir), "UV_OFFLINE": "1"}
        return AppContext(output=out, cwd=self.root, environ=environ)

    def deploy(self, answer: bool = False, **options: Any) -> Any:
        from brickyard.deploy import DeployOptions, deploy_bundle

        return deploy_bundle(self.context(answer), DeployOptions(**options))

    def plan(self, **options: Any) -> Any:
        from brickyard.deploy import DeployOptions, plan_bundle

        return plan_bundle(self.context(), DeployOptions(**options))

    def run(self, key: str, **options: Any) -> Any:
        from brickyard.runs import RunOptions, run_resource

        return run_resource(self.context(), RunOptions(key=key, **options))

    def destroy(self, **options: Any) -> Any:
        from brickyard.deploy.destroy import destroy_bundle

        return destroy_bundle(self.context(), options.pop("target", None), auto_approve=True, **options)

    def state(self, target: str = "local") -> Any:
        import json

        from brickyard.state.model import parse_state

        return parse_state(
            json.loads((self.root / ".brickyard/targets" / target / "brickyard-state.json").read_text()),
            "cache",
        )

    @property
    def files_path(self) -> str:
        return f"/Workspace/Users/{USER}/.bundle/{self.name}/local/files"


@pytest.fixture
def project(
    tmp_path: Path, shared_workspace: tuple[Path, LocalWorkspace], monkeypatch: pytest.MonkeyPatch
) -> Project:
    monkeypatch.setenv("BRICKYARD_LOCAL_USER", USER)
    name = f"b{uuid.uuid4().hex[:8]}"
    return Project(tmp_path / name, name, shared_workspace[0])
