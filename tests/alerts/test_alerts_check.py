"""`brickyard alerts check` through the real CLI, on runs of the real local workspace, delivering to a
real SMTP server (aiosmtpd) and a webhook receiver on loopback."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import LocalWorkspace
from tests.deploy.conftest import USER, Project
from tests.receivers import Mailbox, Webhook, smtp_server, webhook_receiver
from tests.runs.conftest import NAP, NAP_BUNDLE, results, run_jobs

SETTINGS = """
alerts:
  destinations:
    chat: {type: webhook, url_env: ALERT_HOOK_URL}
    oncall:
      type: email
      to: [oncall@example.com]
      from: brickyard@example.com
      smtp: {host: 127.0.0.1, port: SMTP_PORT, timeout: 5}
  rules:
    - {id: broken-failed, type: failed_run, jobs: [broken], notify: [chat]}
    - {id: nap-slower, type: duration_regression, jobs: [nap], runs: 5, factor: 1.5, min_runs: 3,
       notify: [oncall, chat]}
"""
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def receivers() -> Iterator[tuple[Mailbox, Webhook]]:
    with smtp_server() as mailbox, webhook_receiver() as hook:
        yield mailbox, hook


@pytest.fixture(scope="module")
def alerting(
    shared_workspace: tuple[Path, LocalWorkspace],
    client: Any,
    tmp_path_factory: pytest.TempPathFactory,
    receivers: tuple[Mailbox, Webhook],
) -> Iterator[Project]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRICKYARD_LOCAL_USER", USER)
        name = f"a{uuid.uuid4().hex[:8]}"
        project = Project(tmp_path_factory.mktemp("alerts") / name, name, shared_workspace[0])
        project.write(
            {
                "databricks.yml": NAP_BUNDLE,
                "nap.py": NAP,
                "boom.py": "raise SystemExit('the source is empty')\n",
                "brickyard.yml": SETTINGS.replace("SMTP_PORT", str(receivers[0].port)),
            }
        )
        project.deploy()
        quick = [("nap", {}), ("nap", {}), ("broken", {})]
        assert results(run_jobs(client, project, *quick)) == ["SUCCESS", "SUCCESS", "FAILED"]
        yield project


@pytest.fixture
def cli(
    alerting: Project,
    receivers: tuple[Mailbox, Webhook],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    from brickyard.cli.main import run

    monkeypatch.chdir(alerting.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(alerting.workspace_dir))
    monkeypatch.setenv("BRICKYARD_LOCAL_USER", USER)
    monkeypatch.setenv("ALERT_HOOK_URL", receivers[1].url)

    def call(*args: str) -> tuple[int, str, str]:
        code = run(list(args))
        captured = capsys.readouterr()
        assert "T0KEN-SECRET" not in captured.out + captured.err  # the webhook URL is a secret
        return code, captured.out, captured.err

    return call


def test_a_failed_run_alerts_the_webhook_once(cli: Cli, receivers: tuple[Mailbox, Webhook]) -> None:
    mailbox, hook = receivers
    code, out, _ = cli("alerts", "check", "-t", "local", "-o", "json")
    assert code == 0
    fired = json.loads(out)["alerts"]
    assert [(a["rule"], a["subject"], a["delivered"]) for a in fired] == [
        ("broken-failed", "broken", ["chat"])
    ]
    assert "ended FAILED" in fired[0]["message"] and "the source is empty" in fired[0]["message"]
    (payload,) = hook.wait(1)
    assert set(payload) == {"text"}
    assert "broken" in payload["text"] and "FAILED" in payload["text"] and "/#job/" in payload["text"]
    assert hook.paths == ["/hook/T0KEN-SECRET"]

    code, out, _ = cli("alerts", "check", "-o", "json")  # the same failure is not delivered again
    assert code == 0
    assert [a["already_delivered"] for a in json.loads(out)["alerts"]] == [["chat"]]
    assert len(hook.payloads) == 1 and not mailbox.messages


def test_a_deliberately_slow_run_fires_the_duration_regression_by_email(
    cli: Cli, client: Any, alerting: Project, receivers: tuple[Mailbox, Webhook]
) -> None:
    mailbox, hook = receivers
    code, out, _ = cli("alerts", "check", "--dry-run", "-o", "json")
    assert code == 0
    assert "nap-slower" not in {a["rule"] for a in json.loads(out)["alerts"]}  # two earlier runs: too few

    # three earlier runs: their median stays put when the workspace's first run was slow to warm up
    [quick] = run_jobs(client, alerting, ("nap", {}))
    earlier = client.jobs.list_runs(job_id=quick.job_id, completed_only=True)
    # twice the longest earlier run: a regression however loaded the machine is
    slow = max(2.5, 2 * max(run.run_duration for run in earlier) / 1000)
    assert results([quick, *run_jobs(client, alerting, ("nap", {"seconds": str(slow)}))]) == ["SUCCESS"] * 2
    code, out, _ = cli("alerts", "check")
    assert code == 0, out
    assert "nap-slower" in out and "sent to oncall, chat" in out
    (mail,) = mailbox.wait(1)
    assert mail["To"] == "oncall@example.com" and mail["From"] == "brickyard@example.com"
    assert mail["Subject"] == "[brickyard] nap: duration_regression"
    body = mail.get_content()
    assert "job nap run" in body and "the median" in body
    assert any("nap" in p["text"] and "took" in p["text"] for p in hook.payloads)


def test_an_undeliverable_alert_fails_the_check_naming_the_destination(
    cli: Cli, alerting: Project, receivers: tuple[Mailbox, Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    (alerting.root / ".brickyard/history.db").unlink(missing_ok=True)  # nothing delivered yet
    monkeypatch.setattr(receivers[1], "status", 500)
    code, _, err = cli("alerts", "check")
    assert code == 1
    assert "broken-failed to chat: the webhook answered HTTP 500" in err
    monkeypatch.delenv("ALERT_HOOK_URL")
    code, _, err = cli("alerts", "check")
    assert code == 1
    assert "environment variable ALERT_HOOK_URL (for destination chat) is not set" in err


BAD = """
alerts:
  destinations:
    chat: {type: webhook, url: "http://127.0.0.1:9/x"}
  rules:
    - id: slow
      type: duration_regression
      factor: 0.5
      notify: [chat]
    - {id: gone, type: failed_run, notify: [chaat]}
