"""Warnings: the bundle still loads, and each warning says where and what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from brickyard.errors import Severity
from tests.bundle.conftest import NOTEBOOK, Files, load

TEXT = """
bundle: {name: warn}
resources:
  jobs:
    j:
      name: j
      max_concurent_runs: 3
      tasks:
        - task_key: a
          notebook_task: {notebook_path: ./nb.py}
          libraries: [{whl: ./dist/pkg-0.1-py3-none-any.whl}]
  postgres_projects:
    lake: {name: lake}
unknown_section: {}
"""


def test_unknown_keys_name_the_nearest_valid_key(write: Callable[[Files], Path]) -> None:
    bundle = load(write({"databricks.yml": TEXT, "nb.py": NOTEBOOK}))
    warnings = {d.summary: d for d in bundle.warnings}
    typo = warnings["unknown field: max_concurent_runs"]
    assert typo.path == "resources.jobs.j" and str(typo.location) == "databricks.yml:6:7"
    top = warnings["unknown field: unknown_section"]
    assert top.path == "" and str(top.location) == "databricks.yml:13:1"
    assert all(d.severity is Severity.WARNING for d in bundle.diagnostics)


def test_resource_kinds_brickyard_cannot_deploy_are_kept_with_a_warning(
    write: Callable[[Files], Path],
) -> None:
    bundle = load(write({"databricks.yml": TEXT, "nb.py": NOTEBOOK}))
    (kept,) = [d for d in bundle.warnings if "not deployable" in d.summary]
    assert kept.summary == "postgres_projects are not deployable by brickyard yet; deploy leaves lake out"
    assert bundle.resources("postgres_projects") == {"lake": {"name": "lake"}}


def test_a_library_not_built_yet_is_left_to_deploy(write: Callable[[Files], Path]) -> None:
    # the artifact that builds it runs at deploy: validate says nothing of it, as the CLI does
    bundle = load(write({"databricks.yml": TEXT, "nb.py": NOTEBOOK}))
    assert not [d for d in bundle.diagnostics if "library" in d.summary or "dist/" in d.summary]
    task = bundle.resources("jobs")["j"]["tasks"][0]
    assert task["libraries"] == [{"whl": "dist/pkg-0.1-py3-none-any.whl"}]


NEWER_KINDS = """
bundle: {name: newer}
resources:
  vector_search_endpoints:
    search: {name: search, endpoint_type: STANDARD}
  vector_search_indexes:
    docs: {name: main.rag.docs_index, endpoint_name: search, primary_key: id, index_type: DELTA_SYNC}
  synced_database_tables:
    orders:
      name: app_db.public.orders
      database_instance_name: app-db
      spec: {source_table_full_name: main.sales.orders, primary_key_columns: [id], scheduling_policy: SNAPSHOT}
  cluster_policies:
    small: {name: small clusters, definition: '{"num_workers": {"type": "range", "maxValue": 2}}'}
  instance_pools:
    pool: {instance_pool_name: warm pool, node_type_id: i3.xlarge, min_idle_instances: 1}
  external_locations:
    landing: {name: landing, url: "s3://bucket/landing", credential_name: landing_cred}
  models:
    legacy: {name: legacy-churn}
  secrets:
    token: {scope: app, key: token}
  postgres_projects:
    lake: {project_id: lake}
  postgres_branches:
    dev: {project_name: lake, branch_id: dev}
  postgres_endpoints:
    rw: {branch_name: dev, endpoint_id: rw}
  postgres_databases:
    app: {branch_name: dev, database_id: app}
  postgres_roles:
    reader: {branch_name: dev, role_id: reader}
  postgres_catalogs:
    pg: {name: pg_catalog_x, database_name: app}
  postgres_synced_tables:
    synced: {name: pg.public.orders}
  postgres_snapshot_schedules:
    nightly: {branch_name: dev}
  job_runs:
    once: {job_id: 1}
