"""The session fixture as teams write it: the workspace, token and cluster come from the environment
(DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_CLUSTER_ID) or a profile."""

import pytest
from databricks.connect import DatabricksSession


@pytest.fixture(scope="session")
def spark():
    return DatabricksSession.builder.getOrCreate()
