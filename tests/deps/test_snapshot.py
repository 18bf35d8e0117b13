"""`deps snapshot` and runtimes: the shipped baselines, cluster probe output, spark_version parsing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from brickyard.cli.main import run
from brickyard.deps.probe import MARKER
from brickyard.deps.reqfiles import header_values, parse_input
from brickyard.deps.runtimes import Runtime
from brickyard.deps.snapshot import parse_probe_output
from brickyard.errors import DepsError
from tests.deps.conftest import Project


@pytest.mark.parametrize(
    ("spark_version", "expected"),
    [
        ("15.4.x-scala2.12", Runtime("15.4")),
        ("16.4.x-cpu-ml-scala2.12", Runtime("16.4", "ml")),
        ("16.4.x-gpu-ml-scala2.12", Runtime("16.4", "gpu")),
        ("16.4.x-photon-scala2.12", Runtime("16.4")),
        ("not-a-version", None),
    ],
)
def test_spark_versions_map_to_runtimes(spark_version: str, expected: Runtime | None) -> None:
    assert Runtime.from_spark_version(spark_version) == expected


@pytest.mark.parametrize(
    ("runtime", "python", "joblib"), [("15.4", "3.11", "1.2.0"), ("16.4", "3.12", "1.4.2")]
)
def test_snapshot_writes_the_shipped_baseline(
    project: Project, runtime: str, python: str, joblib: str
) -> None:
    assert run(["deps", "snapshot", "--runtime", runtime]) == 0
    text = project.read("requirements/runtime-baseline.in")
    header = header_values(text)
    assert header["runtime"] == [runtime] and header["python"] == [python]
    assert "PyGObject" in header["system"]
    pins = {line.name: str(line.requirement.specifier) for line in parse_input(text, "x").lines}
    assert pins["joblib"] == f"=={joblib}" and len(pins) > 100 and "pyspark" not in pins


def test_a_runtime_without_a_shipped_list_says_what_to_do(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["deps", "snapshot", "--runtime", "16.4-ml"]) == 1
    err = capsys.readouterr().err
    assert "brickyard ships no package list for runtime 16.4-ml (it has: 15.4, 16.4)" in err
    assert "--cluster-id" in err


def test_unknown_runtime_spelling_is_refused() -> None:
    with pytest.raises(DepsError, match=r"expected a version like 16.4"):
        Runtime.parse("sixteen")


def test_the_cluster_probe_output_becomes_a_baseline() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "brickyard.deps.probe"], capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith(MARKER))
    doc = json.loads(line.removeprefix(MARKER))
    doc["distributions"].append({"name": "PyGObject", "version": "3.42.1", "installer": "debian"})
    snapshot = parse_probe_output(MARKER + json.dumps(doc), Runtime("15.4"), "0101-abc")
    names = {name.lower() for name, _ in snapshot.pins}
    assert "pydantic" in names and "pygobject" not in names
    assert "PyGObject" in snapshot.system
    assert snapshot.python == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert "# source: cluster 0101-abc" in snapshot.render()
