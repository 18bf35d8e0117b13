"""An in-process local workspace app (no HTTP server, no engine) for tests that send what no
client library would: byte-exact bodies, lying headers, random paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.home import LocalHome

TOKEN = "dapi-inprocess-test-token"


@dataclass
class InProcess:
    app: Any
    services: Any
    home: LocalHome
    headers: dict[str, str]


@pytest.fixture(scope="module")
def inproc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    from brickyard.local.server.wiring import build

    home = LocalHome(Path(tmp_path_factory.mktemp("inproc")) / "home")
    workspace = build(home, TOKEN, "http://127.0.0.1:0")
    try:
        yield InProcess(workspace.app(), workspace.services, home, {"Authorization": f"Bearer {TOKEN}"})
    finally:
        workspace.close()
