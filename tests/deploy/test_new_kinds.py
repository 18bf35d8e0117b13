"""Every kind beyond jobs, pipelines and clusters, deployed, redeployed, summarised, drift-checked
and destroyed on the local workspace, and read back through databricks-sdk."""

from __future__ import annotations

import json
from typing import Any

import pytest

from brickyard.plan.model import Action
from tests.deploy.conftest import Project

DASHBOARD = {"pages": [{"name": "p1", "displayName": "Orders"}], "datasets": []}

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  secret_scopes:
    creds:
      name: NAME-creds
      permissions: [{level: READ, group_name: users}]
  schemas:
    ml:
      catalog_name: main
      name: NAME_ml
  registered_models:
    model:
      catalog_name: main
      schema_name: ${resources.schemas.ml.name}
      name: churn
      comment: churn model
      grants: [{principal: data-scientists, privileges: [EXECUTE]}]
  sql_warehouses:
    wh:
      name: NAME-warehouse
      cluster_size: 2X-Small
      auto_stop_mins: 10
      permissions: [{level: CAN_USE, group_name: users}]
  experiments:
    exp:
      name: /Users/tester@brickyard.local/NAME-experiment
      permissions: [{level: CAN_READ, group_name: users}]
  model_serving_endpoints:
    serve:
      name: NAME-serve
      config:
        served_entities:
          - entity_name: main.${resources.schemas.ml.name}.churn
            entity_version: "1"
            workload_size: Small
            scale_to_zero_enabled: true
      permissions: [{level: CAN_QUERY, group_name: users}]
  quality_monitors:
    orders:
      table_name: main.${resources.schemas.ml.name}.orders
      assets_dir: /Users/tester@brickyard.local/NAME-monitoring
      output_schema_name: main.${resources.schemas.ml.name}
      snapshot: {}
  dashboards:
    sales:
      display_name: NAME sales
      file_path: ./sales.lvdash.json
      warehouse_id: ${resources.sql_warehouses.wh.id}
      permissions: [{level: CAN_READ, group_name: users}]
  alerts:
    late:
      display_name: NAME late orders
      file_path: ./late.dbalert.json   # query, evaluation and schedule kept in the alert's own file
      warehouse_id: ${resources.sql_warehouses.wh.id}
  database_instances:
    db:
      name: NAME-db
      capacity: CU_1
      permissions: [{level: CAN_USE, group_name: users}]
  database_catalogs:
    dbcat:
      name: NAME_dbcat
      database_instance_name: ${resources.database_instances.db.name}
      database_name: appdb
      create_database_if_not_exists: true
  apps:
    app:
      name: NAME-app
      description: orders app
      source_code_path: ./app
      permissions: [{level: CAN_USE, group_name: users}]
