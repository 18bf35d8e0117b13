"""dbt-databricks materializations that dbt-spark lacks, supplied when dbt runs on the local engine.

Projects written for Databricks use `materialized_view` and `streaming_table` models and the
`replace_where` incremental strategy, which only dbt-databricks knows: dbt-spark stops with "No
materialization 'streaming_table' was found" or "Invalid incremental strategy". The local engine
runs dbt-spark, so the working copy of the project that brickyard runs (never the user's files)
gets a macro folder of its own (`spark_macros/`) on its `macro-paths`:

- `materialized_view` builds a table from the query, as dbt-spark's `table` does;
- `streaming_table` builds a table from the query with `STREAM(x)` / `STREAM x` read as `x`: every
  row the source holds, which is what an append-only stream leaves behind;
- `incremental_strategy: replace_where` is `INSERT INTO … REPLACE WHERE <incremental_predicates>`.

Each model built this way logs one line saying so. Configs that only tune storage on Databricks
(`liquid_clustered_by`, `auto_liquid_cluster`, `zorder`, `databricks_tags`, …) are ignored by
dbt-spark and change nothing in what the models hold.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

MACROS = Path(__file__).parent / "spark_macros"
FOLDER = "brickyard_local_macros"
"""The folder, in the working copy, that holds the supplied macros."""


def add_local_macros(copy: Path, project: dict[str, Any]) -> None:
    """Put the macros into `copy` and on the `macro-paths` of its `dbt_project.yml` document."""
    shutil.copytree(MACROS, copy / FOLDER, dirs_exist_ok=True)
    paths = project.get("macro-paths")
    paths = [str(p) for p in paths] if isinstance(paths, list) else ["macros"]
    if FOLDER not in paths:
        paths.append(FOLDER)
    project["macro-paths"] = paths
