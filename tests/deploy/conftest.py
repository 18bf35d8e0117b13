"""Deploy tests use the suite's shared workspace fixtures (`tests/workspace_fixtures.py`)."""

from tests.workspace_fixtures import USER, Project

__all__ = ["USER", "Project"]
