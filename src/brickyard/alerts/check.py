"""`brickyard alerts check`: evaluate the project's alert rules on a target and deliver what fires.

Job rules read the run history (`runs.report.collect_history`: the workspace's runs plus the ones
`runs sync` kept); pipeline rules read the newest updates and their event logs. Each alert goes to
each of its rule's destinations once: deliveries are remembered in `.brickyard/history.db`, so a
check run every few minutes does not repeat itself, and a destination that failed is tried again
next time. A failed delivery fails the command (exit 1) after the others were tried; it is named by
destination, never by URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.alerts.evaluate import Alert, job_alerts, pipeline_alerts
from brickyard.alerts.model import (
    JOB_RULES,
    AlertSettings,
    DurationRegressionRule,
    EmailDestination,
    FailedRunRule,
    WebhookDestination,
)
from brickyard.alerts.send import DeliveryError, Smtp, post_webhook, send_email
from brickyard.errors import BrickyardError, UsageError
from brickyard.runs.history_store import HistoryStore

if TYPE_CHECKING:
    from collections.abc import Mapping

    from brickyard.context import AppContext
    from brickyard.deploy.target import Target
    from brickyard.runs.pipeline import UpdateOutcome


class AlertDeliveryError(BrickyardError):
    """Some alerts could not be delivered."""


@dataclass(frozen=True)
class AlertOptions:
    target: str | None = None
    profile: str | None = None
    dry_run: bool = False


@dataclass
class Fired:
    alert: Alert
    delivered: list[str] = field(default_factory=list)
    earlier: list[str] = field(default_factory=list)
    """Destinations that already had this alert."""
    failed: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.alert.as_json(),
            "delivered": self.delivered,
            "already_delivered": self.earlier,
            "failed": self.failed,
        }


def check_alerts(ctx: AppContext, options: AlertOptions) -> list[Fired]:
    from brickyard.deploy.target import open_target
    from brickyard.settings import load_settings

    target = open_target(ctx, options.target, (), options.profile)
    settings = load_settings(target.bundle.root).alerts
    name = target.bundle.target
    if not settings.rules:
        raise UsageError("no alert rules: add `alerts: rules:` to brickyard.yml")
    rules = [r for r in settings.rules if not r.targets or name in r.targets]
    _known_names(target, rules)
    alerts = [(rule.notify, a) for rule, a in _evaluate(ctx, target, rules)]
    store = HistoryStore(target.bundle.root)
    fired = []
    for notify, alert in alerts:
        outcome = Fired(alert)
        for destination in notify:
            if store.delivered(name, alert.rule, alert.event, destination):
                outcome.earlier.append(destination)
            elif not options.dry_run:
                try:
                    deliver(settings, destination, f"[brickyard] {name}: {alert.message}", alert, ctx.environ)
                except DeliveryError as err:
                    outcome.failed[destination] = str(err)
                    continue
                store.mark_delivered(name, alert.rule, alert.event, destination)
                outcome.delivered.append(destination)
        fired.append(outcome)
    doc = {
        "target": name,
        "rules": len(rules),
        "dry_run": options.dry_run,
        "alerts": [f.as_json() for f in fired],
    }
    ctx.output.result(doc, lambda console: _render(console, name, len(rules), fired, options.dry_run))
    failures = [f"{f.alert.rule} to {d}: {why}" for f in fired for d, why in f.failed.items()]
    if failures:
        raise AlertDeliveryError("some alerts were not delivered:\n  " + "\n  ".join(failures))
    return fired


def _evaluate(ctx: AppContext, target: Target, rules: list[Any]) -> list[tuple[Any, Alert]]:
    from brickyard.runs.history import target_jobs
    from brickyard.runs.report import RunsOptions, collect_history
    from brickyard.runs.update_history import recent_updates

    found: list[tuple[Any, Alert]] = []
    job_rules = [r for r in rules if isinstance(r, JOB_RULES)]
    if job_rules and target_jobs(ctx, target, None):
        depth = max(r.runs + 1 if isinstance(r, DurationRegressionRule) else 1 for r in job_rules)
        history = collect_history(ctx, target, RunsOptions(limit=max(depth, 2), pipelines=False))
        runs = {t.job: history.of(t.job) for t in history.trends}
        found += [(rule, alert) for rule in job_rules for alert in job_alerts(rule, runs)]
    pipeline_rules = [r for r in rules if not isinstance(r, JOB_RULES)]
    if pipeline_rules:
        state = target.read_state(ctx)
        depth = max(getattr(r, "runs", 0) + 1 for r in pipeline_rules)
        updates: Mapping[str, list[UpdateOutcome]] = {
            address.split(".", 1)[1]: recent_updates(target.client, resource.id, max(depth, 1))
            for address, resource in sorted(state.resources.items())
            if address.startswith("pipelines.")
        }
        found += [(rule, alert) for rule in pipeline_rules for alert in pipeline_alerts(rule, updates)]
    return found


def _known_names(target: Target, rules: list[Any]) -> None:
    """A rule naming a job or pipeline the bundle does not have is a typo, not a quiet rule."""
    for rule in rules:
        is_job = isinstance(rule, FailedRunRule | DurationRegressionRule)
        kind, names = ("jobs", rule.jobs) if is_job else ("pipelines", rule.pipelines)
        known = set(target.bundle.resources(kind))
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(
                f"alert rule {rule.id} names {kind} the bundle does not have: {', '.join(unknown)} "
                f"(it has: {', '.join(sorted(known)) or 'none'})"
            )


def deliver(settings: AlertSettings, name: str, text: str, alert: Alert, environ: Mapping[str, str]) -> None:
    destination = settings.destinations[name]
    if isinstance(destination, WebhookDestination):
        url = destination.url or _env(environ, destination.url_env, name)
        post_webhook(url, {"text": f"{text}\n{alert.url}" if alert.url else text})
        return
    assert isinstance(destination, EmailDestination)
    smtp = destination.smtp
    server = Smtp(
        smtp.host,
        smtp.port,
        smtp.starttls,
        smtp.ssl,
        _env(environ, smtp.username_env, name) if smtp.username_env else None,
        _env(environ, smtp.password_env, name) if smtp.password_env else None,
        smtp.timeout,
    )
    body = f"{text}\n\nrule: {alert.rule}\n{alert.url}\n"
    send_email(server, destination.sender, destination.to, f"[brickyard] {alert.subject}: {alert.type}", body)


def _env(environ: Mapping[str, str], variable: str | None, destination: str) -> str:
    value = environ.get(variable or "")
    if not value:
        raise DeliveryError(f"environment variable {variable} (for destination {destination}) is not set")
    return value


def _render(console: Any, target: str, rules: int, fired: list[Fired], dry_run: bool) -> None:
    from rich.text import Text

    if not fired:
        console.print(Text(f"No alerts on {target} ({rules} rule(s) checked).", style="green"))
        return
    for f in fired:
        console.print(Text.assemble(("● ", "red"), (f.alert.rule, "bold"), f"  {f.alert.message}"))
        if f.alert.url:
            console.print(Text(f"    {f.alert.url}", style="dim"))
        if f.delivered:
            console.print(Text(f"    sent to {', '.join(f.delivered)}", style="green"))
        if f.earlier:
            console.print(Text(f"    already sent to {', '.join(f.earlier)}", style="dim"))
        if dry_run:
            console.print(Text("    not sent (--dry-run)", style="yellow"))
        for destination, why in f.failed.items():
            console.print(Text(f"    not delivered to {destination}: {why}", style="red"))
