"""Pipeline update history: a pipeline's newest updates with the rows each dataset wrote and each
expectation's passed and failed records, read from the Pipelines API and its event log.

The figures are those `brickyard run` shows for one update (`runs.pipeline.read_events`), so the
same code reads the local workspace and a real one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brickyard.runs.pipeline import UpdateOutcome, read_events

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


def recent_updates(client: WorkspaceClient, pipeline_id: str, limit: int) -> list[UpdateOutcome]:
    """The newest `limit` updates, newest first, with their datasets filled in."""
    updates: list[dict[str, Any]] = []
    query: dict[str, Any] = {"max_results": min(limit, 100)}
    while len(updates) < limit:
        page = client.api_client.do("GET", f"/api/2.0/pipelines/{pipeline_id}/updates", query=query)
        updates.extend(page.get("updates") or [])
        token = page.get("next_page_token")
        if not token:
            break
        query = {"max_results": min(limit, 100), "page_token": token}
    updates.sort(key=lambda u: int(u.get("creation_time") or 0), reverse=True)
    outcomes = []
    for update in updates[:limit]:
        outcome = UpdateOutcome(
            pipeline_id=pipeline_id,
            update_id=str(update["update_id"]),
            state=str(update.get("state", "")),
            url="",
            seconds=0.0,
            start_ms=int(update.get("creation_time") or 0),
        )
        read_events(client, outcome)
        outcomes.append(outcome)
    return outcomes
