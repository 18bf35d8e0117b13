"""notebook_task end to end: a real worker process runs notebooks against the shared engine."""

from __future__ import annotations

import json

import pytest

from brickyard.notebook_format import source_to_ipynb
from tests.local.tasks.task_harness import TaskWorkspace, notebook

pytestmark = pytest.mark.engine


def notebook_task(path: str, **parameters: str) -> dict[str, object]:
    return {"task_key": "nb", "notebook_task": {"notebook_path": path, "base_parameters": parameters}}


def test_python_notebook_with_widgets_run_sql_task_values_and_exit(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/lib/helpers",
        notebook(
            "%md\n# Helpers",
            "greeting = dbutils.widgets.get('greeting')\ndef helper(name):\n    return f'{greeting} {name}'",
        ),
    )
    workspace.write(
        "/Users/me/etl",
        notebook(
            "dbutils.widgets.text('env', 'dev')\ndbutils.widgets.dropdown('region', 'eu', ['eu', 'us', 'ap'])\n"
            "print('env', dbutils.widgets.get('env'), 'region', getArgument('region'), "
            "'day', dbutils.widgets.get('day'))",
            '%run ./lib/helpers $greeting="hi there"',
            "print(helper('ana'))",
            "%sql\nCREATE SCHEMA IF NOT EXISTS nb_etl;\n"
            "CREATE TABLE IF NOT EXISTS nb_etl.runs (env STRING, region STRING);\n"
            "INSERT INTO nb_etl.runs VALUES ('${env}', :region);\n"
            "SELECT * FROM nb_etl.runs",
            "rows = _sqldf.count()\ndbutils.jobs.taskValues.set('rows', rows)\nrows",
            "dbutils.notebook.exit(f'rows={rows}')",
            "raise RuntimeError('not reached: exit ends the notebook')",
        ),
    )

    outcome = workspace.run(
        notebook_task("/Workspace/Users/me/etl", env="staging", region="us"),
        job_parameters={"region": "ap", "day": "monday"},
    )

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert outcome.returncode == 0
    assert outcome.result.notebook_result == "rows=1"
    assert outcome.result.task_values == {"rows": 1}
    assert "env staging region ap day monday" in outcome.stdout
    assert "hi there ana" in outcome.stdout
    assert "|staging|ap    |" in outcome.stdout
    assert "\n1\n" in outcome.stdout  # a cell's trailing expression is shown


def test_a_failing_cell_fails_the_task_with_error_and_trace(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/broken",
        notebook("print('first cell ran')", "def ratio(a, b):\n    return a / b", "x = 1\nratio(x, 0)"),
    )

    outcome = workspace.run(notebook_task("/Users/me/broken"))

    assert outcome.result.state == "FAILED"
    assert outcome.returncode == 1
    assert outcome.result.error == "ZeroDivisionError: division by zero"
    trace = outcome.result.error_trace or ""
    assert '  File "/Users/me/broken, cell 3", line 2, in <module>\n    ratio(x, 0)' in trace
    assert '  File "/Users/me/broken, cell 2", line 2, in ratio\n    return a / b' in trace
    assert "brickyard" not in trace
    assert "first cell ran" in outcome.stdout
    assert "ZeroDivisionError: division by zero" in outcome.stderr


