"""`scan deps`: the locked graph against advisories; the source used is always said."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.errors import FindingsError, Location
from brickyard.scan.locks import Pinned
from brickyard.scan.osv import AdvisoryDatabase
from brickyard.scan.vulns import _online_findings, scan_vulnerabilities
from tests.scan.conftest import ADVISORIES, lock_text

Write = Callable[[dict[str, str]], Path]


def _lock(write: Write, *pins: str) -> list[tuple[Path, str]]:
    root = write({"requirements/requirements.txt": lock_text(*pins)})
    return [(root / "requirements" / "requirements.txt", "requirements/requirements.txt")]


def test_offline_advisories_find_the_vulnerable_pins(write: Write) -> None:
    locks = _lock(write, "joblib==1.1.0", "requests==2.30.0", "six==1.16.0")
    result = scan_vulnerabilities(locks, ADVISORIES, offline=True)
    found = {(f.rule_id, str(f.location)) for f in result.findings}
    assert found == {
        ("vuln/GHSA-6hrg-qmvc-2xh8", "requirements/requirements.txt:4:1"),
        ("vuln/GHSA-j8r2-6x86-q33q", "requirements/requirements.txt:7:1"),
    }
    joblib = next(f for f in result.findings if "joblib" in f.summary)
    assert joblib.summary == (
        "joblib==1.1.0 has a known vulnerability GHSA-6hrg-qmvc-2xh8 (CVE-2022-21797, PYSEC-2022-288); fixed in 1.2.0"
    )
    assert result.source.startswith("offline OSV advisories in") and result.source.endswith("(4 records)")
    assert result.scanned == 3


def test_fixed_and_unaffected_versions_pass(write: Write) -> None:
    locks = _lock(
        write,
        "joblib==1.2.0",
        "requests==2.31.0",
        "six==1.16.0",
        "tiny-util==1.2",
        "requests-oauthlib==1.3.1",
    )
    assert scan_vulnerabilities(locks, ADVISORIES, offline=True).findings == []


@pytest.mark.parametrize(
    ("version", "affected"), [("0.9", True), ("1.0", True), ("1.1", True), ("1.1.1", False)]
)
def test_listed_versions_and_last_affected_ranges(version: str, affected: bool) -> None:
    database = AdvisoryDatabase.load(ADVISORIES)
    assert bool(database.affecting("tiny-util", version)) is affected


def test_an_unreachable_service_falls_back_to_the_offline_advisories(write: Write) -> None:
    locks = _lock(write, "requests==2.30.0")
    result = scan_vulnerabilities(locks, ADVISORIES, offline=False)
    assert [f.rule_id for f in result.findings] == ["vuln/GHSA-j8r2-6x86-q33q"]
    assert result.notes == [
        "vulnerability service unreachable (network disabled in tests); used the offline advisories"
    ]


def test_an_unreachable_service_without_advisories_fails_instead_of_passing(write: Write) -> None:
    with pytest.raises(FindingsError, match=r"cannot be reached .* pass --advisories DIR"):
        scan_vulnerabilities(_lock(write, "requests==2.30.0"), None, offline=False)


def test_pip_audit_results_become_findings_at_the_pin() -> None:
    pin = Pinned("Requests", "2.30.0", Location("requirements/requirements.txt", 9, 1))
    vulns = {"requests": [{"id": "PYSEC-2023-74", "fix_versions": ["2.31.0"], "aliases": ["CVE-2023-32681"],
                           "description": "Leak of Proxy-Authorization header.\nMore."}]}  # fmt: skip
    [finding] = _online_findings([pin], vulns)
    assert (
        finding.rule_id == "vuln/PYSEC-2023-74"
        and str(finding.location) == "requirements/requirements.txt:9:1"
    )
    assert finding.detail == "Leak of Proxy-Authorization header."
