from tests.deploy.conftest import client, shared_workspace  # noqa: F401  (shared fixtures)
