"""Arrow results as the Thrift API carries them: a Hive table schema (`TTableSchema`), an Arrow
schema message, and record batches without it (`TSparkArrowBatch`), with the types the client
asked for in `useArrowNativeTypes` (complex types, decimals, timestamps as strings otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brickyard.local.sql import results

if TYPE_CHECKING:
    import pyarrow as pa

_TYPE_IDS = {
    "BOOLEAN": "BOOLEAN_TYPE",
    "BYTE": "TINYINT_TYPE",
    "SHORT": "SMALLINT_TYPE",
    "INT": "INT_TYPE",
    "LONG": "BIGINT_TYPE",
    "FLOAT": "FLOAT_TYPE",
    "DOUBLE": "DOUBLE_TYPE",
    "STRING": "STRING_TYPE",
    "BINARY": "BINARY_TYPE",
    "DATE": "DATE_TYPE",
    "TIMESTAMP": "TIMESTAMP_TYPE",
    "DECIMAL": "DECIMAL_TYPE",
    "ARRAY": "ARRAY_TYPE",
    "MAP": "MAP_TYPE",
    "STRUCT": "STRUCT_TYPE",
    "NULL": "NULL_TYPE",
    "INTERVAL": "INTERVAL_DAY_TIME_TYPE",
}


def for_client(table: pa.Table, arrow_types: Any) -> pa.Table:
    """`table` with the columns the client cannot take natively turned into strings."""
    import pyarrow as pa
    import pyarrow.types as t

    complex_native = bool(arrow_types and arrow_types.complexTypesAsArrow)
    decimal_native = arrow_types is None or arrow_types.decimalAsArrow is not False
    timestamp_native = arrow_types is None or arrow_types.timestampAsArrow is not False
    columns, fields = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        as_text = (
            ((t.is_list(kind) or t.is_map(kind) or t.is_struct(kind)) and not complex_native)
            or (t.is_decimal(kind) and not decimal_native)
            or (t.is_timestamp(kind) and not timestamp_native)
            or t.is_interval(kind)
            or t.is_duration(kind)
        )
        _name, text = results.type_of(kind)
        metadata = {b"Spark:DataType:SqlName": text.upper().encode()}
        if as_text:
            column = pa.array([results.text(v) for v in column.to_pylist()], pa.string())
            fields.append(pa.field(field.name, pa.string(), metadata=metadata))
        else:
            fields.append(field.with_metadata(metadata))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def table_schema(original: pa.Schema) -> Any:
    """The Hive `TTableSchema` of a result, typed from the engine's schema (before `for_client`)."""
    from databricks.sql.thrift_api.TCLIService import ttypes as generated

    ttypes: Any = generated

    columns = []
    for position, field in enumerate(original, start=1):
        name, _text = results.type_of(field.type)
        qualifiers = None
        if name == "DECIMAL":
            qualifiers = ttypes.TTypeQualifiers(
                qualifiers={
                    "precision": ttypes.TTypeQualifierValue(i32Value=field.type.precision),
                    "scale": ttypes.TTypeQualifierValue(i32Value=field.type.scale),
                }
            )
        entry = ttypes.TPrimitiveTypeEntry(
            type=getattr(ttypes.TTypeId, _TYPE_IDS[name]), typeQualifiers=qualifiers
        )
        columns.append(
            ttypes.TColumnDesc(
                columnName=field.name,
                typeDesc=ttypes.TTypeDesc(types=[ttypes.TTypeEntry(primitiveEntry=entry)]),
                position=position,
                comment="",
            )
        )
    return ttypes.TTableSchema(columns=columns)


def schema_bytes(schema: pa.Schema) -> bytes:
    return bytes(schema.serialize().to_pybytes())


def batches(table: pa.Table) -> list[Any]:
    from databricks.sql.thrift_api.TCLIService import ttypes as generated

    ttypes: Any = generated

    return [
        ttypes.TSparkArrowBatch(batch=bytes(batch.serialize().to_pybytes()), rowCount=batch.num_rows)
        for batch in table.to_batches()
        if batch.num_rows
    ]
