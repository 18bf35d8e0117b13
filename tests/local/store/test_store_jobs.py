"""The job store answers the trigger thread with only the jobs that can start themselves."""

from __future__ import annotations

from pathlib import Path

from brickyard.local.store.db import Database
from brickyard.local.store.jobs import JobStore


def test_triggered_lists_jobs_with_a_schedule_trigger_or_continuous_block(tmp_path: Path) -> None:
    db = Database(tmp_path / "metadata.db")
    store = JobStore(db)
    cron = {"quartz_cron_expression": "0 0 * * * ?", "timezone_id": "UTC"}
    scheduled = store.create({"name": "a", "schedule": cron}, "me")
    paused = store.create({"name": "b", "schedule": {**cron, "pause_status": "PAUSED"}}, "me")
    arriving = store.create({"name": "c", "trigger": {"file_arrival": {"url": "/Volumes/m/s/v/"}}}, "me")
    continuous = store.create({"name": "d", "continuous": {"pause_status": "UNPAUSED"}}, "me")
    store.create({"name": "plain"}, "me")
    store.create({"name": "submitted", "schedule": cron}, "me", hidden=True)

    wanted = [scheduled.job_id, paused.job_id, arriving.job_id, continuous.job_id]
    assert [job.job_id for job in store.triggered()] == wanted
    store.update(arriving.job_id, {}, ["trigger"])
    assert arriving.job_id not in [job.job_id for job in store.triggered()]
    db.close()
