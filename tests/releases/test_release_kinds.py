"""Release records and rollback carry every kind of the registry, not only jobs and pipelines."""

from __future__ import annotations

import json
from typing import Any

from brickyard.releases.moves import MoveOptions, rollback
from tests.deploy.conftest import Project

BUNDLE = """
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
  dashboards:
    sales:
      display_name: NAME sales
      file_path: ./sales.lvdash.json
      warehouse_id: ${resources.sql_warehouses.wh.id}
"""


def _dashboard(version: int) -> str:
    return json.dumps({"pages": [{"name": f"v{version}"}]})


def test_a_rollback_puts_a_dashboard_back_as_released(project: Project, client: Any) -> None:
    project.write({"databricks.yml": BUNDLE, "sales.lvdash.json": _dashboard(1)})
    project.deploy()
    dashboard_id = project.state().resources["dashboards.sales"].id
    project.write({"sales.lvdash.json": _dashboard(2)})
    project.deploy()
    assert client.lakeview.get(dashboard_id).serialized_dashboard == _dashboard(2)

    outcome = rollback(project.context(), MoveOptions(auto_approve=True))
    assert outcome.release.content_of == 1
    assert client.lakeview.get(dashboard_id).serialized_dashboard == _dashboard(1)
    assert set(project.state().resources) == {"sql_warehouses.wh", "dashboards.sales"}
