"""The APIs of objects the local workspace keeps without running, driven through databricks-sdk:
SQL warehouses, Lakeview dashboards, Genie spaces, alerts v2, apps, MLflow experiments, registered models,
serving endpoints, quality monitors and Lakebase instances and catalogs."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from databricks.sdk.errors import (
    BadRequest,
    InvalidParameterValue,
    NotFound,
    ResourceAlreadyExists,
    ResourceConflict,
)

pytestmark = pytest.mark.server


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_warehouses_are_created_running_edited_stopped_listed_and_deleted(w: Any) -> None:
    from databricks.sdk.service.sql import State

    name = _name("wh")
    warehouse = w.warehouses.create(name=name, cluster_size="Small", auto_stop_mins=20).result()
    assert warehouse.state is State.RUNNING and warehouse.cluster_size == "Small"
    assert warehouse.odbc_params.path == f"/sql/1.0/warehouses/{warehouse.id}"
    with pytest.raises(ResourceAlreadyExists):
        w.warehouses.create(name=name, cluster_size="Small")
    with pytest.raises(InvalidParameterValue, match="auto_stop_mins"):
        w.warehouses.create(name=_name("wh"), auto_stop_mins=5)
    w.warehouses.edit(warehouse.id, name=name, cluster_size="Medium", max_num_clusters=2).result()
    edited = w.warehouses.get(warehouse.id)
    assert (edited.cluster_size, edited.max_num_clusters, edited.auto_stop_mins) == ("Medium", 2, 20)
    assert w.warehouses.stop(warehouse.id).result().state is State.STOPPED
    assert w.warehouses.start(warehouse.id).result().state is State.RUNNING
    assert warehouse.id in [x.id for x in w.warehouses.list()]
    w.warehouses.delete(warehouse.id)
    with pytest.raises(NotFound):
        w.warehouses.get(warehouse.id)


def test_dashboards_are_drafted_published_listed_and_trashed(w: Any) -> None:
    from databricks.sdk.service.dashboards import Dashboard, LifecycleState

    created = w.lakeview.create(
        Dashboard(display_name=_name("sales"), serialized_dashboard='{"pages": []}', warehouse_id="abc")
    )
    assert created.lifecycle_state is LifecycleState.ACTIVE and created.path.endswith(".lvdash.json")
    updated = w.lakeview.update(
        created.dashboard_id, Dashboard(serialized_dashboard='{"pages": [{"name": "a"}]}', etag=created.etag)
    )
    assert updated.serialized_dashboard == '{"pages": [{"name": "a"}]}' and updated.etag != created.etag
    with pytest.raises(ResourceConflict):
        w.lakeview.update(created.dashboard_id, Dashboard(display_name="x", etag=created.etag))
    with pytest.raises(NotFound):
        w.lakeview.get_published(created.dashboard_id)
    published = w.lakeview.publish(created.dashboard_id, embed_credentials=True)
    assert published.warehouse_id == "abc" and published.embed_credentials is True
    listed = [d for d in w.lakeview.list() if d.dashboard_id == created.dashboard_id]
    assert listed and listed[0].serialized_dashboard is None
    w.lakeview.trash(created.dashboard_id)
    assert w.lakeview.get(created.dashboard_id).lifecycle_state is LifecycleState.TRASHED
    assert created.dashboard_id not in [d.dashboard_id for d in w.lakeview.list()]
    assert created.dashboard_id in [d.dashboard_id for d in w.lakeview.list(show_trashed=True)]


def test_genie_spaces_are_created_updated_listed_and_trashed(w: Any) -> None:
    title = _name("space")
    created = w.genie.create_space("abc", '{"version": 1}', title=title, parent_path="/Workspace/Shared/")
    assert created.title == title and created.parent_path == "/Workspace/Shared" and created.etag == "1"
    assert created.serialized_space is None  # as the workspace answers a create
    got = w.genie.get_space(created.space_id, include_serialized_space=True)
    assert got.serialized_space == '{"version": 1}' and got.warehouse_id == "abc"
    updated = w.genie.update_space(created.space_id, description="orders", etag=created.etag)
    assert updated.description == "orders" and updated.etag == "2"
    with pytest.raises(ResourceConflict):
        w.genie.update_space(created.space_id, title="x", etag=created.etag)
    with pytest.raises(BadRequest, match="warehouse_id"):
        w.genie.create_space("", '{"version": 1}')
    with pytest.raises(BadRequest, match="serialized_space"):
        w.api_client.do("POST", "/api/2.0/genie/spaces", body={"warehouse_id": "abc", "serialized_space": {}})
    assert created.space_id in [s.space_id for s in w.genie.list_spaces().spaces or []]
    w.genie.trash_space(created.space_id)
    with pytest.raises(NotFound):
        w.genie.get_space(created.space_id)
    with pytest.raises(NotFound):
        w.genie.trash_space(created.space_id)
    assert created.space_id not in [s.space_id for s in w.genie.list_spaces().spaces or []]


def test_alerts_are_created_updated_by_mask_trashed_and_purged(w: Any) -> None:
    from databricks.sdk.service.sql import (
        AlertV2,
        AlertV2Evaluation,
        AlertV2Operand,
        AlertV2OperandColumn,
        ComparisonOperator,
        CronSchedule,
    )

    alert = AlertV2(
        display_name=_name("late"),
        query_text="SELECT 1 AS n",
        warehouse_id="abc",
        evaluation=AlertV2Evaluation(
            comparison_operator=ComparisonOperator.GREATER_THAN,
            source=AlertV2OperandColumn(name="n"),
            threshold=AlertV2Operand(),
        ),
        schedule=CronSchedule(quartz_cron_schedule="0 0 * * * ?", timezone_id="UTC"),
    )
    created = w.alerts_v2.create_alert(alert)
    assert created.id and created.owner_user_name == "tester@brickyard.local"
    with pytest.raises(InvalidParameterValue, match="query_text"):
        w.api_client.do("POST", "/api/2.0/alerts", body={"display_name": "x", "warehouse_id": "abc"})
    wanted = dataclasses.replace(alert, query_text="SELECT 2 AS n", display_name="ignored")
    changed = w.alerts_v2.update_alert(created.id, wanted, "query_text")
    assert changed.query_text == "SELECT 2 AS n" and changed.display_name == alert.display_name
    assert created.id in [a.id for a in w.alerts_v2.list_alerts()]
    w.alerts_v2.trash_alert(created.id)
    assert w.alerts_v2.get_alert(created.id).lifecycle_state.value == "DELETED"
    assert created.id not in [a.id for a in w.alerts_v2.list_alerts()]
    w.alerts_v2.trash_alert(created.id, purge=True)
    with pytest.raises(NotFound):
        w.alerts_v2.get_alert(created.id)


def test_apps_are_created_active_deployed_and_deleted(w: Any) -> None:
    from databricks.sdk.service.apps import App, AppDeployment, AppDeploymentState, ComputeState

    name = _name("app")
    app = w.apps.create_and_wait(App(name=name, description="orders"))
    assert app.compute_status.state is ComputeState.ACTIVE
    assert "does not run" in app.app_status.message
    with pytest.raises(InvalidParameterValue, match="app name"):
        w.apps.create(App(name="Not_Valid"))
    deployment = w.apps.deploy_and_wait(name, AppDeployment(source_code_path="/Workspace/Users/x/app"))
    assert deployment.status.state is AppDeploymentState.SUCCEEDED
    assert w.apps.get(name).active_deployment.deployment_id == deployment.deployment_id
    assert [d.deployment_id for d in w.apps.list_deployments(name)] == [deployment.deployment_id]
    assert w.apps.update(name, App(name=name, description="changed")).description == "changed"
    assert name in [a.name for a in w.apps.list()]
    w.apps.delete(name)
    with pytest.raises(NotFound):
        w.apps.get(name)


def test_experiments_are_created_renamed_deleted_restored_and_searched(w: Any) -> None:
    from databricks.sdk.service.ml import ViewType

    name = f"/Users/tester@brickyard.local/{_name('exp')}"
    experiment_id = w.experiments.create_experiment(name).experiment_id
    with pytest.raises(ResourceAlreadyExists):
        w.experiments.create_experiment(name)
    w.experiments.update_experiment(experiment_id, new_name=name + "-2")
    found = w.experiments.get_by_name(name + "-2").experiment
    assert found.experiment_id == experiment_id and found.lifecycle_stage == "active"
    w.experiments.delete_experiment(experiment_id)
    assert experiment_id not in [e.experiment_id for e in w.experiments.search_experiments()]
    deleted = w.experiments.search_experiments(view_type=ViewType.DELETED_ONLY)
    assert experiment_id in [e.experiment_id for e in deleted]
    w.experiments.restore_experiment(experiment_id)
    assert w.experiments.get_experiment(experiment_id).experiment.lifecycle_stage == "active"


def test_registered_models_live_in_an_existing_schema(w: Any) -> None:
    schema = w.schemas.create(name=_name("models").replace("-", "_"), catalog_name="main")
    with pytest.raises(NotFound):
        w.registered_models.create(catalog_name="main", schema_name="nope_nope", name="m")
    model = w.registered_models.create(
        catalog_name="main", schema_name=schema.name, name="churn", comment="first"
    )
    assert model.full_name == f"main.{schema.name}.churn" and model.owner == "tester@brickyard.local"
    assert w.registered_models.update(model.full_name, comment="second").comment == "second"
    listed = w.registered_models.list(catalog_name="main", schema_name=schema.name)
    assert [m.full_name for m in listed] == [model.full_name]
    w.registered_models.delete(model.full_name)
    with pytest.raises(NotFound):
        w.registered_models.get(model.full_name)


def test_serving_endpoints_keep_versions_of_their_configuration(w: Any) -> None:
    from databricks.sdk.service.serving import EndpointCoreConfigInput, EndpointTag, ServedEntityInput

    name = _name("serve")
    config = EndpointCoreConfigInput(
        name=name,
        served_entities=[
            ServedEntityInput(entity_name="main.s.m", entity_version="1", workload_size="Small")
        ],
    )
    endpoint = w.serving_endpoints.create_and_wait(name, config=config)
    assert endpoint.config.served_entities[0].name == "main-s-m-1"
    assert endpoint.config.traffic_config.routes[0].traffic_percentage == 100
    updated = w.serving_endpoints.update_config_and_wait(
        name, served_entities=[ServedEntityInput(entity_name="main.s.m", entity_version="2")]
    )
    assert updated.config.config_version == 2
    assert (
        w.serving_endpoints.patch(name, add_tags=[EndpointTag(key="team", value="ml")]).tags[0].key == "team"
    )
    assert name in [e.name for e in w.serving_endpoints.list()]
    w.serving_endpoints.delete(name)
    with pytest.raises(NotFound):
        w.serving_endpoints.get(name)


def test_quality_monitors_are_one_per_table(w: Any) -> None:
    from databricks.sdk.service.catalog import MonitorSnapshot

    schema = w.schemas.create(name=_name("mon").replace("-", "_"), catalog_name="main")
    table = f"main.{schema.name}.orders"
    monitor = w.quality_monitors.create(
        table, output_schema_name=schema.full_name, assets_dir="/Users/x/mon", snapshot=MonitorSnapshot()
    )
    assert monitor.profile_metrics_table_name == f"{schema.full_name}.orders_profile_metrics"
    with pytest.raises(ResourceAlreadyExists):
        w.quality_monitors.create(
            table, output_schema_name=schema.full_name, assets_dir="/x", snapshot=MonitorSnapshot()
        )
    with pytest.raises(BadRequest):
        w.quality_monitors.create(f"main.{schema.name}.other", output_schema_name="x", assets_dir="/x")
    again = w.quality_monitors.update(table, output_schema_name=schema.full_name, slicing_exprs=["region"])
    assert again.monitor_version == 2 and again.assets_dir == "/Users/x/mon"
    w.quality_monitors.delete(table)
    with pytest.raises(NotFound):
        w.quality_monitors.get(table)


def test_database_instances_and_their_catalogs(w: Any) -> None:
    from databricks.sdk.service.database import DatabaseCatalog, DatabaseInstance, DatabaseInstanceState

    name = _name("db")
    instance = w.database.create_database_instance_and_wait(DatabaseInstance(name=name, capacity="CU_2"))
    assert instance.state is DatabaseInstanceState.AVAILABLE and instance.effective_capacity == "CU_2"
    catalog = w.database.create_database_catalog(
        DatabaseCatalog(name=name.replace("-", "_"), database_instance_name=name, database_name="app")
    )
    assert catalog.uid
    with pytest.raises(NotFound):
        w.database.create_database_catalog(
            DatabaseCatalog(name="other", database_instance_name="missing", database_name="app")
        )
    stopped = w.database.update_database_instance(name, DatabaseInstance(name=name, stopped=True), "stopped")
    assert (
        stopped.stopped is True
        and w.database.get_database_instance(name).state is DatabaseInstanceState.STOPPED
    )
    assert name in [i.name for i in w.database.list_database_instances()]
    with pytest.raises(BadRequest):
        w.database.delete_database_instance(name)
    w.database.delete_database_instance(name, force=True)
    with pytest.raises(NotFound):
        w.database.get_database_catalog(catalog.name)


def test_secret_scope_acls_are_kept_per_scope_and_dropped_with_it(w: Any) -> None:
    from databricks.sdk.service.workspace import AclPermission

    scope = _name("acl")
    w.secrets.create_scope(scope)
    w.secrets.put_acl(scope, "data-team", AclPermission.WRITE)
    assert w.secrets.get_acl(scope, "data-team").permission is AclPermission.WRITE
    listed = {a.principal: a.permission for a in w.secrets.list_acls(scope)}
    assert listed == {"tester@brickyard.local": AclPermission.MANAGE, "data-team": AclPermission.WRITE}
    w.secrets.delete_acl(scope, "data-team")
    with pytest.raises(NotFound):
        w.secrets.get_acl(scope, "data-team")
    w.secrets.put_acl(scope, "data-team", AclPermission.READ)
    w.secrets.delete_scope(scope)
    w.secrets.create_scope(scope)
    assert [a.principal for a in w.secrets.list_acls(scope)] == ["tester@brickyard.local"]
    with pytest.raises(NotFound):
        w.secrets.list_acls("no-such-scope")
