"""dbt tests share the deploy tests' local workspace fixtures (one server for this folder)."""

from __future__ import annotations

from tests.deploy.conftest import client, project, shared_workspace

__all__ = ["client", "project", "shared_workspace"]
