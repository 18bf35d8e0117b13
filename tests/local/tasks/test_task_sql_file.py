"""sql_task end to end: a SQL file run statement by statement with parameters."""

from __future__ import annotations

import pytest

from tests.local.tasks.task_harness import TaskWorkspace

pytestmark = pytest.mark.engine

QUERY = """
-- nightly load; semicolons in comments are fine
CREATE SCHEMA IF NOT EXISTS sql_task;
CREATE TABLE IF NOT EXISTS sql_task.events (kind STRING, n INT);
INSERT INTO sql_task.events VALUES (:kind, 1), ({{ kind }}, 2), ('${kind}', 3);
SELECT kind, sum(n) AS total FROM sql_task.events WHERE kind = :kind GROUP BY kind
"""


def test_sql_file_statements_run_with_parameters(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/sql/load.sql", QUERY)

    outcome = workspace.run(
        {"sql_task": {"file": {"path": "/Workspace/Users/me/sql/load.sql"}, "parameters": {"kind": "click"}}}
    )

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "|click|6    |" in outcome.stdout


def test_databricks_sql_forms_run_like_on_a_warehouse(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/sql/forms.sql",
        "SET TIME ZONE 'UTC';\n"
        "USE CATALOG {{ catalog }};\n"
        "CREATE SCHEMA IF NOT EXISTS sql_forms;\n"
        "CREATE OR REPLACE TABLE IDENTIFIER(:target) (n INT);\n"
        "INSERT INTO IDENTIFIER(:target) VALUES (40), (2);\n"
        "SELECT sum(n) AS answer, current_catalog() AS cat FROM IDENTIFIER(:target)",
    )

    outcome = workspace.run(
        {
            "sql_task": {
                "file": {"path": "/Users/me/sql/forms.sql"},
                "warehouse_id": "local",
                "parameters": {"catalog": "hive_metastore", "target": "sql_forms.numbers"},
            }
        }
    )

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "|42    |hive_metastore|" in outcome.stdout


def test_a_failing_statement_fails_the_task_and_is_named(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/sql/bad.sql", "SELECT 1;\nINSERT INTO missing_table VALUES (1);\nSELECT 2")

    outcome = workspace.run({"sql_task": {"file": {"path": "/Users/me/sql/bad.sql"}}})

    assert outcome.result.state == "FAILED"
    assert "missing_table" in (outcome.result.error or "")
    assert "in SQL statement 2 of 3:\nINSERT INTO missing_table VALUES (1)" in (
        outcome.result.error_trace or ""
    )


def test_set_not_null_in_a_sql_file_is_checked_against_the_rows(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/sql/contract.sql",
        "CREATE SCHEMA IF NOT EXISTS sql_contract;\n"
        "CREATE OR REPLACE TABLE sql_contract.people (id INT, name STRING) CLUSTER BY (id);\n"
        "INSERT INTO sql_contract.people VALUES (1, 'Ada'), (2, NULL);\n"
        "ALTER TABLE sql_contract.people ALTER COLUMN id SET NOT NULL;\n"
        "ALTER TABLE sql_contract.people ALTER COLUMN name SET NOT NULL",
    )

    outcome = workspace.run({"sql_task": {"file": {"path": "/Users/me/sql/contract.sql"}}})

    assert outcome.result.state == "FAILED"
    assert "DELTA_NOT_NULL_CONSTRAINT_VIOLATED" in (outcome.result.error or "")
    assert "in SQL statement 5 of 5" in (outcome.result.error_trace or "")


def test_saved_queries_need_databricks_sql(offline_workspace: TaskWorkspace) -> None:
    outcome = offline_workspace.run({"sql_task": {"query": {"query_id": "123"}, "warehouse_id": "w"}})

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == (
        "sql_task with a query needs Databricks SQL, which the local workspace does not have; "
        "use a SQL file (sql_task.file) instead"
    )


DATABRICKS_SQL = """
CREATE SCHEMA IF NOT EXISTS IDENTIFIER(:catalog || '.' || :schema);
USE IDENTIFIER(:catalog || '.' || :schema);
CREATE OR REPLACE TABLE customers (id BIGINT NOT NULL, name STRING, CONSTRAINT customers_pk PRIMARY KEY (id));
INSERT INTO customers VALUES (1, 'a'), (2, 'b');
CREATE OR REFRESH MATERIALIZED VIEW customer_count AS SELECT count(*) AS n FROM customers;
CREATE OR REPLACE TABLE by_initial AS SELECT left(name, 1) AS initial, count(*) AS n FROM customers GROUP BY ALL;
CREATE OR REPLACE TABLE visits (id INT, page STRING, seconds INT);
INSERT INTO visits (PAGE, id) VALUES ('home', 1), ('cart', 2);
CREATE OR REPLACE TABLE slim AS WITH v AS (SELECT * EXCEPT (seconds) FROM visits WHERE seconds IS NULL)
SELECT v.* EXCEPT (page) FROM v WHERE v.page IS NOT NULL;
SELECT n + (SELECT count(id) FROM slim) AS n
FROM IDENTIFIER(:catalog || '.' || :schema || '.customer_count')
"""


def test_databricks_sql_constructs_run_on_the_local_engine(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/sql/dbsql.sql", DATABRICKS_SQL)
    parameters = {"catalog": "main", "schema": "rewrites"}

    outcome = workspace.run(
        {"sql_task": {"file": {"path": "/Users/me/sql/dbsql.sql"}, "parameters": parameters}}
    )

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "|4  |" in outcome.stdout  # two customers, and two visits with their seconds left out


def test_a_construct_the_engine_cannot_parse_is_named_a_local_limit(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/sql/declare.sql", "DECLARE VARIABLE v STRING DEFAULT 'x'")

    outcome = workspace.run({"sql_task": {"file": {"path": "/Users/me/sql/declare.sql"}}})

    assert outcome.result.state == "FAILED"
    assert "limit of the local workspace" in (outcome.result.error_trace or "")


STREAM_AND_ARGS = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.sql("CREATE SCHEMA IF NOT EXISTS IDENTIFIER(:c || '.' || :s)", args={"c": "main", "s": "named"})
spark.sql("CREATE OR REPLACE TABLE main.named.t (id BIGINT, CONSTRAINT pk PRIMARY KEY (id))")
spark.sql("INSERT INTO main.named.t VALUES (:id)", args={"id": 7})
print("rows", spark.sql("SELECT id FROM IDENTIFIER(:t) WHERE id = :id", args={"t": "main.named.t", "id": 7}).count())
spark.range(3).writeStream.toTable("main.named.streamed")
"""


def test_spark_sql_takes_named_arguments_and_streaming_writes_name_the_engine_limit(
    workspace: TaskWorkspace,
) -> None:
    workspace.write("/Users/me/py/stream.py", STREAM_AND_ARGS)

    outcome = workspace.run({"spark_python_task": {"python_file": "/Users/me/py/stream.py"}})

    assert "rows 1" in outcome.stdout, outcome.logs
    assert outcome.result.state == "FAILED"
    assert "streaming writes run locally only from file sources" in (outcome.result.error_trace or "")


AUTO_LOADER = """
from pyspark.sql import SparkSession
from pyspark.dbutils import DBUtils
spark = SparkSession.builder.getOrCreate()
dbutils = DBUtils(spark)
spark.sql("CREATE SCHEMA IF NOT EXISTS main.streams")
dbutils.fs.put("/FileStore/landing/a.csv", "id,name\\n1,a\\n2,b\\n", overwrite=True)

def ingest():
    query = (
        spark.readStream.format("cloudFiles")
        .option("cloudFiles.format", "csv")  # Auto Loader assumes a header line
        .load("/FileStore/landing/")
        .writeStream.option("checkpointLocation", "/FileStore/checkpoints/landing")
        .trigger(availableNow=True)
        .toTable("main.streams.landed")
    )
    query.awaitTermination()
    return spark.table("main.streams.landed").count()

print("first", ingest())
print("again", ingest())
dbutils.fs.put("/FileStore/landing/b.csv", "id,name\\n3,c\\n", overwrite=True)
print("more", ingest())
seen = []
(
    spark.readStream.format("csv").option("header", "true").schema("id INT, name STRING")
    .load("/FileStore/landing/")
    .writeStream.option("checkpointLocation", "/FileStore/checkpoints/each")
    .trigger(availableNow=True)
    .foreachBatch(lambda frame, batch_id: seen.append((batch_id, frame.count())))
    .start()
    .awaitTermination()
)
print("each", seen)
"""


def test_auto_loader_streams_with_available_now_run_as_incremental_batches(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/py/autoloader.py", AUTO_LOADER)

    outcome = workspace.run({"spark_python_task": {"python_file": "/Users/me/py/autoloader.py"}})

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "first 2" in outcome.stdout and "again 2" in outcome.stdout and "more 3" in outcome.stdout
    assert "each [(0, 3)]" in outcome.stdout


def test_read_files_reads_workspace_storage_into_the_query(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/sql/files.sql",
        "SELECT count(*) AS customers, count(_rescued_data) AS rescued\n"
        "FROM read_files('/databricks-datasets/retail-org/customers/', format => 'csv', header => true)",
    )

    outcome = workspace.run({"sql_task": {"file": {"path": "/Users/me/sql/files.sql"}}})

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "|300      |0      |" in outcome.stdout
