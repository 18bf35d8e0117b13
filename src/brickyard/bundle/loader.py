"""Finding a bundle and reading its files: databricks.yml, its `include`s, and the chosen target.

The result of this module is the raw configuration of every file combined into one tree, each
value still pointing at the file that wrote it. Duplicate resources across files are errors, like
in `databricks bundle`. Target selection follows the CLI: `-t`, else the target marked
`default: true`, else the only target, else an implicit `default` target when none are declared.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from brickyard.bundle.merge import merge
from brickyard.bundle.node import Node, format_path
from brickyard.bundle.yamlcache import read_yaml
from brickyard.errors import BundleError, Diagnostic, Severity

INCLUDE_SUFFIXES = (".yml", ".yaml", ".json")
"""What an include may name: configuration files; anything else is meant for `sync.include`."""

ROOT_FILES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
ROOT_ENV = "DATABRICKS_BUNDLE_ROOT"


def find_root(start: Path, environ: dict[str, str] | None = None) -> Path:
    """The bundle root: $DATABRICKS_BUNDLE_ROOT, or the nearest directory up from `start` with databricks.yml."""
    configured = (environ if environ is not None else dict(os.environ)).get(ROOT_ENV)
    if configured:
        root = Path(configured).resolve()
        if _root_file(root) is None:
            raise BundleError.at(f"{ROOT_ENV}={configured} does not contain a databricks.yml")
        return root
    current = start.resolve()
    for candidate in (current, *current.parents):
        if _root_file(candidate) is not None:
            return candidate
    raise BundleError.at(
        f"no databricks.yml found in {current} or any parent directory; run from inside a bundle "
        "or create one with `brickyard init`"
    )


def _root_file(directory: Path) -> Path | None:
    found = [directory / name for name in ROOT_FILES if (directory / name).is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise BundleError.at(f"{directory} has more than one bundle configuration file ({names}); keep one")
    return found[0] if found else None


def read_tree(root: Path, diags: list[Diagnostic]) -> Node:
    """databricks.yml with every included file merged in."""
    root_file = _root_file(root)
    assert root_file is not None
    tree = read_yaml(root_file, root_file.name)
    if not tree.is_map:
        raise BundleError.at("the bundle configuration must be a mapping", tree.loc)
    includes = tree.get("include")
    if includes is None or includes.value is None:
        return tree
    if not includes.is_seq:
        raise BundleError.at("include must be a list of paths or globs", includes.loc, "include")
    seen: set[Path] = {root_file.resolve()}
    for index, pattern in enumerate(includes.value):
        for path in _expand_include(root, pattern, index, diags):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            _include(tree, read_yaml(path, display_path(path, root)), diags)
    return tree


def _expand_include(root: Path, pattern: Node, index: int, diags: list[Diagnostic]) -> list[Path]:
    """Files an `include` entry names. A glob may match nothing; a literal path must exist. Paths
    outside the bundle root are allowed, as the Databricks CLI allows them."""
    where = format_path(("include", index))
    if not isinstance(pattern.value, str) or not pattern.value:
        diags.append(Diagnostic(Severity.ERROR, "include entries must be paths or globs", where, pattern.loc))
        return []
    full = os.path.join(root, pattern.value)
    if not glob.has_magic(pattern.value):
        candidate = Path(full)
        if not candidate.is_file():
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"failed to load include {pattern.value}: file not found",
                    where,
                    pattern.loc,
                )
            )
            return []
        matches = [candidate]
    else:
        matches = sorted(p for p in map(Path, glob.glob(full, recursive=True)) if p.is_file())
    for match in matches:
        if match.suffix not in INCLUDE_SUFFIXES:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "Files in the 'include' configuration section must be YAML or JSON files.",
                    location=pattern.loc,
                    detail=f"The file {display_path(match, root)} in the 'include' configuration section is "
                    "not a YAML or JSON file, and only such files are supported. To include files to "
                    "sync, specify them in the 'sync.include' configuration section instead.",
                )
            )
    return [match for match in matches if match.suffix in INCLUDE_SUFFIXES]


def display_path(path: Path, root: Path) -> str:
    """How locations name a file: relative to the bundle root, with `..` when it lies outside."""
    return Path(os.path.relpath(path, root)).as_posix()


def _include(tree: Node, part: Node, diags: list[Diagnostic]) -> None:
    if part.value is None or part.value == {}:
        return
    if not part.is_map:
        diags.append(Diagnostic(Severity.ERROR, "an included file must hold a mapping", "", part.loc))
        return
    for key, value in part.items():
        if key == "include":
            # Only the root file's includes are loaded; the CLI warns and goes on.
            diags.append(
                Diagnostic(
                    Severity.WARNING,
                    "Include section is defined outside root file",
                    "include",
                    value.loc or value.key_loc,
                    detail="An include section is defined in a file that is not databricks.yml.\n"
                    "Only includes defined in databricks.yml are applied.",
                )
            )
            continue
        if key == "resources" and value.is_map:
            _include_resources(tree, value, diags)
            continue
        existing = tree.get(key)
        tree.value[key] = merge(existing, value) if existing is not None else value


def _include_resources(tree: Node, resources: Node, diags: list[Diagnostic]) -> None:
    target = tree.get("resources")
    if target is None or not target.is_map:
        target = Node({}, resources.loc, resources.key_loc)
        tree.value["resources"] = target
    for kind, group in resources.items():
        existing = target.get(kind)
        if existing is None or not existing.is_map or not group.is_map:
            target.value[kind] = group if existing is None else merge(existing, group)
            continue
        for key, resource in group.items():
            if key in existing.value:
                first = existing.value[key]
                diags.append(
                    Diagnostic(
                        Severity.ERROR,
                        f"resource {kind}.{key} is defined more than once"
                        + (
                            f" (also at {first.key_loc or first.loc})" if (first.key_loc or first.loc) else ""
                        ),
                        format_path(("resources", kind, key)),
                        resource.key_loc or resource.loc,
                    )
                )
                continue
            existing.value[key] = resource


def select_target(tree: Node, requested: str | None) -> tuple[str, Node | None]:
    """The target's name and its section (None for the implicit `default` target)."""
    targets = tree.get("targets") or tree.get("environments")
    if targets is None or targets.value is None or targets.value == {}:
        if requested and requested != "default":
            raise BundleError.at(f"{requested}: no such target. Available targets: default", tree.loc)
        return "default", None
    if not targets.is_map:
        raise BundleError.at("targets must be a mapping of target names", targets.loc, "targets")
    names = list(targets.value)
    if requested:
        if requested not in targets.value:
            raise BundleError.at(
                f"{requested}: no such target. Available targets: {', '.join(names)}",
                targets.key_loc or targets.loc,
                "targets",
            )
        return requested, _section(targets.value[requested])
    defaults = [
        n for n, t in targets.items() if t.is_map and (d := t.get("default")) is not None and d.value is True
    ]
    if len(defaults) > 1:
        second = targets.value[defaults[1]].get("default")
        raise BundleError.at(
            f"more than one target is marked default: {', '.join(defaults)}",
            second.loc if second is not None else targets.loc,
            f"targets.{defaults[1]}.default",
        )
    if defaults:
        return defaults[0], _section(targets.value[defaults[0]])
    if len(names) == 1:
        return names[0], _section(targets.value[names[0]])
    raise BundleError.at(
        f"please choose a target with -t; none is marked default: true (targets: {', '.join(names)})",
        targets.key_loc or targets.loc,
        "targets",
    )


def _section(node: Node) -> Node:
    return node if node.value is not None else Node({}, node.loc, node.key_loc)
