"""The CLI's single error boundary: exit codes and what reaches the terminal."""

from __future__ import annotations

import subprocess
import sys

import pytest

from brickyard import __version__
from brickyard.cli.main import run
from brickyard.errors import BrickyardError


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"brickyard {__version__}"
    assert run(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--no-such-flag"]) == 2
    assert "No such option" in capsys.readouterr().err
    assert run(["no-such-command"]) == 2


def test_expected_errors_exit_1_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise BrickyardError("the thing failed")

    monkeypatch.setattr("brickyard.validate.run_validate", fail)
    assert run(["validate"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "Error: the thing failed"


def test_bugs_exit_1_and_show_a_traceback_only_with_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("brickyard.validate.run_validate", bug)
    assert run(["validate"]) == 1
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: boom" in err and "Traceback" not in err
    assert run(["--debug", "validate"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("brickyard.validate.run_validate", interrupted)
    assert run(["validate"]) == 130
    assert "Interrupted" in capsys.readouterr().err


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from brickyard.cli.main import run; run(['--help']);"
        "heavy = [m for m in ('pyspark', 'databricks.sdk', 'fastapi', 'pandas', 'dbt') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_workspace_refusing_a_request_is_an_expected_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.errors import PermissionDenied

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionDenied("User is not allowed to create jobs")

    monkeypatch.setattr("brickyard.validate.run_validate", refused)
    assert run(["validate"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "Error: the workspace refused a request: User is not allowed to create jobs"
