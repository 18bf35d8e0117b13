"""Task code reads and writes `/dbfs`, `/Volumes` and `/Workspace` with ordinary file APIs, pandas
and subprocesses, and sees the files the API shows; nothing lands in the machine's own folders."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.local.conftest import USER
from tests.local.runs.conftest import finish

pytestmark = [pytest.mark.server, pytest.mark.engine]

VOLUME = "/Volumes/main/default/fusevol"
FOLDER = f"/Users/{USER}/fuse"
TASK = f"""\
import os, pathlib, shutil, subprocess, sys
import pandas as pd
os.makedirs("/dbfs/fuse", exist_ok=True)
with open(f"/dbfs/fuse/{{tag}}_x.csv", "w") as out:
    out.write("a,b\\n1,2\\n")
frame = pd.read_csv("{VOLUME}/in.csv")
frame.assign(total=frame.a + frame.b).to_csv(f"/dbfs/fuse/{{tag}}_from_volume.csv", index=False)
shutil.copy(f"/dbfs/fuse/{{tag}}_x.csv", f"{VOLUME}/{{tag}}_copied.csv")
listed = sorted(os.listdir("/Workspace{FOLDER}"))
pathlib.Path(f"/Workspace{FOLDER}/{{tag}}_listing.txt").write_text(",".join(listed))
cat = subprocess.run(["cat", f"/dbfs/fuse/{{tag}}_x.csv"], capture_output=True, text=True, check=True)
pathlib.Path(f"/dbfs/fuse/{{tag}}_cat.txt").write_text(cat.stdout)
"""


def test_tasks_use_fuse_paths_with_open_pandas_and_subprocesses(w: Any, local_ws: Any) -> None:
    before = {
        p: sorted(os.listdir(p)) if os.path.isdir(p) else None for p in ("/dbfs", "/Volumes", "/Workspace")
    }
    w.workspace.mkdirs(FOLDER)
    script = "import sys\ntag = sys.argv[1]\n" + TASK
    w.workspace.upload(
        f"{FOLDER}/job.py", io.BytesIO(script.encode()), format=ImportFormat.AUTO, overwrite=True
    )
    notebook = '# Databricks notebook source\ntag = "nb"\n' + TASK
    w.workspace.upload(
        f"{FOLDER}/nb.py", io.BytesIO(notebook.encode()), format=ImportFormat.AUTO, overwrite=True
    )
    w.files.upload(f"{VOLUME}/in.csv", io.BytesIO(b"a,b\n1,2\n3,4\n"), overwrite=True)
    tasks = [
        jobs.Task(task_key="nb", notebook_task=jobs.NotebookTask(notebook_path=f"{FOLDER}/nb")),
        jobs.Task(
            task_key="py",
            spark_python_task=jobs.SparkPythonTask(
                python_file=f"/Workspace{FOLDER}/job.py", parameters=["py"]
            ),
        ),
    ]
    run = finish(w, w.jobs.submit(run_name="fuse", tasks=tasks).run_id)
    for task in run.tasks:
        assert task.state.result_state == jobs.RunResultState.SUCCESS, w.jobs.get_run_output(
            task.run_id
        ).error_trace
    for tag in ("nb", "py"):
        assert base64.b64decode(w.dbfs.read(f"/fuse/{tag}_x.csv").data) == b"a,b\n1,2\n"
        assert base64.b64decode(w.dbfs.read(f"/fuse/{tag}_cat.txt").data) == b"a,b\n1,2\n"
        assert (
            base64.b64decode(w.dbfs.read(f"/fuse/{tag}_from_volume.csv").data) == b"a,b,total\n1,2,3\n3,4,7\n"
        )
        assert w.files.download(f"{VOLUME}/{tag}_copied.csv").contents.read() == b"a,b\n1,2\n"
        listing = w.workspace.download(f"{FOLDER}/{tag}_listing.txt").read().decode()
        assert {"job.py", "nb"} <= set(listing.split(","))
    home = Path(local_ws.home)
    assert (home / "storage" / "dbfs" / "fuse" / "py_x.csv").is_file()
    after = {
        p: sorted(os.listdir(p)) if os.path.isdir(p) else None for p in ("/dbfs", "/Volumes", "/Workspace")
    }
    assert all(not listing for listing in after.values()), "nothing written into the machine's folders"
    assert {p: v for p, v in after.items() if v} == {p: v for p, v in before.items() if v}


def test_without_namespaces_the_task_runs_and_its_log_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from brickyard.local import fuse_paths

    monkeypatch.setattr(fuse_paths, "_private_namespace", lambda libc: "no mount namespace: EPERM")
    reason = fuse_paths.mount_workspace_paths(str(tmp_path / "ws"), str(tmp_path / "st"))
    assert reason == "no mount namespace: EPERM"
    warning = capsys.readouterr().err
    assert "Warning: /dbfs, /Volumes and /Workspace are not available" in warning and "EPERM" in warning
