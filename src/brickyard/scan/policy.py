"""`brickyard scan policy`: Databricks cluster policies and the project's rules, on the resolved bundle.

A cluster policy is enforced by the workspace when a cluster is created, which for a job cluster
is when the job first runs, long after the deploy said "done". Evaluating the same policy JSON
against every cluster spec of the resolved bundle moves that failure to validate time, with the
file, line and key that break it. The policy language is Databricks': `fixed`, `forbidden`,
`allowlist`, `blocklist`, `regex`, `range` and `unlimited`, with `isOptional` and `defaultValue`.
A fixed attribute left unset passes (the workspace fills it in); a limited one left unset fails
unless it is optional or has a default. `dbus_per_hour` needs prices and is not evaluated offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard.deps.initscript import ClusterSpec, cluster_specs
from brickyard.errors import BrickyardError, FindingsError, Severity
from brickyard.scan.attrs import resolve
from brickyard.scan.findings import Finding, ScanResult
from brickyard.scan.policies import Policies, PolicyRef

if TYPE_CHECKING:
    from brickyard.bundle import Bundle
    from brickyard.output import Output
    from brickyard.settings import Settings

_TYPES = {"fixed", "forbidden", "allowlist", "blocklist", "regex", "range", "unlimited"}
_VIRTUAL_SKIPPED = {"dbus_per_hour"}


def load_policy(root: Path, ref: PolicyRef) -> dict[str, dict[str, Any]]:
    path = root / ref.file
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FindingsError(
            f"cluster policy {ref.file} not found (policies.cluster_policies in brickyard.yml)"
        ) from None
    except json.JSONDecodeError as err:
        raise FindingsError(f"{ref.file}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}") from None
    if isinstance(doc, dict) and isinstance(doc.get("definition"), str):  # an exported policy object
        doc = json.loads(doc["definition"])
    if not isinstance(doc, dict):
        raise FindingsError(f"{ref.file} must hold a policy definition (a JSON object of attribute rules)")
    for attribute, rule in doc.items():
        if not isinstance(rule, dict) or rule.get("type") not in _TYPES:
            raise FindingsError(
                f"{ref.file}: the rule for {attribute!r} needs a type: one of {', '.join(sorted(_TYPES))}"
            )
    return doc


def violations(
    cluster: ClusterSpec, attribute: str, rule: dict[str, Any]
) -> list[tuple[tuple[str | int, ...], str]]:
    """(attribute path inside the cluster, what is wrong) for one policy rule."""
    kind = rule["type"]
    if attribute == "cluster_type":
        matches: list[tuple[tuple[str | int, ...], Any]] = [((), cluster.kind)]
    else:
        matches = resolve(cluster.spec, attribute)
    if not matches:
        if kind in ("fixed", "forbidden", "blocklist") or rule.get("isOptional") or "defaultValue" in rule:
            return []
        return [((), f"{attribute} is required by the policy ({_describe(rule)})")]
    out = []
    for where, value in matches:
        problem = _check(kind, rule, value)
        if problem:
            out.append((where, f"{attribute} = {value!r} {problem}"))
    return out


def _check(kind: str, rule: dict[str, Any], value: Any) -> str:
    if kind == "fixed" and value != rule.get("value"):
        return f"but the policy fixes it to {rule.get('value')!r}"
    if kind == "forbidden":
        return "but the policy forbids setting it"
    if kind == "allowlist" and value not in rule.get("values", []):
        return f"is not among the allowed values {rule.get('values', [])}"
    if kind == "blocklist" and value in rule.get("values", []):
        return "is blocked by the policy"
    if kind == "regex" and not re.fullmatch(str(rule.get("pattern", "")), str(value)):
        return f"does not match the pattern {rule.get('pattern')!r}"
    if kind == "range":
        if not isinstance(value, int | float) or isinstance(value, bool):
            return "must be a number"
        if "minValue" in rule and value < rule["minValue"]:
            return f"is below the minimum {rule['minValue']}"
        if "maxValue" in rule and value > rule["maxValue"]:
            return f"is above the maximum {rule['maxValue']}"
    return ""


def _describe(rule: dict[str, Any]) -> str:
    details = {k: v for k, v in rule.items() if k in ("value", "values", "pattern", "minValue", "maxValue")}
    return f"{rule['type']} {json.dumps(details)}" if details else rule["type"]


def check_cluster_policies(bundle: Bundle, policies: Policies) -> ScanResult:
    result = ScanResult("policy", source="brickyard.yml policies")
    config = bundle.config.plain()
    clusters = list(cluster_specs(config, include_pipelines=True))
    for ref in policies.cluster_policies:
        if ref.targets and bundle.target not in ref.targets:
            continue
        policy = load_policy(policies.root, ref)
        for attribute in sorted(set(policy) & _VIRTUAL_SKIPPED):
            result.notes.append(
                f"{ref.file}: {attribute} is not evaluated offline (it needs the workspace's prices)"
            )
        for cluster in clusters:
            if cluster.kind not in ref.cluster_types:
                continue
            result.scanned += 1
            for attribute, rule in policy.items():
                if attribute in _VIRTUAL_SKIPPED:
                    continue
                for where, problem in violations(cluster, attribute, rule):
                    path = (*cluster.path, *where)
                    result.findings.append(_finding(bundle, path, f"policy/{Path(ref.file).stem}/{attribute}", problem,
                                                    f"violates cluster policy {ref.file}"))  # fmt: skip
    from brickyard.scan.rules import check_rules

    check_rules(bundle, config, policies.rules, result)
    return result


def _finding(bundle: Bundle, path: tuple[str | int, ...], rule_id: str, problem: str, what: str,
             severity: Severity = Severity.ERROR) -> Finding:  # fmt: skip
    from brickyard.bundle.node import format_path

    return Finding(
        "policy", rule_id, f"{format_path(path[:3])} {what}: {problem}", severity,
        bundle.location(path), format_path(path), rule_description=what,
    )  # fmt: skip


def enforce_policies(bundle: Bundle, output: Output) -> None:
    """For `validate`: when brickyard.yml configures policies, report violations and fail on errors."""
    from brickyard.scan.policies import load_policies

    policies = load_policies(bundle.root)
    if not policies.configured:
        return
    result = check_cluster_policies(bundle, policies)
    output.diagnostics([f.diagnostic() for f in result.findings])
    if result.errors:
        count = len(result.errors)
        raise BrickyardError(f"validation failed: {count} policy violation{'s' if count != 1 else ''}")


def policy_result(bundles: Sequence[Bundle], settings: Settings) -> ScanResult:
    merged = ScanResult("policy", source="brickyard.yml policies")
    for bundle in bundles:
        one = check_cluster_policies(bundle, Policies.of(settings))
        merged.findings.extend(one.findings)
        merged.scanned += one.scanned
        merged.notes.extend(n for n in one.notes if n not in merged.notes)
    return merged
