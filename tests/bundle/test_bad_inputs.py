"""Bad bundles: each must fail with a clear message naming the file, line, column and key.

Every case writes a small bundle, loads it, and pins the error's summary, its key path and its
location. Locations are computed from the text (`at=`: the first occurrence of a snippet), so a
case states *where* the error must point rather than a line number that drifts when edited.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from brickyard.errors import BundleError, Severity
from tests.bundle.conftest import NOTEBOOK, Files, load

JOB = """
bundle: {name: bad}
resources:
  jobs:
    j:
      name: j
      tasks:
"""
HEAD = "bundle: {name: bad}\n"


@dataclass
class Case:
    id: str
    files: Files
    message: str
    at: tuple[str, str] | str | None
    """(file, snippet): the error points at the snippet's first occurrence; or a literal location."""
    path: str = ""
    target: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    accepted: bool = False
    """The Databricks CLI accepts this with a warning (and drops the value): so does brickyard."""


def job(tasks: str, extra: str = "") -> str:
    return JOB + textwrap.indent(textwrap.dedent(tasks).strip("\n"), "        ") + "\n" + extra


CASES = [
    Case(
        "malformed yaml",
        {"databricks.yml": HEAD + "resources:\n  jobs: [a, b\nx: 1\n"},
        "invalid YAML",
        "databricks.yml:4:2",
    ),
    Case(
        "tab indentation",
        {"databricks.yml": HEAD + "resources:\n\tjobs: {}\n"},
        "invalid YAML",
        ("databricks.yml", "\tjobs"),
    ),
    Case(
        "top level is a list",
        {"databricks.yml": "- bundle\n- name\n"},
        "the bundle configuration must be a mapping",
        ("databricks.yml", "- bundle"),
    ),
    Case(
        "non utf-8 file",
        {"databricks.yml": "bundle:\n  name: caf\udce9\n"},
        "is not UTF-8 text",
        "databricks.yml:1:1",
    ),
    Case(
        "unsupported tag",
        {"databricks.yml": HEAD + "x: !Ref other\n"},
        "unsupported YAML tag !Ref",
        ("databricks.yml", "!Ref"),
    ),
    Case(
        "integer field given text",
        {"databricks.yml": JOB.replace("      tasks:\n", "      max_concurrent_runs: many\n")},
        "expected int, found string",
        ("databricks.yml", "many"),
        "resources.jobs.j.max_concurrent_runs",
        accepted=True,
    ),
    Case(
        "tasks given a mapping",
        {"databricks.yml": JOB + "        task_key: a\n"},
        "expected sequence, found map",
        ("databricks.yml", "task_key: a"),
        "resources.jobs.j.tasks",
        accepted=True,
    ),
    Case(
        "tags given a list",
        {"databricks.yml": JOB.replace("      tasks:\n", "      tags: [a, b]\n")},
        "expected map, found sequence",
        ("databricks.yml", "[a, b]"),
        "resources.jobs.j.tags",
        accepted=True,
    ),
    Case(
        "misspelt run_if",
        {
            "databricks.yml": job(
                "- {task_key: a, run_if: ALL_SUCESS, notebook_task: {notebook_path: ./nb.py}}"
            ),
            "nb.py": NOTEBOOK,
        },
        'invalid value "ALL_SUCESS" for enum field',
        ("databricks.yml", "ALL_SUCESS"),
        "resources.jobs.j.tasks[0].run_if",
        accepted=True,
    ),
    Case(
        "boolean field given text",
        {
            "databricks.yml": HEAD
            + "resources:\n  pipelines:\n    p:\n      name: p\n      development: maybe\n"
        },
        "expected bool, found string",
        ("databricks.yml", "maybe"),
        "resources.pipelines.p.development",
        accepted=True,
    ),
    Case(
        "included file missing",
        {"databricks.yml": HEAD + "include:\n  - resources/jobs.yml\n"},
        "failed to load include resources/jobs.yml: file not found",
        ("databricks.yml", "resources/jobs.yml"),
        "include[0]",
    ),
    Case(
        "broken included file",
        {
            "databricks.yml": HEAD + "include: [resources/*.yml]\n",
            "resources/a.yml": "resources:\n  jobs:\n    j: {name: [\n",
        },
        "invalid YAML",
        "resources/a.yml:4:1",
    ),
    Case(
        "resource defined in two files",
        {
            "databricks.yml": HEAD + "include: [r/*.yml]\n",
            "r/a.yml": "resources:\n  jobs:\n    etl: {name: a}\n",
            "r/b.yml": "resources:\n  jobs:\n    etl: {name: b}\n",
        },
        "resource jobs.etl is defined more than once (also at r/a.yml:3:5)",
        ("r/b.yml", "etl"),
        "resources.jobs.etl",
    ),
    Case(
        "unknown target",
        {"databricks.yml": HEAD + "targets:\n  dev: {}\n"},
        "prod: no such target. Available targets: dev",
        ("databricks.yml", "targets"),
        "targets",
        target="prod",
    ),
    Case(
        "two default targets",
        {"databricks.yml": HEAD + "targets:\n  a: {default: true}\n  b: {default: true}\n"},
        "more than one target is marked default: a, b",
        "databricks.yml:4:16",
        "targets.b.default",
    ),
    Case(
        "no default among several targets",
        {"databricks.yml": HEAD + "targets:\n  a: {}\n  b: {}\n"},
        "please choose a target with -t",
        ("databricks.yml", "targets"),
        "targets",
    ),
    Case(
        "--var for an undefined variable",
        {"databricks.yml": HEAD},
        "variable region is not defined",
        "<command line>:1:1",
        variables={"region": "eu"},
    ),
    Case(
        "alert file that is not a JSON object",
        {
            "databricks.yml": HEAD
            + "resources:\n  alerts:\n    late:\n      display_name: late\n"
            + "      warehouse_id: w\n      file_path: ./late.dbalert.json\n",
            "late.dbalert.json": "[1, 2]\n",
        },
        "failed to read alert file late.dbalert.json: it must hold a JSON object",
        ("databricks.yml", "./late.dbalert.json"),
        "resources.alerts.late.file_path",
    ),
    Case(
        "alert field set both in the bundle and in its file",
        {
            "databricks.yml": HEAD
            + "resources:\n  alerts:\n    late:\n      display_name: late\n      warehouse_id: w\n"
            + "      query_text: SELECT 1\n      file_path: ./late.dbalert.json\n",
            "late.dbalert.json": '{"query_lines": ["SELECT 2"]}\n',
        },
        "field query_text is not allowed in the bundle configuration.",
        ("databricks.yml", "SELECT 1"),
        "resources.alerts.late.query_text",
    ),
    Case(
        "lookup of an unknown kind",
        {"databricks.yml": HEAD + "variables:\n  a:\n    lookup: {table: x}\n"},
        "variable a: lookup needs exactly one of",
        ("databricks.yml", "{table: x}"),
        "variables.a.lookup",
    ),
    Case(
        "complex value inside a string",
        {
            "databricks.yml": HEAD
            + "variables:\n  c: {type: complex, default: {a: 1}}\nresources:\n  jobs:\n    j: {name: 'x ${var.c}'}\n"
        },
        "cannot use ${var.c} inside a longer string",
        ("databricks.yml", "'x ${var.c}'"),
        "resources.jobs.j.name",
    ),
    Case(
        "depends_on an unknown task",
        {
            "databricks.yml": job(
                "- task_key: a\n  depends_on: [{task_key: extract}]\n  notebook_task: {notebook_path: ./nb.py}"
            ),
            "nb.py": NOTEBOOK,
        },
        "task a depends on extract, which is not a task of job j",
        ("databricks.yml", "extract"),
        "resources.jobs.j.tasks[0].depends_on[0].task_key",
    ),
    Case(
        "cycle in the task graph",
        {
            "databricks.yml": job(
                "- task_key: a\n  depends_on: [{task_key: b}]\n  notebook_task: {notebook_path: ./nb.py}\n"
                "- task_key: b\n  depends_on: [{task_key: a}]\n  notebook_task: {notebook_path: ./nb.py}"
            ),
            "nb.py": NOTEBOOK,
        },
        "the tasks of job j form a cycle: a -> b -> a",
        ("databricks.yml", "[{task_key: b}]"),
        "resources.jobs.j.tasks[0].depends_on",
    ),
    Case(
        "undefined job cluster",
        {
            "databricks.yml": job(
                "- task_key: a\n  job_cluster_key: big\n  notebook_task: {notebook_path: ./nb.py}"
            ),
            "nb.py": NOTEBOOK,
        },
        "job_cluster_key big is not defined",
        ("databricks.yml", "big"),
        "resources.jobs.j.tasks[0].job_cluster_key",
        accepted=True,
    ),
    Case(
        "duplicate task key",
        {
            "databricks.yml": job(
                "- {task_key: a, notebook_task: {notebook_path: ./nb.py}}\n- {task_key: a, notebook_task: {notebook_path: ./nb.py}}"
            ),
            "nb.py": NOTEBOOK,
        },
        "task_key a is used twice in job j",
        "databricks.yml:8:22",
        "resources.jobs.j.tasks[1].task_key",
    ),
    Case(
        "personal access token in config",
        {
            "databricks.yml": HEAD
            + "resources:\n  jobs:\n    j:\n      name: j\n      description: token dapi0123456789abcdef0123456789abcdef\n"
        },
        "plaintext secret in the configuration: the value looks like a Databricks personal access token",
        ("databricks.yml", "token dapi"),
        "resources.jobs.j.description",
    ),
    Case(
        "password in environment variables",
        {
            "databricks.yml": job(
                "- task_key: a\n  notebook_task: {notebook_path: ./nb.py}\n  new_cluster:\n    spark_version: '15.4'\n    spark_env_vars: {DB_PASSWORD: hunter2}"
            ),
            "nb.py": NOTEBOOK,
        },
        "plaintext secret in the configuration: DB_PASSWORD holds a literal value",
        ("databricks.yml", "hunter2"),
        "resources.jobs.j.tasks[0].new_cluster.spark_env_vars.DB_PASSWORD",
    ),
    Case(
        "storage account key in spark_conf",
        {
            "databricks.yml": HEAD
            + "resources:\n  clusters:\n    c:\n      spark_version: '15.4'\n      spark_conf:\n"
            + "        fs.azure.account.key.acct.dfs.core.windows.net: c2VjcmV0\n"
        },
        "plaintext secret in the configuration: fs.azure.account.key.acct.dfs.core.windows.net holds a literal value",
        ("databricks.yml", "c2VjcmV0"),
        "resources.clusters.c.spark_conf['fs.azure.account.key.acct.dfs.core.windows.net']",
    ),
    Case(
        "secret variable with a literal default",
        {"databricks.yml": HEAD + "variables:\n  api_token:\n    default: s3cr3t-value\n"},
        "plaintext secret in the configuration: variable api_token has a literal value",
        ("databricks.yml", "s3cr3t-value"),
        "variables.api_token.default",
    ),
    Case(
        "resource key with a dot",
        {"databricks.yml": HEAD + "resources:\n  jobs:\n    my.job: {name: x}\n"},
        "resource key 'my.job' may contain only letters, digits, '_' and '-'",
        ("databricks.yml", "my.job"),
        "resources.jobs['my.job']",
    ),
    Case(
        "bad permission level",
        {"databricks.yml": HEAD + "permissions:\n  - {level: CAN_EVERYTHING, user_name: a@b.c}\n"},
        "permission level must be CAN_MANAGE, CAN_VIEW or CAN_RUN",
        ("databricks.yml", "CAN_EVERYTHING"),
        "permissions[0].level",
    ),
    Case(
        "malformed --var",
        {"databricks.yml": HEAD},
        "--var expects name=value, got 'region'",
        "<command line>:1:1",
        variables={"region": ""},
    ),
]


