"""Reports for CI: the JSON document and SARIF 2.1.0 carry rule ids, levels and locations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.cli.main import run
from tests.scan.conftest import ADVISORIES, lock_text

Write = Callable[[dict[str, str]], Path]


@pytest.fixture
def project(write: Write) -> Path:
    return write({
        "databricks.yml": "bundle: {name: rep}\n",
        "requirements/runtime-baseline.in": "# runtime: 15.4\n",
        "requirements/requirements.txt": lock_text("joblib==1.1.0", "six==1.16.0"),
        "brickyard.yml": "licenses: {unknown: ignore}\n",
        "notebooks/nb.py": "# Databricks notebook source\ntoken = 'dapi" + "ab" * 16 + "'\n",
    })  # fmt: skip


def test_scan_all_writes_json_and_sarif_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "scan",
        "--offline",
        "--advisories",
        str(ADVISORIES),
        "--report",
        "out/scan.json",
        "--sarif",
        "out/scan.sarif",
    ]
    assert run(args) == 1
    report = json.loads((project / "out" / "scan.json").read_text())
    assert report["passed"] is False
    assert [s["name"] for s in report["scanners"]] == ["deps", "licenses", "secrets", "policy"]
    assert {f["rule"] for f in report["findings"]} == {"vuln/GHSA-6hrg-qmvc-2xh8", "secret/databricks-token"}
    vuln = next(f for f in report["findings"] if f["scanner"] == "deps")
    assert vuln["location"] == {"file": "requirements/requirements.txt", "line": 4, "column": 1}
    assert report["scanners"][0]["source"].startswith("offline OSV advisories")

    sarif = json.loads((project / "out" / "scan.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    [sarif_run] = sarif["runs"]
    rules = [r["id"] for r in sarif_run["tool"]["driver"]["rules"]]
    assert sorted(rules) == ["secret/databricks-token", "vuln/GHSA-6hrg-qmvc-2xh8"]
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"] and result["level"] == "error"
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] == 1
    secret = next(r for r in sarif_run["results"] if r["ruleId"] == "secret/databricks-token")
    assert secret["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "notebooks/nb.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert "Error: scan failed: 2 findings at error level" in capsys.readouterr().err


def test_json_output_is_one_document_on_stdout(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "notebooks" / "nb.py").unlink()
    (project / "requirements" / "requirements.txt").write_text(lock_text("joblib==1.2.0"))
    assert run(["scan", "--offline", "--advisories", str(ADVISORIES), "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] is True and doc["findings"] == []
    assert {s["name"]: s["scanned"] for s in doc["scanners"]} == {
        "deps": 1,
        "licenses": 1,
        "secrets": 3,
        "policy": 0,
    }
