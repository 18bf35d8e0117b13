"""The catalog explorer: catalogs, a catalog's schemas, a schema's tables and volumes, a table
(columns, a sample of rows, its Delta history) and a volume's files.

Columns and history are read from the table's Delta log; the sample rows are the one thing that
asks the engine (a `SELECT … LIMIT`), so the other pages never wait for it to start.
"""

from __future__ import annotations

from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.uc_tables import local_path, table_doc
from brickyard.local.server.services import Services
from brickyard.local.store.catalog import TableEntry

SAMPLE_ROWS = 20
HISTORY = 25


def catalogs_page(ws: Services) -> dict[str, Any]:
    ws.samples.ensure()
    return {"catalogs": [{"name": c["name"], "comment": c.get("comment", "")} for c in ws.unity.catalogs()]}


def catalog_page(ws: Services, catalog: str) -> dict[str, Any]:
    ws.samples.ensure_for(catalog)
    doc = ws.unity.get_catalog(catalog)
    schemas = []
    for name in ws.unity.schema_names(doc["name"]):
        schemas.append({"name": name, "tables": len(ws.catalog.tables(doc["name"], name))})
    return {"catalog": doc["name"], "comment": doc.get("comment", ""), "schemas": schemas}


def schema_page(ws: Services, catalog: str, schema: str) -> dict[str, Any]:
    ws.samples.ensure_for(catalog)
    doc = ws.unity.get_schema(f"{catalog}.{schema}")
    tables = [
        {"name": t.name, "kind": t.kind, "format": (t.provider or "").upper()}
        for t in ws.catalog.tables(doc["catalog_name"], doc["name"])
    ]
    volumes = [
        {"name": v["name"], "kind": v.get("volume_type", "")}
        for v in ws.volumes_uc.list(doc["catalog_name"], doc["name"])
    ]
    return {"catalog": doc["catalog_name"], "schema": doc["name"], "tables": tables, "volumes": volumes}


def table_page(ws: Services, catalog: str, schema: str, name: str) -> dict[str, Any]:
    entry = _table(ws, catalog, schema, name)
    doc = table_doc(ws, entry, columns=True)
    sample, sample_error = _sample(ws, entry)
    return {
        "catalog": entry.catalog,
        "schema": entry.schema,
        "table": doc,
        "sample": sample,
        "sample_error": sample_error,
        "history": _history(entry),
    }


def volume_page(ws: Services, catalog: str, schema: str, volume: str, sub: str) -> dict[str, Any]:
    doc = ws.volumes_uc.get(f"{catalog}.{schema}.{volume}")
    base = f"/Volumes/{doc['catalog_name']}/{doc['schema_name']}/{doc['name']}"
    where = f"{base}/{sub.strip('/')}" if sub.strip("/") else base
    return {
        "volume": doc,
        "path": where,
        "sub": sub.strip("/"),
        "files": ws.volumes.list_dir(where),
    }


def _table(ws: Services, catalog: str, schema: str, name: str) -> TableEntry:
    ws.samples.ensure_for(catalog)
    entry = ws.catalog.table(catalog.lower(), schema.lower(), name.lower())
    if entry is None:
        raise ApiError.not_found(f"Table '{catalog}.{schema}.{name}' does not exist.")
    return entry


def _sample(ws: Services, entry: TableEntry) -> tuple[dict[str, Any] | None, str]:
    """The first rows of the table, or why they could not be read."""
    session = ws.sql.open_session()
    try:
        result = session.execute(f"SELECT * FROM {entry.full_name} LIMIT {SAMPLE_ROWS}")
    except Exception as err:  # the page still shows columns and history
        return None, str(err).splitlines()[0] if str(err) else type(err).__name__
    finally:
        session.close()
    rows = [[_cell(v) for v in row.values()] for row in result.to_pylist()]
    return {"columns": result.column_names, "rows": rows}, ""


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _history(entry: TableEntry) -> list[dict[str, Any]]:
    """Newest first, as `DESCRIBE HISTORY` lists it: version, time, operation, its parameters and metrics."""
    from brickyard.pipelines import deltalog  # the executor's package: imported when a table is shown

    path = local_path(entry.location)
    if entry.kind == "VIEW" or path is None or not deltalog.is_table(path):
        return []
    found: list[dict[str, Any]] = []
    version = deltalog.latest_version(path)
    while version is not None and version >= 0 and len(found) < HISTORY:
        info: dict[str, Any] = next(
            (a["commitInfo"] for a in deltalog.read_commit(path, version) if "commitInfo" in a), {}
        )
        found.append(
            {
                "version": version,
                "timestamp": info.get("timestamp"),
                "operation": info.get("operation", ""),
                "parameters": _flat(info.get("operationParameters")),
                "metrics": _flat(info.get("operationMetrics")),
            }
        )
        version -= 1
    return found


def _flat(values: Any) -> str:
    if not isinstance(values, dict):
        return ""
    return ", ".join(f"{k}={v}" for k, v in values.items() if v not in (None, "", "[]"))