"""


ALERT = {
    "query_lines": ["SELECT count(*) AS n", "FROM orders"],
    "schedule": {"quartz_cron_schedule": "0 0 * * * ?", "timezone_id": "UTC"},
    "evaluation": {
        "comparison_operator": "GREATER_THAN",
        "source": {"name": "n"},
        "threshold": {"value": {"double_value": 10}},
    },
}


def _write(project: Project, bundle: str = BUNDLE) -> Project:
    project.write(
        {
            "databricks.yml": bundle,
            "sales.lvdash.json": json.dumps(DASHBOARD),
            "late.dbalert.json": json.dumps(ALERT),
            "app/app.py": "print('app')\n",
        }
    )
    return project


def test_every_new_kind_deploys_redeploys_quietly_and_is_destroyed(project: Project, client: Any) -> None:
    from databricks.sdk.errors import NotFound

    _write(project)
    plan = project.plan()
    order = [r.address.split(".")[0] for r in plan.resources]
    assert (
        order.index("sql_warehouses")
        < order.index("dashboards")
        < order.index("jobs" if "jobs" in order else "apps")
    )
    report = project.deploy(answer=True)
    assert len(report.created) == 12
    warnings = [m for level, m in project.outputs[-1].messages if level == "warn"]
    assert sum("sql_warehouses:" in w for w in warnings) == 1
    assert any("apps: the local workspace keeps apps" in w for w in warnings)

    ids = {a: r.id for a, r in project.state().resources.items()}
    name = project.name
    schema = ids["schemas.ml"]
    assert client.secrets.list_scopes() and f"{name}-creds" in [s.name for s in client.secrets.list_scopes()]
    assert client.secrets.get_acl(f"{name}-creds", "users").permission.value == "READ"
    model = client.registered_models.get(ids["registered_models.model"])
    assert model.name.endswith("churn") and model.full_name.startswith(f"{schema}.")
    assert model.comment == "churn model"
    model_grants = client.grants.get("function", model.full_name).privilege_assignments
    assert [(g.principal, [p.value for p in g.privileges]) for g in model_grants] == [
        ("data-scientists", ["EXECUTE"])
    ]
    warehouse = client.warehouses.get(ids["sql_warehouses.wh"])
    assert warehouse.name.endswith(f"{name}-warehouse") and warehouse.state.value == "RUNNING"
    assert client.experiments.get_experiment(ids["experiments.exp"]).experiment.name.endswith(
        f"{name}-experiment"
    )
    endpoint = client.serving_endpoints.get(ids["model_serving_endpoints.serve"])
    assert endpoint.config.served_entities[0].entity_name == f"{schema}.churn"
    assert client.quality_monitors.get(f"{schema}.orders").output_schema_name == schema
    dashboard = client.lakeview.get(ids["dashboards.sales"])
    assert json.loads(dashboard.serialized_dashboard) == DASHBOARD
    assert dashboard.warehouse_id == ids["sql_warehouses.wh"]
    assert client.lakeview.get_published(ids["dashboards.sales"]).warehouse_id == ids["sql_warehouses.wh"]
    alert = client.alerts_v2.get_alert(ids["alerts.late"])
    assert (alert.warehouse_id, alert.query_text) == (
        ids["sql_warehouses.wh"],
        "SELECT count(*) AS n\nFROM orders\n",
    )
    assert alert.evaluation.source.name == "n"
    assert client.database.get_database_instance(ids["database_instances.db"]).capacity == "CU_1"
    assert client.database.get_database_catalog(ids["database_catalogs.dbcat"]).database_name == "appdb"
    app = client.apps.get(ids["apps.app"])
    assert app.active_deployment.source_code_path == f"{project.files_path}/app"

    pending = [(r.address, r.changed_fields, r.reason) for r in project.plan().changed_resources()]
    assert pending == []
    granted = {
        ("warehouses", ids["sql_warehouses.wh"]): "CAN_USE",
        ("dashboards", ids["dashboards.sales"]): "CAN_READ",
        ("apps", ids["apps.app"]): "CAN_USE",
        ("experiments", ids["experiments.exp"]): "CAN_READ",
        ("serving-endpoints", endpoint.id): "CAN_QUERY",
        ("database-instances", ids["database_instances.db"]): "CAN_USE",
    }
    for (object_type, object_id), level in granted.items():
        acl = client.permissions.get(object_type, object_id).access_control_list
        users = [e for e in acl if e.group_name == "users"]
        assert [p.permission_level.value for p in users[0].all_permissions] == [level], object_type

    again = project.deploy()
    assert again.writes == 0 and not again.created and not again.updated

    from brickyard.deploy.summary import summarize
    from brickyard.releases.drift import DriftOptions, check_drift

    summary = summarize(project.context(), None)
    assert set(summary["resources"]) >= {"dashboards", "apps", "sql_warehouses", "database_catalogs"}
    assert summary["resources"]["dashboards"]["sales"]["url"].endswith(
        f"/dashboardsv3/{ids['dashboards.sales']}/published"
    )
    drift = check_drift(project.context(), DriftOptions())
    assert not drift.resources, [r.as_json() for r in drift.resources]

    project.write({"sales.lvdash.json": json.dumps({**DASHBOARD, "datasets": [{"name": "d"}]})})
    changed = {r.address: r for r in project.plan().resources}
    assert changed["dashboards.sales"].action is Action.UPDATE
    assert changed["dashboards.sales"].changed_fields == ("serialized_dashboard",)
    project.deploy()
    assert json.loads(client.lakeview.get(ids["dashboards.sales"]).serialized_dashboard)["datasets"] == [
        {"name": "d"}
    ]

    destroyed = project.destroy()
    assert len(destroyed.deleted) == 12
    assert destroyed.deleted.index("apps.app") < destroyed.deleted.index("sql_warehouses.wh")
    assert destroyed.deleted.index("database_catalogs.dbcat") < destroyed.deleted.index(
        "database_instances.db"
    )
    with pytest.raises(NotFound):
        client.warehouses.get(ids["sql_warehouses.wh"])
    with pytest.raises(NotFound):
        client.apps.get(ids["apps.app"])
    with pytest.raises(NotFound):
        client.database.get_database_instance(ids["database_instances.db"])
    assert client.lakeview.get(ids["dashboards.sales"]).lifecycle_state.value == "TRASHED"
    assert f"{name}-creds" not in [s.name for s in client.secrets.list_scopes()]


WAREHOUSE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  sql_warehouses:
    wh:
      name: NAME-wh
      cluster_size: Small
      auto_stop_mins: 30
"""


def test_a_warehouse_edited_in_the_workspace_is_drift_and_the_next_deploy_puts_it_back(
    project: Project, client: Any
) -> None:
    from brickyard.releases.drift import DriftOptions, check_drift

    project.write({"databricks.yml": WAREHOUSE})
    project.deploy()
    warehouse_id = project.state().resources["sql_warehouses.wh"].id
    current = client.warehouses.get(warehouse_id)
    client.warehouses.edit(warehouse_id, name=current.name, cluster_size="Large", auto_stop_mins=30)

    drift = check_drift(project.context(), DriftOptions())
    (found,) = drift.resources
    assert found.address == "sql_warehouses.wh" and found.url.endswith(f"/sql/warehouses/{warehouse_id}")
    assert [(f.path, f.deployed, f.actual) for f in found.fields] == [("cluster_size", "Small", "Large")]

    report = project.deploy()
    assert report.updated == ["sql_warehouses.wh"]
    assert client.warehouses.get(warehouse_id).cluster_size == "Small"
    assert not check_drift(project.context(), DriftOptions()).resources


