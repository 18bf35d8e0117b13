"""Jobs that start themselves: a Quartz schedule, a file arriving in a volume, a paused schedule.

The server's trigger thread is the one under test, so these wait (with a deadline) for runs that
nobody started by hand."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from databricks.sdk.service import catalog, jobs

from brickyard.local.runs.triggers import QuartzError, next_cron_time, to_croniter
from tests.local.runs.conftest import finish, wait_for


def _runs(w: Any, job_id: int) -> list[Any]:
    return list(w.jobs.list_runs(job_id=job_id))


def test_quartz_expressions_become_croniter_fields() -> None:
    assert to_croniter("* * * * * ?") == "* * * * * *"
    assert to_croniter("0 30 9 ? * 2-6 2030") == "30 9 * * 1-5 0"  # Monday to Friday, year dropped
    assert to_croniter("0 0 12 ? * 6#3") == "0 12 * * 5#3 0"
    morning = 1_767_263_400.0  # 2026-01-01 10:30 UTC
    assert next_cron_time("0 0 12 * * ?", "Europe/Paris", morning) == morning + 1800  # noon in Paris
    assert next_cron_time("0 0 12 * * ?", "UTC", morning) == morning + 5400
    with pytest.raises(QuartzError):
        to_croniter("0 12 * * *")


def test_a_schedule_every_second_runs_by_itself_and_stops_when_paused(w: Any, py: Any) -> None:
    schedule = jobs.CronSchedule(quartz_cron_expression="* * * * * ?", timezone_id="UTC")
    job = w.jobs.create(name="every-second", tasks=[py("tick", "ok.py")], schedule=schedule)
    try:
        wait_for(lambda: len(_runs(w, job.job_id)) >= 1, timeout=30)
        run = min(_runs(w, job.job_id), key=lambda r: r.run_id)  # the first, which ran
        assert run.trigger == jobs.TriggerType.PERIODIC
        paused = jobs.CronSchedule(
            quartz_cron_expression="* * * * * ?", timezone_id="UTC", pause_status=jobs.PauseStatus.PAUSED
        )
        w.jobs.update(job.job_id, new_settings=jobs.JobSettings(schedule=paused))
        paused_at = time.time() * 1000
        deadline = time.monotonic() + 4  # four scheduled seconds pass while paused
        while time.monotonic() < deadline:
            # A tick that read the settings just before the pause may still start one run.
            assert all(r.start_time < paused_at + 1500 for r in _runs(w, job.job_id))
            time.sleep(0.2)
        assert finish(w, run.run_id).state.result_state == jobs.RunResultState.SUCCESS
    finally:
        w.jobs.delete(job.job_id)


def test_a_file_arriving_in_a_volume_starts_a_run(w: Any, py: Any) -> None:
    schema = f"arrive{time.monotonic_ns()}"
    w.schemas.create(name=schema, catalog_name="main")
    w.volumes.create(
        catalog_name="main", schema_name=schema, name="landing", volume_type=catalog.VolumeType.MANAGED
    )
    url = f"/Volumes/main/{schema}/landing/"
    w.files.upload(f"{url}old.csv", io.BytesIO(b"a\n"))
    trigger = jobs.TriggerSettings(file_arrival=jobs.FileArrivalTriggerConfiguration(url=url))
    job = w.jobs.create(name="on-arrival", tasks=[py("load", "ok.py")], trigger=trigger)
    try:
        time.sleep(1)  # several ticks see only the file that was there before: no run
        assert _runs(w, job.job_id) == []
        w.files.upload(f"{url}new.csv", io.BytesIO(b"b\n"))
        wait_for(lambda: len(_runs(w, job.job_id)) == 1, timeout=30)
        run = finish(w, _runs(w, job.job_id)[0].run_id)
        assert run.trigger == jobs.TriggerType.FILE_ARRIVAL
        assert run.state.result_state == jobs.RunResultState.SUCCESS
        assert len(_runs(w, job.job_id)) == 1  # one arrival, one run
    finally:
        w.jobs.delete(job.job_id)


def test_a_continuous_job_starts_a_new_run_when_the_last_ends(w: Any, py: Any) -> None:
    continuous = jobs.Continuous(pause_status=jobs.PauseStatus.UNPAUSED)
    job = w.jobs.create(name="always", tasks=[py("tick", "ok.py")], continuous=continuous)
    try:
        wait_for(lambda: len(_runs(w, job.job_id)) >= 2, timeout=60)
        first, second = sorted(_runs(w, job.job_id), key=lambda r: r.run_id)[:2]
        assert first.trigger == jobs.TriggerType.CONTINUOUS
        assert second.start_time >= finish(w, first.run_id).end_time  # never two at once
    finally:
        w.jobs.update(
            job.job_id,
            new_settings=jobs.JobSettings(continuous=jobs.Continuous(pause_status=jobs.PauseStatus.PAUSED)),
        )
        for run in _runs(w, job.job_id):
            finish(w, run.run_id)
        w.jobs.delete(job.job_id)
