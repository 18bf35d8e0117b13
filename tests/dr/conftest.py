from tests.deploy.conftest import client, project, shared_workspace  # noqa: F401  (shared fixtures)
