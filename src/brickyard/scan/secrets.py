"""`brickyard scan secrets`: plaintext credentials in the bundle, notebooks, config and code.

detect-secrets finds the generic ones (cloud keys, private keys, `password = …`, tokens of many
services); brickyard adds Databricks' token formats. Findings already reviewed and accepted live in
a detect-secrets baseline file (`.secrets.baseline`; `--update-baseline` writes it), matched by
file and the secret's SHA-1, so an accepted test fixture does not fail every scan while a new
secret does. Nothing here keeps or prints a secret's value: a finding has a file, a line, a type
and at most a masked hint.

`check_deploy_inputs` is the deploy's gate: a secret in any file it is about to upload stops it.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.errors import FindingsError, Location, Severity
from brickyard.scan import secret_patterns
from brickyard.scan.findings import Finding, ScanResult
from brickyard.settings import SecretsSettings

SKIP_DIRS = {
    ".git", ".venv", "venv", "node_modules", "__pycache__", "dist", "build", ".brickyard", ".databricks",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "target", "logs", "dbt_packages", ".idea",
}  # fmt: skip
_BINARY_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".whl",
    ".zip",
    ".gz",
    ".parquet",
    ".pyc",
    ".so",
    ".jar",
    ".ico",
    ".pdf",
}
_NOISY_PLUGINS = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
_MAX_BYTES = 2_000_000


def project_files(root: Path, settings: SecretsSettings) -> list[Path]:
    """Every text file of the project a scan reads, skipping build output, caches and the baseline."""
    excluded = [*settings.exclude, settings.baseline]
    files = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            if any(fnmatch.fnmatch(relative, pattern) for pattern in excluded):
                continue
            if path.suffix.lower() in _BINARY_SUFFIXES or _is_lock(path):
                continue
            files.append(path)
    return files


def _is_lock(path: Path) -> bool:
    """Hashed locks are long runs of random-looking hex by design; they hold no credentials."""
    if path.name in ("uv.lock", "poetry.lock", "Pipfile.lock", "package-lock.json"):
        return True
    if path.suffix == ".txt" and path.name.startswith("requirements"):
        with path.open("rb") as handle:
            return b"--hash=" in handle.read(65536)
    return False


def _plugins(entropy: bool) -> list[dict[str, Any]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    plugins: list[type] = list(get_mapping_from_secret_type_to_class().values())
    names = sorted(plugin.__name__ for plugin in plugins)
    return [{"name": n} for n in names if entropy or n not in _NOISY_PLUGINS]


@dataclass(frozen=True)
class _Raw:
    file: str
    line: int
    rule: str
    label: str
    digest: str
    hint: str


def _collect(files: Iterable[Path], root: Path, entropy: bool) -> tuple[list[_Raw], int]:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import transient_settings

    found: list[_Raw] = []
    paths = [p for p in files if p.is_file() and p.stat().st_size <= _MAX_BYTES]
    with transient_settings({"plugins_used": _plugins(entropy)}):
        collection = SecretsCollection(root=str(root))
        for path in paths:
            relative = path.relative_to(root).as_posix()
            collection.scan_file(relative)
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for match in secret_patterns.find(text):
                found.append(
                    _Raw(relative, match.line, f"secret/{match.rule}", match.label, match.hashed, match.hint)
                )
        for filename, secret in collection:
            rule = "secret/" + secret.type.lower().replace(" ", "-")
            masked = secret_patterns.hint(secret.secret_value or "")
            found.append(
                _Raw(filename, secret.line_number or 1, rule, secret.type, secret.secret_hash, masked)
            )
    unique: dict[tuple[str, int, str], _Raw] = {}
    for raw in sorted(found, key=lambda r: (r.file, r.line, r.rule)):
        unique.setdefault((raw.file, raw.line, raw.digest), raw)
    return list(unique.values()), len(paths)


def find_secrets(files: Iterable[Path], root: Path, settings: SecretsSettings) -> ScanResult:
    """Scan `files` (paths under `root`); accepted findings from the baseline are left out."""
    result = ScanResult("secrets", source="detect-secrets and brickyard's Databricks token patterns")
    accepted = load_baseline(root / settings.baseline)
    raws, result.scanned = _collect(files, root, settings.entropy)
    for raw in raws:
        if (raw.file, raw.digest) in accepted:
            continue
        result.findings.append(Finding(
            "secrets", raw.rule, f"plaintext secret: {raw.label} [{raw.hint}]", Severity.ERROR,
            Location(raw.file, raw.line, 1),
            detail="Move it to a secret scope ({{secrets/<scope>/<key>}}) or an environment variable and rotate "
                   f"it; if it is not a credential, accept it in {settings.baseline} (scan secrets --update-baseline).",
            rule_description=f"Plaintext {raw.label} in the project",
        ))  # fmt: skip
    return result


def load_baseline(path: Path) -> set[tuple[str, str]]:
    if not path.is_file():
        return set()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {
            (entry["filename"], entry["hashed_secret"])
            for items in doc["results"].values()
            for entry in items
        }
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise FindingsError(f"{path.name} is not a detect-secrets baseline: {err}") from None


def write_baseline(root: Path, settings: SecretsSettings) -> int:
    """Accept every current finding, keeping those accepted before: detect-secrets' baseline format."""
    path = root / settings.baseline
    results: dict[str, list[dict[str, Any]]] = {}
    if path.is_file():
        load_baseline(path)
        results = json.loads(path.read_text(encoding="utf-8")).get("results", {})
    raws, _ = _collect(project_files(root, settings), root, settings.entropy)
    for raw in raws:
        entries = results.setdefault(raw.file, [])
        if not any(e["hashed_secret"] == raw.digest for e in entries):
            entries.append({"type": raw.label, "filename": raw.file, "hashed_secret": raw.digest,
                            "is_verified": False, "line_number": raw.line})  # fmt: skip
    doc = {
        "version": "1.5.0",
        "plugins_used": _plugins(settings.entropy),
        "filters_used": [],
        "results": {
            k: sorted(v, key=lambda e: (e["line_number"], e["hashed_secret"]))
            for k, v in sorted(results.items())
        },
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return sum(len(v) for v in results.values())


def check_deploy_inputs(files: Iterable[Path], root: Path, settings: SecretsSettings | None = None) -> None:
    """The deploy's gate: raise FindingsError when any file it is about to upload holds a secret.

    Accepted findings (the baseline) pass. The error lists file:line and the secret's type, never
    its value.
    """
    result = find_secrets([Path(f) for f in files], root, settings or SecretsSettings())
    if result.findings:
        lines = "\n".join(f"  {f.location}: {f.summary}" for f in result.findings)
        raise FindingsError(
            f"the deploy stopped: {len(result.findings)} plaintext secret(s) in its inputs:\n{lines}"
        )