def test_a_missing_widget_names_the_widget(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/needs_input", notebook("dbutils.widgets.get('table_name')"))

    outcome = workspace.run(notebook_task("/Users/me/needs_input"))

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == "InputWidgetNotDefined: No input widget named table_name is defined"


def test_sql_notebook_runs_statements_python_cells_and_settings(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/report",
        notebook(
            "CREATE SCHEMA IF NOT EXISTS main.nb_sql;\nUSE main.nb_sql;\nSET spark.sql.shuffle.partitions = 3",
            "CREATE TABLE IF NOT EXISTS scores (name STRING, score INT);\n"
            "INSERT INTO scores VALUES ('a', 1), ('b', ${bonus})",
            "%python\nprint('partitions', spark.conf.get('spark.sql.shuffle.partitions'))\n"
            "print('total', spark.table('main.nb_sql.scores').groupBy().sum('score').first()[0])",
            "SELECT name FROM scores WHERE score > :min_score",
            language="sql",
        ),
    )

    outcome = workspace.run(notebook_task("/Users/me/report", bonus="41", min_score="2"))

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "partitions 3" in outcome.stdout
    assert "total 42" in outcome.stdout
    assert "|b   |" in outcome.stdout


def test_a_failing_sql_statement_is_named_in_the_trace(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/bad_sql", notebook("SELECT 1;\nSELECT * FROM no_such_table", language="sql"))

    outcome = workspace.run(notebook_task("/Users/me/bad_sql"))

    assert outcome.result.state == "FAILED"
    assert "no_such_table" in (outcome.result.error or "")
    trace = outcome.result.error_trace or ""
    assert "in SQL statement 2 of 2:\nSELECT * FROM no_such_table" in trace
    assert "site-packages" not in trace


def test_jupyter_notebooks_run_like_source_notebooks(workspace: TaskWorkspace) -> None:
    source = notebook("%md\n# From Jupyter", "values = [1, 2, 3]", "print('sum', sum(values))")
    workspace.write("/Users/me/jupyter", source_to_ipynb(source, "python"))

    outcome = workspace.run(notebook_task("/Users/me/jupyter"))

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "sum 6" in outcome.stdout


def test_notebook_run_returns_exit_values_and_reports_child_failures(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/flow/child",
        notebook(
            "dbutils.widgets.text('n', '1')\nn = int(dbutils.widgets.get('n'))",
            "if n < 0:\n    raise ValueError('negative n')",
            "import time\ntime.sleep(n if n >= 30 else 0)\ndbutils.notebook.exit(str(n * 2))",
        ),
    )
    workspace.write(
        "/Users/me/flow/parent",
        notebook(
            "print('doubled', dbutils.notebook.run('./child', 60, {'n': 21}))",
            "try:\n    dbutils.notebook.run('/Users/me/flow/child', 60, {'n': -1})\n"
            "except Exception as exc:\n    print('child failed:', type(exc).__name__, exc)",
            "try:\n    dbutils.notebook.run('./child', 1, {'n': 30})\n"
            "except Exception as exc:\n    print('child slow:', exc)",
            "print('n is still', dbutils.widgets.getArgument('n', 'unset'))",
        ),
    )

    outcome = workspace.run(notebook_task("/Users/me/flow/parent"), timeout=120)

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "doubled 42" in outcome.stdout
    assert (
        "child failed: WorkflowException Notebook /Users/me/flow/child failed: ValueError: negative n"
        in outcome.stdout
    )
    assert "child slow: Notebook /Users/me/flow/child timed out after 1 seconds" in outcome.stdout
    assert "n is still unset" in outcome.stdout


def test_pip_sh_and_fs_magics(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/magics",
        notebook(
            "%pip install pyyaml",
            "%sh\necho shell in $(basename $(pwd))\necho to stderr >&2",
            "dbutils.fs.put('dbfs:/magic/hello.txt', 'hello', True)",
            "%fs ls dbfs:/magic",
        ),
    )

    outcome = workspace.run(notebook_task("/Users/me/magics"))

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "Requirements already satisfied." in outcome.stdout
    assert "shell in me" in outcome.stdout
    assert "to stderr" in outcome.stderr
    assert "dbfs:/magic/hello.txt" in outcome.stdout


def test_pip_install_of_a_missing_package_fails_clearly(workspace: TaskWorkspace) -> None:
    workspace.write("/Users/me/pip_missing", notebook("%pip install surely-not-installed-pkg==1.0"))

    outcome = workspace.run(notebook_task("/Users/me/pip_missing"))

    assert outcome.result.state == "FAILED"
    error = outcome.result.error or ""
    assert error.startswith("/Users/me/pip_missing, cell 1: installing surely-not-installed-pkg==1.0 failed")
    assert "BRICKYARD_FIND_LINKS" in error


def test_secrets_are_redacted_in_logs_and_in_the_result(workspace: TaskWorkspace) -> None:
    workspace.put_secret("app", "password", "pa55-w0rd-xyz")
    workspace.write(
        "/Users/me/secretive",
        notebook(
            "import os\npassword = dbutils.secrets.get('app', 'password')\nprint('password is', password)\n"
            "os.environ['APP_PASSWORD'] = password\nimport logging\nlogging.warning('logged %s', password)",
            "%sh\necho shell sees $APP_PASSWORD",
            "dbutils.jobs.taskValues.set('leak', {'pw': password})",
            "raise ValueError(f'cannot log in with {password}')",
        ),
    )

    outcome = workspace.run(notebook_task("/Users/me/secretive"))

    assert outcome.result.state == "FAILED"
    assert "pa55-w0rd-xyz" not in outcome.logs
    assert "pa55-w0rd-xyz" not in outcome.result.to_json()
    assert "password is [REDACTED]" in outcome.stdout
    assert "shell sees [REDACTED]" in outcome.stdout
    assert "logged [REDACTED]" in outcome.stderr
    assert outcome.result.error == "ValueError: cannot log in with [REDACTED]"
    assert outcome.result.task_values == {"leak": {"pw": "[REDACTED]"}}


def test_dbfs_and_volume_paths_work_in_dbutils_and_spark(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/files",
        notebook(
            "dbutils.fs.mkdirs('/Volumes/main/default/landing')\n"
            "dbutils.fs.put('/Volumes/main/default/landing/in.csv', 'id,name\\n1,a\\n2,b\\n', True)",
            "df = spark.read.option('header', True).csv('/Volumes/main/default/landing/in.csv')\n"
            "df.write.mode('overwrite').parquet('dbfs:/out/people')\n"
            "print('read back', spark.read.parquet('dbfs:/out/people').count())",
            "print('listed', sorted(f.name for f in dbutils.fs.ls('dbfs:/out/people') "
            "if f.name.endswith('.parquet'))[:1])",
        ),
    )

    outcome = workspace.run(notebook_task("/Users/me/files"))

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "read back 2" in outcome.stdout
    assert workspace.storage("/Volumes/main/default/landing/in.csv").read_text().startswith("id,name")
    assert any(p.suffix == ".parquet" for p in workspace.storage("dbfs:/out/people").iterdir())
    assert ".parquet']" in outcome.stdout


def test_upstream_task_values_environment_and_spark_conf_reach_the_notebook(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/downstream",
        notebook(
            "import json, os\n"
            "rows = dbutils.jobs.taskValues.get(taskKey='extract', key='rows', debugValue=0)\n"
            "missing = dbutils.jobs.taskValues.get('extract', 'nope', default='fallback')\n"
            "seen = [rows, missing, os.environ['SHOP_ENV'], spark.conf.get('spark.sql.shuffle.partitions'),\n"
            "        'DATABRICKS_RUNTIME_VERSION' in os.environ]\n"
            "dbutils.notebook.exit(json.dumps(seen))"
        ),
    )

    outcome = workspace.run(
        notebook_task("/Users/me/downstream"),
        task_values={"extract": {"rows": 7}},
        environment={"SHOP_ENV": "ci"},
        spark_conf={"spark.sql.shuffle.partitions": "7", "spark.remote": "sc://elsewhere:1"},
    )

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert json.loads(outcome.result.notebook_result or "") == [7, "fallback", "ci", "7", True]


def test_a_missing_notebook_is_a_clear_failure(workspace: TaskWorkspace) -> None:
    outcome = workspace.run(notebook_task("/Users/me/does-not-exist"))

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == "notebook /Users/me/does-not-exist does not exist in the local workspace"
    assert outcome.result.error_trace is None