"""


def test_bad_rules_name_the_file_line_and_key(cli: Cli, alerting: Project) -> None:
    original = (alerting.root / "brickyard.yml").read_text()
    try:
        (alerting.root / "brickyard.yml").write_text(BAD.lstrip())
        code, _, err = cli("alerts", "check")
        assert code == 1
        assert "alerts.rules[0].factor" in err and "brickyard.yml:7:15" in err
        (alerting.root / "brickyard.yml").write_text(BAD.replace("0.5", "2").lstrip())
        code, _, err = cli("alerts", "check")
        assert code == 1
        assert "rule 'gone' notifies 'chaat', which is not in alerts.destinations (known: chat)" in err
        assert "at alerts.rules" in err and "brickyard.yml:5:" in err
        (alerting.root / "brickyard.yml").write_text(
            "alerts:\n  destinations: {}\n  rules:\n    - {id: x, type: failed_run, jobs: [napp], notify: []}\n"
        )
        code, _, err = cli("alerts", "check")
        assert code == 1 and "alerts.rules[0].notify" in err
    finally:
        (alerting.root / "brickyard.yml").write_text(original)


PIPELINE_BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  pipelines:
    lines:
      name: lines
      catalog: main
      schema: default
      libraries:
        - file:
            path: ./lines.py
"""
PIPELINE = """
import dlt


@dlt.table(name="NAME_lines")
@dlt.expect("short", "length(value) < 3")
def lines():
    return spark.read.text("dbfs:/FileStore/NAME/lines.txt")
"""
DONE = ("COMPLETED", "FAILED", "CANCELED")
PIPELINE_SETTINGS = """
alerts:
  destinations:
    chat: {type: webhook, url_env: ALERT_HOOK_URL}
  rules:
    - {id: short-lines, type: expectation_failure_rate, pipelines: [lines], threshold: 0.2, notify: [chat]}
    - {id: fewer-lines, type: volume_drop, datasets: [NAME_lines], drop: 0.5, runs: 3, notify: [chat]}
"""


def test_pipeline_rules_read_expectations_and_rows_from_the_event_log(
    project: Project,
    client: Any,
    receivers: tuple[Mailbox, Webhook],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    from brickyard.cli.main import run

    project.write(
        {"databricks.yml": PIPELINE_BUNDLE, "lines.py": PIPELINE, "brickyard.yml": PIPELINE_SETTINGS}
    )
    project.deploy()
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    monkeypatch.setenv("ALERT_HOOK_URL", receivers[1].url)
    path = f"/FileStore/{project.name}/lines.txt"

    def update(lines: list[str]) -> dict[str, Any]:
        client.dbfs.upload(path, io.BytesIO("\n".join(lines).encode()), overwrite=True)
        pipeline_id = project.state().resource("pipelines", "lines").id
        update_id = client.pipelines.start_update(pipeline_id).update_id
        deadline = time.monotonic() + 60
        while (state := client.pipelines.get_update(pipeline_id, update_id).update.state.value) not in DONE:
            assert time.monotonic() < deadline, f"update {update_id} is still {state}"
            time.sleep(0.05)
        assert state == "COMPLETED"
        assert run(["alerts", "check", "-o", "json"]) == 0
        doc: dict[str, Any] = json.loads(capsys.readouterr().out)
        return doc

    fired = update(["a", "bbbb", "cccc", "dddd", "e", "f", "g", "h", "i", "j"])["alerts"]
    assert [(a["rule"], a["subject"]) for a in fired] == [("short-lines", f"lines/{project.name}_lines")]
    assert "failed 3 of 10 records (30.0%, limit 20.0%)" in fired[0]["message"]
    fired = update(["a", "b", "c", "d"])["alerts"]  # every line short now, but fewer than half as many
    assert [(a["rule"], a["delivered"]) for a in fired] == [("fewer-lines", ["chat"])]
    assert "wrote 4 rows, the median of the 1 update(s) before was 10" in fired[0]["message"]

    # The run history keeps the same figures: rows and expectation counts per update.
    assert run(["runs", "sync", "-o", "json"]) == 0
    synced = json.loads(capsys.readouterr().out)
    assert (synced["pipeline_updates"], synced["new_pipeline_updates"]) == (2, 2)
    assert run(["runs", "lines", "-o", "json"]) == 0
    (history,) = json.loads(capsys.readouterr().out)["pipelines"]
    figures = [
        (
            u["state"],
            d["rows"],
            [(e["name"], e["passed_records"], e["failed_records"]) for e in d["expectations"]],
        )
        for u in history["updates"]
        for d in u["datasets"]
    ]
    assert history["pipeline"] == "lines" and figures == [
        ("COMPLETED", 4, [("short", 4, 0)]),
        ("COMPLETED", 10, [("short", 7, 3)]),
    ]
    assert run(["runs"]) == 0
    shown = capsys.readouterr().out
    assert "Pipeline lines" in shown and "short 7/3" in shown
