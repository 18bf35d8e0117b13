"""The project's own rules from brickyard.yml, checked like cluster policies.

A rule picks resources (`applies_to`: every cluster spec, all-purpose clusters, jobs, pipelines),
optionally only in some targets, and states one condition on a key: `required`, `forbidden`,
`one_of` or `pattern`. Without a key, `forbidden: true` means no such resource may exist in those
targets ("no all-purpose clusters in prod").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from brickyard.deps.initscript import cluster_specs
from brickyard.errors import Severity
from brickyard.scan.attrs import resolve
from brickyard.scan.findings import ScanResult
from brickyard.scan.policies import Rule

if TYPE_CHECKING:
    from brickyard.bundle import Bundle

Path = tuple[str | int, ...]


_SCOPE_KINDS = {"all_purpose_clusters": "clusters", "jobs": "jobs", "pipelines": "pipelines"}
"""Policy scopes that are one resource kind; the `clusters` scope is every cluster specification."""


def _subjects(config: dict[str, Any], scope: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    kind = _SCOPE_KINDS.get(scope)
    if kind is None:
        for cluster in cluster_specs(config):
            yield cluster.path, cluster.spec
        return
    for key, resource in ((config.get("resources") or {}).get(kind) or {}).items():
        if isinstance(resource, dict):
            yield ("resources", kind, key), resource


def _problem(rule: Rule, resource: dict[str, Any]) -> list[tuple[Path, str]]:
    if rule.key is None:
        return [((), "is not allowed here")]
    found = [(where, value) for where, value in resolve(resource, rule.key) if value not in ("", [], {})]
    if rule.required:
        return [] if found else [((), f"must set {rule.key}")]
    if rule.forbidden:
        return [(where, f"must not set {rule.key}") for where, _ in found]
    out = []
    for where, value in found:
        if rule.one_of is not None and value not in rule.one_of:
            out.append((where, f"{rule.key} = {value!r} is not one of {rule.one_of}"))
        if rule.pattern is not None and not re.fullmatch(rule.pattern, str(value)):
            out.append((where, f"{rule.key} = {value!r} does not match {rule.pattern!r}"))
    return out


def check_rules(bundle: Bundle, config: dict[str, Any], rules: Sequence[Rule], result: ScanResult) -> None:
    from brickyard.scan.policy import _finding

    for rule in rules:
        if rule.targets and bundle.target not in rule.targets:
            continue
        severity = Severity.ERROR if rule.level == "error" else Severity.WARNING
        what = f"breaks rule {rule.id}" + (f" ({rule.description})" if rule.description else "")
        for path, resource in _subjects(config, rule.applies_to):
            result.scanned += 1
            for where, problem in _problem(rule, resource):
                result.findings.append(
                    _finding(bundle, (*path, *where), f"rule/{rule.id}", problem, what, severity)
                )
