"""`from delta.tables import DeltaTable` in a notebook: upserts, updates and deletes on the engine."""

from __future__ import annotations

import pytest

from tests.local.tasks.task_harness import TaskWorkspace, notebook

pytestmark = pytest.mark.engine

UPSERTS = notebook(
    "from delta.tables import DeltaTable\nfrom pyspark.sql import functions as F\n"
    "spark.sql('CREATE SCHEMA IF NOT EXISTS delta_api')\n"
    "spark.sql('CREATE OR REPLACE TABLE delta_api.customers (id INT, name STRING, visits INT)')\n"
    "spark.sql(\"INSERT INTO delta_api.customers VALUES (1, 'ann', 1), (2, 'bob', 1), (3, 'cy', 1)\")",
    # a merge with string conditions, all columns
    "updates = spark.createDataFrame([(2, 'bob', 5), (4, 'dee', 1)], 'id INT, name STRING, visits INT')\n"
    "target = DeltaTable.forName(spark, 'delta_api.customers')\n"
    "(target.alias('t').merge(updates.alias('u'), 't.id = u.id')\n"
    " .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())",
    # a merge written with columns, with a condition on the update
    "more = spark.createDataFrame([(1, 'ann', 2), (3, 'cy', 0)], 'id INT, name STRING, visits INT')\n"
    "(target.alias('t').merge(more.alias('s'), F.col('t.id') == F.col('s.id'))\n"
    " .whenMatchedUpdate(condition=F.col('s.visits') > 0, set={'visits': F.col('t.visits') + F.col('s.visits')})\n"
    " .execute())",
    "target.update(condition=\"name = 'dee'\", set={'name': F.lit('dora')})\n"
    "target.delete(F.col('id') == 3)\n"
    "target.optimize().executeCompaction()\ntarget.vacuum()\n"
    "rows = sorted(tuple(r) for r in target.toDF().collect())\nprint('rows', rows)\n"
    "from databricks.connect import DatabricksSession\n"
    "assert DatabricksSession.builder.serverless().getOrCreate() is spark\n"
    "print('is delta', DeltaTable.isDeltaTable(spark, '/nowhere/at/all'))",
    # the table's history, from its Delta log, newest first
    "ops = [r.operation for r in target.history().collect()]\nprint('versions', len(ops), 'newest', ops[0])\n"
    "last = spark.sql('DESCRIBE HISTORY delta_api.customers LIMIT 1').collect()\n"
    "print('limited', len(last), last[0].version == len(ops) - 1)",
)


def test_delta_table_merges_updates_and_deletes(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/upserts", UPSERTS)

    outcome = workspace.run({"task_key": "nb", "notebook_task": {"notebook_path": "/Users/me/upserts"}})

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "rows [(1, 'ann', 3), (2, 'bob', 5), (4, 'dora', 1)]" in outcome.stdout
    assert "is delta False" in outcome.stdout
    # create, insert, two merges, an update and a delete: six commits
    assert "versions 6 newest DELETE" in outcome.stdout and "limited 1 True" in outcome.stdout
