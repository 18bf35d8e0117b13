"""dbt-spark on the local engine: `database:` is the catalog, as dbt-databricks reads it.

On Databricks, a source or model with `database: main` lives in catalog `main`: dbt-databricks
renders `main.schema.table`. dbt-spark knows only two-level names and refuses any relation whose
database differs from its schema ("Cannot set database in spark!"), so a project written for
Databricks failed on the local engine as soon as it named a catalog. The engine does have catalogs,
so here a relation with a database of its own renders with three parts, and one without (or with
the schema as its database, as dbt-spark fills it) renders as before. For the same reason `dbt docs
generate` reads the catalog of every database (catalog) the project uses, where dbt-spark refuses
more than one.
"""

from __future__ import annotations

from typing import Any

_PATCHED = "_brickyard_three_level_names"


def install() -> None:
    from dbt.adapters.spark.relation import SparkRelation

    if getattr(SparkRelation, _PATCHED, False):
        return
    render = SparkRelation.render

    def post_init(self: Any) -> None:
        pass  # the database (catalog) may differ from the schema

    def render_with_catalog(self: Any) -> str:
        if not self.database or self.database == self.schema or not self.schema or not self.identifier:
            return str(render(self))
        return ".".join(self.quoted(part) for part in (self.database, self.schema, self.identifier))

    SparkRelation.__post_init__ = post_init  # type: ignore[method-assign]
    SparkRelation.render = render_with_catalog  # type: ignore[method-assign]
    setattr(SparkRelation, _PATCHED, True)
    _catalog_of_every_database()


def _catalog_of_every_database() -> None:
    """dbt-spark's `get_catalog`, without its one-database check: one query per (catalog, schema)."""
    from dbt.adapters.base.impl import catch_as_completed
    from dbt.adapters.spark.impl import SparkAdapter
    from dbt_common.utils.executor import executor

    def get_catalog(self: Any, relation_configs: Any, used_schemas: Any) -> Any:
        schema_map = self._get_catalog_schemas(relation_configs)
        with executor(self.config) as tpe:
            futures = [
                tpe.submit_connected(self, schema, self._get_one_catalog, info, [schema], relation_configs)  # type: ignore[no-untyped-call]
                for info, schemas in schema_map.items()
                for schema in schemas
            ]
            return catch_as_completed(futures)

    SparkAdapter.get_catalog = get_catalog  # type: ignore[method-assign]
