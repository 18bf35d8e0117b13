"""SQL Warehouses API through the SDK: the default warehouse, life cycle with waiters, lookups."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceAlreadyExists
from databricks.sdk.service.sql import State

from brickyard.deploy.lookups import resolve_lookups
from brickyard.local.store.warehouses import DEFAULT_NAME

pytestmark = pytest.mark.server


def test_default_warehouse_runs_from_the_start_with_connection_details(w: Any, local_ws: Any) -> None:
    default = next(wh for wh in w.warehouses.list() if wh.name == DEFAULT_NAME)
    assert default.state == State.RUNNING and default.enable_serverless_compute
    odbc = w.warehouses.get(default.id).odbc_params
    assert odbc.path == f"/sql/1.0/warehouses/{default.id}"
    assert f"{odbc.protocol}://{odbc.hostname}:{odbc.port}" == local_ws.https_host
    assert f"httpPath={odbc.path};" in w.warehouses.get(default.id).jdbc_url
    assert resolve_lookups(w, {"wh": ("warehouse", DEFAULT_NAME)}) == {"wh": default.id}


def test_warehouse_life_cycle_with_waiters(w: Any) -> None:
    created = w.warehouses.create(name="life", cluster_size="Small", auto_stop_mins=10).result()
    assert (created.state, created.cluster_size, created.auto_stop_mins) == (State.RUNNING, "Small", 10)
    w.warehouses.edit(created.id, name="life-renamed", cluster_size="Medium").result()
    edited = w.warehouses.get(created.id)
    assert (edited.name, edited.cluster_size, edited.auto_stop_mins) == ("life-renamed", "Medium", 10)
    assert w.warehouses.stop(created.id).result().state == State.STOPPED
    assert w.warehouses.start(created.id).result().state == State.RUNNING
    w.warehouses.delete(created.id)
    with pytest.raises(NotFound):
        w.warehouses.get(created.id)
    assert created.id not in {wh.id for wh in w.warehouses.list()}


def test_bad_requests_are_typed_errors(w: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="cluster_size"):
        w.warehouses.create(name="bad-size", cluster_size="Huge")
    with pytest.raises(InvalidParameterValue, match="auto_stop_mins"):
        w.warehouses.create(name="bad-stop", auto_stop_mins=5)
    w.warehouses.create(name="twice")
    with pytest.raises(ResourceAlreadyExists):
        w.warehouses.create(name="TWICE")
    with pytest.raises(NotFound):
        w.warehouses.stop("0123456789abcdef")
