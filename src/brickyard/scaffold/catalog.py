"""The templates `brickyard init` knows, and the values each one asks for.

A template is a folder under `templates/`. Files ending in `.tmpl` have `<<name>>` placeholders
replaced (and lose the suffix); other files are copied as they are, so the `{{ … }}` of dbt,
Jinja and Databricks parameters in them is never touched. In paths, `__project__` and
`__package__` become the project's and the package's names, and a leading `dot_` becomes `.`.
Every template also gets the files of `templates/_common` it does not have itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from brickyard.errors import UsageError


@dataclass(frozen=True)
class Question:
    name: str
    prompt: str
    default: str | Callable[[dict[str, str]], str]
    check: str = r".+"
    """A regular expression the whole answer must match."""
    hint: str = ""

    def default_for(self, answers: dict[str, str]) -> str:
        return self.default(answers) if callable(self.default) else self.default

    def validate(self, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(self.check, value):
            raise UsageError(f"{self.name} {value!r} is not valid: {self.hint or 'expected ' + self.check}")
        return value


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    questions: tuple[Question, ...] = field(default=())


def _package(answers: dict[str, str]) -> str:
    return re.sub(r"[^a-z0-9_]", "_", answers["project_name"].lower())


PROJECT = Question(
    "project_name",
    "Project name",
    "my_project",
    r"[A-Za-z][A-Za-z0-9_-]{0,62}",
    "start with a letter; letters, digits, '_' and '-' only",
)
PACKAGE = Question(
    "package_name", "Python package name", _package, r"[a-z][a-z0-9_]{0,62}", "a lower-case Python identifier"
)
HOST = Question(
    "workspace_host",
    "Workspace URL for dev and prod",
    "https://my-workspace.cloud.databricks.com",
    r"https://[A-Za-z0-9.-]+(:\d+)?/?",
    "an https:// URL",
)
CATALOG = Question("catalog", "Default catalog", "main", r"[A-Za-z_][A-Za-z0-9_]*", "a catalog name")
SCHEMA = Question("schema", "Default schema", "default", r"[A-Za-z_][A-Za-z0-9_]*", "a schema name")
WAREHOUSE = Question(
    "warehouse_name", "SQL warehouse the queries run on", "Serverless Starter Warehouse", r"[^\n]+", "a name"
)

TEMPLATES = {
    t.name: t
    for t in (
        Template(
            "blueprint",
            "the full layout: package, notebooks, pipeline, dbt, locks, init scripts, tests by layer, CI",
            (PROJECT, PACKAGE, HOST, CATALOG),
        ),
        Template(
            "default-python",
            "a Python wheel, a notebook and a Lakeflow pipeline run by one job",
            (PROJECT, PACKAGE, HOST, CATALOG, SCHEMA),
        ),
        Template(
            "default-sql",
            "SQL files run on a SQL warehouse by a job",
            (PROJECT, PACKAGE, HOST, CATALOG, SCHEMA, WAREHOUSE),
        ),
        Template("dbt-sql", "a dbt project run by a job", (PROJECT, PACKAGE, HOST, CATALOG, SCHEMA)),
        Template(
            "lakeflow-pipelines",
            "a Lakeflow pipeline in Python and SQL, and the job that refreshes it",
            (PROJECT, PACKAGE, HOST, CATALOG, SCHEMA),
        ),
        Template("default-minimal", "an empty bundle with its targets", (PROJECT, PACKAGE, HOST)),
    )
}
DEFAULT_TEMPLATE = "blueprint"


def find(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        known = ", ".join(TEMPLATES)
        raise UsageError(f"unknown template {name!r}; choose one of: {known}") from None
