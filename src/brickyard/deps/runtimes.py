"""Databricks runtimes as the dependency workflow sees them: a version, a variant, a Python.

`--runtime 16.4-ml` and a cluster's `spark_version: 16.4.x-cpu-ml-scala2.12` name the same thing;
both become a `Runtime`, and its variant decides the file names (`runtime-baseline-ml.in`,
`requirements-ml.txt`, `enforce-requirements-ml.sh`), so one project can lock a standard and an ML
runtime side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from brickyard.errors import DepsError

VARIANTS = ("", "ml", "gpu")

# The Python each runtime runs, from its release notes' "System environment".
PYTHON_VERSIONS = {"13.3": "3.10", "14.3": "3.10", "15.4": "3.11", "16.4": "3.12", "17.3": "3.12"}
# Wheels for this manylinux level run on every runtime's Ubuntu (22.04 for 15.x, 24.04 for 16.x).
PLATFORM = "x86_64-manylinux_2_31"

_SPEC = re.compile(r"^(?P<version>\d+\.\d+)(?:-(?P<variant>ml|gpu))?$")
_SPARK_VERSION = re.compile(r"^(?P<version>\d+\.\d+)\.x-(?P<kind>[a-z-]*?)-?scala\d")


@dataclass(frozen=True, order=True)
class Runtime:
    version: str
    variant: str = ""
    """"" (standard), "ml" or "gpu" (the GPU build of the ML runtime)."""

    @classmethod
    def parse(cls, spec: str) -> Runtime:
        match = _SPEC.match(spec.strip())
        if match is None:
            raise DepsError(f"unknown runtime {spec!r}: expected a version like 16.4, 16.4-ml or 16.4-gpu")
        return cls(match["version"], match["variant"] or "")

    @classmethod
    def from_spark_version(cls, spark_version: str) -> Runtime | None:
        """`15.4.x-scala2.12` → 15.4; `16.4.x-cpu-ml-scala2.12` → 16.4-ml; `…-gpu-ml-…` → 16.4-gpu."""
        match = _SPARK_VERSION.match(spark_version.strip())
        if match is None:
            return None
        kind = match["kind"]
        variant = "gpu" if "gpu" in kind else "ml" if "ml" in kind else ""
        return cls(match["version"], variant)

    @property
    def suffix(self) -> str:
        """The file-name suffix of this variant: "", "-ml" or "-gpu"."""
        return f"-{self.variant}" if self.variant else ""

    @property
    def python(self) -> str:
        try:
            return PYTHON_VERSIONS[self.version]
        except KeyError:
            known = ", ".join(sorted(PYTHON_VERSIONS))
            raise DepsError(
                f"brickyard does not know which Python runtime {self} runs (known: {known})"
            ) from None

    def __str__(self) -> str:
        return self.version + self.suffix


def shipped_baseline(runtime: Runtime) -> str:
    """The package list brickyard ships for `runtime`, as requirement-file text."""
    name = f"{runtime}.in"
    files = resources.files("brickyard.deps") / "baselines"
    resource = files / name
    if not resource.is_file():
        shipped = sorted(p.name.removesuffix(".in") for p in files.iterdir() if p.name.endswith(".in"))
        raise DepsError(
            f"brickyard ships no package list for runtime {runtime} (it has: {', '.join(shipped)}); "
            "snapshot it from a running cluster with `brickyard deps snapshot --runtime "
            f"{runtime} --cluster-id <id>`"
        )
    return resource.read_text(encoding="utf-8")
