"""validate parses the bundle's dbt projects: errors at their file and line, and no dbt for unchanged ones."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from brickyard.context import AppContext
from brickyard.dbt.parse import installed_dbt_version
from brickyard.errors import Diagnostic, Severity
from brickyard.output import CaptureOutput
from brickyard.validate import run_validate
from tests.dbt.shop import write_shop


def _validate(root: Path) -> tuple[bool, list[Diagnostic]]:
    outcome = run_validate(AppContext(output=CaptureOutput(), cwd=root), None, [], strict=False)
    return outcome.ok, list(outcome.diagnostics)


def test_parse_errors_carry_the_file_and_line_and_a_clean_project_is_not_parsed_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_shop(tmp_path / "b")
    monkeypatch.chdir(root)
    models = root / "dbt" / "models"
    (models / "bad.sql").write_text("select 1 as one,\n  {{ ref('customers' }}\n")

    bad_model = _validate(root)
    (models / "bad.sql").unlink()
    (models / "bad.yml").write_text("version: 2\nmodels:\n  - name: customers\n    columns:\n   - name: x\n")
    bad_yaml = _validate(root)
    (models / "bad.yml").unlink()
    clean = _validate(root)

    def no_dbt(*args: object, **kwargs: object) -> None:
        raise AssertionError("dbt ran for a project that parsed cleanly before")

    monkeypatch.setattr("brickyard.dbt.invoke.invoke", no_dbt)
    again = _validate(root)

    (error,) = bad_model[1]
    assert not bad_model[0] and error.severity is Severity.ERROR
    assert "dbt project shop (jobs.shop_job.tasks.build) does not parse: Compilation Error" in error.summary
    assert str(error.location) == "dbt/models/bad.sql:2:1"
    (error,) = bad_yaml[1]
    assert not bad_yaml[0] and str(error.location) == "dbt/models/bad.yml:5:1"
    assert clean == (True, []) and again == (True, [])


def test_without_dbt_installed_validate_warns_and_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_shop(tmp_path / "b")

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setitem(sys.modules, "dbt.__version__", None)  # `import dbt.__version__` fails
    monkeypatch.setattr(metadata, "version", missing)
    ok, (warning,) = _validate(root)

    assert ok and warning.severity is Severity.WARNING
    assert "dbt is not installed" in warning.summary


def test_the_dbt_version_that_keys_the_parse_record_is_the_installed_distributions() -> None:
    assert installed_dbt_version() == metadata.version("dbt-core")
