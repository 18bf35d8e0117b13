"""Task code authenticates with a token of its own run, never with the workspace token, and that
token stops working when the run ends."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import Unauthenticated
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from brickyard.local.lifecycle import LocalWorkspace
from tests.local.runs.conftest import finish, logs_of

pytestmark = pytest.mark.engine

SCRIPT = """import os, sys
from databricks.sdk import WorkspaceClient
print("caller", WorkspaceClient().current_user.me().user_name)
with open(sys.argv[1], "w") as handle:
    handle.write(os.environ["DATABRICKS_TOKEN"])
with open(sys.argv[1] + ".env", "w") as handle:
    handle.write("\\n".join(f"{k}={v}" for k, v in os.environ.items()))
"""


def test_a_task_calls_back_with_its_runs_token_which_ends_with_the_run(
    w: Any, local_ws: LocalWorkspace, scratch: str, tmp_path: Path
) -> None:
    w.workspace.upload(f"{scratch}/whoami.py", io.BytesIO(SCRIPT.encode()), format=ImportFormat.AUTO)
    kept = tmp_path / "token"
    task = jobs.SubmitTask(
        task_key="t",
        spark_python_task=jobs.SparkPythonTask(
            python_file=f"/Workspace{scratch}/whoami.py", parameters=[str(kept)]
        ),
    )
    run = finish(w, w.jobs.submit(run_name="whoami", tasks=[task]).run_id)

    assert run.state.result_state.value == "SUCCESS", logs_of(w, run.run_id)
    assert "caller tester@brickyard.local" in logs_of(w, run.run_id)
    token = kept.read_text()
    assert token and token != local_ws.token
    # Nothing the task is handed (the engine's URL in SPARK_REMOTE included) carries the workspace token.
    environment = Path(f"{kept}.env").read_text()
    assert "SPARK_REMOTE=sc://" in environment
    assert local_ws.token not in environment
    with pytest.raises(Unauthenticated):
        WorkspaceClient(host=local_ws.host, token=token, auth_type="pat").current_user.me()
    assert w.current_user.me().user_name == "tester@brickyard.local"
