"""`brickyard scan deps`: known vulnerabilities of every locked package.

Online, pip-audit asks its vulnerability service (PyPI's JSON API, or OSV) about each pin of the
hashed lock; pip-audit runs as a subprocess so that its network stack, caching and retries stay its
own. When the service cannot be reached (air-gapped runners, or a registry mirror without PyPI's
JSON API, where every package comes back "not found"), an offline OSV directory given with
`--advisories` answers instead, and the result says which source was used. Without either, the
scan fails rather than passing silently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from brickyard.errors import FindingsError, Severity
from brickyard.scan.findings import Finding, ScanResult
from brickyard.scan.locks import Pinned, pinned_packages
from brickyard.scan.osv import AdvisoryDatabase


class ServiceUnavailable(Exception):
    """The online vulnerability service did not answer for the lock."""


def audit_online(lock: Path, timeout: float = 15.0) -> dict[str, list[dict[str, object]]]:
    """pip-audit on the lock: package name → its vulnerabilities (id, fix_versions, aliases, description)."""
    args = [
        sys.executable, "-m", "pip_audit", "-r", str(lock), "--disable-pip", "--require-hashes",
        "-f", "json", "--progress-spinner", "off", "--timeout", str(int(timeout)),
    ]  # fmt: skip
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout * 20)
    except subprocess.TimeoutExpired:
        raise ServiceUnavailable("pip-audit did not finish") from None
    try:
        doc = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        doc = {}
    dependencies = doc.get("dependencies")
    if done.returncode not in (0, 1) or not isinstance(dependencies, list):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ServiceUnavailable(last)
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        raise ServiceUnavailable("the service knew none of the locked packages")
    return {str(d["name"]): list(d.get("vulns", [])) for d in audited}


def scan_vulnerabilities(
    locks: Sequence[tuple[Path, str]], advisories: Path | None = None, offline: bool = False
) -> ScanResult:
    result = ScanResult("deps")
    database = AdvisoryDatabase.load(advisories) if advisories is not None else None
    for lock, display in locks:
        pins = pinned_packages(lock, display)
        result.scanned += len(pins)
        online: dict[str, list[dict[str, object]]] | None = None
        if not offline:
            try:
                online = audit_online(lock)
                result.source = "pip-audit (PyPI vulnerability service)"
            except ServiceUnavailable as err:
                if database is None:
                    raise FindingsError(
                        f"the vulnerability service cannot be reached ({err}) and no offline advisories were "
                        "given; pass --advisories DIR (OSV JSON files) to scan offline"
                    ) from None
                result.notes.append(f"vulnerability service unreachable ({err}); used the offline advisories")
        if online is None:
            if database is None:
                raise FindingsError("scanning offline needs --advisories DIR (a directory of OSV JSON files)")
            result.source = (
                f"offline OSV advisories in {database.directory} ({len(database.records)} records)"
            )
            result.findings.extend(_offline_findings(pins, database))
        else:
            result.findings.extend(_online_findings(pins, online))
    return result


def _offline_findings(pins: list[Pinned], database: AdvisoryDatabase) -> list[Finding]:
    found = []
    for pin in pins:
        for advisory in database.affecting(pin.name, pin.version):
            found.append(_finding(pin, advisory.id, advisory.aliases, advisory.summary, advisory.fixed))
    return found


def _online_findings(pins: list[Pinned], vulns: dict[str, list[dict[str, object]]]) -> list[Finding]:
    by_key = {pin.key: pin for pin in pins}
    found = []
    for name, items in vulns.items():
        pin = by_key.get(canonicalize_name(name))
        if pin is None:
            continue
        for item in items:
            aliases = tuple(str(a) for a in _strings(item.get("aliases")))
            fixes = tuple(str(v) for v in _strings(item.get("fix_versions")))
            summary = str(item.get("description") or "").strip().split("\n")[0]
            found.append(_finding(pin, str(item.get("id")), aliases, summary, fixes))
    return found


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _finding(
    pin: Pinned, vuln_id: str, aliases: tuple[str, ...], summary: str, fixed: tuple[str, ...]
) -> Finding:
    also = f" ({', '.join(aliases)})" if aliases else ""
    fix = f"; fixed in {', '.join(fixed)}" if fixed else "; no fixed version yet"
    return Finding(
        scanner="deps",
        rule_id=f"vuln/{vuln_id}",
        summary=f"{pin.name}=={pin.version} has a known vulnerability {vuln_id}{also}{fix}",
        severity=Severity.ERROR,
        location=pin.location,
        detail=summary[:300],
        rule_description=summary[:200] or vuln_id,
    )