def _location(files: Files, at: tuple[str, str] | str | None) -> str | None:
    if at is None or isinstance(at, str):
        return at
    name, snippet = at
    text = textwrap.dedent(files[name]).lstrip("\n")
    index = text.index(snippet)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{name}:{line}:{column}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_bundle_is_reported_with_its_location(
    case: Case, write: Callable[[Files], Path], tmp_path: Path
) -> None:
    if case.id == "non utf-8 file":
        (tmp_path / "databricks.yml").write_bytes(b"bundle:\n  name: caf\xe9\n")
    else:
        write(case.files)
    variables = case.variables
    if case.id == "malformed --var":
        from brickyard.bundle import LoadOptions, load_bundle

        with pytest.raises(BundleError) as info:
            load_bundle(tmp_path, LoadOptions(variables=["region"], environ={}))
    elif case.accepted:
        found = list(load(tmp_path, case.target, **variables).warnings)
    else:
        with pytest.raises(BundleError) as info:
            load(tmp_path, case.target, **variables)
    if not case.accepted:
        found = [d for d in info.value.diagnostics if d.severity is Severity.ERROR]
    matching = [d for d in found if case.message in d.summary]
    assert matching, f"no error mentions {case.message!r}: {[d.render() for d in found]}"
    diag = matching[0]
    assert str(diag.location) == _location(case.files, case.at), diag.render()
    if case.path:
        assert diag.path == case.path, diag.render()


