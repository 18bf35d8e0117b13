"""A kind added through a registry alone is planned, deployed, summarised and destroyed.

`Notes` exists only here: a text file in the workspace, kept through the Workspace API. Nothing
outside the registry knows its name, so plan, deploy, summary and destroy handling it proves that
adding a kind is one module.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest

from brickyard.context import AppContext
from brickyard.plan.explain import plan_json, stage_name
from brickyard.plan.model import Action, DeleteStage, ResourceStage
from brickyard.resources import REGISTRY, Kind
from tests.deploy.conftest import USER, Project


class Notes(Kind):
    name = "notes"
    label = "note"
    rank = 50
    name_fields = ("path",)
    recreate_fields = ("path",)
    local_note = "notes are plain files here"

    def create(self, settings: dict[str, Any]) -> str:
        return self.update(str(settings["path"]), settings)

    def update(self, id: str, settings: dict[str, Any]) -> str:
        from databricks.sdk.service.workspace import ImportFormat

        data = io.BytesIO(str(settings.get("text", "")).encode())
        self.client.workspace.upload(id, data, format=ImportFormat.AUTO, overwrite=True)
        return id

    def read(self, id: str) -> dict[str, Any]:
        with self.client.workspace.download(id) as handle:
            return {"path": id, "text": handle.read().decode()}

    def _delete(self, id: str) -> None:
        self.client.workspace.delete(id)

    def url(self, host: str, id: str) -> str:
        return f"{host}/#workspace{id}"


BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  notes:
    hello:
      path: /Users/tester@brickyard.local/NAME-hello.txt
      text: first
  jobs:
    greet:
      name: greet
      description: "reads ${resources.notes.hello.id}"
      tasks:
        - task_key: hello
          spark_python_task:
            python_file: ./hello.py
"""


def _context(project: Project) -> AppContext:
    return dataclasses.replace(project.context(answer=True), resources=REGISTRY.with_kinds([Notes]))


def test_a_kind_from_a_test_registry_is_planned_deployed_summarised_and_destroyed(
    project: Project, client: Any
) -> None:
    from databricks.sdk.errors import NotFound

    from brickyard.deploy import DeployOptions, deploy_bundle, plan_bundle
    from brickyard.deploy.destroy import destroy_bundle
    from brickyard.deploy.summary import summarize

    project.write({"databricks.yml": BUNDLE, "hello.py": "print('hi')\n"})
    note = f"/Users/{USER}/{project.name}-hello.txt"

    plan = plan_bundle(_context(project), DeployOptions())
    names = [stage_name(s) for s in plan.stages]
    assert names == ["files", "notes", "jobs"]
    assert [s["stage"] for s in plan_json(plan)["stages"]] == names

    ctx = _context(project)
    report = deploy_bundle(ctx, DeployOptions())
    assert report.created == ["notes.hello", "jobs.greet"]
    warnings = [m for level, m in ctx.output.messages if level == "warn"]  # type: ignore[attr-defined]
    assert warnings.count("notes: notes are plain files here") == 1
    with client.workspace.download(note) as handle:
        assert handle.read() == b"first"
    job = client.jobs.get(int(project.state().resources["jobs.greet"].id))
    assert job.settings.description == f"reads {note}"

    project.write({"databricks.yml": BUNDLE.replace("text: first", "text: second")})
    changed = plan_bundle(_context(project), DeployOptions())
    stage = next(s for s in changed.stages if isinstance(s, ResourceStage) and s.kind == "notes")
    assert [(c.address, c.action, c.changed_fields) for c in stage.changes] == [
        ("notes.hello", Action.UPDATE, ("text",))
    ]
    deploy_bundle(_context(project), DeployOptions())
    with client.workspace.download(note) as handle:
        assert handle.read() == b"second"

    summary = summarize(_context(project), None)
    assert list(summary["resources"]) == ["notes", "jobs"]
    assert summary["resources"]["notes"]["hello"] == {
        "id": note,
        "name": note,
        "url": f"{summary['workspace']['host']}/#workspace{note}",
    }

    destroyed = destroy_bundle(_context(project), None, auto_approve=True)
    assert destroyed.deleted == ["jobs.greet", "notes.hello"]
    with pytest.raises(NotFound):
        client.workspace.get_status(note)


def test_destroy_walks_the_delete_stages_in_reverse_rank(project: Project, client: Any) -> None:
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.deploy.destroy import destroy_plan
    from brickyard.deploy.target import open_target

    project.write({"databricks.yml": BUNDLE, "hello.py": "print('hi')\n"})
    deploy_bundle(_context(project), DeployOptions())
    ctx = _context(project)
    target = open_target(ctx, None)
    plan = destroy_plan(target, target.read_state(ctx))
    deletes = [s for s in plan.stages if isinstance(s, DeleteStage)]
    assert [s.kind for s in deletes] == ["jobs", "notes"]
    assert not any(isinstance(s, ResourceStage) for s in plan.stages)
    assert all(c.action is Action.DELETE for c in plan.resources)
