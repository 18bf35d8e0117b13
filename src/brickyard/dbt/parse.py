"""`dbt parse` of every dbt project a bundle runs, for validate: its errors at their file and line.

Parsing needs dbt, and importing dbt costs seconds, so validate only parses when the bundle has
dbt_task projects, and never twice for the same content: a project that parsed cleanly is
fingerprinted (every file of the project, the profile, the dbt version) in
`.brickyard/dbt/<project>/parse.json`, and a validate that finds the same fingerprint skips dbt
altogether. When dbt does run, its own partial parsing (`partial_parse.msgpack` in the same
folder) keeps the work to what changed. Without dbt installed, validate says so as a warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from brickyard.bundle.model import Bundle
from brickyard.dbt.profiles import SECRET_ENV, private_profiles, spark_session_output
from brickyard.dbt.project import DbtProject, bundle_projects, dbt_work_dir
from brickyard.errors import DbtError, Diagnostic, Location, Severity

_SKIPPED_DIRS = frozenset({"target", "logs", "dbt_packages", "dbt_modules", ".git", ".brickyard"})
_LINE = re.compile(r"\bline (\d+)")
_FILE_IN_PARENS = re.compile(r"\(([^()\s]+\.(?:sql|yml|yaml|py|csv|md))\)")
_FILE_READ = re.compile(r"Error reading [^:]+: (\S+\.(?:yml|yaml))")
NO_SERVER = "sc://localhost:1"
"""Parsing never connects; the profile still needs an address."""
PARSE_TARGET = "validate"
"""One neutral profile for every bundle target: a project that parses for one parses for all (bar
Jinja that branches on `target.name`), so validating each target of a bundle parses it once."""


def parse_diagnostics(bundle: Bundle) -> list[Diagnostic]:
    """One error per project that does not parse; a warning when dbt is missing; nothing otherwise."""
    try:
        projects = bundle_projects(bundle)
    except DbtError as err:
        return [Diagnostic(Severity.ERROR, str(err))]
    if not projects:
        return []
    version = installed_dbt_version()
    if version is None:
        return [
            Diagnostic(
                Severity.WARNING,
                "dbt is not installed, so the dbt projects were not parsed: pip install 'brickyard[dbt]'",
            )
        ]
    return [d for p in projects for d in _parse(bundle, p, version)]


def installed_dbt_version() -> str | None:
    """dbt-core's version, None without dbt; cheaply, as every validate of a dbt bundle asks.

    `dbt.__version__` is the one-line module dbt-core builds its own version from (`import
    dbt.version` alone takes 0.6 s, `importlib.metadata` some 30 ms); the distribution's metadata
    answers for a dbt-core without that module.
    """
    try:
        from dbt.__version__ import version

        return str(version)
    except ImportError:
        pass
    from importlib import metadata

    try:
        return metadata.version("dbt-core")
    except metadata.PackageNotFoundError:
        return None


def _parse(bundle: Bundle, project: DbtProject, version: str) -> list[Diagnostic]:
    work = dbt_work_dir(bundle.root, project) / "parse"
    outputs = {PARSE_TARGET: spark_session_output("default")}
    fingerprint = _fingerprint(project, outputs, version)
    record = work / "parse.json"
    if _recorded(record) == fingerprint:
        return []
    from brickyard.dbt.invoke import invoke
    from brickyard.local.tasks import dbt_catalogs

    dbt_catalogs.install()  # `database:` names a catalog, as it does where the project runs
    with private_profiles(project.profile, PARSE_TARGET, outputs) as profiles:
        env = {SECRET_ENV: NO_SERVER, "DBT_TARGET_PATH": str(work), "DBT_LOG_PATH": str(work / "logs")}
        result = invoke(
            ["parse", "--log-level", "none", "--log-level-file", "none"], project.directory, profiles, env
        )
    if result.exit_code == 0:
        record.write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
        return []
    record.unlink(missing_ok=True)
    return [_diagnostic(project, result.exception)]


def _diagnostic(project: DbtProject, error: BaseException | None) -> Diagnostic:
    message = str(error or "dbt parse failed").strip()
    summary, _, detail = message.partition("\n")
    where = f" ({project.task})" if project.task else ""
    return Diagnostic(
        Severity.ERROR,
        f"dbt project {project.name}{where} does not parse: {summary}",
        location=_location(project, error, message),
        detail=_dedent(detail),
    )


def _location(project: DbtProject, error: BaseException | None, message: str) -> Location | None:
    node = getattr(error, "node", None)
    relative = getattr(node, "original_file_path", None)
    if not relative:
        found = _FILE_IN_PARENS.search(message) or _FILE_READ.search(message)
        relative = found.group(1) if found else None
    if not relative:
        return None
    path = project.directory / relative
    if not path.is_file():  # dbt names a YAML file by its base name only
        matches = [p for p in _files(project.directory) if p.name == Path(relative).name]
        if len(matches) != 1:
            return None
        path = matches[0]
    line = _LINE.search(message)
    return Location(_display(path), int(line.group(1)) if line else 1, 1)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)


def _fingerprint(project: DbtProject, outputs: object, version: str) -> str:
    digest = hashlib.sha256(f"{version}\n{json.dumps(outputs, sort_keys=True)}\n".encode())
    for path in _files(project.directory):
        digest.update(str(path.relative_to(project.directory)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        found += [Path(folder) / name for name in sorted(names)]
    return found


def _recorded(record: Path) -> str | None:
    try:
        return str(json.loads(record.read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
