"""`brickyard scan licenses`: every locked package's licence against the project's policy.

Licences are declared three ways (PEP 639 `License-Expression`, the free-text `License` field,
`License ::` classifiers); each is normalized to SPDX-like ids so that one deny pattern (`GPL-*`)
catches "GNU General Public License v3 (GPLv3)" and "GPLv3+" alike. An `OR` expression passes when
one alternative does; `AND` needs all. Overrides in brickyard.yml fix a package's wrong or
missing metadata, or accept it after review.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from pathlib import Path

from brickyard.errors import Severity
from brickyard.scan.findings import Finding, ScanResult
from brickyard.scan.license_meta import LicenseInfo, MetadataSources
from brickyard.scan.locks import Pinned, pinned_packages
from brickyard.settings import LicenseSettings

_CLASSIFIERS = {
    "MIT License": "MIT", "MIT No Attribution License (MIT-0)": "MIT-0", "BSD License": "BSD",
    "Apache Software License": "Apache-2.0", "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "The Unlicense (Unlicense)": "Unlicense", "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "GNU General Public License (GPL)": "GPL", "GNU General Public License v2 (GPLv2)": "GPL-2.0",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0", "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0", "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0", "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL", "GNU Affero General Public License v3": "AGPL-3.0",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
}  # fmt: skip
_WORDS = [
    (r"\bagpl|affero", "AGPL"), (r"\blgpl|lesser general public", "LGPL"), (r"\bgpl|general public license", "GPL"),
    (r"\bapache", "Apache-2.0"), (r"\bmit\b", "MIT"), (r"\bbsd", "BSD"), (r"\bmpl|mozilla", "MPL-2.0"),
    (r"\bisc\b", "ISC"), (r"\bpsf|python software foundation", "PSF-2.0"), (r"unlicense", "Unlicense"),
]  # fmt: skip
_FAMILY_VERSION = re.compile(r"^(A|L)?GPL", re.IGNORECASE)


def license_ids(info: LicenseInfo) -> tuple[str, str]:
    """(expression, how it was read): SPDX-like ids joined by OR/AND, or "" when nothing is declared."""
    if info.expression:
        return info.expression.strip(), "License-Expression"
    classified = [_CLASSIFIERS.get(c.split(" :: ")[-1]) for c in info.classifiers]
    ids = [c for c in classified if c]
    if ids:
        return " OR ".join(dict.fromkeys(ids)), "classifier"
    text = (info.license or "").strip()
    if text and text.upper() not in ("UNKNOWN", "NONE"):
        head = text.splitlines()[0][:120]
        if re.fullmatch(r"[A-Za-z0-9.+-]+((\s+(OR|AND)\s+)[A-Za-z0-9.+-]+)*", head):
            return " ".join(_spdx_token(token) for token in head.split()), "License"
        for pattern, spdx in _WORDS:
            if re.search(pattern, head, re.IGNORECASE):
                version = re.search(r"v?([23])(\.0)?\b", head)
                family = _FAMILY_VERSION.match(spdx)
                return (f"{spdx}-{version.group(1)}.0" if family and version else spdx), "License"
    return "", ""


_GPL_SPELLING = re.compile(
    r"^(?P<fam>A|L)?GPL[-_ ]?v?(?P<major>\d)(\.\d)?(?P<mod>\+|-or-later|-only)?$", re.IGNORECASE
)


def _spdx_token(token: str) -> str:
    """`GPLv3+` → `GPL-3.0-or-later`, `LGPL2` → `LGPL-2.0`: the spellings packages use for SPDX ids."""
    match = _GPL_SPELLING.match(token)
    if match is None:
        return token
    family = (match["fam"] or "").upper() + "GPL"
    suffix = {"+": "-or-later", "-or-later": "-or-later", "-only": "-only"}.get(
        (match["mod"] or "").lower(), ""
    )
    return f"{family}-{match['major']}.0{suffix}"


def _alternatives(expression: str) -> list[list[str]]:
    """`A OR (B AND C)` → [[A], [B, C]] (parentheses flattened: good enough for package metadata)."""
    cleaned = expression.replace("(", " ").replace(")", " ")
    return [[part.strip() for part in re.split(r"\s+AND\s+", alt) if part.strip()]
            for alt in re.split(r"\s+OR\s+", cleaned)]  # fmt: skip


def _matches(license_id: str, patterns: Sequence[str]) -> bool:
    normalized = license_id.removesuffix("+")
    if re.fullmatch(r"(A|L)?GPL", normalized, re.IGNORECASE):
        normalized += "-unversioned"  # a bare "GPL" is still in the GPL-* family
    return any(fnmatch.fnmatchcase(normalized.lower(), p.lower()) for p in patterns)


def verdict(expression: str, policy: LicenseSettings) -> str:
    """ "" when the expression is acceptable, else the reason."""
    reasons = []
    for alternative in _alternatives(expression):
        denied = [i for i in alternative if _matches(i, policy.deny)]
        outside = [i for i in alternative if policy.allow and not _matches(i, policy.allow)]
        if not denied and not outside:
            return ""
        if denied:
            reasons.append(f"{', '.join(denied)} is denied")
        else:
            reasons.append(f"{', '.join(outside)} is not on the allow list")
    return "; ".join(dict.fromkeys(reasons))


def scan_licenses(
    locks: Sequence[tuple[Path, str]], policy: LicenseSettings, sources: MetadataSources
) -> ScanResult:
    result = ScanResult(
        "licenses", source="package metadata (" + ", ".join(_describe(s) for s in sources.sources) + ")"
    )
    overrides = {k.lower().replace("_", "-"): v for k, v in policy.overrides.items()}
    for lock, display in locks:
        unknown: list[Pinned] = []
        for pin in pinned_packages(lock, display):
            result.scanned += 1
            override = overrides.get(pin.key)
            if override is not None and override.allow:
                continue
            if override is not None and override.license:
                expression, how = override.license, "brickyard.yml override"
            else:
                info = sources.lookup(pin.name, pin.version)
                expression, how = license_ids(info) if info is not None else ("", "")
            if not expression:
                unknown.append(pin)
                continue
            reason = verdict(expression, policy)
            if reason:
                result.findings.append(Finding(
                    "licenses", "license/denied", f"{pin.name}=={pin.version} is licensed {expression} ({how}): {reason}",
                    Severity.ERROR, pin.location,
                    detail=f"Replace the package, or accept it in brickyard.yml: licenses.overrides.{pin.key}.allow: true",
                    rule_description="A locked package's licence is not allowed by the project",
                ))  # fmt: skip
        if unknown and policy.unknown != "ignore":
            result.findings.append(_unknown(unknown, display, policy))
    return result


def _unknown(pins: list[Pinned], display: str, policy: LicenseSettings) -> Finding:
    """One finding per lock for every package whose licence no source could read (not one each)."""
    names = ", ".join(f"{p.name}=={p.version}" for p in pins)
    return Finding(
        "licenses", "license/unknown",
        f"the licence of {len(pins)} locked package{'s' if len(pins) != 1 else ''} is unknown: {names}",
        Severity.ERROR if policy.unknown == "error" else Severity.WARNING, pins[0].location,
        detail="No metadata source has their locked version: pass --find-links with their wheels or --python with "
               "an environment built from the lock, or set licenses.overrides.<name>.license after checking.",
        rule_description="A locked package's licence cannot be determined",
    )  # fmt: skip


def _describe(source: object) -> str:
    from brickyard.scan.license_meta import Environment, WheelDirectory

    if isinstance(source, WheelDirectory):
        return f"wheels in {source.directory}"
    if isinstance(source, Environment):
        return f"environment {source.python}" if source.python else "brickyard's environment"
    return type(source).__name__
