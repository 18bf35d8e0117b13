"""Bundle variables: definitions, and the value each one takes for a target.

Precedence, highest first (as `databricks bundle`): `--var name=value`, `BUNDLE_VAR_<name>`, the
target's `variables:` section, the definition's `default`, then a `lookup:` which stays a deferred
reference until deploy resolves it against the workspace. Complex variables (`type: complex`) take
maps or lists and are replaced whole, never merged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from brickyard.bundle import gojson
from brickyard.bundle.node import Node, format_path, from_plain
from brickyard.errors import BundleError, Diagnostic, Location, Severity

DEFINITION_KEYS = frozenset({"default", "description", "type", "lookup"})
LOOKUP_KINDS = frozenset(
    {
        "alert",
        "cluster",
        "cluster_policy",
        "dashboard",
        "instance_pool",
        "job",
        "metastore",
        "notification_destination",
        "pipeline",
        "query",
        "service_principal",
        "warehouse",
    }
)
CLI_LOCATION = Location("<command line>", 1, 1)
OVERRIDES_FILE = ".databricks/bundle/{target}/variable-overrides.json"
OVERRIDES_HINT = ".databricks/bundle/<target>/variable-overrides.json"
ENV_LOCATION = Location("<environment>", 1, 1)


def parse_cli_vars(pairs: Sequence[str], diags: list[Diagnostic] | None = None) -> dict[str, str]:
    """`--var name=value` flags; a variable given twice is an error, as the CLI reports it."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BundleError.at(f"--var expects name=value, got {pair!r}", CLI_LOCATION)
        name = name.strip()
        if name in out and diags is not None:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"failed to assign {value} to {name}: variable has already been assigned value: {out[name]}",
                )
            )
            continue
        out[name] = value
    return out


def _is_full_form(node: Node) -> bool:
    """A target override written as a definition (`{default: …}` / `{lookup: …}`), not a bare value."""
    return (
        node.is_map
        and bool(node.value)
        and set(node.value) <= DEFINITION_KEYS
        and ("default" in node.value or "lookup" in node.value)
    )


def normalize_definitions(variables: Node | None, diags: list[Diagnostic]) -> Node:
    """Top-level `variables:`: every entry becomes a mapping; shorthand scalars become `default`."""
    if variables is None or variables.value is None:
        return Node({}, variables.loc if variables else None)
    if not variables.is_map:
        diags.append(Diagnostic(Severity.ERROR, "variables must be a mapping", "variables", variables.loc))
        return Node({}, variables.loc)
    for name, node in list(variables.items()):
        path = format_path(("variables", name))
        if node.value is None:
            variables.value[name] = Node({}, node.loc, node.key_loc)
        elif not node.is_map:
            variables.value[name] = Node({"default": node}, node.loc, node.key_loc)
        _check_definition(name, variables.value[name], path, diags)
    return variables


def _check_definition(name: str, node: Node, path: str, diags: list[Diagnostic]) -> None:
    lookup = node.get("lookup")
    if lookup is not None:
        keys = set(lookup.value) if lookup.is_map else set()
        if len(keys) != 1 or not keys <= LOOKUP_KINDS:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"variable {name}: lookup needs exactly one of {', '.join(sorted(LOOKUP_KINDS))}",
                    f"{path}.lookup",
                    lookup.loc,
                )
            )
    # A mapping or list default without `type: complex` is accepted, as the Databricks CLI does.


def is_complex(definition: Node) -> bool:
    kind = definition.get("type")
    return kind is not None and kind.value == "complex"


