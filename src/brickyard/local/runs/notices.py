"""A job's and its tasks' notifications: `email_notifications`, `webhook_notifications` and
`notification_settings`.

When a run starts, ends, or passes its duration warning (`health` rule `RUN_DURATION_SECONDS`
`GREATER_THAN` N), the job's addresses for that event get an email and its destinations (ids of
`/api/2.0/notification-destinations`) a POST: Slack and Teams `{"text": …}`, generic webhooks the
same with the event, job and run. `no_alert_for_skipped_runs` and `no_alert_for_canceled_runs`
silence the end of such runs.

A task's own settings work the same per task run (each attempt): it starts, ends, is skipped (an
upstream task failed: `on_failure`, unless `no_alert_for_skipped_runs`), or passes its own
`health` rule. With `alert_on_last_attempt`, a retried attempt sends no `on_start`, and a failed
attempt that will be retried no `on_failure`, as on Databricks.

Email goes to the SMTP server the local workspace is started with:

    BRICKYARD_SMTP_HOST, BRICKYARD_SMTP_PORT (25), BRICKYARD_SMTP_FROM (brickyard@localhost),
    BRICKYARD_SMTP_STARTTLS=1, BRICKYARD_SMTP_SSL=1, BRICKYARD_SMTP_USER + BRICKYARD_SMTP_PASSWORD

Without a host, nothing is sent and the run's notification record says so. Delivery happens on a
thread of its own, in order, so a slow or dead server never holds up a run; every attempt (sent,
failed, not configured) is a line of `notifications.jsonl` in the run's directory and failures a
warning in the server log. Neither names a webhook URL nor a credential.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from brickyard.alerts.send import DeliveryError, Smtp, post_webhook, send_email
from brickyard.local.runs import states as s

if TYPE_CHECKING:
    from brickyard.local.store.db import Database

log = logging.getLogger("brickyard.local")
RECORD = "notifications.jsonl"
DESTINATIONS = "notification_destinations"
"""The stored-object kind of `/api/2.0/notification-destinations` (`store.objects`)."""


class NotifiedRun(Protocol):
    """What a notification needs of a run (`runs.execution.RunExecution`)."""

    run_id: int
    job_id: int
    job_name: str
    settings: dict[str, Any]
    doc: dict[str, Any]
    done: threading.Event


class NotifiedTask(Protocol):
    """What a task's notification needs of one task run (`runs.tasks.Attempt`)."""

    run_id: int
    number: int
    """The attempt: 0 first, then each retry."""
    doc: dict[str, Any]
    task: dict[str, Any]
    """The task's settings."""


@dataclass(frozen=True)
class SmtpSetting:
    server: Smtp
    sender: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSetting | None:
        host = environ.get("BRICKYARD_SMTP_HOST")
        if not host:
            return None
        try:
            port = int(environ.get("BRICKYARD_SMTP_PORT") or 25)
        except ValueError:
            log.warning("BRICKYARD_SMTP_PORT is not a port number: job notification emails are not sent")
            return None
        on = {"1", "true", "yes"}
        server = Smtp(
            host=host,
            port=port,
            starttls=environ.get("BRICKYARD_SMTP_STARTTLS", "").lower() in on,
            ssl=environ.get("BRICKYARD_SMTP_SSL", "").lower() in on,
            username=environ.get("BRICKYARD_SMTP_USER") or None,
            password=environ.get("BRICKYARD_SMTP_PASSWORD") or None,
        )
        return cls(server, environ.get("BRICKYARD_SMTP_FROM") or "brickyard@localhost")


@dataclass(frozen=True)
class _Delivery:
    event: str
    channel: str
    """`email` or `webhook`."""
    recipient: str
    """Addresses, or a destination id: what the record may show."""
    subject: str
    text: str
    directory: Path
    send: Callable[[], None]


