"""A project virtual environment with `databricks-bundles`, as a user of Python-defined resources has.

Made once per session with uv from its cache (`make install` puts the package there through the
dev dependency group), so tests download nothing.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import UV_CACHE


@pytest.fixture(scope="session")
def pydabs_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from uv import find_uv_bin

    venv = tmp_path_factory.mktemp("pydabs") / ".venv"
    uv = find_uv_bin()
    version = importlib.metadata.version("databricks-bundles")
    # Other session fixtures may have moved HOME already: name the cache `make install` filled.
    env = {**os.environ, "UV_CACHE_DIR": UV_CACHE}
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            f"databricks-bundles=={version}",
        ],
        check=True,
        env=env,
    )
    return venv
