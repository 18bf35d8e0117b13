"""Pipeline storage: checkpoints and the one-update-at-a-time lock (no engine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from brickyard.errors import PipelineError
from brickyard.pipelines.checkpoints import Checkpoint, Storage


def test_checkpoints_round_trip_per_flow(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    storage.save_checkpoint(
        "Silver Orders", Checkpoint({"files:csv:/in": {"files": ["/in/a.csv"]}}, once_done=True)
    )

    assert storage.checkpoint("silver orders") == Checkpoint(
        {"files:csv:/in": {"files": ["/in/a.csv"]}}, True
    )
    assert storage.checkpoint("other") == Checkpoint()


def test_a_second_update_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    storage = Storage(tmp_path)

    with (
        storage.update_lock("first"),
        pytest.raises(PipelineError, match=r"update first .* still running"),
        storage.update_lock("second"),
    ):
        pass

    with storage.update_lock("third"):
        pass  # released by the first holder


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock = tmp_path / "system" / "update.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": int(finished.stdout), "update_id": "crashed"}))

    with Storage(tmp_path).update_lock("next"):
        assert json.loads(lock.read_text())["update_id"] == "next"
    assert not lock.exists()
