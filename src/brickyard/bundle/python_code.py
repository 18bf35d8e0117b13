"""Resources defined in Python: the `python:` section, run in the project's own environment.

```yaml
python:
  venv_path: .venv
  resources: ["resources:load_resources"]
  mutators: ["mutators:add_owner_tag"]
```

The functions live in the user's code and use the user's `databricks-bundles` package, so they
run where that package is installed: `<venv_path>/bin/python -m databricks.bundles.build`, from
the bundle root, once per phase (`load_resources` adds resources, `apply_mutators` rewrites
them). The package's documented protocol is files: the configuration as JSON in (`--input`), the
new configuration out (`--output`), one JSON diagnostic per line (`--diagnostics`) and one JSON
location per line (`--locations`, which file and line of Python wrote a resource). brickyard
never imports that package itself.

What comes back is grafted onto the configuration: values that did not change keep the YAML
locations they had; new ones point at the Python line that made them, so later errors still
name a file and line. Relative paths written in Python are relative to the bundle root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.bundle.node import Node, format_path
from brickyard.bundle.node import Path as KeyPath
from brickyard.errors import BundleError, Diagnostic, Location, Severity

LOAD_RESOURCES = "load_resources"
APPLY_MUTATORS = "apply_mutators"
_MODULE = "databricks.bundles.build"
_TIMEOUT_S = 600


@dataclass(frozen=True)
class PythonSection:
    resources: tuple[str, ...]
    mutators: tuple[str, ...]
    venv_path: str | None
    loc: Location | None
    venv_loc: Location | None


def apply_python(config: Node, root: Path, environ: Mapping[str, str], diags: list[Diagnostic]) -> None:
    """Run the `python:` section's resource loaders, then its mutators, on the merged configuration."""
    section = _read_section(config, diags)
    if section is None:
        return
    interpreter = _interpreter(root, section, environ)
    if section.resources:
        _run_phase(LOAD_RESOURCES, config, root, interpreter, section, environ, diags)
    if section.mutators and not any(d.severity is Severity.ERROR for d in diags):
        _run_phase(APPLY_MUTATORS, config, root, interpreter, section, environ, diags)


def _read_section(config: Node, diags: list[Diagnostic]) -> PythonSection | None:
    node = config.get("python")
    if node is None or node.value in (None, {}):
        experimental = config.get("experimental")
        node = experimental.get("python") if experimental is not None else None
        if node is None or node.value in (None, {}):
            return None
    where = "python"
    if not node.is_map:
        diags.append(Diagnostic(Severity.ERROR, "python must be a mapping", where, node.loc))
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("resources", "mutators"):
        entry = node.get(key)
        values = entry.value if entry is not None and entry.value is not None else []
        if not isinstance(values, list) or not all(
            isinstance(v.value, str) and ":" in v.value for v in values
        ):
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"python.{key} must be a list of 'module:function' names",
                    f"{where}.{key}",
                    entry.loc if entry is not None else node.loc,
                )
            )
            return None
        lists[key] = tuple(v.value for v in values)
    for key in node.value:
        if key not in ("resources", "mutators", "venv_path"):
            diags.append(
                Diagnostic(
                    Severity.WARNING, f"unknown field: {key}", f"{where}.{key}", node.value[key].key_loc
                )
            )
    venv = node.get("venv_path")
    venv_path = str(venv.value) if venv is not None and venv.value not in (None, "") else None
    venv_loc = (venv.loc if venv is not None else None) or node.loc
    return PythonSection(lists["resources"], lists["mutators"], venv_path, node.loc, venv_loc)


