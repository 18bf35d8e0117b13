"""sql_task end to end: a SQL file run statement by statement with parameters."""

from __future__ import annotations

import pytest

from tests.local.tasks.task_harness import TaskWorkspace

pytestmark = pytest.mark.engine

QUERY = """
-- nightly load; semicolons in comments are fine
CREATE SCHEMA IF NOT EXISTS sql_task;
CREATE TABLE IF NOT EXISTS sql_task.events (kind STRING, n INT);
INSERT INTO sql_task.events VALUES (:kind, 1), ('{{ kind }}', 2), ('${kind}', 3);
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


def test_saved_queries_need_databricks_sql(offline_workspace: TaskWorkspace) -> None:
    outcome = offline_workspace.run({"sql_task": {"query": {"query_id": "123"}, "warehouse_id": "w"}})

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == (
        "sql_task with a query needs Databricks SQL, which the local workspace does not have; "
        "use a SQL file (sql_task.file) instead"
    )