class RunNotices:
    def __init__(
        self, destination: Callable[[str], dict[str, Any] | None], runs_dir: Path, smtp: SmtpSetting | None
    ) -> None:
        self._destination = destination
        self._runs_dir = runs_dir
        self._smtp = smtp
        self._queue: queue.Queue[_Delivery] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._timers: dict[int, threading.Timer] = {}

    @classmethod
    def for_workspace(cls, db: Database, runs_dir: Path, environ: Mapping[str, str]) -> RunNotices:
        """Destinations from the workspace's store, email through the SMTP server `environ` names."""
        from brickyard.local.apierror import ApiError
        from brickyard.local.store.objects import ObjectStore

        store = ObjectStore(db, DESTINATIONS, "Notification destination")

        def destination(destination_id: str) -> dict[str, Any] | None:
            try:
                return store.get(destination_id)
            except ApiError:
                return None

        return cls(destination, runs_dir, SmtpSetting.from_env(environ))

    # ---- run events ------------------------------------------------------------------------------

    def started(self, run: NotifiedRun) -> None:
        self._notify_run(run, "on_start", "started")
        limit = _duration_warning(run.settings)
        if limit is not None:
            timer = threading.Timer(limit, self._overdue, (run, limit))
            timer.daemon = True
            with self._lock:
                self._timers[run.run_id] = timer
            timer.start()

    def ended(self, run: NotifiedRun) -> None:
        with self._lock:
            timer = self._timers.pop(run.run_id, None)
        if timer is not None:
            timer.cancel()
        state = run.doc.get("state") or {}
        life, result = state.get("life_cycle_state"), state.get("result_state")
        quiet = run.settings.get("notification_settings") or {}
        if life == s.SKIPPED and quiet.get("no_alert_for_skipped_runs"):
            return
        if result == s.CANCELED and quiet.get("no_alert_for_canceled_runs"):
            return
        succeeded = result in (s.SUCCESS, s.SUCCESS_WITH_FAILURES)
        self._notify_run(run, "on_success" if succeeded else "on_failure", f"ended {result or life}")

    def _overdue(self, run: NotifiedRun, limit: float) -> None:
        with self._lock:
            self._timers.pop(run.run_id, None)
        if not run.done.is_set():
            self._notify_run(
                run, "on_duration_warning_threshold_exceeded", f"has been running over {limit:g}s"
            )

    # ---- delivery --------------------------------------------------------------------------------

    # ---- task events ---------------------------------------------------------------------------

    def task_started(self, run: NotifiedRun, task: NotifiedTask) -> None:
        quiet = task.task.get("notification_settings") or {}
        if task.number == 0 or not quiet.get("alert_on_last_attempt"):
            self._notify_task(run, task, "on_start", "started")
        limit = _duration_warning(task.task)
        if limit is not None:
            timer = threading.Timer(limit, self._task_overdue, (run, task, limit))
            timer.daemon = True
            with self._lock:
                self._timers[task.run_id] = timer
            timer.start()

    def task_ended(self, run: NotifiedRun, task: NotifiedTask, retried: bool) -> None:
        """A task run ended; `retried`: another attempt follows."""
        with self._lock:
            timer = self._timers.pop(task.run_id, None)
        if timer is not None:
            timer.cancel()
        state = task.doc.get("state") or {}
        life, result = state.get("life_cycle_state"), state.get("result_state")
        quiet = task.task.get("notification_settings") or {}
        if result in (s.EXCLUDED, s.DISABLED):
            return
        if life == s.SKIPPED and quiet.get("no_alert_for_skipped_runs"):
            return
        if result == s.CANCELED and quiet.get("no_alert_for_canceled_runs"):
            return
        succeeded = result in (s.SUCCESS, s.SUCCESS_WITH_FAILURES)
        if not succeeded and retried and quiet.get("alert_on_last_attempt"):
            return
        self._notify_task(run, task, "on_success" if succeeded else "on_failure", f"ended {result or life}")

    def _task_overdue(self, run: NotifiedRun, task: NotifiedTask, limit: float) -> None:
        with self._lock:
            self._timers.pop(task.run_id, None)
        if not run.done.is_set() and not (task.doc.get("end_time") or 0):
            self._notify_task(
                run, task, "on_duration_warning_threshold_exceeded", f"has been running over {limit:g}s"
            )

    def _notify_task(self, run: NotifiedRun, task: NotifiedTask, event: str, what: str) -> None:
        key = str(task.task["task_key"])
        subject = f"Task {key} of job {run.job_name or run.job_id} run {run.run_id} {what}"
        detail = {
            "task_key": key,
            "run_id": task.run_id,
            "attempt_number": task.number,
            "state": task.doc.get("state"),
            "run_page_url": task.doc.get("run_page_url"),
        }
        self._notify(run, task.task, event, subject, task.doc, {"task": detail}, "jobs.task.")

    # ---- delivery --------------------------------------------------------------------------------

    def _notify_run(self, run: NotifiedRun, event: str, what: str) -> None:
        subject = f"Job {run.job_name or run.job_id} run {run.run_id} {what}"
        self._notify(run, run.settings, event, subject, run.doc, {}, "jobs.")

    def _notify(
        self,
        run: NotifiedRun,
        settings: dict[str, Any],
        event: str,
        subject: str,
        doc: dict[str, Any],
        extra: dict[str, Any],
        prefix: str,
    ) -> None:
        emails = [str(a) for a in (settings.get("email_notifications") or {}).get(event) or []]
        hooks = [str(h.get("id")) for h in (settings.get("webhook_notifications") or {}).get(event) or []]
        if not emails and not hooks:
            return
        message = (doc.get("state") or {}).get("state_message") or ""
        text = f"{subject}{': ' + message if message else ''}\n{doc.get('run_page_url', '')}"
        directory = self._runs_dir / str(run.run_id)
        if emails:
            send = self._email_sender(emails, subject, text)
            self._enqueue(_Delivery(event, "email", ", ".join(emails), subject, text, directory, send))
        for hook in hooks:
            payload = {
                "event_type": f"{prefix}{event}",
                "text": text,
                "job": {"job_id": run.job_id, "name": run.job_name},
                "run": {
                    "run_id": run.run_id,
                    "state": run.doc.get("state"),
                    "run_page_url": run.doc.get("run_page_url"),
                },
                **extra,
            }
            self._enqueue(
                _Delivery(event, "webhook", hook, subject, text, directory, self._poster(hook, payload))
            )

    def _email_sender(self, to: list[str], subject: str, text: str) -> Callable[[], None]:
        def send() -> None:
            if self._smtp is None:
                raise _NotConfigured("no SMTP server configured (BRICKYARD_SMTP_HOST)")
            send_email(self._smtp.server, self._smtp.sender, to, subject, text)

        return send

    def _poster(self, destination_id: str, payload: dict[str, Any]) -> Callable[[], None]:
        def send() -> None:
            doc = self._destination(destination_id)
            if doc is None:
                raise DeliveryError(f"notification destination {destination_id} does not exist")
            kind, config = next(iter((doc.get("config") or {"?": {}}).items()))
            if kind == "email":
                text = str(payload["text"])
                self._email_sender(list(config.get("addresses") or []), text.split("\n")[0], text)()
            elif kind in ("slack", "microsoft_teams"):
                post_webhook(str(config["url"]), {"text": payload["text"]})
            elif kind == "generic_webhook":
                post_webhook(str(config["url"]), payload)
            else:
                raise DeliveryError(f"{kind} destinations are not delivered by the local workspace")

        return send

    def _enqueue(self, delivery: _Delivery) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._deliver_forever, name="notices", daemon=True)
                self._thread.start()
        self._queue.put(delivery)

    def _deliver_forever(self) -> None:
        while True:
            delivery = self._queue.get()
            status, error = "sent", ""
            try:
                delivery.send()
            except _NotConfigured as err:
                status, error = "not_configured", str(err)
            except DeliveryError as err:
                status, error = "failed", str(err)
            except Exception as err:  # a notification never takes the server down
                status, error = "failed", f"{type(err).__name__}"
            if status == "failed":
                log.warning(
                    "%s notification %s (%s) not delivered: %s",
                    delivery.channel,
                    delivery.event,
                    delivery.recipient,
                    error,
                )
            _record(delivery, status, error)


class _NotConfigured(DeliveryError):
    pass


def _duration_warning(settings: dict[str, Any]) -> float | None:
    for rule in (settings.get("health") or {}).get("rules") or []:
        if rule.get("metric") == "RUN_DURATION_SECONDS" and rule.get("op") == "GREATER_THAN":
            try:
                return float(rule["value"])
            except (KeyError, TypeError, ValueError):
                return None
    return None


def _record(delivery: _Delivery, status: str, error: str) -> None:
    entry = {
        "time": int(time.time() * 1000),
        "event": delivery.event,
        "channel": delivery.channel,
        "to": delivery.recipient,
        "subject": delivery.subject,
        "status": status,
    }
    if error:
        entry["error"] = error
    try:
        delivery.directory.mkdir(parents=True, exist_ok=True)
        with open(delivery.directory / RECORD, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    except OSError as err:
        log.warning("cannot record a notification of %s: %s", delivery.directory.name, err)
