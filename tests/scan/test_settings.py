"""brickyard.yml: typed sections, defaults when absent, errors located like bundle errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.cli.main import run
from brickyard.errors import BundleError
from brickyard.settings import DEFAULT_DENY, load_settings

Write = Callable[[dict[str, str]], Path]


def test_a_project_without_settings_gets_defaults(write: Write) -> None:
    settings = load_settings(write({"databricks.yml": "bundle: {name: s}\n"}))
    assert settings.source is None and settings.licenses.deny == DEFAULT_DENY
    assert settings.deps.directory == "requirements" and not settings.policies.configured


def test_values_are_read_into_typed_sections(write: Write) -> None:
    root = write(
        {
            "brickyard.yml": "deps: {runtime: '16.4-ml', keep: [conda]}\npolicies:\n  cluster_policies: [p.json]\n"
        }
    )
    settings = load_settings(root)
    assert settings.deps.runtime == "16.4-ml" and settings.deps.keep == ["conda"]
    assert settings.policies.cluster_policies[0].file == "p.json"
    assert settings.policies.cluster_policies[0].cluster_types == ["all-purpose", "job"]


@pytest.mark.parametrize(
    ("text", "summary", "path", "where"),
    [
        (
            "licenses:\n  denny: [GPL-*]\n",
            "invalid settings: unknown key 'denny'",
            "licenses.denny",
            "brickyard.yml:2:10",
        ),
        (
            "licenses:\n  unknown: loud\n",
            "invalid settings: Input should be 'error', 'warning' or 'ignore'",
            "licenses.unknown",
            "brickyard.yml:2:12",
        ),
        (
            "policies:\n  rules:\n    - id: r1\n      applies_to: jobs\n      key: run_as\n",
            "invalid settings: a rule needs exactly one of required, forbidden, one_of, pattern",
            "policies.rules[0]",
            "brickyard.yml:3:7",
        ),
        ("relases: {}\n", "invalid settings: unknown key 'relases'", "relases", "brickyard.yml:1:10"),
    ],
)
def test_bad_settings_name_file_line_and_key(
    write: Write, text: str, summary: str, path: str, where: str
) -> None:
    root = write({"brickyard.yml": text})
    with pytest.raises(BundleError) as info:
        load_settings(root)
    [diag] = info.value.diagnostics
    assert diag.summary == summary and diag.path == path and str(diag.location) == where


def test_a_bad_settings_file_fails_the_command_cleanly(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    write({"databricks.yml": "bundle: {name: s}\n", "brickyard.yml": "secrets: {entropy: maybe}\n"})
    assert run(["scan", "secrets"]) == 1
    err = capsys.readouterr().err
    assert "invalid settings" in err and "brickyard.yml:1:20" in err and "Traceback" not in err
