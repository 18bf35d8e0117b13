"""The `_metadata` column of file reads in a task whose code reads it."""

from __future__ import annotations

import pytest

from tests.local.tasks.task_harness import TaskWorkspace, notebook

pytestmark = pytest.mark.engine

BRONZE = notebook(
    "from pyspark.sql import functions as F\n"
    "dbutils.fs.put('/Volumes/main/default/landing/orders/a.csv', 'id,amount\\n1,10\\n2,20\\n', True)\n"
    "dbutils.fs.put('/Volumes/main/default/landing/orders/b.csv', 'id,amount\\n3,30\\n', True)\n"
    "raw = spark.read.option('header', True).csv('/Volumes/main/default/landing/orders')\n"
    "bronze = raw.withColumn('source_file', F.col('_metadata.file_path')).withColumn('from', F.input_file_name())\n"
    "bronze.write.mode('overwrite').saveAsTable('main.default.bronze_orders')\n"
    "stored = spark.table('main.default.bronze_orders')\n"
    "print('columns', stored.columns)\n"
    "print('files', sorted({r.source_file for r in stored.collect()}))\n"
    "print('names', sorted(r.file_name for r in raw.select('_metadata.file_name').distinct().collect()))",
)


def test_a_task_that_reads_the_metadata_column_gets_it_and_stores_what_it_selected(
    workspace: TaskWorkspace,
) -> None:
    workspace.write("/Users/me/bronze", BRONZE)

    outcome = workspace.run({"task_key": "nb", "notebook_task": {"notebook_path": "/Users/me/bronze"}})

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "columns ['id', 'amount', 'source_file', 'from']" in outcome.stdout
    assert (
        "files ['/Volumes/main/default/landing/orders/a.csv', '/Volumes/main/default/landing/orders/b.csv']"
        in outcome.stdout
    )
    assert "names ['a.csv', 'b.csv']" in outcome.stdout


def test_a_task_that_does_not_read_it_reads_files_as_before(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/plain",
        notebook(
            "dbutils.fs.put('/Volumes/main/default/landing/plain/a.csv', 'id\\n1\\n', True)\n"
            "print('columns', spark.read.option('header', True).csv('/Volumes/main/default/landing/plain').columns)"
        ),
    )

    outcome = workspace.run({"task_key": "nb", "notebook_task": {"notebook_path": "/Users/me/plain"}})

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "columns ['id']" in outcome.stdout


STREAM = notebook(
    "from pyspark.sql import functions as F\n"
    "dbutils.fs.put('/Volumes/main/default/landing/prices/a.csv', 'id,price\\n1,9.5\\n', True)\n"
    "def ingest():\n"
    "    (spark.readStream.format('cloudFiles').option('cloudFiles.format', 'csv')\n"
    "        .option('cloudFiles.inferColumnTypes', 'true')\n"
    "        .load('/Volumes/main/default/landing/prices')\n"
    "        .withColumn('source_file', F.col('_metadata.file_name'))\n"
    "        .writeStream.option('checkpointLocation', '/Volumes/main/default/landing/_checkpoints/prices')\n"
    "        .trigger(availableNow=True).toTable('main.default.prices').awaitTermination())\n"
    "ingest()\n"
    "dbutils.fs.put('/Volumes/main/default/landing/prices/b.csv', 'id,price\\n2,3.25\\n', True)\n"
    "ingest()\n"
    "stored = spark.table('main.default.prices')\n"
    "print('types', [(f.name, f.dataType.simpleString()) for f in stored.schema])\n"
    "print('rows', sorted(tuple(r) for r in stored.collect()))",
)


def test_an_auto_loader_stream_gets_the_column_and_inferred_types(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/stream", STREAM)

    outcome = workspace.run({"task_key": "nb", "notebook_task": {"notebook_path": "/Users/me/stream"}})

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "types [('id', 'bigint'), ('price', 'double'), ('source_file', 'string')]" in outcome.stdout
    assert "rows [(1, 9.5, 'a.csv'), (2, 3.25, 'b.csv')]" in outcome.stdout
