"""How a task attempt is handed to a worker."""

from __future__ import annotations

from brickyard.local.runs.task_compute import with_environment_libraries


def test_serverless_environment_dependencies_become_libraries() -> None:
    settings = {
        "environments": [{"environment_key": "e", "spec": {"dependencies": ["/W/dist/a.whl", "pandas>=2"]}}]
    }
    task = {"task_key": "t", "environment_key": "e", "libraries": [{"whl": "/W/b.whl"}]}
    assert with_environment_libraries(task, settings)["libraries"] == [
        {"whl": "/W/b.whl"},
        {"whl": "/W/dist/a.whl"},
        {"pypi": {"package": "pandas>=2"}},
    ]
    assert with_environment_libraries({"task_key": "u"}, settings) == {"task_key": "u"}
