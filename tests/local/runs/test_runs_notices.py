"""Jobs' email and webhook notifications: the session's workspace is started with an SMTP server
(aiosmtpd on loopback, `mailbox`); webhooks go to a receiver created as a notification destination."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.settings import Config, GenericWebhookConfig, SlackConfig
from databricks.sdk.service.workspace import ImportFormat

from brickyard.local.home import LocalHome
from tests.local.runs.conftest import finish
from tests.receivers import Mailbox, Webhook, webhook_receiver

Py = Callable[..., jobs.Task]


@pytest.fixture(scope="module")
def hook() -> Iterator[Webhook]:
    with webhook_receiver() as receiver:
        yield receiver


def _record(runs_dir: Path, run_id: int) -> list[dict[str, Any]]:
    path = runs_dir / str(run_id) / "notifications.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_failing_run_emails_its_on_failure_addresses_and_not_its_on_success_ones(
    w: Any, py: Py, mailbox: Mailbox, scratch: str
) -> None:
    notify = jobs.JobEmailNotifications(on_failure=["oncall@example.com"], on_success=["team@example.com"])
    job = w.jobs.create(name="fails", tasks=[py("only", "fail.py")], email_notifications=notify)
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    (mail,) = mailbox.wait(1, to="oncall@example.com")
    assert mail["From"] == "jobs@brickyard.local"
    assert mail["Subject"] == f"Job fails run {run.run_id} ended FAILED"
    body = mail.get_content()
    assert "boom from the task" in body and f"/run/{run.run_id}" in body

    script = f"{scratch}/env.py"  # the server's SMTP settings are not the task's to read
    source = "import os\nprint('smtp', sorted(k for k in os.environ if 'SMTP' in k))\n"
    w.workspace.upload(script, io.BytesIO(source.encode()), format=ImportFormat.AUTO, overwrite=True)
    task = jobs.Task(
        task_key="only", spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{script}")
    )
    ok = w.jobs.create(name="passes", tasks=[task], email_notifications=notify)
    passed = finish(w, w.jobs.run_now(ok.job_id).run_id)
    assert passed.state.result_state == jobs.RunResultState.SUCCESS
    assert "smtp []" in (w.jobs.get_run_output(passed.tasks[0].run_id).logs or "")
    (mail,) = mailbox.wait(1, to="team@example.com")
    assert mail["Subject"] == f"Job passes run {passed.run_id} ended SUCCESS"
    assert len(mailbox.wait(1, to="oncall@example.com")) == 1


def test_webhooks_go_to_notification_destinations_and_canceled_runs_can_stay_quiet(
    w: Any, py: Py, hook: Webhook
) -> None:
    slack = w.notification_destinations.create(
        display_name="chat", config=Config(slack=SlackConfig(url=hook.url))
    )
    generic = w.notification_destinations.create(
        display_name="ops", config=Config(generic_webhook=GenericWebhookConfig(url=hook.url + "/ops"))
    )
    assert w.notification_destinations.get(slack.id).config.slack.url_set is True
    assert w.notification_destinations.get(slack.id).config.slack.url is None  # written, never read back
    hooks = jobs.WebhookNotifications(
        on_start=[jobs.Webhook(id=slack.id)],
        on_success=[jobs.Webhook(id=generic.id)],
        on_duration_warning_threshold_exceeded=[jobs.Webhook(id=slack.id)],
    )
    health = jobs.JobsHealthRules(
        rules=[
            jobs.JobsHealthRule(
                jobs.JobsHealthMetric.RUN_DURATION_SECONDS, jobs.JobsHealthOperator.GREATER_THAN, 1
            )
        ]
    )
    job = w.jobs.create(
        name="watched", tasks=[py("only", "sleep.py", "1.6")], webhook_notifications=hooks, health=health
    )
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    payloads = hook.wait(3)
    assert [p.get("event_type") for p in payloads[:3]][2] == "jobs.on_success"
    assert payloads[0] == {"text": payloads[0]["text"]} and "watched" in payloads[0]["text"]
    assert "running over 1s" in payloads[1]["text"]
    assert payloads[2]["run"]["run_id"] == run.run_id and payloads[2]["job"]["name"] == "watched"

    quiet = w.jobs.create(
        name="quiet",
        tasks=[py("only", "sleep.py", "1.6")],
        webhook_notifications=jobs.WebhookNotifications(on_failure=[jobs.Webhook(id=slack.id)]),
        notification_settings=jobs.JobNotificationSettings(no_alert_for_canceled_runs=True),
    )
    started = w.jobs.run_now(quiet.job_id).run_id
    w.jobs.cancel_run(started)
    assert finish(w, started).state.result_state == jobs.RunResultState.CANCELED
    assert hook.quiet_for(0.5) == 3


def test_a_dead_webhook_never_fails_the_run_and_is_recorded_without_its_url(
    w: Any, py: Py, project: Path
) -> None:
    dead = w.notification_destinations.create(
        display_name="dead", config=Config(slack=SlackConfig(url="http://127.0.0.1:9/hook/S3CRET"))
    )
    hooks = jobs.WebhookNotifications(on_success=[jobs.Webhook(id=dead.id), jobs.Webhook(id="no-such-id")])
    job = w.jobs.create(name="unheard", tasks=[py("only", "ok.py")], webhook_notifications=hooks)
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    home = LocalHome.for_project(project)
    deadline = time.monotonic() + 10
    while len(_record(home.runs_dir, run.run_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    entries = _record(home.runs_dir, run.run_id)
    assert [(e["to"], e["status"]) for e in entries] == [(dead.id, "failed"), ("no-such-id", "failed")]
    assert "does not exist" in entries[1]["error"]
    text = (home.runs_dir / str(run.run_id) / "notifications.jsonl").read_text()
    assert "S3CRET" not in text and "S3CRET" not in home.server_log.read_text()


def test_tasks_notify_on_their_own_settings_per_attempt_and_when_skipped(
    w: Any, py: Py, hook: Webhook, project: Path
) -> None:
    generic = w.notification_destinations.create(
        display_name="tasks", config=Config(generic_webhook=GenericWebhookConfig(url=hook.url + "/tasks"))
    )
    before = len(hook.payloads)
    upstream = [jobs.TaskDependency(task_key="flaky")]
    tasks = [
        py(
            "flaky",
            "fail.py",
            max_retries=1,
            email_notifications=jobs.TaskEmailNotifications(
                on_start=["start@example.com"], on_failure=["fail@example.com"]
            ),
            notification_settings=jobs.TaskNotificationSettings(alert_on_last_attempt=True),
        ),
        py(
            "after",
            "ok.py",
            depends_on=upstream,
            email_notifications=jobs.TaskEmailNotifications(on_failure=["skipped@example.com"]),
        ),
        py(
            "quiet",
            "ok.py",
            depends_on=upstream,
            email_notifications=jobs.TaskEmailNotifications(on_failure=["never@example.com"]),
            notification_settings=jobs.TaskNotificationSettings(no_alert_for_skipped_runs=True),
        ),
        py(
            "fine",
            "ok.py",
            webhook_notifications=jobs.WebhookNotifications(on_success=[jobs.Webhook(id=generic.id)]),
        ),
    ]
    job = w.jobs.create(name="per-task", tasks=tasks)
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    runs_dir = LocalHome.for_project(project).runs_dir
    deadline = time.monotonic() + 20
    while len(_record(runs_dir, run.run_id)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # anything sent that should not have been is recorded by now too
    sent = sorted((e["to"], e["event"], e["subject"]) for e in _record(runs_dir, run.run_id))
    prefix = f"of job per-task run {run.run_id}"
    assert sent == sorted(  # the destination's id is random: it may sort anywhere
        [
            (generic.id, "on_success", f"Task fine {prefix} ended SUCCESS"),
            ("fail@example.com", "on_failure", f"Task flaky {prefix} ended FAILED"),
            ("skipped@example.com", "on_failure", f"Task after {prefix} ended UPSTREAM_FAILED"),
            ("start@example.com", "on_start", f"Task flaky {prefix} started"),
        ]
    )
    payload = next(p for p in hook.wait(before + 1)[before:] if p.get("event_type") == "jobs.task.on_success")
    fine = next(t for t in run.tasks if t.task_key == "fine")
    assert payload["task"]["task_key"] == "fine" and payload["task"]["run_id"] == fine.run_id
    assert payload["run"]["run_id"] == run.run_id