CATALOG = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  catalogs:
    lake:
      name: NAME_lake
      comment: COMMENT
      grants: [{principal: users, privileges: [USE_CATALOG]}]
  schemas:
    raw:
      catalog_name: ${resources.catalogs.lake.name}
      name: raw
"""


def test_a_catalog_is_created_before_its_schemas_updated_in_place_and_destroyed(
    project: Project, client: Any
) -> None:
    from databricks.sdk.errors import NotFound

    project.write({"databricks.yml": CATALOG.replace("COMMENT", "landing zone")})
    order = [r.address for r in project.plan().resources]
    report = project.deploy(answer=True)
    again = project.plan().changed_resources()
    project.write({"databricks.yml": CATALOG.replace("COMMENT", "bronze")})
    updated = project.deploy(answer=True)

    catalog = f"{project.name}_lake".lower()
    assert order == ["catalogs.lake", "schemas.raw"] and len(report.created) == 2 and not again
    assert updated.updated == ["catalogs.lake"]
    assert client.catalogs.get(catalog).comment == "bronze"
    assert client.schemas.get(f"{catalog}.raw").catalog_name == catalog
    destroyed = project.destroy()
    assert destroyed.deleted == ["schemas.raw", "catalogs.lake"]
    with pytest.raises(NotFound):
        client.catalogs.get(catalog)


GENIE = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  sql_warehouses:
    wh:
      name: NAME-wh
      cluster_size: Small
  genie_spaces:
    sales:
      title: NAME sales
      description: ask about orders
      warehouse_id: ${resources.sql_warehouses.wh.id}
      serialized_space:
        version: 1
        config: {sample_questions: [{id: q1, question: ["What is the revenue?"]}]}
      permissions: [{level: CAN_RUN, group_name: users}]
    from_file:
      title: NAME from file
      warehouse_id: ${resources.sql_warehouses.wh.id}
      parent_path: /Shared/spaces
      file_path: ./space.json
"""


def test_genie_spaces_deploy_inline_or_from_a_file_redeploy_quietly_and_are_trashed(
    project: Project, client: Any
) -> None:
    from databricks.sdk.errors import NotFound

    project.write({"databricks.yml": GENIE, "space.json": json.dumps({"version": 1})})
    report = project.deploy()
    assert sorted(report.created) == ["genie_spaces.from_file", "genie_spaces.sales", "sql_warehouses.wh"]
    ids = {a: r.id for a, r in project.state().resources.items()}

    sales = client.genie.get_space(ids["genie_spaces.sales"], include_serialized_space=True)
    assert sales.title == f"{project.name} sales" and sales.warehouse_id == ids["sql_warehouses.wh"]
    # Written inline, sent as the CLI sends it: JSON text with its keys sorted.
    assert sales.serialized_space == (
        '{"config":{"sample_questions":[{"id":"q1","question":["What is the revenue?"]}]},"version":1}'
    )
    assert (
        sales.parent_path
        == f"/Workspace/Users/{client.current_user.me().user_name}/.bundle/{project.name}/local/resources"
    )
    from_file = client.genie.get_space(ids["genie_spaces.from_file"], include_serialized_space=True)
    assert from_file.parent_path == "/Workspace/Shared/spaces"
    assert json.loads(from_file.serialized_space or "") == {"version": 1}
    assert client.genie.get_space(ids["genie_spaces.sales"]).serialized_space is None  # only when asked
    listed = {s.space_id for s in client.genie.list_spaces().spaces or []}
    assert {ids["genie_spaces.sales"], ids["genie_spaces.from_file"]} <= listed
    acl = client.permissions.get("genie", ids["genie_spaces.sales"]).access_control_list or []
    users = [e for e in acl if e.group_name == "users"]
    assert [p.permission_level.value for p in users[0].all_permissions or []] == ["CAN_RUN"]

    again = project.deploy()
    assert again.writes == 0 and not again.created and not again.updated

    project.write({"space.json": json.dumps({"version": 2})})
    changed = {r.address: r for r in project.plan().changed_resources()}
    assert list(changed) == ["genie_spaces.from_file"]
    assert changed["genie_spaces.from_file"].changed_fields == ("serialized_space",)
    project.deploy()
    updated = client.genie.get_space(ids["genie_spaces.from_file"], include_serialized_space=True)
    assert json.loads(updated.serialized_space or "") == {"version": 2}

    project.destroy()
    for address in ("genie_spaces.sales", "genie_spaces.from_file"):
        with pytest.raises(NotFound):
            client.genie.get_space(ids[address])
