"""`brickyard catalog export|import`: Unity Catalog metadata as reviewable files in git.

Export writes one folder per catalog: `catalog.yml` (comment, properties, grants) and one
`<schema>.yml` per schema with its tables (type, format, columns, properties, view text, grants,
the location of external tables), volumes and functions. Keys are sorted and managed locations are
left out, so two exports of the same catalog are byte-identical and a diff shows real changes.

Import applies such a folder to a workspace: catalogs, schemas and volumes that are missing are
created, comments and properties set, grants added (never revoked). Tables are not created from
metadata: their data comes back with `brickyard restore`, after which import gives their grants.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from brickyard.dr.tables import SKIPPED_CATALOGS, SKIPPED_SCHEMAS
from brickyard.dr.workspace import RecoveryTarget
from brickyard.errors import RecoveryError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

CATALOG_FILE = "catalog.yml"


def _value(enum: Any) -> Any:
    return None if enum is None else getattr(enum, "value", enum)


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v not in (None, [], {}, "")}


def export_catalogs(recovery: RecoveryTarget, patterns: list[str]) -> dict[str, Any]:
    client = recovery.client
    globs = [p.lower() for p in patterns] or ["*"]
    catalogs: dict[str, Any] = {}
    for info in sorted(client.catalogs.list(), key=lambda c: str(c.name)):
        name = str(info.name)
        if name in SKIPPED_CATALOGS or not any(fnmatch.fnmatchcase(name.lower(), g) for g in globs):
            continue
        schemas = {}
        for schema in sorted(client.schemas.list(catalog_name=name), key=lambda s: str(s.name)):
            if schema.name and schema.name not in SKIPPED_SCHEMAS:
                schemas[str(schema.name)] = _schema_doc(recovery, client, name, schema)
        catalogs[name] = {
            "catalog": _clean(
                {
                    "name": name,
                    "comment": info.comment,
                    "properties": dict(info.properties or {}),
                    "grants": recovery.grants("CATALOG", name),
                }
            ),
            "schemas": schemas,
        }
    return catalogs


def _schema_doc(
    recovery: RecoveryTarget, client: WorkspaceClient, catalog: str, schema: Any
) -> dict[str, Any]:
    full = f"{catalog}.{schema.name}"
    tables = [
        _table_doc(recovery, t)
        for t in sorted(
            client.tables.list(catalog_name=catalog, schema_name=str(schema.name)), key=lambda t: str(t.name)
        )
    ]
    volumes = [
        _clean(
            {
                "name": v.name,
                "volume_type": _value(v.volume_type),
                "comment": v.comment,
                "storage_location": v.storage_location if _value(v.volume_type) == "EXTERNAL" else None,
                "grants": recovery.grants("VOLUME", f"{full}.{v.name}"),
            }
        )
        for v in sorted(
            client.volumes.list(catalog_name=catalog, schema_name=str(schema.name)), key=lambda v: str(v.name)
        )
    ]
    return _clean(
        {
            "name": schema.name,
            "comment": schema.comment,
            "properties": dict(schema.properties or {}),
            "grants": recovery.grants("SCHEMA", full),
            "tables": tables,
            "volumes": volumes,
            "functions": _functions(client, catalog, str(schema.name)),
        }
    )


def _table_doc(recovery: RecoveryTarget, table: Any) -> dict[str, Any]:
    kind = _value(table.table_type)
    return _clean(
        {
            "name": table.name,
            "table_type": kind,
            "data_source_format": _value(table.data_source_format),
            "comment": table.comment,
            "properties": dict(table.properties or {}),
            "storage_location": table.storage_location if kind == "EXTERNAL" else None,
            "view_definition": table.view_definition,
            "columns": [
                _clean(
                    {
                        "name": c.name,
                        "type": c.type_text or _value(c.type_name),
                        "nullable": c.nullable,
                        "comment": c.comment,
                    }
                )
                for c in table.columns or []
            ],
            "grants": recovery.grants("TABLE", str(table.full_name or "")),
        }
    )


def _functions(client: WorkspaceClient, catalog: str, schema: str) -> list[dict[str, Any]]:
    from databricks.sdk.errors.base import DatabricksError

    try:
        found = list(client.functions.list(catalog_name=catalog, schema_name=schema))
    except DatabricksError:  # a workspace without the Functions API has none to export
        return []
    return [
        _clean(
            {
                "name": f.name,
                "comment": f.comment,
                "data_type": _value(f.data_type),
                "full_data_type": f.full_data_type,
                "routine_body": _value(f.routine_body),
                "routine_definition": f.routine_definition,
                "parameter_style": _value(f.parameter_style),
                "is_deterministic": f.is_deterministic,
                "sql_data_access": _value(f.sql_data_access),
                "security_type": _value(f.security_type),
                "specific_name": f.specific_name,
                "input_params": f.input_params.as_dict() if f.input_params else None,
            }
        )
        for f in sorted(found, key=lambda f: str(f.name))
    ]


def write_export(tree: dict[str, Any], directory: Path) -> list[Path]:
    written = []
    for catalog, doc in tree.items():
        folder = directory / catalog
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.yml"):
            stale.unlink()
        written.append(_dump(folder / CATALOG_FILE, doc["catalog"]))
        for schema, schema_doc in doc["schemas"].items():
            written.append(_dump(folder / f"{schema}.yml", schema_doc))
    return written


def _dump(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=True, allow_unicode=True, width=100), encoding="utf-8")
    return path


def read_export(directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise RecoveryError(f"{directory} is not a folder of a catalog export")
    tree: dict[str, Any] = {}
    for folder in sorted(p for p in directory.iterdir() if (p / CATALOG_FILE).is_file()):
        schemas = {}
        for file in sorted(folder.glob("*.yml")):
            if file.name != CATALOG_FILE:
                schemas[file.stem] = _load(file)
        tree[folder.name] = {"catalog": _load(folder / CATALOG_FILE), "schemas": schemas}
    if not tree:
        raise RecoveryError(f"{directory} holds no catalog export (no <catalog>/{CATALOG_FILE})")
    return tree


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise RecoveryError(f"{where}: not valid YAML: {getattr(err, 'problem', err)}") from None
    if not isinstance(doc, dict) or not doc.get("name"):
        raise RecoveryError(f"{path}: expected a mapping with a name")
    return doc


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    granted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        return self.__dict__.copy()


def import_catalogs(recovery: RecoveryTarget, tree: dict[str, Any]) -> ImportReport:
    from databricks.sdk.errors import NotFound

    client = recovery.client
    report = ImportReport()
    for catalog, doc in tree.items():
        info = doc["catalog"]
        try:
            client.catalogs.get(catalog)
        except NotFound:
            client.catalogs.create(
                name=catalog, comment=info.get("comment"), properties=info.get("properties")
            )
            report.created.append(f"catalog {catalog}")
        _grant(recovery, report, "CATALOG", catalog, info)
        for schema, schema_doc in doc["schemas"].items():
            _import_schema(recovery, report, catalog, schema, schema_doc)
    return report


def _import_schema(
    recovery: RecoveryTarget, report: ImportReport, catalog: str, schema: str, doc: dict[str, Any]
) -> None:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.catalog import VolumeType

    client = recovery.client
    full = f"{catalog}.{schema}"
    try:
        current = client.schemas.get(full)
        if doc.get("comment") and current.comment != doc.get("comment"):
            client.schemas.update(full, comment=doc.get("comment"))
            report.updated.append(f"schema {full}")
    except NotFound:
        client.schemas.create(
            name=schema, catalog_name=catalog, comment=doc.get("comment"), properties=doc.get("properties")
        )
        report.created.append(f"schema {full}")
    _grant(recovery, report, "SCHEMA", full, doc)
    existing = {str(v.name) for v in client.volumes.list(catalog_name=catalog, schema_name=schema)}
    for volume in doc.get("volumes") or []:
        name = f"{full}.{volume['name']}"
        if volume["name"] not in existing:
            kind = VolumeType(volume.get("volume_type") or "MANAGED")
            client.volumes.create(
                catalog_name=catalog,
                schema_name=schema,
                name=volume["name"],
                volume_type=kind,
                comment=volume.get("comment"),
                storage_location=volume.get("storage_location"),
            )
            report.created.append(f"volume {name}")
        _grant(recovery, report, "VOLUME", name, volume)
    for table in doc.get("tables") or []:
        name = f"{full}.{table['name']}"
        if client.tables.exists(name).table_exists:
            _grant(recovery, report, "TABLE", name, table)
        else:
            report.skipped.append(f"table {name} (not in the workspace: restore its data first)")


def _grant(
    recovery: RecoveryTarget, report: ImportReport, securable: str, name: str, doc: dict[str, Any]
) -> None:
    if recovery.grant(securable, name, list(doc.get("grants") or [])):
        report.granted.append(f"{securable.lower()} {name}")
