"""Files of the local workspace that hold secrets are the user's only: after a session with secrets,
uploads and a task run, every file under the home is 0600 (or stricter) and every folder 0700."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from brickyard.local.home import LocalHome
from brickyard.local.store.db import Database
from tests.local.conftest import USER
from tests.local.runs.conftest import finish

pytestmark = [pytest.mark.server, pytest.mark.engine]

TASK = """\
from databricks.sdk.runtime import dbutils
value = dbutils.secrets.get("modes", "password")
dbutils.fs.put("dbfs:/modes/out.txt", "written by a task", True)
print("read a secret of", len(value), "characters")
"""


def _loose(root: Path) -> list[str]:
    """Everything under `root` that someone other than the user could read, write or enter."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue
            wanted = 0o700 if stat.S_ISDIR(mode) else 0o600
            if stat.S_IMODE(mode) & ~wanted:
                found.append(f"{oct(stat.S_IMODE(mode))} {path.relative_to(root)}")
    return found


def test_every_file_under_the_home_is_private_after_a_session_with_secrets(w: Any, local_ws: Any) -> None:
    w.secrets.create_scope("modes")
    w.secrets.put_secret("modes", "password", string_value="hunter2-very-secret")
    folder = f"/Users/{USER}/modes"
    w.workspace.mkdirs(folder)
    w.workspace.upload(
        f"{folder}/task.py", io.BytesIO(TASK.encode()), format=ImportFormat.AUTO, overwrite=True
    )
    w.dbfs.put("/modes/in.txt", contents="aGVsbG8=", overwrite=True)
    task = jobs.Task(
        task_key="t", spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{folder}/task.py")
    )
    run = finish(w, w.jobs.submit(run_name="modes", tasks=[task]).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state
    home = Path(local_ws.home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for secret_file in ("metadata.db", "metadata.db-wal", "token"):
        assert stat.S_IMODE((home / secret_file).stat().st_mode) == 0o600, secret_file
    assert _loose(home) == []


def test_a_home_made_loose_is_tightened_when_opened(tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    home.root.mkdir(mode=0o755)
    (home.root / "metadata.db").touch(mode=0o644)
    home.create()
    Database(home.metadata_db).set_meta("k", "v")
    assert _loose(home.root) == []
