"""Writing a Delta table from an Arrow table without an engine: one Parquet file and one commit.

Sample tables are written once and only read afterwards, so the smallest valid table is enough:
protocol (reader 1, writer 2), metadata with the Spark schema, and one `add` action. Any Delta
reader (Sail, Spark, delta-rs) reads it; writers that later append to it add commits as usual.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_DATA_FILE = "part-00000-sample.snappy.parquet"


def write_table(path: Path, table: pa.Table) -> None:
    """Replace whatever is at `path` with a Delta table holding `table`."""
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "_delta_log").mkdir(parents=True)
    data = tmp / _DATA_FILE
    pq.write_table(table, data, compression="snappy")
    now = int(time.time() * 1000)
    schema = {"type": "struct", "fields": [_field(f) for f in table.schema]}
    actions: list[dict[str, Any]] = [
        {
            "commitInfo": {
                "timestamp": now,
                "operation": "WRITE",
                "operationParameters": {"mode": "Overwrite"},
            }
        },
        {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}},
        {
            "metaData": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, str(path))),
                "format": {"provider": "parquet", "options": {}},
                "schemaString": json.dumps(schema),
                "partitionColumns": [],
                "configuration": {},
                "createdTime": now,
            }
        },
        {
            "add": {
                "path": _DATA_FILE,
                "partitionValues": {},
                "size": data.stat().st_size,
                "modificationTime": now,
                "dataChange": True,
                "stats": json.dumps({"numRecords": table.num_rows}),
            }
        },
    ]
    log = tmp / "_delta_log" / f"{0:020d}.json"
    log.write_text("".join(json.dumps(a) + "\n" for a in actions), encoding="utf-8")
    shutil.rmtree(path, ignore_errors=True)
    tmp.replace(path)


def _field(field: pa.Field) -> dict[str, Any]:
    return {"name": field.name, "type": spark_type(field.type), "nullable": field.nullable, "metadata": {}}


def spark_type(kind: pa.DataType) -> Any:
    """The Delta (Spark JSON) spelling of an Arrow type, for the types the samples use."""
    if pa.types.is_int64(kind):
        return "long"
    if pa.types.is_int32(kind):
        return "integer"
    if pa.types.is_float64(kind):
        return "double"
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string"
    if pa.types.is_date32(kind):
        return "date"
    if pa.types.is_timestamp(kind):
        return "timestamp" if kind.tz else "timestamp_ntz"
    if pa.types.is_decimal(kind):
        return f"decimal({kind.precision},{kind.scale})"
    if pa.types.is_list(kind):
        return {"type": "array", "elementType": spark_type(kind.value_type), "containsNull": True}
    raise TypeError(f"no Delta type for {kind}")
