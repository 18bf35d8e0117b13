"""`mode: development` makes a harmless personal copy; `mode: production` enforces the CLI's rules."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.errors import Severity
from tests.bundle.conftest import NOTEBOOK, Files, errors, load

BUNDLE = """
bundle: {name: modes}
resources:
  jobs:
    nightly:
      name: nightly
      tags: {owner: data}
      schedule: {quartz_cron_expression: "0 0 2 * * ?", timezone_id: UTC}
      trigger: {periodic: {interval: 1, unit: DAYS}}
      job_clusters:
        - job_cluster_key: c
          new_cluster: {spark_version: 15.4.x-scala2.12, num_workers: 1}
      tasks:
        - task_key: t
          job_cluster_key: c
          notebook_task: {notebook_path: ./nb.py}
    manual:
      name: manual
      max_concurrent_runs: 2
      schedule: {quartz_cron_expression: "0 0 * * * ?", timezone_id: UTC, pause_status: UNPAUSED}
      tasks:
        - task_key: t
          notebook_task: {notebook_path: ./nb.py}
  pipelines:
    dlt:
      name: dlt
      libraries: [{notebook: {path: ./nb.py}}]
  schemas:
    raw:
      name: raw
      catalog_name: main
  clusters:
    shared:
      cluster_name: shared
      spark_version: 15.4.x-scala2.12
      num_workers: 1
targets:
  dev:
    mode: development
    default: true
  prod:
    mode: production
    workspace:
      host: https://prod.cloud.databricks.com
      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}
