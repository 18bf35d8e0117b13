"""All-purpose clusters. A local cluster is a name for a Spark Connect endpoint: the embedded engine,
or the one its `spark_conf` names under `spark.remote`. There is nothing to provision, so state
changes are immediate: `create` and `start` reach RUNNING, `delete` reaches TERMINATED, and the
SDK's waiters return at their first poll.
"""

from __future__ import annotations

import copy
import os
import secrets
import time
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads

RUNNING, TERMINATED = "RUNNING", "TERMINATED"
_STATUS_FIELDS = {
    "cluster_id",
    "state",
    "state_message",
    "start_time",
    "terminated_time",
    "last_restarted_time",
    "termination_reason",
    "creator_user_name",
    "cluster_source",
    "default_tags",
    "spark_context_id",
    "driver",
    "executors",
    "cluster_memory_mb",
    "cluster_cores",
    "spec",
}

SPARK_VERSIONS = [
    {"key": "15.4.x-scala2.12", "name": "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
    {"key": "16.4.x-scala2.12", "name": "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"},
    {"key": "16.4.x-scala2.13", "name": "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.13)"},
    {"key": "17.3.x-scala2.13", "name": "17.3 LTS (includes Apache Spark 4.0.0, Scala 2.13)"},
]


def missing_cluster(cluster_id: Any) -> ApiError:
    # As a workspace words it; the SDK maps it to ResourceDoesNotExist on clusters/get.
    return ApiError.invalid(f"Cluster {cluster_id} does not exist")


class ClusterStore:
    def __init__(self, db: Database, user: str) -> None:
        self.db = db
        self.user = user

    def create(self, spec: dict[str, Any], source: str = "API") -> str:
        spec = _spec(spec)
        if not spec.get("spark_version"):
            raise ApiError.invalid("spark_version is required")
        cluster_id = f"{time.strftime('%m%d')}-{time.strftime('%H%M%S')}-{secrets.token_hex(4)}"
        now = _now()
        doc = {
            **spec,
            "cluster_id": cluster_id,
            "creator_user_name": self.user,
            "cluster_source": source,
            "state": RUNNING,
            "state_message": "",
            "start_time": now,
            "last_restarted_time": now,
            "spark_context_id": _context_id(),
            "cluster_cores": float(os.cpu_count() or 1),
            "default_tags": {
                "Vendor": "Databricks",
                "Creator": self.user,
                "ClusterName": spec.get("cluster_name", ""),
                "ClusterId": cluster_id,
            },
            "spec": copy.deepcopy(spec),
        }
        self.db.execute(
            "INSERT INTO clusters(cluster_id, name, doc) VALUES (?, ?, ?)",
            (cluster_id, spec.get("cluster_name", ""), dumps(doc)),
        )
        return cluster_id

    def get(self, cluster_id: Any) -> dict[str, Any]:
        if not cluster_id:
            raise ApiError.invalid("cluster_id is required")
        row = self.db.one("SELECT doc FROM clusters WHERE cluster_id = ?", (str(cluster_id),))
        if row is None:
            raise missing_cluster(cluster_id)
        doc: dict[str, Any] = loads(row["doc"])
        return doc

    def find(self, cluster_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT doc FROM clusters WHERE cluster_id = ?", (cluster_id,))
        return None if row is None else loads(row["doc"])

    def list(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM clusters ORDER BY cluster_id")
        docs = [loads(r["doc"]) for r in rows]
        # Running clusters first, then by name, as a workspace lists them.
        return sorted(docs, key=lambda d: (d["state"] != RUNNING, d.get("cluster_name", ""), d["cluster_id"]))

    def edit(self, cluster_id: str, spec: dict[str, Any]) -> None:
        doc = self.get(cluster_id)
        spec = _spec(spec)
        if not spec.get("spark_version"):
            raise ApiError.invalid("spark_version is required")
        kept = {k: v for k, v in doc.items() if k in _STATUS_FIELDS}
        kept["spec"] = copy.deepcopy(spec)
        kept["default_tags"] = {**doc.get("default_tags", {}), "ClusterName": spec.get("cluster_name", "")}
        if doc["state"] == RUNNING:
            kept["last_restarted_time"] = _now()
        self._save({**spec, **kept})

    def start(self, cluster_id: str) -> None:
        doc = self.get(cluster_id)
        if doc["state"] == RUNNING:
            raise ApiError.invalid_state(f"Cluster {cluster_id} is in unexpected state Running.")
        self._start(doc)

    def ensure_running(self, cluster_id: str) -> dict[str, Any]:
        """What a job does with a terminated cluster it needs: starts it."""
        doc = self.get(cluster_id)
        if doc["state"] != RUNNING:
            self._start(doc)
        return doc

    def restart(self, cluster_id: str) -> None:
        doc = self.get(cluster_id)
        if doc["state"] != RUNNING:
            raise ApiError.invalid_state(
                f"Cluster {cluster_id} is in unexpected state {doc['state'].title()}."
            )
        doc["last_restarted_time"] = _now()
        doc["spark_context_id"] = _context_id()
        self._save(doc)

    def terminate(self, cluster_id: str) -> None:
        doc = self.get(cluster_id)
        if doc["state"] == TERMINATED:
            return
        doc.update(
            state=TERMINATED,
            state_message="Terminated by user",
            terminated_time=_now(),
            termination_reason={
                "code": "USER_REQUEST",
                "type": "SUCCESS",
                "parameters": {"username": self.user},
            },
        )
        self._save(doc)

    def permanent_delete(self, cluster_id: str) -> None:
        self.get(cluster_id)
        self.db.execute("DELETE FROM clusters WHERE cluster_id = ?", (cluster_id,))

    def _start(self, doc: dict[str, Any]) -> None:
        now = _now()
        doc.update(state=RUNNING, state_message="", start_time=now, last_restarted_time=now)
        doc["spark_context_id"] = _context_id()
        for key in ("terminated_time", "termination_reason"):
            doc.pop(key, None)
        self._save(doc)

    def _save(self, doc: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE clusters SET name = ?, doc = ? WHERE cluster_id = ?",
            (doc.get("cluster_name", ""), dumps(doc), doc["cluster_id"]),
        )


def node_types() -> list[dict[str, Any]]:
    """This machine, as the only node type, so `select_node_type()` finds one."""
    cores = os.cpu_count() or 1
    memory_mb = _memory_mb()
    local = {
        "node_type_id": "local",
        "memory_mb": memory_mb,
        "num_cores": float(cores),
        "description": f"This machine ({cores} cores, {memory_mb // 1024} GB)",
        "instance_type_id": "local",
        "category": "General Purpose",
        "is_deprecated": False,
        "is_hidden": False,
        "num_gpus": 0,
        "photon_driver_capable": False,
        "photon_worker_capable": False,
        "support_port_forwarding": True,
        "is_io_cache_enabled": False,
        "node_instance_type": {
            "instance_type_id": "local",
            "local_disks": 1,
            "local_disk_size_gb": 100,
        },
    }
    return [local]


def _spec(spec: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ApiError.invalid("the cluster specification must be an object")
    return {
        k: copy.deepcopy(v)
        for k, v in spec.items()
        if k not in _STATUS_FIELDS | {"apply_policy_default_values"}
    }


def _memory_mb() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return 8192


def _context_id() -> int:
    return int.from_bytes(os.urandom(7), "big")


def _now() -> int:
    return int(time.time() * 1000)
