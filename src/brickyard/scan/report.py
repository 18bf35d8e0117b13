"""Machine-readable scan reports for CI: brickyard's JSON document and SARIF 2.1.0.

SARIF is what code-scanning services ingest (GitHub, Azure DevOps): each finding becomes a result
with its rule id, level and location, and each distinct rule is described once in the tool's
driver. Paths are relative to the project root, as SARIF's `%SRCROOT%` base expects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from brickyard import __version__
from brickyard.errors import Severity
from brickyard.scan.findings import Finding, ScanResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def report_json(results: Sequence[ScanResult]) -> dict[str, Any]:
    findings = [f for r in results for f in r.findings]
    return {
        "tool": {"name": "brickyard", "version": __version__},
        "passed": not any(f.severity is Severity.ERROR for f in findings),
        "scanners": [
            {
                "name": r.scanner,
                "scanned": r.scanned,
                "source": r.source,
                "notes": r.notes,
                "errors": len(r.errors),
                "findings": len(r.findings),
            }
            for r in results
        ],
        "findings": [f.as_json() for f in findings],
    }


def report_sarif(results: Sequence[ScanResult], root: Path | None = None) -> dict[str, Any]:
    findings = [f for r in results for f in r.findings]
    rules: dict[str, Finding] = {}
    for finding in findings:
        rules.setdefault(finding.rule_id, finding)
    rule_ids = list(rules)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "brickyard",
                        "version": __version__,
                        "informationUri": "https://github.com/brickyard-dev/brickyard",
                        "rules": [_rule(rule_id, f) for rule_id, f in rules.items()],
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"uri": (root.resolve().as_uri() + "/") if root else "file:///"}
                },
                "results": [_result(f, rule_ids.index(f.rule_id)) for f in findings],
            }
        ],
    }


def _rule(rule_id: str, finding: Finding) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id.replace("/", "-"),
        "shortDescription": {"text": finding.rule_description or finding.summary},
        "defaultConfiguration": {"level": _LEVELS[finding.severity]},
        "properties": {
            "tags": ["security" if finding.scanner in ("deps", "secrets") else "compliance", finding.scanner]
        },
    }


def _result(finding: Finding, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.summary + (f"\n{finding.detail}" if finding.detail else "")},
    }
    if finding.location is not None:
        physical = {
            "artifactLocation": {"uri": finding.location.file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.location.line, "startColumn": finding.location.column},
        }
        location: dict[str, Any] = {"physicalLocation": physical}
        if finding.path:
            location["logicalLocations"] = [{"fullyQualifiedName": finding.path, "kind": "member"}]
        result["locations"] = [location]
    return result


def write_report(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
