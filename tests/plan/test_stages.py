"""A plan's stages: built once, in the order deploy executes them and `plan` explains them."""

from __future__ import annotations

from typing import Any

import pytest

from brickyard.errors import PlanError
from brickyard.plan.builder import build_plan
from brickyard.plan.desired import Desired
from brickyard.plan.explain import plan_json, plan_text, stage_name
from brickyard.plan.model import Action
from brickyard.plan.resources import fingerprint
from brickyard.resources import REGISTRY
from brickyard.state.model import DeploymentState, ResourceState


def _desired(resources: dict[str, dict[str, Any]]) -> Desired:
    return Desired("b", "dev", "local", "/root", "/root/files", "/root/artifacts", resources)


def _state(**configs: dict[str, Any]) -> DeploymentState:
    state = DeploymentState(bundle="b", target="dev", lineage="x")
    for address, config in configs.items():
        kind, key = address.split("__")
        state.resources[f"{kind}.{key}"] = ResourceState(
            kind=kind, key=key, id=f"id-{key}", config=config, desired_hash=fingerprint(config)
        )
    return state


def test_resources_are_staged_by_rank_and_deletes_come_last_in_reverse_rank() -> None:
    desired = _desired(
        {
            "jobs.etl": {
                "name": "etl",
                "tasks": [{"pipeline_task": {"pipeline_id": "${resources.pipelines.p.id}"}}],
            },
            "pipelines.p": {"name": "p"},
            "schemas.s": {"name": "s", "catalog_name": "main"},
        }
    )
    state = _state(clusters__old={"cluster_name": "old"}, volumes__v={"name": "v"})
    plan = build_plan(desired, state, None, REGISTRY)
    assert [stage_name(s) for s in plan.stages] == [
        "schemas",
        "pipelines",
        "jobs",
        "delete clusters",
        "delete volumes",
    ]
    assert [c.address for c in plan.resources] == [
        "schemas.s",
        "pipelines.p",
        "jobs.etl",
        "clusters.old",
        "volumes.v",
    ]
    assert [s["stage"] for s in plan_json(plan)["stages"]] == [stage_name(s) for s in plan.stages]
    text = [str(line) for line in plan_text(plan)]
    headers = [line.strip() for line in text if line.startswith("  ") and line.strip().endswith(":")]
    assert headers == ["Schemas:", "Pipelines:", "Jobs:", "Delete clusters:", "Delete volumes:"]
    assert [c.address for c in plan.destructive] == ["volumes.v"]


def test_a_reference_against_rank_order_pulls_the_referenced_resource_forward() -> None:
    desired = _desired(
        {"schemas.s": {"name": "s", "comment": "${resources.jobs.j.id}"}, "jobs.j": {"name": "j"}}
    )
    plan = build_plan(desired, _state(), None, REGISTRY)
    assert [stage_name(s) for s in plan.stages] == ["jobs", "schemas"]


def test_resources_referencing_each_other_in_a_cycle_stop_the_plan() -> None:
    desired = _desired(
        {
            "jobs.a": {"name": "${resources.jobs.b.id}"},
            "jobs.b": {"name": "${resources.jobs.a.id}"},
        }
    )
    with pytest.raises(PlanError, match="cycle"):
        build_plan(desired, _state(), None, REGISTRY)


def test_recreate_fields_and_fingerprints_come_from_the_kind() -> None:
    config = {"name": "s", "catalog_name": "main"}
    state = _state(schemas__s=config, jobs__j={"name": "j"})
    desired = _desired({"schemas.s": {"name": "s", "catalog_name": "other"}, "jobs.j": {"name": "j"}})
    plan = build_plan(desired, state, None, REGISTRY)
    changes = {c.address: c for c in plan.resources}
    assert changes["schemas.s"].action is Action.RECREATE and changes["schemas.s"].destructive
    assert changes["jobs.j"].action is Action.UNCHANGED
    # The fingerprint decides: the state's copy is not compared field by field while it matches
    # (restoring a job from a stored definition clears it, so a deploy compares again).
    state.resources["jobs.j"].config = {"name": "j", "restored": True}
    assert {c.address: c.action for c in build_plan(desired, state, None, REGISTRY).resources}[
        "jobs.j"
    ] is Action.UNCHANGED
    state.resources["jobs.j"].desired_hash = ""
    assert {c.address: c.action for c in build_plan(desired, state, None, REGISTRY).resources}[
        "jobs.j"
    ] is Action.UPDATE