"""


def test_every_resource_kind_databricks_bundle_accepts_is_known_and_located_when_not_deployed(
    write: Callable[[Files], Path],
) -> None:
    bundle = load(write({"databricks.yml": NEWER_KINDS}))

    assert [d.summary for d in bundle.diagnostics] == []
    notes = {d.path: d for d in bundle.warnings if "not deployable" in d.summary}
    assert set(notes) == {
        "resources.vector_search_endpoints.search",
        "resources.vector_search_indexes.docs",
        "resources.synced_database_tables.orders",
        "resources.cluster_policies.small",
        "resources.instance_pools.pool",
        "resources.external_locations.landing",
        "resources.models.legacy",
        "resources.secrets.token",
        "resources.postgres_projects.lake",
        "resources.postgres_branches.dev",
        "resources.postgres_endpoints.rw",
        "resources.postgres_databases.app",
        "resources.postgres_roles.reader",
        "resources.postgres_catalogs.pg",
        "resources.postgres_synced_tables.synced",
        "resources.postgres_snapshot_schedules.nightly",
        "resources.job_runs.once",
    }
    search = notes["resources.vector_search_endpoints.search"]
    assert str(search.location) == "databricks.yml:4:5"
    assert (
        search.summary
        == "vector_search_endpoints are not deployable by brickyard yet; deploy leaves search out"
    )


def test_a_reference_to_the_id_of_a_kind_not_deployed_says_why_it_has_none() -> None:
    import pytest

    from brickyard.errors import PlanError
    from brickyard.plan.resources import fill_references

    with pytest.raises(
        PlanError, match=r"instance_pools are not deployable by brickyard yet, so instance_pools\.p"
    ):
        fill_references(["${resources.instance_pools.p.id}"], {}, strict=True)
    with pytest.raises(PlanError, match=r"jobs\.j has no id yet"):
        fill_references("${resources.jobs.j.id}", {}, strict=True)


def test_fields_of_newer_clis_and_path_only_fields_draw_no_warning(write: Callable[[Files], Path]) -> None:
    """`bundle.engine` (terraform or direct) is a CLI field; a serving endpoint's `config.name` is
    taken from the path by the API, so a bundle never writes it."""
    text = """
bundle: {name: quiet, engine: direct}
resources:
  model_serving_endpoints:
    e:
      name: e
      config:
        served_entities:
          - {entity_name: main.default.m, entity_version: "1", workload_size: Small, scale_to_zero_enabled: true}
"""
    bundle = load(write({"databricks.yml": text}))
    assert [d.summary for d in bundle.warnings] == []


ENUMS = """
bundle: {name: enums}
variables:
  shape: {type: map, default: {a: 1}}
resources:
  jobs:
    j:
      name: j
      tasks:
        - task_key: b
          run_if: SOMETIMES
          notebook_task: {notebook_path: ./nb.py, source: DISK}
targets:
  dev:
    default: true
  prod:
    artifacts:
      lib: {type: egg, build: "true"}
"""


def test_enum_values_are_warned_of_on_the_selected_target_sorted_by_message(
    write: Callable[[Files], Path],
) -> None:
    root = write({"databricks.yml": ENUMS, "nb.py": NOTEBOOK})
    dev = [(d.summary.split('"')[1], d.path, str(d.location)) for d in load(root).warnings]
    # prod's artifact is not looked at while dev is deployed; an unknown variable type is no error
    assert dev == [
        ("DISK", "resources.jobs.j.tasks[0].notebook_task.source", "databricks.yml:11:59"),
        ("SOMETIMES", "resources.jobs.j.tasks[0].run_if", "databricks.yml:10:19"),
        ("map", "variables.shape.type", "databricks.yml:3:17"),
    ]
    prod = [(d.summary, d.path) for d in load(root, target="prod").warnings]
    assert ('invalid value "egg" for enum field. Valid values are [whl jar]', "artifacts.lib.type") in prod


ANCHORS = """
bundle: {name: anchors}
defaults: &defaults {max_retries: 2}
shared:
  params: [&first {name: a, default: "1"}, &second {name: b, default: "2"}]
mixed: [&third {name: c}, {name: d}]
resources:
  jobs:
    j:
      name: j
      parameters: [*first, *second]
      tasks:
        - task_key: t
          <<: *defaults
          notebook_task: {notebook_path: ./nb.py}
"""


def test_blocks_of_anchors_are_not_unknown_fields(write: Callable[[Files], Path]) -> None:
    bundle = load(write({"databricks.yml": ANCHORS, "nb.py": NOTEBOOK}))
    # `mixed` holds a plain value beside its anchor: more likely misplaced configuration
    assert [d.summary for d in bundle.warnings] == ["unknown field: mixed"]
    job = bundle.resources("jobs")["j"]
    assert job["tasks"][0]["max_retries"] == 2
    assert [p["name"] for p in job["parameters"]] == ["a", "b"]


NULLS = """
bundle: {name: nulls}
presets:
  name_prefix:
resources:
  jobs:
    j:
      name: j
      description:
      email_notifications:
      tasks:
        - task_key: t
          notebook_task: {notebook_path: ./nb.py}
"""


def test_a_scalar_field_written_without_a_value_is_left_out_with_a_warning(
    write: Callable[[Files], Path],
) -> None:
    bundle = load(write({"databricks.yml": NULLS, "nb.py": NOTEBOOK}))
    # a mapping written empty is nothing to warn of; a string is
    assert [(d.summary, d.path, str(d.location)) for d in bundle.warnings] == [
        ("expected a string value, found null", "presets.name_prefix", "databricks.yml:3:15"),
        ("expected a string value, found null", "resources.jobs.j.description", "databricks.yml:8:19"),
    ]
    assert "description" not in bundle.resources("jobs")["j"]
    assert "name_prefix" not in (bundle.get("presets") or {})
