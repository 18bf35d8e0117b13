"""Clusters API through the SDK: life cycle with the SDK's waiters, listing, versions, node types."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, InvalidState, NotFound
from databricks.sdk.service.compute import State

pytestmark = pytest.mark.server


def test_cluster_life_cycle_with_waiters(w: Any) -> None:
    version = w.clusters.select_spark_version(latest=True, long_term_support=True)
    node = w.clusters.select_node_type(local_disk=True)
    cluster = w.clusters.create(
        cluster_name="life", spark_version=version, node_type_id=node, num_workers=0, spark_conf={"a": "1"}
    ).result()
    assert cluster.state == State.RUNNING and cluster.spark_conf == {"a": "1"}
    with pytest.raises(InvalidState, match="unexpected state"):
        w.clusters.start(cluster.cluster_id).result()
    w.clusters.edit(cluster.cluster_id, spark_version=version, cluster_name="renamed", num_workers=1).result()
    edited = w.clusters.get(cluster.cluster_id)
    assert (edited.cluster_name, edited.num_workers, edited.spark_conf) == ("renamed", 1, None)
    assert w.clusters.delete(cluster.cluster_id).result().state == State.TERMINATED
    assert w.clusters.start(cluster.cluster_id).result().state == State.RUNNING
    w.clusters.restart(cluster.cluster_id).result()
    w.clusters.permanent_delete(cluster.cluster_id)
    with pytest.raises(NotFound):
        w.clusters.get(cluster.cluster_id)


def test_list_pages_and_filters(w: Any) -> None:
    from databricks.sdk.service.compute import ListClustersFilterBy

    ids = [
        w.clusters.create(cluster_name=f"page-{i}", spark_version="15.4.x-scala2.12").cluster_id
        for i in range(3)
    ]
    w.clusters.delete(ids[0])
    listed = [c.cluster_id for c in w.clusters.list(page_size=1)]
    assert set(ids) <= set(listed) and len(listed) == len(set(listed))
    running = [
        c.cluster_id for c in w.clusters.list(filter_by=ListClustersFilterBy(cluster_states=[State.RUNNING]))
    ]
    assert ids[0] not in running and ids[1] in running


def test_create_needs_a_spark_version(w: Any) -> None:
    with pytest.raises(InvalidParameterValue):
        w.api_client.do("POST", "/api/2.1/clusters/create", body={"cluster_name": "x"})