"""


def _root(write: Callable[[Files], Path], text: str = BUNDLE) -> Path:
    return write({"databricks.yml": text, "nb.py": NOTEBOOK})


def test_development_mode_prefixes_pauses_and_tags(write: Callable[[Files], Path]) -> None:
    bundle = load(_root(write), "dev")
    jobs = bundle.resources("jobs")
    nightly = jobs["nightly"]
    assert nightly["name"] == "[dev tester] nightly"
    assert nightly["schedule"]["pause_status"] == "PAUSED"
    assert nightly["trigger"]["pause_status"] == "PAUSED"
    assert nightly["tags"] == {"owner": "data", "dev": "tester"}
    assert "custom_tags" not in nightly["job_clusters"][0]["new_cluster"]  # job clusters are not tagged
    assert nightly["max_concurrent_runs"] == 4
    # what the user set explicitly stays
    assert jobs["manual"]["schedule"]["pause_status"] == "UNPAUSED"
    assert jobs["manual"]["max_concurrent_runs"] == 2
    pipeline = bundle.resources("pipelines")["dlt"]
    assert pipeline["name"] == "[dev tester] dlt" and pipeline["development"] is True
    assert bundle.resources("schemas")["raw"]["name"] == "dev_tester_raw"
    assert bundle.resources("clusters")["shared"]["cluster_name"] == "[dev tester] shared"
    assert bundle.get("bundle", "deployment", "lock", "enabled") is False
    assert bundle.mode == "development"


def test_production_mode_leaves_names_and_schedules(write: Callable[[Files], Path]) -> None:
    bundle = load(_root(write), "prod")
    nightly = bundle.resources("jobs")["nightly"]
    assert nightly["name"] == "nightly"
    assert "pause_status" not in nightly["schedule"]
    assert nightly["max_concurrent_runs"] == 1
    assert bundle.host == "https://prod.cloud.databricks.com"
    assert bundle.workspace["root_path"] == "/Workspace/Shared/.bundle/modes/prod"


def test_production_needs_an_explicit_root_path(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace("      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}\n", "")
    (diag,) = errors(_root(write, text), "prod")
    assert diag.summary == (
        "target with 'mode: production' must set 'workspace.root_path' to make sure only one copy is "
        "deployed. A common practice is to use a username or principal name in this path, i.e. root_path: "
        "/Workspace/Users/tester@brickyard.local/.bundle/${bundle.name}/${bundle.target}"
    )
    assert str(diag.location) == "databricks.yml:41:5"  # the target
    # ... advised only when the jobs run as someone (then every copy is that principal's)
    run_as = text + "    run_as: {service_principal_name: 3f2a6c8e-1234-4bcd-9876-0123456789ab}\n"
    bundle = load(_root(write, run_as), "prod")
    (advice,) = bundle.diagnostics
    assert advice.severity is Severity.INFO and advice.summary.startswith(
        "target with 'mode: production' should set"
    )
    assert bundle.resources("jobs")["nightly"]["run_as"] == {
        "service_principal_name": "3f2a6c8e-1234-4bcd-9876-0123456789ab"
    }


def test_production_refuses_development_pipelines(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace("      name: dlt\n", "      name: dlt\n      development: true\n")
    (diag,) = errors(_root(write, text), "prod")
    assert diag.summary == "target with 'mode: production' cannot include a pipeline with 'development: true'"
    assert diag.path == "resources.pipelines.dlt.development"
    assert str(diag.location) == "databricks.yml:26:20"


def test_production_warns_when_not_on_its_git_branch(write: Callable[[Files], Path]) -> None:
    text = BUNDLE + "    git: {branch: release}\n"
    root = _root(write, text)
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    (diag,) = [w for w in load(root, "prod").warnings if "branch" in w.summary]  # deploy refuses it
    assert (
        "not on the right git branch" in diag.summary and "release" in diag.summary and "main" in diag.summary
    )
    assert diag.path == "bundle.git.branch"
    subprocess.run([*git, "checkout", "-q", "-b", "release"], cwd=root, check=True)
    bundle = load(root, "prod")
    assert bundle.get("bundle", "git", "branch") == "release"
    assert len(bundle.get("bundle", "git", "commit")) == 40


def test_unknown_mode_is_an_error(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace("mode: development", "mode: develop")
    (diag,) = errors(_root(write, text), "dev")
    assert (
        diag.summary
        == "unsupported value 'develop' specified for 'mode': must be either 'development' or 'production'"
    )
    assert str(diag.location) == "databricks.yml:38:11"


def test_top_level_permissions_apply_to_each_resource_kind(write: Callable[[Files], Path]) -> None:
    text = (
        BUNDLE
        + "permissions:\n  - {level: CAN_RUN, group_name: analysts}\n  - {level: CAN_VIEW, user_name: a@x.com}\n"
    )
    bundle = load(_root(write, text), "prod")
    assert bundle.resources("jobs")["nightly"]["permissions"] == [
        {"level": "CAN_MANAGE_RUN", "group_name": "analysts"},
        {"level": "CAN_VIEW", "user_name": "a@x.com"},
        {"level": "IS_OWNER", "user_name": "tester@brickyard.local"},
    ]
    assert bundle.resources("pipelines")["dlt"]["permissions"][0] == {
        "level": "CAN_RUN",
        "group_name": "analysts",
    }


def test_a_service_principal_deploying_named_as_a_user_becomes_the_owner(
    write: Callable[[Files], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    principal = "6a6ffa73-af58-4f47-94cd-bed9ffcc1234"
    monkeypatch.setenv("BRICKYARD_LOCAL_USER", principal)
    text = BUNDLE.replace(
        "      tags: {owner: data}\n",
        f"      tags: {{owner: data}}\n      permissions: [{{level: CAN_MANAGE_RUN, user_name: {principal}}}]\n",
    )
    bundle = load(_root(write, text), "prod")
    assert bundle.resources("jobs")["nightly"]["permissions"] == [
        {"level": "IS_OWNER", "service_principal_name": principal}
    ]


def test_a_principal_a_resource_names_itself_keeps_its_own_level_with_a_warning(
    write: Callable[[Files], Path],
) -> None:
    text = BUNDLE.replace(
        "      tags: {owner: data}\n",
        "      tags: {owner: data}\n      permissions: [{level: CAN_VIEW, group_name: analysts}]\n",
    ) + (
        "permissions:\n  - {level: CAN_MANAGE, group_name: analysts}\n  - {level: CAN_VIEW, user_name: a@x.com}\n"
    )
    bundle = load(_root(write, text), "prod")
    assert bundle.resources("jobs")["nightly"]["permissions"][:2] == [
        {"level": "CAN_VIEW", "group_name": "analysts"},
        {"level": "CAN_VIEW", "user_name": "a@x.com"},
    ]
    assert bundle.resources("jobs")["manual"]["permissions"][0] == {
        "level": "CAN_MANAGE",
        "group_name": "analysts",
    }
    overlap = [d for d in bundle.warnings if "already has permissions" in d.summary]
    assert [(d.summary, d.path, d.location) for d in overlap] == [
        ("'jobs' already has permissions set for 'analysts' group", "", None)
    ]


def test_development_refuses_unpaused_presets_and_paths_without_the_user(
    write: Callable[[Files], Path],
) -> None:
    text = BUNDLE.replace(
        "    mode: development\n    default: true\n",
        "    mode: development\n    default: true\n    presets: {trigger_pause_status: UNPAUSED}\n"
        "    workspace:\n      root_path: /Workspace/Shared/.bundle/${bundle.name}/dev\n",
    )
    # every problem is reported, once the configuration is resolved and the presets applied
    unpaused, shared = errors(_root(write, text), "dev")
    assert (
        unpaused.summary
        == "target with 'mode: development' cannot set trigger pause status to UNPAUSED by default"
    )
    assert unpaused.path == "" and unpaused.location is not None  # a place in the file, no key path
    assert shared.summary == (
        "root_path must start with '~/' or contain the current username to ensure uniqueness "
        "when using 'mode: development'"
    )
    assert shared.path == "" and shared.location is None  # the CLI names the field, no place
    prefixed = text.replace("{trigger_pause_status: UNPAUSED}", "{name_prefix: team_}")
    assert [d.summary.split(" ")[0] for d in errors(_root(write, prefixed), "dev")] == ["root_path", "prefix"]
    assert load(_root(write, BUNDLE), "dev").target == "dev"  # the default root is in the home folder


def test_a_compute_override_moves_tasks_with_compute_and_production_is_warned(
    write: Callable[[Files], Path],
) -> None:
    text = BUNDLE.replace("    default: true\n", "    default: true\n    cluster_id: 0123-456789-abcdefgh\n")
    dev = load(_root(write, text + "    cluster_id: 0123-456789-abcdefgh\n"), "dev")
    nightly = dev.resources("jobs")["nightly"]["tasks"][0]
    assert nightly["existing_cluster_id"] == "0123-456789-abcdefgh"
    assert "job_cluster_key" not in nightly
    # a task without compute of its own stays serverless, as the CLI leaves it
    assert "existing_cluster_id" not in dev.resources("jobs")["manual"]["tasks"][0]
    assert not dev.warnings
    prod = load(_root(write, BUNDLE + "    cluster_id: 0123-456789-abcdefgh\n"), "prod")
    assert [(d.summary, d.path) for d in prod.warnings if "cluster" in d.summary] == [
        (
            "Setting a cluster override for a target that uses 'mode: production' is not recommended",
            "bundle.cluster_id",
        )
    ]
    assert prod.resources("jobs")["nightly"]["tasks"][0]["existing_cluster_id"] == "0123-456789-abcdefgh"


def test_production_with_run_as_but_no_root_path_is_a_recommendation(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace("      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}\n", "")
    text += "    run_as: {service_principal_name: 3f2a6c8e-1234-4bcd-9876-0123456789ab}\n"
    (diag,) = [d for d in load(_root(write, text), "prod").diagnostics if "root_path" in d.summary]
    assert diag.severity == Severity.INFO and diag.summary.startswith(
        "target with 'mode: production' should set 'workspace.root_path' to make sure only one copy is deployed"
    )


def test_a_shared_root_and_permissions_without_the_deployer_are_reported(
    write: Callable[[Files], Path],
) -> None:
    bundle = load(_root(write, BUNDLE), "prod")
    (shared,) = bundle.warnings
    assert (
        shared.summary
        == "the bundle root path /Workspace/Shared/.bundle/modes/prod is writable by all workspace users"
    )
    assert shared.detail.startswith("The bundle root path is in /Workspace/Shared, giving read/write access")
    assert (shared.path, shared.location) == ("", None)
    root = "      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}\n"
    outside = BUNDLE.replace(root, root + "      state_path: /Workspace/Shared/states/${bundle.name}\n")
    inside = BUNDLE.replace(root, root + "      state_path: /Workspace/Shared/.bundle/modes/prod/s\n")
    warned = [d.summary for d in load(_root(write, outside), "prod").warnings]
    assert (
        warned[1] == "the bundle state path /Workspace/Shared/states/modes is writable by all workspace users"
    )
    assert len(load(_root(write, inside), "prod").warnings) == 1  # a state path in the root: one warning
    text = BUNDLE + "permissions:\n  - {level: CAN_VIEW, group_name: analysts}\n"
    (note,) = [d for d in load(_root(write, text), "prod").diagnostics if d.severity is Severity.INFO]
    assert note.summary.startswith(
        "permissions section should explicitly include the current deployment identity"
    )
    assert (note.path, str(note.location)) == ("", "databricks.yml:46:3")  # the section, by its place only
    allowed = BUNDLE + "permissions:\n  - {level: CAN_MANAGE, group_name: users}\n"
    assert not load(_root(write, allowed), "prod").diagnostics


def test_an_empty_development_preset_takes_the_mode_default(write: Callable[[Files], Path]) -> None:
    text = BUNDLE.replace(
        "    mode: development\n    default: true\n",
        "    mode: development\n    default: true\n"
        '    presets: {name_prefix: "", trigger_pause_status: "", jobs_max_concurrent_runs: 0}\n',
    )
    presets = load(_root(write, text), "dev").get("presets")
    assert presets["name_prefix"] == "[dev tester] "
    assert presets["trigger_pause_status"] == "PAUSED"
    assert presets["jobs_max_concurrent_runs"] == 4
