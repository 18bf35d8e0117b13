"""The init script enforces the lock in a real environment; wiring adds it to every cluster once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from uv import find_uv_bin

from brickyard.cli.main import run
from brickyard.deps.initscript import wire_init_scripts
from tests.deps.conftest import Project
from tests.deps.wheels import make_wheel


def _venv(path: Path) -> Path:
    """A throwaway environment with pip, from the wheel ensurepip bundles: no network, under a second."""
    import ensurepip

    bundled = Path(ensurepip.__file__).parent / "_bundled"
    uv = find_uv_bin()
    subprocess.run([uv, "venv", "-q", str(path), "--python", sys.executable], check=True, capture_output=True)
    python = path / "bin" / "python"
    install = [
        uv,
        "pip",
        "install",
        "-q",
        "--python",
        str(python),
        "--no-index",
        "--find-links",
        str(bundled),
        "pip",
    ]
    subprocess.run(install, check=True, capture_output=True)
    return python


def _installed(python: Path) -> dict[str, str]:
    code = "from importlib import metadata as m; print('\\n'.join(f\"{d.metadata['Name'].lower()}={d.version}\" for d in m.distributions()))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def _enforce(project: Project, python: Path, links: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BRICKYARD_PYTHON": str(python),
        "BRICKYARD_PIP_ARGS": f"--no-index --find-links {links}",
    }
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    script = project.root / "init" / "enforce-requirements.sh"
    return subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def scripted(project: Project) -> Project:
    assert run(["deps", "lock", *project.index_args]) == 0
    assert run(["deps", "init-script"]) == 0
    return project


def test_the_script_makes_an_environment_match_the_lock(scripted: Project, tmp_path: Path) -> None:
    python = _venv(tmp_path / "cluster")
    pip = [str(python), "-m", "pip", "install", "--no-index", "--find-links", str(scripted.wheels), "-q"]
    subprocess.run([*pip, "stray==0.1", "joblib==1.4.2"], check=True)
    before = _installed(python)
    assert before["stray"] == "0.1" and before["joblib"] == "1.4.2" and "tinyutil" not in before

    done = _enforce(scripted, python, scripted.wheels)
    assert done.returncode == 0, done.stdout + done.stderr
    after = _installed(python)
    assert "stray" not in after  # not in the lock: removed
    assert after["joblib"] == "1.2.0" and after["six"] == "1.16.0" and after["tinyutil"] == "1.2"
    assert "pip" in after  # the installer itself is kept
    assert "environment matches the lock (3 distributions)" in done.stdout


def test_a_substituted_file_fails_the_hash_check(scripted: Project, tmp_path: Path) -> None:
    python = _venv(tmp_path / "cluster")
    evil = tmp_path / "evil"
    make_wheel(
        evil, "tinyutil", "1.2", ["six>=1.10"], license="Apache-2.0", classifiers=["Private :: Do Not Upload"]
    )
    for wheel in scripted.wheels.iterdir():
        if not wheel.name.startswith("tinyutil") and not (evil / wheel.name).exists():
            (evil / wheel.name).write_bytes(wheel.read_bytes())
    done = _enforce(scripted, python, evil)
    assert done.returncode != 0
    assert "hash" in done.stderr.lower() and "tinyutil" in done.stderr.lower()


def test_the_script_embeds_the_lock_and_is_regenerated_only_when_it_changes(
    scripted: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    script = scripted.read("init/enforce-requirements.sh")
    assert scripted.read("requirements/requirements.txt") in script
    assert 'KEEP="dbus-python pip setuptools uv wheel"' in script
    capsys.readouterr()
    assert run(["deps", "init-script"]) == 0
    assert "unchanged" in capsys.readouterr().err


CONFIG = {
    "workspace": {"file_path": "/Workspace/Users/me/.bundle/x/dev/files"},
    "resources": {
        "clusters": {
            "shared": {
                "spark_version": "15.4.x-scala2.12",
                "init_scripts": [{"volumes": {"destination": "/Volumes/a/b/c/x.sh"}}],
            }
        },
        "jobs": {
            "etl": {
                "job_clusters": [
                    {"job_cluster_key": "main", "new_cluster": {"spark_version": "15.4.x-scala2.12"}},
                    {"job_cluster_key": "ml", "new_cluster": {"spark_version": "15.4.x-cpu-ml-scala2.12"}},
                ],
                "tasks": [
                    {"task_key": "t", "new_cluster": {"spark_version": "15.4.x-scala2.12"}},
                    {"task_key": "u"},
                ],
            }
        },
    },
}
DEST = "/Workspace/Users/me/.bundle/x/dev/files/init/enforce-requirements.sh"


def test_wiring_adds_the_script_first_to_every_cluster_once() -> None:
    wired, skipped = wire_init_scripts(CONFIG, CONFIG["workspace"]["file_path"])  # type: ignore[index]
    entry = {"workspace": {"destination": DEST}}
    resources = wired["resources"]
    assert resources["clusters"]["shared"]["init_scripts"] == [
        entry,
        {"volumes": {"destination": "/Volumes/a/b/c/x.sh"}},
    ]
    assert resources["jobs"]["etl"]["job_clusters"][0]["new_cluster"]["init_scripts"] == [entry]
    assert resources["jobs"]["etl"]["tasks"][0]["new_cluster"]["init_scripts"] == [entry]
    assert "init_scripts" not in resources["jobs"]["etl"]["job_clusters"][1]["new_cluster"]
    assert skipped == ["resources.jobs.etl.job_clusters[1].new_cluster"]
    again, _ = wire_init_scripts(wired, CONFIG["workspace"]["file_path"])  # type: ignore[index]
    assert again == wired
    assert "init_scripts" not in CONFIG["resources"]["jobs"]["etl"]["job_clusters"][0]["new_cluster"]  # type: ignore[index]


def test_wiring_gives_ml_clusters_the_ml_script() -> None:
    wired, skipped = wire_init_scripts(CONFIG, "/files", variants=("", "-ml"))
    ml = wired["resources"]["jobs"]["etl"]["job_clusters"][1]["new_cluster"]
    assert ml["init_scripts"] == [{"workspace": {"destination": "/files/init/enforce-requirements-ml.sh"}}]
    assert skipped == []
