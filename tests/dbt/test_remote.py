"""The dbt-databricks output for a workspace target, built against the local workspace's SQL warehouses.

dbt-databricks itself is not installed in the test environment (it caps databricks-sdk and
pydantic below what brickyard uses), so the profile is checked, not a dbt run on the warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brickyard.dbt.profiles import SECRET_ENV
from brickyard.dbt.project import DbtProject
from brickyard.dbt.remote import warehouse_output
from brickyard.errors import DbtError


def test_the_output_names_a_warehouse_of_the_workspace_and_carries_no_token(client: Any) -> None:
    (first, *_) = list(client.warehouses.list())
    project = DbtProject(Path("."), "shop", "shop", catalog="main", schema="shop")

    output, token = warehouse_output(client, project, None)
    chosen, _ = warehouse_output(client, project, str(first.id))

    assert output["type"] == "databricks"
    assert output["http_path"] == f"/sql/1.0/warehouses/{first.id}" == chosen["http_path"]
    assert output["host"] == client.config.host.removeprefix("http://")
    assert (output["catalog"], output["schema"]) == ("main", "shop")
    assert token == client.config.token and token not in str(output)
    assert output["token"] == "{{ env_var('" + SECRET_ENV + "') }}"


def test_an_unknown_warehouse_is_the_workspaces_error(client: Any) -> None:
    from databricks.sdk.errors import NotFound

    project = DbtProject(Path("."), "shop", "shop", warehouse_id="nope")
    with pytest.raises((NotFound, DbtError)):
        warehouse_output(client, project, None)
