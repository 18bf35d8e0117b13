"""Before a `--local` deploy: the catalogs and schemas the bundle uses but does not define.

A target meant for a real workspace writes into catalogs (and schemas) that its workspace already
has: a pipeline's `catalog` and `schema`/`target`, a schema resource's `catalog_name`, a volume's
catalog and schema, a dbt task's `catalog`/`schema`, and parameters named `catalog` and `schema`
(of the job, or of a task: `base_parameters`, `named_parameters`, `--catalog x`), which is how the
Databricks templates pass them. Deployed with `--local`, the local workspace has none of them, so
they are created there first, and the deploy says which. Without `--local` nothing is created: a
pipeline writing into a catalog that does not exist fails, as on Databricks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.bundle import Bundle

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


@dataclass
class Namespaces:
    catalogs: set[str] = field(default_factory=set)
    schemas: set[tuple[str, str]] = field(default_factory=set)


def _name(value: Any) -> str | None:
    """A literal name; references left for deploy (`${resources…}`) name something the bundle
    defines, and dynamic values (`{{job.parameters.schema}}`) are known only when a run starts."""
    if not isinstance(value, str) or not value.strip() or "${" in value or "{{" in value:
        return None
    return value.strip().lower()


def used_namespaces(bundle: Bundle) -> Namespaces:
    """Catalogs and schemas the bundle's resources read or write but do not define themselves."""
    used = Namespaces()

    def add(catalog: Any, schema: Any = None) -> None:
        cat = _name(catalog)
        if cat is None:
            return
        used.catalogs.add(cat)
        if (sch := _name(schema)) is not None:
            used.schemas.add((cat, sch))

    for pipeline in bundle.resources("pipelines").values():
        if pipeline.get("catalog"):
            add(pipeline["catalog"], pipeline.get("schema") or pipeline.get("target"))
    for schema in bundle.resources("schemas").values():
        add(schema.get("catalog_name"))
    for volume in bundle.resources("volumes").values():
        add(volume.get("catalog_name"), volume.get("schema_name"))
    for job in bundle.resources("jobs").values():
        # Job parameters named catalog and schema (as the Databricks templates write them) say
        # where the job's tables go.
        defaults = {
            p.get("name"): p.get("default") for p in job.get("parameters") or [] if isinstance(p, dict)
        }
        add(defaults.get("catalog"), defaults.get("schema"))
        for task in _tasks(job):
            dbt = task.get("dbt_task")
            if isinstance(dbt, dict) and dbt.get("catalog"):
                add(dbt["catalog"], dbt.get("schema"))
            named = _task_parameters(task)
            add(named.get("catalog"), named.get("schema"))
    defined_catalogs = {_name(c.get("name")) for c in bundle.resources("catalogs").values()}
    defined_schemas = {
        (_name(s.get("catalog_name")), _name(s.get("name"))) for s in bundle.resources("schemas").values()
    }
    used.catalogs -= defined_catalogs
    used.schemas -= defined_schemas
    return used


def _task_parameters(task: dict[str, Any]) -> dict[str, Any]:
    """A task's parameters by name: a notebook's `base_parameters`, a wheel's `named_parameters`,
    a SQL task's `parameters`, and `--name value` / `--name=value` pairs of a script's or wheel's
    positional parameters (how the templates pass `--catalog` and `--schema`)."""
    named: dict[str, Any] = {}
    for kind, key in (
        ("notebook_task", "base_parameters"),
        ("python_wheel_task", "named_parameters"),
        ("sql_task", "parameters"),
    ):
        values = (task.get(kind) or {}).get(key) if isinstance(task.get(kind), dict) else None
        if isinstance(values, dict):
            named.update(values)
    for kind in ("spark_python_task", "python_wheel_task"):
        spec = task.get(kind)
        positional = spec.get("parameters") if isinstance(spec, dict) else None
        if not isinstance(positional, list):
            continue
        for index, arg in enumerate(positional):
            if not isinstance(arg, str) or not arg.startswith("--"):
                continue
            name, eq, value = arg[2:].partition("=")
            if eq:
                named.setdefault(name, value)
            elif index + 1 < len(positional):
                named.setdefault(name, positional[index + 1])
    return named


def _tasks(job: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for task in job.get("tasks") or []:
        if isinstance(task, dict):
            out.append(task)
            nested = (task.get("for_each_task") or {}).get("task")
            if isinstance(nested, dict):
                out.append(nested)
    return out


def create_missing(client: WorkspaceClient, used: Namespaces) -> list[str]:
    """Create what the workspace lacks; return what was created (`catalog dev`, `schema dev.orders`)."""
    from databricks.sdk.errors import NotFound, ResourceAlreadyExists

    created = []
    for catalog in sorted(used.catalogs):
        try:
            client.catalogs.get(catalog)
        except NotFound:
            try:
                client.catalogs.create(name=catalog, comment="created by brickyard deploy --local")
                created.append(f"catalog {catalog}")
            except ResourceAlreadyExists:
                pass
    for catalog, schema in sorted(used.schemas):
        try:
            client.schemas.get(f"{catalog}.{schema}")
        except NotFound:
            try:
                client.schemas.create(
                    name=schema, catalog_name=catalog, comment="created by brickyard deploy --local"
                )
                created.append(f"schema {catalog}.{schema}")
            except ResourceAlreadyExists:
                pass
    return created