def assign_values(
    definitions: Node,
    target_overrides: Node | None,
    cli: Mapping[str, str],
    environ: Mapping[str, str],
    saved: Mapping[str, Node],
    diags: list[Diagnostic],
    target: str = "default",
) -> None:
    """Set `value` (or keep `lookup`) on every definition, by precedence.

    `saved` holds the values of `.databricks/bundle/<target>/variable-overrides.json`.
    """
    overrides = _target_overrides(definitions, target_overrides, diags)
    for name in cli:
        if name not in definitions.value:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"variable {name} is not defined (set with --var)",
                    "variables",
                    CLI_LOCATION,
                )
            )
    missing: list[str] = []
    for name, definition in definitions.items():
        complex_ = is_complex(definition)
        override = overrides.get(name)
        if override is not None and override.value is not None and definition.get("value") is None:
            # The target's value becomes the default, whatever then sets the value (an override
            # left empty, `name:`, changes nothing: null merges as no value).
            if _is_full_form(override):
                for key in ("default", "lookup"):
                    if key in override.value:
                        definition.value[key] = override.value[key]
                if "lookup" in override.value and "default" not in override.value:
                    definition.value.pop("default", None)
            else:
                definition.value["default"] = override
        if name in cli:
            definition.value["value"] = _external(name, cli[name], complex_, CLI_LOCATION, diags)
            continue
        env_name = f"BUNDLE_VAR_{name}"
        if env_name in environ:
            definition.value["value"] = _external(name, environ[env_name], complex_, ENV_LOCATION, diags)
            continue
        if name in saved:
            if (not saved[name].is_scalar) != complex_:
                kind = "is of type complex" if complex_ else "is not of type complex"
                what = "is not a complex type" if complex_ else "is a complex type"
                diags.append(
                    Diagnostic(
                        Severity.ERROR, f"variable {name} {kind}, but the value in the variable file {what}"
                    )
                )
                continue
            definition.value["value"] = saved[name].copy()
            continue
        if definition.get("value") is not None:
            continue  # a value written into the definition itself is taken as it is
        default = definition.get("default")
        if default is not None and default.value is not None:
            definition.value["value"] = default.copy()
        elif definition.get("lookup") is None:
            missing.append(name)
    if missing:  # the CLI stops at the first one, by name
        name = min(missing)
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f'no value assigned to required variable {name}. Assignment can be done using "--var", '
                f"by setting the BUNDLE_VAR_{name} environment variable, or in {OVERRIDES_HINT} file",
            )
        )


def _target_overrides(definitions: Node, overrides: Node | None, diags: list[Diagnostic]) -> dict[str, Node]:
    if overrides is None or overrides.value is None:
        return {}
    if not overrides.is_map:
        diags.append(Diagnostic(Severity.ERROR, "a target's variables must be a mapping", "", overrides.loc))
        return {}
    return dict(overrides.items())


def check_target_overrides(definitions: Node | None, overrides: Node | None, target: str) -> list[Diagnostic]:
    """A target may only set variables the bundle defines; the CLI checks it as it picks the target."""
    if overrides is None or not overrides.is_map:
        return []
    known = definitions.value if definitions is not None and definitions.is_map else {}
    return [
        Diagnostic(
            Severity.ERROR,
            f"failed to perform target override for target={target}: "
            f"variable {name} is not defined but is assigned a value",
        )
        for name in overrides.value
        if name not in known
    ]


def _external(name: str, raw: str, complex_: bool, loc: Location, diags: list[Diagnostic]) -> Node:
    if not complex_:
        return Node(raw, loc)
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError as err:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"complex variable {name} needs a JSON value: {err.msg}",
                f"variables.{name}",
                loc,
            )
        )
        return Node(None, loc)
    return from_plain(value, loc)


def read_overrides_file(root: Path, target: str, diags: list[Diagnostic]) -> dict[str, Node]:
    """Values saved for one target (by `databricks bundle` tooling or by hand), keyed by variable."""
    display = OVERRIDES_FILE.format(target=target)
    path = root / display
    if not path.is_file():
        return {}
    try:
        doc = gojson.load(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, gojson.GoJSONError, json.JSONDecodeError, RecursionError) as err:
        diags.append(Diagnostic(Severity.ERROR, f"failed to parse variables file {path}: {err}"))
        return {}
    if not isinstance(doc, dict):
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"failed to parse variables file {path}: invalid format",
                detail='Variables file must be a JSON object with the following format:\n{"var1": "value1", "var2": "value2"}',
            )
        )
        return {}
    where = Location(display, 1, 1)
    return {str(name): from_plain(value, where) for name, value in doc.items()}
