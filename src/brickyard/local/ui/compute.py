"""Compute: the workspace's clusters and SQL warehouses, each with its state, its configuration, and
the task runs that used it (a task's `existing_cluster_id`; a SQL or dbt task's `warehouse_id`)."""

from __future__ import annotations

from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.server.services import Services
from brickyard.local.store.runs import RunRow
from brickyard.local.ui.jobs import run_duration
from brickyard.local.ui.render import run_state

RUNS_SHOWN = 50
CLUSTER_PATHS = ("$.existing_cluster_id",)
WAREHOUSE_PATHS = ("$.sql_task.warehouse_id", "$.dbt_task.warehouse_id")
_CLUSTER_FACTS = (
    ("spark_version", "Runtime"),
    ("node_type_id", "Node type"),
    ("driver_node_type_id", "Driver type"),
    ("data_security_mode", "Access mode"),
    ("single_user_name", "Single user"),
    ("runtime_engine", "Engine"),
    ("autotermination_minutes", "Terminates after (min)"),
    ("policy_id", "Policy"),
    ("cluster_source", "Source"),
    ("creator_user_name", "Created by"),
)
_WAREHOUSE_FACTS = (
    ("cluster_size", "Size"),
    ("warehouse_type", "Type"),
    ("enable_serverless_compute", "Serverless"),
    ("auto_stop_mins", "Stops after (min)"),
    ("min_num_clusters", "Min clusters"),
    ("max_num_clusters", "Max clusters"),
    ("spot_instance_policy", "Spot policy"),
    ("channel", "Channel"),
    ("creator_name", "Created by"),
)


def compute_page(ws: Services) -> dict[str, Any]:
    return {
        "clusters": [
            {
                "id": c["cluster_id"],
                "name": c.get("cluster_name") or c["cluster_id"],
                "state": c.get("state", ""),
                "runtime": c.get("spark_version", ""),
                "size": _workers(c),
                "source": c.get("cluster_source", ""),
            }
            for c in ws.clusters.list()
        ],
        "warehouses": [
            {
                "id": w["id"],
                "name": w.get("name") or w["id"],
                "state": w.get("state", ""),
                "size": w.get("cluster_size", ""),
                "type": "Serverless" if w.get("enable_serverless_compute") else w.get("warehouse_type", ""),
            }
            for w in ws.warehouses.list()
        ],
    }


def cluster_page(ws: Services, cluster_id: str) -> dict[str, Any]:
    doc = ws.clusters.find(cluster_id)
    if doc is None:
        raise ApiError.not_found(f"Cluster {cluster_id} does not exist.")
    facts = [(label, _text(doc[key])) for key, label in _CLUSTER_FACTS if doc.get(key) not in (None, "")]
    return {
        "cluster": {
            "id": doc["cluster_id"],
            "name": doc.get("cluster_name") or doc["cluster_id"],
            "state": doc.get("state", ""),
            "message": doc.get("state_message") or "",
            "workers": _workers(doc),
            "facts": facts,
            "spark_conf": sorted((doc.get("spark_conf") or {}).items()),
            "env": sorted((doc.get("spark_env_vars") or {}).items()),
            "tags": sorted((doc.get("custom_tags") or {}).items()),
        },
        "runs": _runs(ws, ws.runs.task_runs_using(CLUSTER_PATHS, doc["cluster_id"], RUNS_SHOWN)),
    }


def warehouse_page(ws: Services, warehouse_id: str) -> dict[str, Any]:
    doc = ws.warehouses.get(warehouse_id)
    facts = [(label, _text(doc[key])) for key, label in _WAREHOUSE_FACTS if doc.get(key) not in (None, "")]
    tags = (doc.get("tags") or {}).get("custom_tags") or []
    return {
        "warehouse": {
            "id": doc["id"],
            "name": doc.get("name") or doc["id"],
            "state": doc.get("state", ""),
            "http_path": f"/sql/1.0/warehouses/{doc['id']}",
            "facts": facts,
            "tags": [(str(t.get("key")), str(t.get("value"))) for t in tags if isinstance(t, dict)],
        },
        "runs": _runs(ws, ws.runs.task_runs_using(WAREHOUSE_PATHS, doc["id"], RUNS_SHOWN)),
    }


def _runs(ws: Services, rows: list[RunRow]) -> list[dict[str, Any]]:
    names: dict[int, str] = {}
    found = []
    for row in rows:
        job_id = row.job_id or 0
        if job_id not in names:
            record = ws.jobs.find(job_id) if job_id else None
            names[job_id] = (record.settings.get("name") if record else "") or f"Job {job_id}"
        found.append(
            {
                "job_id": job_id,
                "job": names[job_id],
                "run_id": row.root_run_id,
                "task": row.doc.get("task_key", ""),
                "task_run_id": row.run_id,
                "state": run_state(row.doc),
                "start": row.doc.get("start_time"),
                "duration": run_duration(row.doc),
            }
        )
    return found


def _workers(doc: dict[str, Any]) -> str:
    scale = doc.get("autoscale") or {}
    if scale:
        return f"{scale.get('min_workers', 0)}–{scale.get('max_workers', 0)} workers (autoscale)"
    workers = int(doc.get("num_workers") or 0)
    return "single node" if workers == 0 else f"{workers} worker{'s' if workers != 1 else ''}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