def test_there_are_at_least_thirty_bad_bundles() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ("spark_python_task: {python_file: ./jobs/run.py}", "file jobs/run.py not found"),
        ("dbt_task: {project_directory: ./dbt, commands: [dbt run]}", "stat dbt: no such file or directory"),
        (
            "notebook_task: {notebook_path: ./etl/load}",
            'notebook "etl/load" not found. Local notebook references are expected\n'
            "to contain one of the following file extensions: [.py, .r, .scala, .sql, .ipynb]",
        ),
    ],
)
def test_a_missing_local_path_is_worded_as_the_cli_words_it(
    task: str, message: str, write: Callable[[Files], Path], tmp_path: Path
) -> None:
    """The path from the bundle root, cleaned, and no location: `databricks bundle validate` prints none."""
    write({"databricks.yml": job(f"- task_key: a\n  {task}")})
    with pytest.raises(BundleError) as info:
        load(tmp_path, None)
    (diag,) = [d for d in info.value.diagnostics if d.severity is Severity.ERROR]
    assert (diag.summary, diag.path, diag.location) == (message, "", None)


def test_a_reference_to_an_unknown_resource_names_its_key_but_no_file(
    write: Callable[[Files], Path], tmp_path: Path
) -> None:
    write({"databricks.yml": job("- task_key: a\n  run_job_task: {job_id: '${resources.jobs.nightly.id}'}")})
    with pytest.raises(BundleError) as info:
        load(tmp_path, None)
    (diag,) = [d for d in info.value.diagnostics if d.severity is Severity.ERROR]
    assert diag.summary == "reference does not exist: ${resources.jobs.nightly.id}"
    assert (diag.path, diag.location) == ("resources.jobs.j.tasks[0].run_job_task.job_id", None)