def _interpreter(root: Path, section: PythonSection, environ: Mapping[str, str]) -> str:
    """The venv's python when `venv_path` is set (it must exist), else python3 on PATH, as the CLI does."""
    if section.venv_path is None:
        found = shutil.which("python3", path=environ.get("PATH")) or shutil.which(
            "python", path=environ.get("PATH")
        )
        if found is None:
            raise BundleError.at(
                "the python section needs a Python interpreter: set python.venv_path to the project's "
                "virtual environment (for example .venv, made with `uv sync`)",
                section.loc,
                "python",
            )
        return found
    venv = (root / section.venv_path).resolve()
    for candidate in (venv / "bin" / "python3", venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.is_file():
            return str(candidate)
    raise BundleError.at(
        f"python.venv_path: no virtual environment at {venv}; create it (for example `uv venv "
        f"{section.venv_path} && uv pip install --python {section.venv_path} databricks-bundles`, or "
        "`uv sync`) before loading a bundle with resources defined in Python",
        section.venv_loc,
        "python.venv_path",
    )


def _run_phase(
    phase: str,
    config: Node,
    root: Path,
    interpreter: str,
    section: PythonSection,
    environ: Mapping[str, str],
    diags: list[Diagnostic],
) -> None:
    with tempfile.TemporaryDirectory(prefix="brickyard-python-") as tmp:
        files = {name: Path(tmp) / f"{name}.json" for name in ("input", "output", "diagnostics", "locations")}
        text = json.dumps(config.plain(), default=str)
        before = json.loads(text)  # as the phase reads it: YAML dates and the like are text now
        files["input"].write_text(text, encoding="utf-8")
        command = [interpreter, "-m", _MODULE, "--phase", phase]
        for name, path in files.items():
            command += [f"--{name}", str(path)]
        try:
            done = subprocess.run(
                command,
                cwd=root,
                env=dict(environ),
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BundleError.at(
                f"python {phase} did not finish within {_TIMEOUT_S} s", section.loc, "python"
            ) from exc
        found = _read_diagnostics(files["diagnostics"], root)
        diags.extend(found)
        if done.returncode != 0:
            if not any(d.severity is Severity.ERROR for d in found):
                diags.append(_crash(phase, interpreter, done.stderr, section))
            return
        try:
            after = json.loads(files["output"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BundleError.at(
                f"python {phase} wrote no readable configuration ({exc})", section.loc, "python"
            ) from exc
        locations = _read_locations(files["locations"], root)
    _graft_resources(phase, config, before, after, locations, section.loc, diags)


def _crash(phase: str, interpreter: str, stderr: str, section: PythonSection) -> Diagnostic:
    tail = "\n".join(stderr.strip().splitlines()[-15:])
    # `python -m` names the package it could not find: `databricks`, or `databricks.bundles`
    if f"finding module specification for '{_MODULE}'" in stderr or "No module named databricks" in stderr:
        summary = (
            f"databricks-bundles is not installed in {interpreter}; install it in the project's virtual "
            "environment (`uv pip install databricks-bundles`) and point python.venv_path at it"
        )
        return Diagnostic(Severity.ERROR, summary, "python", section.loc)
    return Diagnostic(Severity.ERROR, f"python {phase} failed", "python", section.loc, detail=tail)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if isinstance(row, dict):
                rows.append(row)
    return rows


def _location(doc: Any, root: Path) -> Location | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("file"), str):
        return None
    file = doc["file"]
    absolute = Path(file) if os.path.isabs(file) else root / file
    try:
        file = absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        file = str(absolute)
    return Location(file, int(doc.get("line") or 1), int(doc.get("column") or 1))


def _read_diagnostics(path: Path, root: Path) -> list[Diagnostic]:
    out = []
    for row in _read_jsonl(path):
        severity = Severity.ERROR if row.get("severity") == "error" else Severity.WARNING
        out.append(
            Diagnostic(
                severity,
                str(row.get("summary", "")),
                str(row.get("path") or ""),
                _location(row.get("location"), root),
                str(row.get("detail") or "").strip(),
            )
        )
    return out


def _read_locations(path: Path, root: Path) -> dict[str, Location]:
    out = {}
    for row in _read_jsonl(path):
        loc = _location(row, root)
        if loc is not None and isinstance(row.get("path"), str):
            out[row["path"]] = loc
    return out


def _graft_resources(
    phase: str,
    config: Node,
    before: dict[str, Any],
    after: Any,
    locations: dict[str, Location],
    fallback: Location | None,
    diags: list[Diagnostic],
) -> None:
    """Take the resources the phase added (load_resources) or changed (apply_mutators)."""
    old_groups = before.get("resources") or {}
    new_groups = (after.get("resources") if isinstance(after, dict) else None) or {}
    resources = config.get("resources")
    if resources is None or not resources.is_map:
        resources = Node({}, fallback)
        config.value["resources"] = resources
    for kind, group in new_groups.items():
        if not isinstance(group, dict):
            continue
        target = resources.get(kind)
        if target is None or not target.is_map:
            target = Node({}, fallback)
            resources.value[kind] = target
        for key, value in group.items():
            path: KeyPath = ("resources", kind, key)
            old = target.get(key)
            loc = locations.get(f"resources.{kind}.{key}") or fallback
            if old is None:
                if phase == APPLY_MUTATORS:
                    diags.append(
                        _refused(f"a mutator cannot add resources; {format_path(path)} is new", path, loc)
                    )
                    continue
                target.value[key] = _graft(None, value, path, locations, loc)
            elif (old_groups.get(kind) or {}).get(key) != value:
                if phase == LOAD_RESOURCES:
                    diags.append(
                        _refused(
                            f"{format_path(path)} is defined in Python and also at {old.key_loc or old.loc}",
                            path,
                            loc,
                        )
                    )
                    continue
                target.value[key] = _graft(old, value, path, locations, loc)
    for kind, group in old_groups.items():
        for key in group if isinstance(group, dict) else ():
            if key not in (new_groups.get(kind) or {}):
                path = ("resources", kind, key)
                diags.append(_refused(f"python {phase} removed {format_path(path)}", path, fallback))


def _refused(summary: str, path: KeyPath, loc: Location | None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, summary, format_path(path), loc)


def _graft(
    old: Node | None, value: Any, path: KeyPath, locations: dict[str, Location], loc: Location | None
) -> Node:
    """`value` as Nodes, reusing `old` wherever it is unchanged so YAML locations survive."""
    if old is not None and old.plain() == value:
        return old
    here = locations.get(format_path(path).replace("[", ".").replace("]", "")) or loc
    if isinstance(value, dict):
        children = {
            str(k): _graft(old.get(str(k)) if old is not None else None, v, (*path, str(k)), locations, here)
            for k, v in value.items()
        }
        return Node(children, here, old.key_loc if old is not None else here)
    if isinstance(value, list):
        previous: list[Node] = old.value if old is not None and old.is_seq else []
        plain = [item.plain() for item in previous]
        items = []
        for index, item in enumerate(value):
            # An unchanged item keeps its node even when a mutator inserted another before it.
            same = next((previous[i] for i, p in enumerate(plain) if p == item), None)
            positional = previous[index] if index < len(previous) else None
            items.append(_graft(same or positional, item, (*path, index), locations, here))
        return Node(items, here, old.key_loc if old is not None else here)
    return Node(value, here, old.key_loc if old is not None else here)
