"""A wheel of the installed brickyard, for the backup job on a real workspace.

The job's task imports brickyard's backup code. The local workspace has brickyard; a Databricks
cluster does not, so deploy builds a wheel of the brickyard that is deploying (its package files,
exactly) and the job's serverless environment installs it. Its requirements are only what the
backup code imports: never pyspark or the local engine, which the cluster has or must not get.
The build is deterministic (sorted entries, fixed timestamps), so an unchanged brickyard is the same
artifact and is not uploaded again.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import brickyard

REQUIRES = ("databricks-sdk>=0.150", "pydantic>=2.7", "pyyaml>=6.0", "rich>=13.7", "obstore>=0.7")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def wheel_name() -> str:
    return f"brickyard-{_version()}-py3-none-any.whl"


def build_wheel(out_dir: Path) -> Path:
    """The wheel in `out_dir` (rewritten only when its content differs)."""
    package = Path(brickyard.__file__).parent
    version = _version()
    info = f"brickyard-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (f"brickyard/{path.relative_to(package).as_posix()}", path.read_bytes())
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    ]
    metadata = f"Metadata-Version: 2.1\nName: brickyard\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in REQUIRES
    )
    entries.append((f"{info}/METADATA", metadata.encode()))
    entries.append(
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: brickyard\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / wheel_name()
    scratch = target.with_suffix(".tmp")
    with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            item = zipfile.ZipInfo(name, date_time=_EPOCH)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            archive.writestr(item, data)
    if target.is_file() and target.read_bytes() == scratch.read_bytes():
        scratch.unlink()
    else:
        scratch.replace(target)
    return target


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _version() -> str:
    try:
        return importlib.metadata.version("brickyard")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"
