"""`scan secrets`: planted credentials are found, never shown, and accepted ones stay accepted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.cli.main import run
from brickyard.errors import FindingsError
from brickyard.scan.secrets import check_deploy_inputs, find_secrets, project_files
from brickyard.settings import SecretsSettings

Write = Callable[[dict[str, str]], Path]
TOKEN = "dapi" + "0123456789abcdef" * 2
AWS_KEY = "AKIA" + "Z7QW3EXAMPLEKEY4"
PRIVATE = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1\n-----END RSA PRIVATE KEY-----\n"
CLEAN = {
    "databricks.yml": "bundle: {name: s}\nvariables:\n  token: {default: '{{secrets/scope/token}}'}\n",
    "notebooks/etl.py": "# Databricks notebook source\ntoken = dbutils.secrets.get('scope', 'token')\n",
    "src/app/db.py": "import os\nPASSWORD = os.environ['DB_PASSWORD']\n",
}


@pytest.fixture
def planted(write: Write) -> Path:
    return write({
        **CLEAN,
        "notebooks/etl.py": f"# Databricks notebook source\n\nhost = 'https://x'\ntoken = '{TOKEN}'\n",
        "config/dev.yml": f"aws_access_key_id: {AWS_KEY}\n",
        "src/app/db.py": "import os\n\npassword = 'hunter2-but-longer'\n",
        "keys/deploy.pem": PRIVATE,
        "dist/build-output.py": f"token = '{TOKEN}'\n",  # build output is not scanned
    })  # fmt: skip


def _found(root: Path) -> set[tuple[str, str]]:
    settings = SecretsSettings()
    return {
        (f.rule_id, str(f.location))
        for f in find_secrets(project_files(root, settings), root, settings).findings
    }


def test_planted_secrets_are_found_with_their_location(planted: Path) -> None:
    found = _found(planted)
    assert ("secret/databricks-token", "notebooks/etl.py:4:1") in found
    assert ("secret/aws-access-key", "config/dev.yml:1:1") in found
    assert ("secret/private-key", "keys/deploy.pem:1:1") in found
    assert ("secret/secret-keyword", "src/app/db.py:3:1") in found
    assert not any(location.startswith("dist/") for _, location in found)


def test_a_clean_project_passes(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(CLEAN)
    assert run(["scan", "secrets"]) == 0


def test_values_never_appear_in_output_or_reports(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan", "secrets", "--report", "r.json", "--sarif", "r.sarif", "-o", "json"]) == 1
    captured = capsys.readouterr()
    everything = (
        captured.out + captured.err + (planted / "r.json").read_text() + (planted / "r.sarif").read_text()
    )
    for value in (TOKEN, TOKEN[4:], AWS_KEY, AWS_KEY[4:], "hunter2", "MIIEowIBAAKCAQEA1"):
        assert value not in everything
    assert "dapi… (36 characters)" in captured.err


def test_the_baseline_accepts_reviewed_findings_only(
    planted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["scan", "secrets", "--update-baseline"]) == 0
    baseline = json.loads((planted / ".secrets.baseline").read_text())
    assert "notebooks/etl.py" in baseline["results"] and TOKEN not in json.dumps(baseline)
    assert run(["scan", "secrets"]) == 0
    (planted / "notebooks" / "new.py").write_text(f"t = '{TOKEN[:-1]}f'\n")
    assert _found(planted) == {("secret/databricks-token", "notebooks/new.py:1:1")}


def test_a_secret_in_a_deploy_input_stops_the_deploy(planted: Path) -> None:
    check_deploy_inputs([planted / "databricks.yml"], planted)  # a clean input passes
    with pytest.raises(FindingsError) as info:
        check_deploy_inputs([planted / "databricks.yml", planted / "notebooks" / "etl.py"], planted)
    message = str(info.value)
    assert message.startswith("the deploy stopped: 1 plaintext secret(s) in its inputs")
    assert "notebooks/etl.py:4:1" in message and TOKEN[4:] not in message
