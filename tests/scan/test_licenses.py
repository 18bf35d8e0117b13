"""`scan licenses`: each locked package's licence, read from real metadata, against the project's policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.cli.main import run
from brickyard.scan.license_meta import LicenseInfo, MetadataSources
from brickyard.scan.licenses import license_ids, scan_licenses, verdict
from brickyard.settings import LicenseOverride, LicenseSettings
from tests.deps.wheels import make_wheel
from tests.scan.conftest import lock_text

Write = Callable[[dict[str, str]], Path]
GPL3 = "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"


@pytest.fixture
def project(write: Write, tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinyutil", "1.2", license="Apache-2.0")
    make_wheel(wheels, "copyleft", "3.0", license=None, classifiers=[GPL3])
    make_wheel(wheels, "weak-copyleft", "1.0", license="LGPLv3+")
    make_wheel(
        wheels, "dual", "2.0", license=None, classifiers=["License :: OSI Approved :: MIT License", GPL3]
    )
    make_wheel(wheels, "mystery", "0.1", license=None)
    return write({
        "databricks.yml": "bundle: {name: lic}\n",
        "requirements/runtime-baseline.in": "# runtime: 15.4\n",
        "requirements/requirements.txt": lock_text("tinyutil==1.2", "copyleft==3.0", "weak-copyleft==1.0", "dual==2.0", "mystery==0.1"),
    })  # fmt: skip


def _scan(root: Path, policy: LicenseSettings) -> dict[str, str]:
    lock = root / "requirements" / "requirements.txt"
    result = scan_licenses(
        [(lock, "requirements/requirements.txt")], policy, MetadataSources.build([root / "wheels"])
    )
    return {f.rule_id + ":" + f.summary.split("==")[0].split(": ")[-1]: f.summary for f in result.findings}


def test_the_default_policy_denies_the_gpl_family(project: Path) -> None:
    found = _scan(project, LicenseSettings())
    assert set(found) == {
        "license/denied:copyleft",
        "license/denied:weak-copyleft",
        "license/unknown:mystery",
    }
    assert (
        found["license/denied:copyleft"]
        == "copyleft==3.0 is licensed GPL-3.0 (classifier): GPL-3.0 is denied"
    )
    assert found["license/denied:weak-copyleft"].endswith(
        "licensed LGPL-3.0-or-later (License): LGPL-3.0-or-later is denied"
    )
    assert found["license/unknown:mystery"] == "the licence of 1 locked package is unknown: mystery==0.1"


def test_overrides_accept_or_correct_a_package(project: Path) -> None:
    policy = LicenseSettings(
        overrides={
            "copyleft": LicenseOverride(allow=True),
            "weak_copyleft": LicenseOverride(license="MIT"),
            "mystery": LicenseOverride(license="BSD-3-Clause"),
        }
    )
    assert _scan(project, policy) == {}


def test_an_allow_list_rejects_everything_else(project: Path) -> None:
    policy = LicenseSettings(allow=["MIT", "Apache-*"], deny=[], unknown="ignore")
    found = _scan(project, policy)
    assert set(found) == {"license/denied:copyleft", "license/denied:weak-copyleft"}
    assert found["license/denied:copyleft"].endswith("GPL-3.0 is not on the allow list")


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (LicenseInfo("MIT OR GPL-3.0-only", None, (), "x"), "MIT OR GPL-3.0-only"),
        (LicenseInfo(None, "Apache License, Version 2.0", (), "x"), "Apache-2.0"),
        (LicenseInfo(None, "GNU General Public License v2", (), "x"), "GPL-2.0"),
        (LicenseInfo(None, "UNKNOWN", (), "x"), ""),
        (LicenseInfo(None, None, ("License :: OSI Approved :: BSD License",), "x"), "BSD"),
    ],
)
def test_declared_licences_normalize_to_ids(info: LicenseInfo, expected: str) -> None:
    assert license_ids(info)[0] == expected


def test_or_passes_with_one_acceptable_alternative_and_and_needs_all() -> None:
    policy = LicenseSettings()
    assert verdict("MIT OR GPL-3.0-only", policy) == ""
    assert verdict("MIT AND GPL-3.0-only", policy) == "GPL-3.0-only is denied"
    assert verdict("GPL", policy) == "GPL is denied"
    assert verdict("LGPL-2.1-or-later", LicenseSettings(deny=["GPL-*"])) == ""


def test_the_command_reads_wheels_and_fails_on_a_denied_licence(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["scan", "licenses", "--find-links", str(project / "wheels")]) == 1
    captured = capsys.readouterr()
    assert (
        "requirements/requirements.txt:7:1" in captured.err
        and "copyleft==3.0 is licensed GPL-3.0" in captured.err
    )
    assert "Error: scan failed: 2 findings at error level" in captured.err
