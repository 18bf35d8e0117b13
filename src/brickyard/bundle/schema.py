"""What keys and value types a bundle may contain, and the check that walks a configuration.

Resource shapes come from `resource_schema.json`, extracted from databricks-sdk's request types
(see `schema_gen`) for every kind of the resource registry; the bundle's own sections are
described here. The check reports unknown keys
as warnings with the nearest valid key, wrong types and enum values as errors, and normalises
scalars the way the Databricks CLI does (a number where a string belongs becomes its text).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from brickyard.bundle.interpolate import REFERENCE
from brickyard.bundle.node import Node, Path, format_path
from brickyard.errors import Diagnostic, Severity
from brickyard.resources import REGISTRY, Registry

Ref = Any  # "str" | "int" | "float" | "bool" | "any" | {"list": Ref} | {"map": Ref} | {"enum": [...]} | "<def name>"
SCALARS = frozenset({"str", "int", "float", "bool", "any"})

KNOWN_KINDS = (
    "alerts",
    "apps",
    "catalogs",
    "cluster_policies",
    "clusters",
    "dashboards",
    "database_catalogs",
    "database_instances",
    "experiments",
    "external_locations",
    "genie_spaces",
    "instance_pools",
    "job_runs",
    "jobs",
    "model_serving_endpoints",
    "models",
    "pipelines",
    "postgres_branches",
    "postgres_catalogs",
    "postgres_databases",
    "postgres_endpoints",
    "postgres_projects",
    "postgres_roles",
    "postgres_snapshot_schedules",
    "postgres_synced_tables",
    "quality_monitors",
    "registered_models",
    "schemas",
    "secret_scopes",
    "secrets",
    "sql_warehouses",
    "synced_database_tables",
    "vector_search_endpoints",
    "vector_search_indexes",
    "volumes",
)
"""Every kind `databricks bundle` accepts under `resources:`; those outside the registry are
accepted by validate and left out by deploy, with a warning at their location."""
NOT_DEPLOYABLE = tuple(k for k in KNOWN_KINDS if k not in REGISTRY)

_STR_MAP = {"map": "str"}
_BUNDLE_DEFS: dict[str, dict[str, Ref]] = {
    "bundle.Root": {
        "bundle": "bundle.Bundle",
        "include": {"list": "str"},
        "workspace": "bundle.Workspace",
        "variables": {"map": "bundle.Variable"},
        "targets": {"map": "bundle.Target"},
        "environments": {"map": "bundle.Target"},
        "resources": "bundle.Resources",
        "artifacts": {"map": "bundle.Artifact"},
        "sync": "bundle.Sync",
        "permissions": {"list": "bundle.Permission"},
        "run_as": "bundle.RunAs",
        "presets": "bundle.Presets",
        "experimental": "any",
        "definitions": "any",  # a place for YAML anchors, as the CLI accepts it
        "python": "any",
        "scripts": "any",
    },
    "bundle.Bundle": {
        "name": "str",
        "target": "str",
        "environment": "str",
        "mode": "str",
        "uuid": "str",
        "cluster_id": "str",
        "compute_id": "str",
        "databricks_cli_version": "str",
        "engine": "str",  # the deployment engine of newer CLIs: terraform or direct
        "git": "bundle.Git",
        "deployment": "bundle.Deployment",
    },
    "bundle.Git": {
        "origin_url": "str",
        "branch": "str",
        "commit": "str",
        "actual_branch": "str",
        "bundle_root_path": "str",
        "inferred": "bool",
    },
    "bundle.Deployment": {"fail_on_active_runs": "bool", "lock": "bundle.Lock"},
    "bundle.Lock": {"enabled": "bool", "force": "bool"},
    "bundle.Workspace": {
        name: "str"
        for name in (
            "host",
            "profile",
            "root_path",
            "file_path",
            "artifact_path",
            "state_path",
            "resource_path",
            "auth_type",
            "client_id",
            "account_id",
            "azure_client_id",
            "azure_environment",
            "azure_login_app_id",
            "azure_tenant_id",
            "azure_workspace_resource_id",
            "google_service_account",
            "metadata_service_url",
        )
    }
    | {"azure_use_msi": "bool", "current_user": "any"},
    "bundle.Variable": {
        "default": "any",
        "description": "str",
        "type": {"enum": ["complex"]},
        "lookup": _STR_MAP,
        "value": "any",
    },
    "bundle.Target": {
        "default": "bool",
        "mode": "str",
        "bundle": "bundle.Bundle",
        "workspace": "bundle.Workspace",
        "variables": {"map": "any"},
        "resources": "bundle.Resources",
        "artifacts": {"map": "bundle.Artifact"},
        "sync": "bundle.Sync",
        "permissions": {"list": "bundle.Permission"},
        "run_as": "bundle.RunAs",
        "presets": "bundle.Presets",
        "git": "bundle.Git",
        "cluster_id": "str",
        "compute_id": "str",
    },
    "bundle.Sync": {"include": {"list": "str"}, "exclude": {"list": "str"}, "paths": {"list": "str"}},
    "bundle.RunAs": {"user_name": "str", "service_principal_name": "str", "group_name": "str"},
    "bundle.Presets": {
        "name_prefix": "str",
        "pipelines_development": "bool",
        "trigger_pause_status": {"enum": ["PAUSED", "UNPAUSED"]},
        "jobs_max_concurrent_runs": "int",
        "tags": _STR_MAP,
        "source_linked_deployment": "bool",
        "artifacts_dynamic_version": "bool",
    },
    "bundle.Artifact": {
        "type": {"enum": ["whl", "jar"]},
        "path": "str",
        "build": "str",
        "executable": "str",
        "dynamic_version": "bool",
        "files": {"list": "bundle.ArtifactFile"},
    },
    "bundle.ArtifactFile": {"source": "str"},
    "bundle.Lifecycle": {"prevent_destroy": "bool"},
    "bundle.Grant": {"principal": "str", "privileges": {"list": "str"}},
}


@cache
def _generated() -> dict[str, Any]:
    from importlib import resources

    return json.loads(resources.files("brickyard.bundle").joinpath("resource_schema.json").read_text())  # type: ignore[no-any-return]


_UNDEPLOYED_SHAPES: dict[str, dict[str, Ref]] = {
    # legacy workspace MLflow models: their create request, and the bundle's permissions
    "models": {
        "name": "str",
        "description": "str",
        "tags": {"list": {"map": "str"}},
        "permissions": {"list": "bundle.Permission"},
    },
}
"""Kinds brickyard does not deploy whose shape validate still checks, as the CLI does."""
_UNDEPLOYED_REQUIRED = {"bundle.resource.models": ["name"]}


@cache
def definitions(registry: Registry = REGISTRY) -> dict[str, dict[str, Ref]]:
    """Every definition a bundle is checked against, with one per kind `registry` deploys; a kind
    the generated schema does not describe yet is kept as written."""
    generated = _generated()
    defs: dict[str, dict[str, Ref]] = {**generated["definitions"], **_BUNDLE_DEFS}
    resources_def: dict[str, Ref] = {kind: "any" for kind in KNOWN_KINDS if kind not in registry}
    for undeployed, shape in _UNDEPLOYED_SHAPES.items():
        if undeployed not in registry:
            defs[f"bundle.resource.{undeployed}"] = shape
            resources_def[undeployed] = {"map": f"bundle.resource.{undeployed}"}
    for kind in registry:
        root = generated["resources"].get(kind.name)
        if root is None:
            resources_def[kind.name] = {"map": "any"}
            continue
        name = f"bundle.resource.{kind.name}"
        side: dict[str, Ref] = {"lifecycle": "bundle.Lifecycle"}
        if kind.grants_securable:
            side["grants"] = {"list": "bundle.Grant"}
        if kind.permission_type:
            side["permissions"] = {"list": "bundle.Permission"}
        if kind.permission_level_enum:
            # The CLI reads these levels into its own type first: the warning names no file position.
            levels = {"enum": list(kind.permission_level_enum), "unlocated": True}
            defs[f"{name}.Permission"] = {**defs["bundle.Permission"], "level": levels}
            side["permissions"] = {"list": f"{name}.Permission"}
        defs[name] = {**defs[root], **kind.extra_fields, **side}
        resources_def[kind.name] = {"map": name}
    defs["bundle.Resources"] = resources_def
    return defs


@cache
def _required(registry: Registry = REGISTRY) -> dict[str, list[str]]:
    """Required fields by definition: the generated schema's, and each kind's own at its top."""
    generated = _generated()
    required: dict[str, list[str]] = {**generated.get("required", {}), **_UNDEPLOYED_REQUIRED}
    for kind in registry:
        root = generated["resources"].get(kind.name)
        fields = kind.required_fields if kind.required_fields is not None else required.get(root or "", ())
        if fields:
            required[f"bundle.resource.{kind.name}"] = sorted(fields)
    return required


class SchemaCheck:
    """Walks a configuration against a definition, collecting diagnostics."""

    def __init__(
        self,
        unknown_keys: bool = True,
        prune: bool = False,
        registry: Registry = REGISTRY,
        enums: bool = True,
    ) -> None:
        self.defs = definitions(registry)
        self.unknown_keys = unknown_keys
        self.enums = enums
        """Warn of values outside an enum: on the selected target's configuration only, as the CLI
        does (a target that is not deployed may hold anything)."""
        self.prune = prune
        """Drop fields the schema does not know, as the CLI's output does."""
        self.diags: list[Diagnostic] = []
        self.enum_warnings: list[Diagnostic] = []
        self.missing: list[Diagnostic] = []
        """Required fields left out (checked on the pruned, final configuration only)."""
        self._required: dict[str, list[str]] = _required(registry) if prune else {}

    def check(self, node: Node, ref: Ref = "bundle.Root", path: Path = ()) -> bool:
        """False when `node` has the wrong shape: the caller drops it, as the Databricks CLI does."""
        if node.value is None:
            return self._null(node, ref, path)
        if _is_reference(node):
            return True  # a `${…}` value is checked once it is resolved
        if isinstance(ref, dict):
            return self._container(node, ref, path)
        if ref in SCALARS:
            return self._scalar(node, ref, path)
        fine = self._object(node, self.defs[ref], path)
        if fine and node.is_map:
            for key in self._required.get(ref, ()):
                child = node.get(key)
                if child is None or child.value is None or (child.value == "" and child.loc is None):
                    self.missing.append(
                        Diagnostic(
                            Severity.WARNING,
                            f'required field "{key}" is not set',
                            format_path(path),
                            node.loc,
                            also=node.also,
                        )
                    )
        return fine

    def required_warnings(self, *more: Diagnostic) -> list[Diagnostic]:
        """As the CLI lists them (with any `more` found elsewhere): by message, then by place."""
        return sorted([*self.missing, *more], key=lambda d: (d.summary, str(d.location or "")))

    def _object(self, node: Node, fields: dict[str, Ref], path: Path) -> bool:
        if not node.is_map:
            return self._type_error(node, "map", path)
        for key, child in list(node.items()):
            field = fields.get(key)
            if field is None:
                if self.unknown_keys:
                    self._unknown(key, child, fields, path)
                if self.prune:
                    del node.value[key]
                continue
            if not self.check(child, field, (*path, key)):
                del node.value[key]
        return True

    def _container(self, node: Node, ref: dict[str, Ref], path: Path) -> bool:
        if "enum" in ref:
            if self.enums:
                self._enum(node, ref["enum"], path, located=not ref.get("unlocated"))
        elif "list" in ref:
            if not node.is_seq:
                return self._type_error(node, "sequence", path)
            node.value = [
                item for index, item in enumerate(node.value) if self.check(item, ref["list"], (*path, index))
            ]
        elif "map" in ref:
            if not node.is_map:
                return self._type_error(node, "map", path)
            for key, child in list(node.items()):
                if not self.check(child, ref["map"], (*path, key)):
                    del node.value[key]
        return True

    def _scalar(self, node: Node, kind: str, path: Path) -> bool:
        if kind == "any":
            return True
        value = node.value
        if not node.is_scalar:
            return self._type_error(node, _NAMES[kind], path)
        if kind == "str":
            if not isinstance(value, str):
                node.value = node.raw if node.raw is not None else _text(value)
        elif kind == "bool":
            if isinstance(value, str) and value.lower() in ("true", "false"):
                node.value = value.lower() == "true"
            elif not isinstance(value, bool):
                return self._type_error(node, "bool", path)
        elif kind in ("int", "float"):
            return self._number(node, kind, path)
        return True

    def _number(self, node: Node, kind: str, path: Path) -> bool:
        value = node.value
        if isinstance(value, str):
            try:
                value = int(value) if kind == "int" else float(value)
            except ValueError:
                return self._type_error(node, kind, path)
            node.value = value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self._type_error(node, kind, path)
        if kind == "int" and isinstance(value, float):
            if not value.is_integer():
                # Dropped (the field's default applies), as the CLI converts it.
                self._emit(
                    Severity.WARNING,
                    f'cannot accurately represent "{_text(value)}" as integer due to precision loss',
                    path,
                    node,
                )
                return False
            node.value = int(value)
        if kind == "int" and not _INT64[0] <= node.value <= _INT64[1]:
            self._emit(Severity.ERROR, f"{node.value} does not fit in a 64-bit integer", path, node)
        return True

    def _null(self, node: Node, ref: Ref, path: Path) -> bool:
        """A field written with no value (`name_prefix:`): nothing for a mapping or a list, but a
        scalar field is left out with a warning, as the CLI's normalisation does."""
        kind = "str" if isinstance(ref, dict) and "enum" in ref else ref
        if not isinstance(kind, str) or kind not in _NAMES:
            return True
        if self.unknown_keys:  # the first pass over what was written reports it; later ones only drop it
            self._emit(Severity.WARNING, f"expected a {_NAMES[kind]} value, found null", path, node)
        return False

    def _enum(self, node: Node, allowed: list[str], path: Path, located: bool = True) -> None:
        value = node.value
        if not isinstance(value, str) or value not in allowed:
            self.enum_warnings.append(
                Diagnostic(
                    Severity.WARNING,
                    f'invalid value "{value}" for enum field. Valid values are [{" ".join(allowed)}]',
                    format_path(path),
                    node.loc if located else None,
                    also=node.also if located else (),
                )
            )

    def enum_findings(self) -> list[Diagnostic]:
        """Values outside their enum, as the CLI lists them: by message, then by place."""
        return sorted(self.enum_warnings, key=lambda d: (d.summary, d.path))

    def _unknown(self, key: str, child: Node, fields: dict[str, Ref], path: Path) -> None:
        if _reusable(child):
            return  # a block of anchors (`defaults: &defaults …`), there to be aliased elsewhere
        self.diags.append(
            Diagnostic(
                Severity.WARNING,
                f"unknown field: {key}",
                format_path(path),
                child.key_loc or child.loc,
            )
        )

    def _type_error(self, node: Node, expected: str, path: Path) -> bool:
        """A value of the wrong kind is reported and left out, not fatal (the CLI's normalisation)."""
        found = "map" if node.is_map else "sequence" if node.is_seq else type(node.value).__name__
        found = {"str": "string"}.get(found, found)
        self._emit(Severity.WARNING, f"expected {expected}, found {found}", path, node)
        return False

    def _emit(self, severity: Severity, summary: str, path: Path, node: Node) -> None:
        self.diags.append(Diagnostic(severity, summary, format_path(path), node.loc))


_NAMES = {"str": "string", "int": "int", "float": "float", "bool": "bool"}
_INT64 = (-(2**63), 2**63 - 1)


def _reusable(node: Node) -> bool:
    """An anchored value, or a mapping or list whose entries all are."""
    if node.anchored:
        return True
    entries = list(node.value.values()) if node.is_map else node.value if node.is_seq else []
    return bool(entries) and all(_reusable(entry) for entry in entries)


def _is_reference(node: Node) -> bool:
    return isinstance(node.value, str) and REFERENCE.search(node.value) is not None


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
