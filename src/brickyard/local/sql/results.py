"""Arrow results in the shapes of the Statement Execution API: column descriptions, JSON_ARRAY rows
(every value as its string, or null), CSV, Arrow IPC streams, and chunks."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

CHUNK_ROWS = 10_000
"""Rows per result chunk: small enough that a chunk's JSON stays a few MB."""


def type_of(arrow_type: pa.DataType) -> tuple[str, str]:
    """(type_name, type_text) of a column, as Databricks names them (`LONG`, `bigint`)."""
    import pyarrow.types as t

    simple = [
        (t.is_int8, "BYTE", "tinyint"),
        (t.is_int16, "SHORT", "smallint"),
        (t.is_int32, "INT", "int"),
        (t.is_int64, "LONG", "bigint"),
        (t.is_float32, "FLOAT", "float"),
        (t.is_float64, "DOUBLE", "double"),
        (t.is_boolean, "BOOLEAN", "boolean"),
        (t.is_date, "DATE", "date"),
        (t.is_null, "NULL", "void"),
    ]
    for test, name, text in simple:
        if test(arrow_type):
            return name, text
    if t.is_string(arrow_type) or t.is_large_string(arrow_type):
        return "STRING", "string"
    if t.is_binary(arrow_type) or t.is_large_binary(arrow_type):
        return "BINARY", "binary"
    if t.is_timestamp(arrow_type):
        return "TIMESTAMP", "timestamp" if arrow_type.tz else "timestamp_ntz"
    if t.is_decimal(arrow_type):
        return "DECIMAL", f"decimal({arrow_type.precision},{arrow_type.scale})"
    if t.is_map(arrow_type):
        return "MAP", f"map<{type_of(arrow_type.key_type)[1]},{type_of(arrow_type.item_type)[1]}>"
    if t.is_list(arrow_type) or t.is_large_list(arrow_type):
        return "ARRAY", f"array<{type_of(arrow_type.value_type)[1]}>"
    if t.is_struct(arrow_type):
        fields = ",".join(f"{f.name}:{type_of(f.type)[1]}" for f in arrow_type)
        return "STRUCT", f"struct<{fields}>"
    if t.is_interval(arrow_type) or t.is_duration(arrow_type):
        return "INTERVAL", "interval"
    return "STRING", str(arrow_type)


def columns(schema: pa.Schema) -> list[dict[str, Any]]:
    out = []
    for position, column in enumerate(schema):
        name, text = type_of(column.type)
        info: dict[str, Any] = {
            "name": column.name,
            "position": position,
            "type_name": name,
            "type_text": text,
        }
        if name == "DECIMAL":
            info.update(type_precision=column.type.precision, type_scale=column.type.scale)
        out.append(info)
    return out


def json_rows(table: pa.Table) -> list[list[str | None]]:
    """Rows with every value as the string Databricks gives it, nulls as null."""
    names = table.column_names
    return [[text(row[name]) for name in names] for row in table.to_pylist()]


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return f"{value.isoformat(timespec='milliseconds')}Z"
        return f"{value.isoformat(timespec='milliseconds')}"
    if isinstance(value, dt.date | decimal.Decimal | int | float | str):
        return str(value.isoformat()) if isinstance(value, dt.date) else str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return json.dumps(_plain(value), separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return {str(k): _plain(v) for k, v in value}  # a map arrives as key/value pairs
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return text(value)


def chunks(table: pa.Table, rows: int = CHUNK_ROWS) -> list[pa.Table]:
    """The result split into chunks; one (empty) chunk for an empty result."""
    if table.num_rows == 0:
        return [table]
    return [table.slice(offset, rows) for offset in range(0, table.num_rows, rows)]


def arrow_stream(table: pa.Table) -> bytes:
    import pyarrow as pa

    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def csv_text(table: pa.Table, header: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(table.column_names)
    for row in json_rows(table):
        writer.writerow(["null" if v is None else v for v in row])
    return out.getvalue().encode()
