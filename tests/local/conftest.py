"""One local workspace server for the whole session, driven only through databricks-sdk.

Starting a server takes about a second and `import databricks.sdk` about three, so both are shared:
the server (with its engine and warm worker starting in the background) and one client. The
session gets its own HOME and user, set before the server starts, because the suite-wide
`isolated_home` fixture only applies per test and would be too late for a session server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import LocalWorkspace, ensure_running, stop
from tests.receivers import Mailbox, smtp_server

USER = "tester@brickyard.local"


@pytest.fixture(scope="session")
def session_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("session-home")
        patch.setenv("HOME", str(home))
        patch.setenv("BRICKYARD_LOCAL_USER", USER)
        for name in list(os.environ):
            if name.startswith("DATABRICKS_"):
                patch.delenv(name)
        yield home


@pytest.fixture(scope="session")
def project(session_env: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("project")
    (root / "databricks.yml").write_text("bundle:\n  name: local-tests\n")
    yield root
    stop(root)


@pytest.fixture(scope="session")
def mailbox(session_env: Path) -> Iterator[Mailbox]:
    """The SMTP server (aiosmtpd) the session's workspace sends job notification emails to."""
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="session")
def local_ws(project: Path, mailbox: Mailbox) -> LocalWorkspace:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRICKYARD_SMTP_HOST", mailbox.host)
        patch.setenv("BRICKYARD_SMTP_PORT", str(mailbox.port))
        patch.setenv("BRICKYARD_SMTP_FROM", "jobs@brickyard.local")
        return ensure_running(project, write_profile=False, prestart=True)


@pytest.fixture(scope="session")
def w(local_ws: LocalWorkspace) -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(host=local_ws.host, token=local_ws.token, auth_type="pat")


@pytest.fixture
def scratch(w: Any, request: pytest.FixtureRequest) -> str:
    """A fresh workspace folder for one test."""
    path = f"/Users/{USER}/t/{request.node.name.replace('[', '_').replace(']', '')}-{time.monotonic_ns()}"
    w.workspace.mkdirs(path)
    return path
