"""`brickyard validate` as a user runs it: exit codes, text and JSON output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from brickyard.cli.main import run

BUNDLE = """
bundle: {name: cli}
variables:
  catalog: {default: main}
resources:
  jobs:
    j:
      name: j-${var.catalog}
      tasks:
        - task_key: a
          notebook_task: {notebook_path: ./nb.py}
targets:
  dev: {default: true, mode: development}
  ci: {}
"""


@pytest.fixture
def bundle_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "databricks.yml").write_text(textwrap.dedent(BUNDLE))
    (tmp_path / "nb.py").write_text("# Databricks notebook source\n1\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_valid_bundle_prints_a_summary(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate"]) == 0
    out = capsys.readouterr().out
    assert "Name: cli" in out and "Target: dev" in out and "Validation OK!" in out
    assert "User: tester@brickyard.local" in out


def test_json_output_is_the_resolved_configuration(
    bundle_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["validate", "-t", "ci", "--var", "catalog=prod", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["bundle"] == {
        "name": "cli",
        "target": "ci",
        "environment": "ci",
        "git": {"bundle_root_path": "."},
    }
    assert doc["resources"]["jobs"]["j"]["name"] == "j-prod"
    assert doc["variables"]["catalog"] == {"default": "main", "value": "prod"}
    assert doc["workspace"]["root_path"] == "/Workspace/Users/tester@brickyard.local/.bundle/cli/ci"


def test_errors_exit_1_with_every_diagnostic(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bundle_dir / "nb.py").unlink()
    assert run(["validate"]) == 1
    out = capsys.readouterr().out
    assert "Error: notebook nb.py not found\n\n" in out
    assert out.rstrip().endswith("Found 1 error")


def test_json_output_is_printed_even_when_validation_fails(
    bundle_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (bundle_dir / "nb.py").unlink()
    assert run(["validate", "-o", "json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    # stopped at path translation: the path is untranslated (cleaned, relative to the root, as the
    # CLI prints it) and no deployment metadata was added
    job = doc["resources"]["jobs"]["j"]
    assert job["tasks"][0]["notebook_task"]["notebook_path"] == "nb.py"
    assert "deployment" not in job
    # the findings go to stderr in the same form as in text mode, each followed by a blank line
    assert captured.err.startswith("Error: notebook nb.py not found\n")
    assert captured.err.endswith("\n\n")


def test_strict_turns_warnings_into_failure(bundle_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        (bundle_dir / "databricks.yml").read_text().replace("      name: j-", "      nmae: x\n      name: j-")
    )
    (bundle_dir / "databricks.yml").write_text(text)
    assert run(["validate"]) == 0
    out = capsys.readouterr().out
    assert "Warning: unknown field: nmae\n  at resources.jobs.j\n  in databricks.yml:8:7\n" in out
    assert out.rstrip().endswith("Found 1 warning")
    assert run(["validate", "--strict"]) == 1
    captured = capsys.readouterr()
    assert captured.out.rstrip().endswith("Found 1 warning")
    assert captured.err == "Error: 1 warning was found. Warnings are not allowed in strict mode\n"


def test_outside_a_bundle_the_error_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["validate"]) == 1
    assert "no databricks.yml found" in capsys.readouterr().err


def test_trailer_counts_findings_as_the_cli_words_them() -> None:
    from brickyard.errors import Diagnostic, Severity
    from brickyard.validate import trailer

    def found(*severities: Severity) -> str:
        return trailer([Diagnostic(s, "x") for s in severities])

    assert found() == "Validation OK!"
    assert found(Severity.WARNING, Severity.WARNING) == "Found 2 warnings"
    assert found(Severity.ERROR, Severity.WARNING) == "Found 1 error and 1 warning"
    assert found(Severity.ERROR, Severity.WARNING, Severity.INFO) == (
        "Found 1 error, 1 warning, and 1 recommendation"
    )
