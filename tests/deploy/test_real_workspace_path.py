"""A target with a `workspace.host` goes through the SDK's own authentication chain.

The local server is addressed here as if it were a remote workspace (its URL as the host, its
token through the environment or a ~/.databrickscfg profile), so this exercises exactly the code
path a real workspace takes: nothing in deploy or run knows the difference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brickyard.errors import WorkspaceError
from brickyard.local.lifecycle import LocalWorkspace
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  remote:
    default: true
    mode: production
    workspace:
      host: HOST
      root_path: /Workspace/Shared/.bundle/NAME
resources:
  jobs:
    hello:
      name: NAME hello
      tasks:
        - task_key: hi
          spark_python_task: {python_file: ./hi.py}
"""


def _write(project: Project, ws: LocalWorkspace, extra: str = "") -> None:
    bundle = BUNDLE.replace("HOST", ws.host).replace("      root_path:", f"{extra}      root_path:")
    project.write({"databricks.yml": bundle, "hi.py": "print('hi from the remote path')\n"})


def test_token_from_the_environment(
    project: Project,
    shared_workspace: tuple[Path, LocalWorkspace],
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = shared_workspace[1]
    _write(project, ws)
    monkeypatch.setenv("DATABRICKS_TOKEN", ws.token)
    report = project.deploy()
    assert report.created == ["jobs.hello"]
    outcome = project.run("hello")
    assert outcome.succeeded and outcome.url.startswith(ws.host)
    assert client.jobs.get(int(project.state("remote").resources["jobs.hello"].id)).settings.name.endswith(
        "hello"
    )


def test_a_profile_from_databrickscfg(
    project: Project, shared_workspace: tuple[Path, LocalWorkspace], isolated_home: Path
) -> None:
    ws = shared_workspace[1]
    (isolated_home / ".databrickscfg").write_text(f"[ci]\nhost = {ws.host}\ntoken = {ws.token}\n")
    _write(project, ws, "      profile: ci\n")
    assert project.deploy().created == ["jobs.hello"]
    assert project.deploy().writes == 0


def test_missing_credentials_say_how_to_authenticate(
    project: Project, shared_workspace: tuple[Path, LocalWorkspace]
) -> None:
    _write(project, shared_workspace[1])
    with pytest.raises(WorkspaceError) as info:
        project.deploy()
    message = str(info.value)
    assert f"cannot authenticate to {shared_workspace[1].host}" in message
    assert "DATABRICKS_TOKEN" in message and "--profile" in message
