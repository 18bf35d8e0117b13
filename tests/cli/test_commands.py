"""The root command loads verbs lazily: `--help` and `validate` import only what they need."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from brickyard.cli.commands import VERBS, build
from brickyard.cli.main import run

HEAVY = (
    "pydantic",
    "packaging.requirements",
    "brickyard.settings",
    "brickyard.alerts.model",
    "brickyard.deps.reqfiles",
    "databricks.sdk",
    "pyspark",
    "fastapi",
    "pandas",
    "dbt",
    "importlib.metadata",
    "rich",
    "yaml",
)


def _imported_by(args: list[str], cwd: Path, heavy: tuple[str, ...] = HEAVY) -> dict[str, object]:
    """Run the CLI in a fresh interpreter and report which of the `heavy` modules it imported."""
    code = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        from brickyard.cli.main import run
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = run({args!r})
        heavy = [m for m in {heavy!r} if m in sys.modules]
        verbs = sorted(m for m in sys.modules if m.startswith("brickyard.cli.") and m not in
                       ("brickyard.cli.main", "brickyard.cli.commands"))
        print(json.dumps({{"code": code, "heavy": heavy, "verbs": verbs}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_each_summary_is_the_first_paragraph_of_its_commands_help() -> None:
    for name in VERBS:
        command = build(name)
        assert command.name == name
        assert (command.help or "").split("\n\n")[0] == VERBS[name].summary, name


def test_help_lists_every_verb_without_importing_one_or_typer(tmp_path: Path) -> None:
    seen = _imported_by(["--help"], tmp_path, (*HEAVY, "typer"))
    assert seen == {"code": 0, "heavy": [], "verbs": []}


def test_help_lists_the_verbs_in_order_with_their_summaries(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.split("Commands:")[1].splitlines() if line]
    assert listed == list(VERBS)


def test_a_mistyped_verb_is_suggested_from_names_not_yet_loaded(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["valdate"]) == 2
    assert "Did you mean 'validate'?" in capsys.readouterr().err


def test_a_verbs_settings_and_subcommands_are_its_own() -> None:
    assert build("test").context_settings == {"allow_extra_args": True, "ignore_unknown_options": True}
    group = build("local")
    assert isinstance(group, click.Group) and {"up", "down", "status", "reset"} <= set(group.commands)


POLICY_BUNDLE = """
bundle: {name: fast}
resources:
  jobs:
    j:
      name: j
      job_clusters:
        - job_cluster_key: c
          new_cluster: {spark_version: 15.4.x-scala2.12, node_type_id: Standard_D4ds_v5, num_workers: 1}
      tasks:
        - task_key: a
          job_cluster_key: c
          notebook_task: {notebook_path: ./nb.py}
targets:
  dev: {default: true}
"""
SETTINGS = """
policies:
  rules:
    - {id: approved-nodes, applies_to: clusters, key: node_type_id, one_of: [Standard_D4ds_v5]}
"""


def test_validate_checks_policies_without_pydantic_once_brickyard_yml_was_validated(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text(POLICY_BUNDLE)
    (tmp_path / "nb.py").write_text("# Databricks notebook source\n1\n")
    (tmp_path / "brickyard.yml").write_text(SETTINGS)
    first = _imported_by(["validate"], tmp_path)
    assert first["code"] == 0 and "pydantic" in first["heavy"]  # a new file is validated in full
    again = _imported_by(["validate"], tmp_path)
    assert again == {"code": 0, "heavy": [], "verbs": ["brickyard.cli.options", "brickyard.cli.validate"]}

    # the remembered policies still apply: a node type they do not allow fails
    (tmp_path / "databricks.yml").write_text(POLICY_BUNDLE.replace("Standard_D4ds_v5", "Standard_E64_v5"))
    assert _imported_by(["validate"], tmp_path)["code"] == 1

    # a changed brickyard.yml is validated again, and its errors are reported as before
    (tmp_path / "brickyard.yml").write_text(SETTINGS.replace("one_of", "oen_of"))
    done = subprocess.run(
        [sys.executable, "-m", "brickyard", "validate"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 1 and "invalid settings" in done.stderr and "brickyard.yml:4" in done.stderr
